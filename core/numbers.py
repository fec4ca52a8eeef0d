"""Numbers a person typed or put in an address: a record's number, a page, a choice.

`str.isdigit` is true of "²" and "①", which `int` refuses (it reads decimal digits only,
the full-width ones of some phone keyboards included), and `int` refuses more than
4,300 digits; a number past the database's integer (PostgreSQL's `integer` holds the ids)
makes SQLite raise instead of finding nothing. Whatever reads such a number goes through
`typed_number`, which answers None for all of these, so the caller says "not found" or
how to type it.
"""

from __future__ import annotations

import re

from core.textnorm import fold

MAX_ID = 2**31 - 1  # the largest id a row can have (PostgreSQL `integer`)
MAX_STAMP = 10**12 - 1  # the largest unix time (seconds) a link or a login may carry


def typed_number(text: str, *, maximum: int = MAX_ID) -> int | None:
    """Return the whole number `text` is (decimal digits, from 0 to `maximum`), else None."""
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not text.isdecimal():
        return None
    number = int(text)
    return number if number <= maximum else None


def is_id(number: int) -> bool:
    """Tell whether a number can be a row's id at all (1 to MAX_ID)."""
    return 1 <= number <= MAX_ID


# "1 ạ", "1.", "dạ 1", "số 2 nhé": a numbered choice typed the way people write it.
_CHOSEN_RE = re.compile(
    r"^(?:(?:da|vang|so|chon)\s+)*(\d{1,3})\s*[.)!]*"
    r"(?:\s+(?:a|ah|ak|nhe|nha|em|anh|chi|ban|oi))*\s*[.!]*$"
)


def chosen_number(text: str) -> int | None:
    """Return the number of a choice typed alone or with polite words ("1 ạ", "dạ 2."), else
    None; "2 60%" or "3 thiếu kinh phí" say more than a choice and are not one."""
    plain = typed_number(text)
    if plain is not None:
        return plain
    match = _CHOSEN_RE.match(fold(text))
    return int(match.group(1)) if match else None


# "60,5%", "60.5 %", "62,5 phần trăm": a share typed with a fraction, which a report keeps
# as its whole percent (folded text: "phan tram").
_DECIMAL_SHARE_RE = re.compile(
    r"(?<![\w.,])(\d{1,3})([.,])(\d{1,3})\s*(?:[%％]|phan\s+tram\b|percent\b|pct\b)"
)


def decimal_share(text: str, whole: int) -> str | None:
    """Return the share with a fraction typed in `text` whose whole part is `whole`, as
    typed ("60,5" for "đạt 60,5%" and 60), else None."""
    for match in _DECIMAL_SHARE_RE.finditer(fold(text)):
        if int(match.group(1)) == whole and int(match.group(3)) > 0:
            return "".join(match.group(1, 2, 3))
    return None
