"""The XLSX workbook for the formal report: the appendix table, a units x tasks matrix and
the report history. Headers in the reader's language, dates as real dates, readable widths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from app.summary_text import Translate, as_of, status_label
from core.markup import Markup
from core.safecells import cell_value, workbook_bytes, written
from core.sheet_rows import SheetRows, spliced
from core.states import ReportState, RequestStatus
from core.status import Status
from core.summary import Line, in_force_order
from core.tablefile import print_wide
from core.taskdates import effective_deadline
from core.textnorm import vi_sort_key
from db.queries.export import ExportData, HistoryRow, TaskInfo

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_ROW = 3  # row 1: title, row 2: "as of"
MIN_WIDTH, MAX_WIDTH = 6, 60
UNIT_WIDTH = 40  # the matrix's unit column: its status columns are 24 at most
APPENDIX = (
    "stt",
    "unit",
    "task",
    "directive",
    "deadline",
    "done_on",
    "status",
    "days_overdue",
    "evidence",
    "notes",
)
HISTORY = (
    "at",
    "unit",
    "task",
    "state",
    "percent",
    "text",
    "reason",
    "evidence_number",
    "evidence_date",
    "reporter",
    "source",
)


def build_workbook(
    data: ExportData,
    t: Translate,
    *,
    now: datetime,
    tz: tzinfo,
    groups: Sequence[str] = (),
    own: Sequence[str] = (),
    filtered: str = "",
) -> bytes:
    """Return the workbook as XLSX bytes; `groups`, when the reader is limited to some,
    are named under each sheet's title with the time the figures are as of, and the
    reader's `own` units the figures also count; and the page's filters that kept the
    units, `filtered`, when a filtered dashboard page gave it."""
    # openpyxl (with numpy and Pillow, ~40 MB) is imported when a workbook is made, in the
    # worker process that makes it, not by every process that can name this function.
    from openpyxl import Workbook

    # Write-only: rows are streamed to the file as they come, each styled cell given a
    # style made once (`_Styles`). Cell by cell through a normal sheet, then gone over to
    # fit and wrap, 52,000 assignments took two and a half minutes.
    book = Workbook(write_only=True)
    stated = as_of(t, now.astimezone(tz))
    if groups:
        named = {"groups": Markup(", ".join(groups)), "units": Markup(", ".join(own))}
        stated += " " + t("export.scope_groups_own" if own else "export.scope_groups", **named)
    if filtered:
        stated += " " + t("export.filtered", filters=Markup(filtered))
    # A write-only sheet has a sheet's print and column settings; its rows are appended.
    sheets = [cast("Worksheet", book.create_sheet()) for _ in range(3)]
    styles = _Styles(sheets[0])
    # Each text and status worked out once: 52,000 rows ask for the same few thousand.
    once = _Once(data, remembered(t), now, tz)
    made = [
        _appendix(sheets[0], styles, once, stated),
        _matrix(sheets[1], styles, once, stated),
        _history(sheets[2], styles, once, stated),
    ]
    saved = workbook_bytes(book)  # names and texts are people's: never formulas
    return spliced(saved, {s.path.lstrip("/"): rows for s, rows in zip(sheets, made, strict=True)})


class _Styles:
    """The few styles of the workbook's cells, each made once (a cell's style array):
    setting a font or an alignment on a cell looks it up among the workbook's, slowly."""

    def __init__(self, sheet: Worksheet) -> None:
        from openpyxl.cell import Cell
        from openpyxl.styles import Alignment, Font

        self.sheet = sheet
        self._made: dict[tuple[bool, str | None], StyleArray] = {}
        self._cell = Cell
        self.title = self._style(font=Font(bold=True, size=13))
        self.stated = self._style(font=Font(italic=True))
        self.header = self._style(
            font=Font(bold=True), alignment=Alignment(wrap_text=True, vertical="center")
        )
        self._wrapped = Alignment(wrap_text=True, vertical="top")

    def _style(self, **attributes: object) -> StyleArray:
        """Return the style array of a cell given these attributes."""
        cell = self._cell(self.sheet, 1, 1)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cast("StyleArray", getattr(cell, "_style"))  # noqa: B009 (not in the stubs)

    def of(self, value: object, wrap: bool) -> StyleArray | None:
        """Return a data cell's style: dates and times dd/mm/yyyy, text columns wrapped."""
        if isinstance(value, datetime):
            fmt: str | None = DATETIME_FORMAT
        elif isinstance(value, date):
            fmt = DATE_FORMAT
        else:
            fmt = None
        if fmt is None and not wrap:
            return None
        key = (wrap, fmt)
        if key not in self._made:
            self._made[key] = self._style(
                **({"alignment": self._wrapped} if wrap else {}),
                **({"number_format": fmt} if fmt else {}),
            )
        return self._made[key]


