"""Render an import report as catalog lines, for the chat and the command line alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.i18n import Catalog, format_int
from core.markup import Markup
from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.taskdraft import MAX_DESCRIPTION

LISTED_CODES = 30  # added/updated codes shown by name; more are counted, not listed
PREVIEWED_REJECTIONS = 5  # a preview names the first rejected rows; the report names all
# A chat report gives the reason of its first rejected rows only, and the others' numbers:
# a 5,000-row file of one bad column was 120 Telegram messages, flooding the admin's chat.
CHAT_LISTED_REJECTIONS = 50
# The bound a rejection's reason names ({limit}), by reason.
BYTE_PARAMS = frozenset({"size", "limit"})  # of an UnreadableFile: bytes
LIMITS = {"description_too_long": MAX_DESCRIPTION}
LISTED_SHEETS = 10
LISTED_HIDDEN_RANGES = 30  # the hidden rows a report names: a filtered list hides thousands
LISTED_COLUMNS = (
    10  # the columns not read a report names  # a workbook's other sheets a refusal names
)


def report_lines(
    catalog: Catalog, lang: str, report: ImportReport, *, listed: int | None = None
) -> list[str]:
    """Return the report: counts, the codes added and updated, then every rejected row:
    with its reason, or past the first `listed` ones, by its number."""
    lines = [
        catalog.get(
            lang,
            "imports.summary",
            added=len(report.added),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            rejected=len(report.rejected),
        )
    ]
    lines += ignored_lines(catalog, lang, report)
    for key, codes in (
        ("imports.added_codes", report.added),
        ("imports.updated_codes", report.updated),
    ):
        if codes:
            shown = ", ".join(codes[:LISTED_CODES])
            more = len(codes) - LISTED_CODES
            if more > 0:
                shown += " " + catalog.get(lang, "imports.and_more", count=more)
            lines.append(catalog.get(lang, key, codes=shown))
    if report.rejected:
        lines.append(catalog.get(lang, "imports.rejected_header"))
        named = report.rejected if listed is None else report.rejected[:listed]
        lines.extend(rejection_line(catalog, lang, r) for r in named)
        rest = report.rejected[len(named) :]
        if rest:
            rows = row_ranges(sorted({r.row for r in rest}), lang)
            lines.append(catalog.get(lang, "imports.more_rejected", count=len(rest), rows=rows))
    return lines


def ignored_lines(catalog: Catalog, lang: str, report: ImportReport) -> list[str]:
    """Return the lines naming the columns, the hidden rows and the hidden columns the import
    did not read, or none."""
    lines = []
    if report.ignored:
        named = ", ".join(f"«{name}»" for name in report.ignored[:LISTED_COLUMNS])
        count = len(report.ignored)
        lines.append(catalog.get(lang, "imports.ignored_columns", count=count, columns=named))
    if report.hidden:
        rows = row_ranges(report.hidden, lang, LISTED_HIDDEN_RANGES)
        lines.append(catalog.get(lang, "imports.hidden_rows", count=len(report.hidden), rows=rows))
    if report.hidden_columns:
        named = ", ".join(f"{letters} «{text}»" for letters, text in report.hidden_columns)
        count = len(report.hidden_columns)
        lines.append(catalog.get(lang, "imports.hidden_columns", count=count, columns=named))
    return lines


def row_ranges(rows: list[int], lang: str, most: int | None = None) -> str:
    """Return sorted row numbers with runs as ranges: "60, 62–64, 1.070"; past `most`
    ranges, "…"."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])

    def n(row: int) -> str:
        return format_int(row, lang)

    said = ", ".join(n(a) if a == b else f"{n(a)}–{n(b)}" for a, b in runs[:most])
    return said + (", …" if most is not None and len(runs) > most else "")


def preview_lines(
    catalog: Catalog, lang: str, report: ImportReport, *, rows: int, minutes: int
) -> list[str]:
    """Return a preview: what applying the file would do, its first rejections, what next."""
    lines = [
        catalog.get(
            lang,
            "imports.preview_summary",
            rows=rows,
            added=len(report.added),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            rejected=len(report.rejected),
        )
    ]
    lines += ignored_lines(catalog, lang, report)
    if report.rejected:
        lines.append(catalog.get(lang, "imports.preview_rejected_header"))
        shown = report.rejected[:PREVIEWED_REJECTIONS]
        lines.extend(rejection_line(catalog, lang, r) for r in shown)
        more = len(report.rejected) - len(shown)
        if more > 0:
            lines.append(catalog.get(lang, "imports.preview_more_rejected", count=more))
    lines.append(catalog.get(lang, "imports.preview_ask", minutes=minutes))
    return lines


