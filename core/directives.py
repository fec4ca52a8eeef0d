"""Read a directive as admins type it: '4824/UBND-KGVX | 15/11/2026 | UBND tỉnh | Về việc …'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.deadlines import parse_date
from core.textnorm import fold

__all__ = ["MAX_NUMBER", "DirectiveDraft", "parse_directive_line", "plain_number"]

MAX_NUMBER, MAX_ISSUER, MAX_TITLE = 80, 200, 500
# What admins write before a number and symbol ("CV 4824/UBND-KGVX", "Công văn số 4824/…",
# "QĐ số 03/QĐ-BCĐ"): the kind of document and "số", folded. The number is what follows.
_KIND_WORDS = (
    ("cong", "van"),
    ("quyet", "dinh"),
    ("ke", "hoach"),
    ("thong", "bao"),
    ("chi", "thi"),
    ("van", "ban"),
    ("cv",),
    ("qd",),
    ("kh",),
    ("tb",),
    ("ct",),
    ("vb",),
    ("so",),
    ("no",),
)


@dataclass(frozen=True, slots=True)
class DirectiveDraft:
    """A directive not yet stored: number and symbol, and what else was given."""

    number: str
    issued_on: date | None = None
    issuer: str = ""
    title: str = ""


def plain_number(text: str) -> str:
    """Return a directive's number and symbol without the words typed before it.

    "CV 4824/UBND-KGVX", "Công văn số 4824/UBND-KGVX" and "số: 4824/UBND-KGVX" are all
    4824/UBND-KGVX; what is left must start with a digit, else the text is kept whole.
    """
    words = text.split()
    start = 0
    while start < len(words) - 1:
        for kind in _KIND_WORDS:
            typed = [fold(w).rstrip(".:") for w in words[start : start + len(kind)]]
            if tuple(typed) == kind:
                start += len(kind)
                break
        else:
            break
    if start == 0 or start >= len(words) or not words[start][:1].isdigit():
        return _hyphens(" ".join(words))
    return _hyphens(" ".join(words[start:]))


# Word turns a typed hyphen into a dash as it goes: "4824/UBND–KGVX" is 4824/UBND-KGVX.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def _hyphens(number: str) -> str:
    """Return a number with the dashes Word or a PDF put in its symbol as hyphens."""
    return number.translate(_DASHES)


def _cited(number: str) -> tuple[str, date | None, str]:
    """Read a number cited as documents cite one: "4824/UBND-KGVX ngày 05/12/2026 của
    UBND tỉnh" is the number, its date and its issuer (each part optional); anything else
    is the number whole."""
    words = number.split()
    if len(words) < 3 or not words[0][:1].isdigit():
        return number, None, ""
    folded = [fold(w) for w in words]
    issuer = ""
    if "cua" in folded[1:]:
        at = folded.index("cua", 1)
        issuer, words, folded = " ".join(words[at + 1 :]), words[:at], folded[:at]
    if len(words) == 1 and issuer:
        return words[0], None, issuer
    if len(words) < 3 or folded[1] != "ngay":
        return number, None, ""
    issued_on = parse_date(" ".join(words[2:]))
    return (words[0], issued_on, issuer) if issued_on is not None else (number, None, "")


def parse_directive_line(text: str) -> DirectiveDraft | str:
    """Return the directive typed as 'number | date | issuer | title' (all but number
    optional; the number may be cited "4824/UBND-KGVX ngày 05/12/2026 của UBND tỉnh"), or an
    error code: 'missing_number', 'bad_date', 'too_long'."""
    parts = [" ".join(p.split()) for p in text.split("|")]
    parts += [""] * (4 - len(parts))
    number, day_text, issuer = plain_number(parts[0]), parts[1], parts[2]
    title = " | ".join(p for p in parts[3:] if p)
    number, cited_on, cited_by = _cited(number)
    issuer = issuer or cited_by
    if cited_on is not None and not day_text:
        day_text = cited_on.strftime("%d/%m/%Y")
    if not number:
        return "missing_number"
    if len(number) > MAX_NUMBER or len(issuer) > MAX_ISSUER or len(title) > MAX_TITLE:
        return "too_long"
    issued_on = parse_date(day_text) if day_text else None
    if day_text and issued_on is None:
        return "bad_date"
    return DirectiveDraft(number, issued_on, issuer, title)