def _write(
    sheet: Worksheet,
    styles: _Styles,
    t: Translate,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    stated: str,
    *,
    wrap: set[int],
    cap: int = MAX_WIDTH,
    caps: dict[int, int] | None = None,
) -> SheetRows:
    """Write a sheet: its name, title, the 'as of' line (`stated`), the bold header row
    (printed, these three rows head each page), then `rows` (their values as the cells
    take them), each column sized to its longest value (within `cap`, or the column's own
    in `caps`) and the text columns that may be longer (`wrap`) wrapped: a text past its
    column's width, not wrapped, is cut off at the next cell's edge on screen and in print
    (a task's or a unit's name of 200 letters in a column of 60 was)."""
    from openpyxl.cell import Cell
    from openpyxl.utils import get_column_letter

    header = [cell_value(h) for h in headers]
    top = [
        [written(sheet, t(f"export.title_{name}"), styles.title)],
        [written(sheet, cell_value(stated), styles.stated)],
        [written(sheet, h, styles.header) for h in header],
    ]
    for cell in (c for row in top for c in row if isinstance(c, Cell)):
        _ = cell.style_id  # the styles numbered as writing the cells first would
    # The rows as text, spliced into the saved file (`core.sheet_rows`): openpyxl's cell
    # by cell writing was most of the export's time. It counts the columns' widths too,
    # which a streamed sheet takes before any row.
    out = SheetRows(sheet, HEADER_ROW + 1, lambda v, i: styles.of(v, i in wrap))
    out.extend(rows)
    widths = dict(out.widths)
    for i, value in enumerate(header, start=1):
        widths[i] = max(widths.get(i, 0), len(str(value)))
    sheet.title = t(f"export.sheet_{name}")[:31]
    for column, width in sorted(widths.items()):
        most = (caps or {}).get(column, cap)
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, MIN_WIDTH), most
        )
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_wide(sheet, header_rows=HEADER_ROW)  # ten columns: portrait cut them over pages
    for row in top:
        sheet.append(row)
    return out


def remembered(t: Translate) -> Translate:
    """Return `t` remembering what it said: the same text asked again is not composed again
    (a status's label, a state's, a note's words, for each of 52,000 rows)."""
    said: dict[tuple[object, ...], str] = {}

    def again(key: str, **params: object) -> str:
        asked = (key, *((k, v.__class__, v) for k, v in params.items()))
        found = said.get(asked)
        if found is None:
            found = said[asked] = t(key, **params)
        return found

    return again


class _Once:
    """What the sheets read, worked out once: each assignment's status, each task's label,
    each text as a cell takes it (the same unit's name is in a row of each of its tasks)."""

    def __init__(self, data: ExportData, t: Translate, now: datetime, tz: tzinfo) -> None:
        self.data, self.t, self.now, self.tz = data, t, now, tz
        self.statuses = {ln.assignment_id: ln.status(now, tz) for ln in data.lines}
        self._texts: dict[str, str] = {}
        self._labels: dict[int, str] = {}

    def text(self, value: str | None) -> str | None:
        """Return a text as a cell takes it (`cell_value`)."""
        if value is None:
            return None
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = cell_value(value)
        return found

    def label(self, task_id: int) -> str:
        """Return a task as the sheets name it: "#12 its title"."""
        found = self._labels.get(task_id)
        if found is None:
            task = self.data.tasks[task_id]
            found = self._labels[task_id] = cell_value(f"#{task.task_id} {task.title}")
        return found


def _appendix(sheet: Worksheet, styles: _Styles, once: _Once, stated: str) -> SheetRows:
    """Write the appendix table, one row per assignment, by task then unit."""
    data, t, tz = once.data, once.t, once.tz
    order = sorted(data.lines, key=lambda ln: (_task_key(data, ln), vi_sort_key(ln.unit_name)))

    def row(n: int, line: Line) -> list[Any]:
        status, days, never = once.statuses[line.assignment_id]
        done_on = line.done_at.astimezone(tz).date() if status.done and line.done_at else None
        kept = line.assignment_id in data.documents or line.assignment_id in data.files
        return [
            n,
            once.text(line.unit_name),
            once.label(line.task_id),
            once.text(data.tasks[line.task_id].directive or None),
            in_force(line.deadline, line.due_at, tz),  # the day in force
            done_on,
            status_label(t, status),
            days or None,
            cell_value(evidence_text(data, line, t)) if kept else None,
            cell_value(notes_text(data, line, t, never and not status.done, tz)),
        ]

    headers = [t(f"export.col_{c}") for c in APPENDIX]
    rows = (row(n, line) for n, line in enumerate(order, start=1))
    # a unit's, a task's name may be 200 letters
    return _write(sheet, styles, t, "appendix", headers, rows, stated, wrap={2, 3, 9, 10})


# Rows in the thousands name a few deadlines: each day in force worked out once.
in_force = lru_cache(maxsize=4096)(effective_deadline)


def _task_key(data: ExportData, line: Line) -> tuple[object, ...]:
    """Return the sort key of a line's task: its deadline in force, as stored, its title."""
    return task_order(data.tasks[line.task_id])


