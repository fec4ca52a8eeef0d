"""A directive's number and symbol read apart from the words typed before it."""

from __future__ import annotations

from datetime import date

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


@pytest.mark.parametrize(
    ("typed", "number", "issued_on", "issuer"),
    [
        ("Công văn số 4824/UBND-KGVX ngày 05/12/2026", "4824/UBND-KGVX", date(2026, 12, 5), ""),
        (
            "Quyết định số 03/QĐ-BCĐ ngày 1 tháng 12 năm 2026 của Ban Chỉ đạo",
            "03/QĐ-BCĐ",
            date(2026, 12, 1),
            "Ban Chỉ đạo",
        ),
        ("4824/UBND-KGVX của UBND tỉnh", "4824/UBND-KGVX", None, "UBND tỉnh"),
        ("4824/UBND–KGVX", "4824/UBND-KGVX", None, ""),  # Word's dash for a hyphen
        ("12/KH ngày mai", "12/KH ngày mai", None, ""),  # no date: kept whole, as before
    ],
)
def test_directive_cited_as_documents_cite_it(
    typed: str, number: str, issued_on: date | None, issuer: str
) -> None:
    """A directive cited with its date and issuer, as a document or an appendix cites it,
    is that number (it became a directive numbered "4824/UBND-KGVX ngày 05/12/2026", apart
    from the one typed plainly, and a summary of the directive left its tasks out)."""
    assert parse_directive_line(typed) == DirectiveDraft(number, issued_on, issuer)