def rejection_line(catalog: Catalog, lang: str, rejection: Rejection) -> str:
    """Return one rejected row: its number and the reason in words."""
    reason = reason_text(catalog, lang, rejection)
    return catalog.get(lang, "imports.rejected_row", row=rejection.row, reason=Markup(reason))


def reason_text(catalog: Catalog, lang: str, rejection: Rejection) -> str:
    """Return why a row was rejected, in words."""
    key = f"imports.reason_{rejection.reason}"
    if not catalog.has(key):
        key = "imports.reason_other"
    params = {"code": rejection.params.get("code", ""), "value": rejection.params.get("value", "")}
    return catalog.get(lang, key, limit=LIMITS.get(rejection.reason, 0), **params)


def unreadable_text(
    catalog: Catalog, lang: str, code: str, params: Mapping[str, int | str] | None = None
) -> str:
    """Return why a file could not be read (nothing was applied); sizes are in bytes."""
    key = f"imports.unreadable_{code}"
    if code == "formulas_not_saved":
        return catalog.get(lang, key, cells=_cells(catalog, lang, params or {}))
    if code == "legacy_font":  # the file's own words show the admin what is wrong
        return catalog.get(lang, key, sample=str((params or {}).get("sample", "")))
    if code == "missing_columns" and params and params.get("columns"):
        missing, found = (_columns(catalog, lang, params.get(n, "")) for n in ("columns", "found"))
        said = catalog.get(lang, "imports.unreadable_columns_named", columns=missing, found=found)
        others = str(params.get("others", ""))
        return said + sheet_note(catalog, lang, str(params.get("sheet", "")), others.split("\t"))
    if code == "no_rows" and params is not None:
        sheets = str(params.get("others", "")).split("\t")
        return catalog.get(lang, key) + sheet_note(
            catalog, lang, str(params.get("sheet", "")), sheets
        )
    # "size" and "limit" are bytes, shown in MB; "most" (a count) and "row" as they are
    values = {
        name: megabytes(value) if name in BYTE_PARAMS else value
        for name, value in (params or {}).items()
        if isinstance(value, int)
    }
    if not catalog.has(key):
        key, values = "imports.unreadable_not_a_table", {}
    return catalog.get(lang, key, **values)


def unknown_header_text(catalog: Catalog, lang: str, table: Table) -> str:
    """Say that the file is neither a units nor a tasks list (and which sheet was read,
    when its workbook has others)."""
    said = catalog.get(lang, "imports.unknown_header")
    return said + sheet_note(catalog, lang, table.sheet, table.other_sheets)


def sheet_note(catalog: Catalog, lang: str, sheet: str, others: Sequence[str]) -> str:
    """Return a line naming the sheet read and the workbook's other sheets, or nothing when
    it has no other: the list may be on a sheet the workbook does not open on."""
    listed = [name for name in others if name][:LISTED_SHEETS]
    if not sheet or not listed:
        return ""
    named = ", ".join(f"«{name}»" for name in listed)
    return "\n" + catalog.get(lang, "imports.sheet_read", sheet=sheet, others=named)


def _columns(catalog: Catalog, lang: str, cells: int | str) -> str:
    """Return header cells (tab-separated) as words: a contract's column by its name in the
    language and the file's ("đơn vị (assignees)"), any other as the file has it."""
    named = []
    for cell in str(cells).split("\t"):
        key = f"imports.column_{cell}"
        named.append(catalog.get(lang, key) if cell and catalog.has(key) else cell)
    return ", ".join(c for c in named if c) or "-"


def _cells(catalog: Catalog, lang: str, params: Mapping[str, int | str]) -> str:
    """Return the cells a refusal names ("B2, B3"), and how many more there are."""
    more = params.get("more", 0)
    named = str(params.get("cells", ""))
    if isinstance(more, int) and more > 0:
        return f"{named} " + catalog.get(lang, "imports.and_more_cells", count=more)
    return named


def megabytes(size: int) -> int | float:
    """Return a size in MB, to one decimal, whole when it is whole (5 MB, 5.3 MB), never 0."""
    value = max(round(size / 2**20, 1), 0.1)
    return int(value) if value.is_integer() else value


def chunks(lines: list[str], limit: int = 4000) -> list[str]:
    """Join lines into messages of at most limit characters, never splitting a line."""
    messages: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        messages.append(current)
    return messages
