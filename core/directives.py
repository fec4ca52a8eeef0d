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
        return " ".join(words)
    return " ".join(words[start:])


def parse_directive_line(text: str) -> DirectiveDraft | str:
    """Return the directive typed as 'number | date | issuer | title' (all but number
    optional), or an error code: 'missing_number', 'bad_date', 'too_long'."""
    parts = [" ".join(p.split()) for p in text.split("|")]
    parts += [""] * (4 - len(parts))
    number, day_text, issuer = plain_number(parts[0]), parts[1], parts[2]
    title = " | ".join(p for p in parts[3:] if p)
    if not number:
        return "missing_number"
    if len(number) > MAX_NUMBER or len(issuer) > MAX_ISSUER or len(title) > MAX_TITLE:
        return "too_long"
    issued_on = parse_date(day_text) if day_text else None
    if day_text and issued_on is None:
        return "bad_date"
    return DirectiveDraft(number, issued_on, issuer, title)
