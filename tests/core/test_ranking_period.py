"""The period a ranking covers: words, a typed period, and the key a page keeps."""

from __future__ import annotations

from datetime import date

from core.period import PeriodError, PeriodErrorCode
from core.ranking import is_period_key, parse_period, period_bounds

TODAY = date(2026, 11, 18)


def test_a_typed_period_becomes_a_key_read_back_as_the_same_days() -> None:
    """ "01/01/2026-30/06/2026" is the key 20260101-20260630, which "tiếp" reads back."""
    key = parse_period("01/01/2026-30/06/2026")
    assert key == "20260101-20260630"
    assert parse_period(key) == key
    assert is_period_key(key)
    assert period_bounds(key, TODAY) == (date(2026, 1, 1), date(2026, 6, 30))
    assert parse_period("từ 01/01/0001 đến 31/12/2026") == "00010101-20261231"


def test_words_and_wrong_periods() -> None:
    """The words stay; a wrong period says what is wrong; a garbled key is not a key."""
    assert parse_period("") == "year"
    assert parse_period("quý") == "quarter"
    assert parse_period("tuần") is None
    assert parse_period("31/02/2026-30/06/2026") == PeriodError(
        PeriodErrorCode.BAD_DATE, "31/02/2026"
    )
    assert parse_period("20260230-20260630") is None
    assert not is_period_key("20260630-20260101")
    assert is_period_key("month")
