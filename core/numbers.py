"""Numbers a person typed or put in an address: a record's number, a page, a choice.

`str.isdigit` is true of "²" and "①", which `int` refuses (it reads decimal digits only,
the full-width ones of some phone keyboards included), and `int` refuses more than
4,300 digits; a number past the database's integer (PostgreSQL's `integer` holds the ids)
makes SQLite raise instead of finding nothing. Whatever reads such a number goes through
`typed_number`, which answers None for all of these, so the caller says "not found" or
how to type it.
"""

from __future__ import annotations

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