def task_order(task: TaskInfo) -> tuple[object, ...]:
    """Return the sort key of a task (`in_force_order`): its deadline in force first."""
    return in_force_order(task.due or task.deadline, task.deadline, task.title, task.task_id)


def evidence_text(data: ExportData, line: Line, t: Translate) -> str | None:
    """Return the evidence of an assignment: documents (number, date), then file names."""
    parts = [
        t("export.document", number=Markup(n), date=d) if d else n
        for n, d in data.documents.get(line.assignment_id, [])
    ]
    parts += data.files.get(line.assignment_id, [])
    return "; ".join(dict.fromkeys(parts)) or None


def notes_text(data: ExportData, line: Line, t: Translate, never: bool, tz: tzinfo) -> str | None:
    """Return the notes of an assignment: no report, extension, a deadline on a day off (the
    deadline column holds the day in force), extensions refused (with their reasons),
    blocker, explanations."""
    notes = []
    if never:
        notes.append(t("summary.no_report"))
    if line.deadline != line.original_deadline:
        notes.append(t("export.extended_from", deadline=line.original_deadline))
    if in_force(line.deadline, line.due_at, tz) > line.deadline:
        notes.append(t("common.deadline_rolled_note", deadline=line.deadline))
    for refused in data.decided.get(line.assignment_id, []):
        if refused.status != RequestStatus.REJECTED:
            continue  # an approval is the extension the deadline column and note above show
        key = "export.extension_rejected" + ("_why" if refused.reason else "")
        why = Markup(list_item(refused.reason))
        notes.append(t(key, deadline=refused.asked, reason=why))
    if line.assignment_id in data.blockers:
        reason = list_item(data.blockers[line.assignment_id])
        notes.append(t("export.blocker", reason=Markup(reason)))
    for text in data.explanations.get(line.assignment_id, []):
        notes.append(t("export.explanation", text=Markup(list_item(text))))
    return "; ".join(notes) or None


def list_item(text: str) -> str:
    """Return a unit's words as an item of a list: without the full stop or separator they
    ended with, which the list's own "; " or "." replaces ("Thiếu kinh phí.; Giải trình")."""
    return text.rstrip(" .;,")


def _matrix(sheet: Worksheet, styles: _Styles, once: _Once, stated: str) -> SheetRows:
    """Write units down, tasks across, each cell the unit's status on the task."""
    data, t = once.data, once.t
    tasks = sorted(data.tasks.values(), key=task_order)
    headers = [t("export.col_unit")] + [f"#{x.task_id} {x.title}" for x in tasks]
    column = {x.task_id: i for i, x in enumerate(tasks, start=1)}
    rows: dict[int, list[Any]] = {}  # by unit id: two communes of two districts share names
    for line in sorted(data.lines, key=lambda ln: (vi_sort_key(ln.unit_name), ln.unit_id)):
        if line.unit_id not in rows:
            rows[line.unit_id] = [once.text(line.unit_name)] + [None] * len(tasks)
        status, days, never = once.statuses[line.assignment_id]
        rows[line.unit_id][column[line.task_id]] = _short(t, status, days, never)
    wrap = set(range(1, len(headers) + 1))
    return _write(
        sheet,
        styles,
        t,
        "matrix",
        headers,
        rows.values(),
        stated,
        wrap=wrap,
        cap=24,
        caps={1: UNIT_WIDTH},
    )


def _short(t: Translate, status: Status, days: int, never: bool) -> str:
    """Return a matrix cell: a short status, days overdue, and no report."""
    text = t(f"export.short_{status.value}", days=days)
    return f"{text} ({t('summary.no_report')})" if never and not status.done else text


def _history(sheet: Worksheet, styles: _Styles, once: _Once, stated: str) -> SheetRows:
    """Write every status report, oldest first, with who sent it."""
    t, tz, text = once.t, once.tz, once.text

    def row(h: HistoryRow) -> list[Any]:
        return [
            h.at.astimezone(tz).replace(tzinfo=None),
            text(h.unit),
            once.label(h.task_id),
            _state(t, h.state),
            h.percent,
            cell_value(h.text or None),
            cell_value(h.reason or None),
            text(h.evidence_number or None),
            h.evidence_date,
            text(h.reporter or None),
            _source(t, h.source),
        ]

    headers = [t(f"export.hist_{c}") for c in HISTORY]
    rows = (row(h) for h in once.data.history)
    return _write(sheet, styles, t, "history", headers, rows, stated, wrap={2, 3, 6, 7})


def _state(t: Translate, state: str) -> str:
    """Return the label of a reported state."""
    return (
        t(f"export.state_{state}")
        if state in ReportState.__members__.values()  # "none": an admin's /setstatus
        else state
    )


SOURCES = ("button", "text", "admin", "import")


def _source(t: Translate, source: str) -> str:
    """Return how a report came in, in the reader's language."""
    return t(f"export.source_{source}") if source in SOURCES else source
