"""A typed number is decimal digits within what an id can be; anything else is no number."""

from __future__ import annotations

import pytest

from core.numbers import MAX_ID, chosen_number, decimal_share, is_id, typed_number


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 7 ", 7), ("0", 0), (str(MAX_ID), MAX_ID), ("２", 2), ("²", None), ("①", None)],
)
def test_typed_number_reads_decimal_digits_only(text: str, number: int | None) -> None:
    """Decimal digits (full-width ones too) are the number; "²" and "①" are none."""
    assert typed_number(text) == number


@pytest.mark.parametrize("text", ["", "#12", "-1", "1.5", str(MAX_ID + 1), "9" * 5000])
def test_typed_number_refuses_what_no_row_can_be(text: str) -> None:
    """Signs, fractions, and numbers past the largest id (or int's 4,300 digits) are none."""
    assert typed_number(text) is None


def test_is_id_bounds() -> None:
    """An id runs from 1 to the database's largest integer."""
    assert [is_id(n) for n in (0, 1, MAX_ID, MAX_ID + 1, -5)] == [False, True, True, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("1 ạ", 1), ("dạ 2", 2), ("1.", 1), ("3)", 3), ("số 4 nhé", 4), ("Vâng 1 ạ", 1)],
)
def test_chosen_number_reads_a_choice_typed_politely(text: str, expected: int) -> None:
    """A choice's number with the words people add around it is that number."""
    assert chosen_number(text) == expected


@pytest.mark.parametrize("text", ["2 60%", "3 thiếu kinh phí", "1 2", "xong", "#1", "1/2"])
def test_chosen_number_is_none_when_more_is_said(text: str) -> None:
    """A number followed by what it means ("2 60%") is no bare choice."""
    assert chosen_number(text) is None


@pytest.mark.parametrize(
    ("text", "whole", "typed"),
    [
        ("đang làm 60,5%", 60, "60,5"),
        ("đạt 62.5 phần trăm", 62, "62.5"),
        ("60,0%", 60, None),  # no fraction lost
        ("60%", 60, None),
        ("#3 40,5%, #4 60%", 60, None),  # the fraction is another task's share
        ("ngày 12.5 xong 60%", 60, None),  # a date's dot is no share
    ],
)
def test_decimal_share_is_the_fraction_typed_of_the_share_kept(
    text: str, whole: int, typed: str | None
) -> None:
    """A share typed with a fraction is returned as typed when its whole part was kept."""
    assert decimal_share(text, whole) == typed
