"""What an import's report says in chat: every rejected row, within a few messages."""

from __future__ import annotations

from app.i18n import load_catalog
from app.import_report import CHAT_LISTED_REJECTIONS, chunks, preview_lines, report_lines
from core.spreadsheet.report import ImportReport, Rejection

BAD_DATE = {"code": "", "value": "31/02/2027"}


def rejected(rows: list[int]) -> ImportReport:
    """Return the report of a file whose given rows all had an impossible deadline."""
    return ImportReport(rejected=[Rejection(row, "bad_deadline", dict(BAD_DATE)) for row in rows])


def test_a_chat_report_of_5000_rejected_rows_fits_in_a_few_messages() -> None:
    """5,000 bad rows are not 120 messages: the first rows are named with their reason, and
    the rest by their numbers, as ranges."""
    lines = report_lines(load_catalog(), "vi", rejected(list(range(2, 5002))), listed=50)
    messages = chunks(lines)
    assert len(messages) <= 2
    text = "\n".join(messages)
    assert text.count("31/02/2027") == CHAT_LISTED_REJECTIONS == 50
    assert "4.950 dòng khác" in text
    assert "52–5.001" in text


def test_a_chat_report_names_scattered_rows_one_by_one_and_runs_as_ranges() -> None:
    """Rows past the listed ones read as "60, 62–64, 1,070": none is left out."""
    report = rejected([2, 3, 60, 62, 63, 64, 1070])
    text = "\n".join(report_lines(load_catalog(), "en", report, listed=2))
    assert "Row 2:" in text
    assert "Row 3:" in text
    assert "60, 62–64, 1,070" in text


def test_a_report_lists_every_rejected_row_by_default() -> None:
    """The command line and the upload page name every rejected row with its reason."""
    text = "\n".join(report_lines(load_catalog(), "en", rejected(list(range(2, 202)))))
    assert text.count("31/02/2027") == 200


def test_the_hidden_rows_of_a_list_filtered_to_a_few_are_named_within_one_line() -> None:
    """A master list of 5,000 rows filtered to every tenth: the report and its preview name
    the rows not read as their first ranges and "…", not 4,500 numbers."""
    hidden = [row for row in range(2, 5002) if row % 10]
    report = ImportReport(added=["T1"], hidden=hidden)
    for lines in (
        report_lines(load_catalog(), "en", report),
        preview_lines(load_catalog(), "en", report, rows=500, minutes=60),
    ):
        [line] = [line for line in lines if "hidden" in line]
        assert line.startswith("4,500 rows hidden in the file")
        assert "rows 2–9, 11–19," in line
        assert "291–299, …" in line
        assert len(line) < 500
