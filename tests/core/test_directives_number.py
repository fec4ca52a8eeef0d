"""A directive's number and symbol read apart from the words typed before it."""

from __future__ import annotations

import pytest

from core.directives import DirectiveDraft, parse_directive_line, plain_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("CV 4824/UBND-KGVX", "4824/UBND-KGVX"),
        ("Công văn số 4824/UBND-KGVX", "4824/UBND-KGVX"),
        ("số: 4824/UBND-KGVX", "4824/UBND-KGVX"),
        ("QĐ số 03/QĐ-BCĐ", "03/QĐ-BCĐ"),
        ("Quyết định 03/QĐ-BCĐ", "03/QĐ-BCĐ"),
        ("4824/ubnd-kgvx", "4824/ubnd-kgvx"),
        ("Kế hoạch", "Kế hoạch"),  # nothing numbered after the words: kept whole
        ("CV ABC/UBND", "CV ABC/UBND"),
    ],
)
def test_plain_number_drops_the_kind_and_so(typed: str, number: str) -> None:
    """The kind of document and "số" before a number are not part of it."""
    assert plain_number(typed) == number


def test_directive_line_keeps_the_plain_number() -> None:
    """A new directive typed with its kind is stored by its number alone."""
    parsed = parse_directive_line("CV số 12/UBND | 01/12/2026 | UBND tỉnh")
    assert isinstance(parsed, DirectiveDraft)
    assert parsed.number == "12/UBND"
