"""The XLSX workbook for the formal report: the appendix table, a units x tasks matrix and
the report history. Headers in the reader's language, dates as real dates, readable widths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, cast

from app.summary_text import Translate, as_of, status_label
from core.markup import Markup
from core.safecells import cell_value, workbook_bytes, written
from core.states import ReportState, RequestStatus
from core.status import Status
from core.summary import Line, in_force_order
from core.tablefile import print_wide
from core.taskdates import effective_deadline
from core.textnorm import vi_sort_key
from db.queries.export import ExportData, TaskInfo

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
    _appendix(sheets[0], styles, data, t, now, tz, stated)
    _matrix(sheets[1], styles, data, t, now, tz, stated)
    _history(sheets[2], styles, data, t, now, tz, stated)
    return workbook_bytes(book)  # names and texts are people's: never formulas


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
) -> None:
    """Write a sheet: its name, title, the 'as of' line (`stated`), the bold header row
    (printed, these three rows head each page), then `rows` (their values as the cells
    take them), each column sized to its longest value (within `cap`, or the column's own
    in `caps`) and the text columns that may be longer (`wrap`) wrapped: a text past its
    column's width, not wrapped, is cut off at the next cell's edge on screen and in print
    (a task's or a unit's name of 200 letters in a column of 60 was)."""
    from openpyxl.utils import get_column_letter

    rows = list(rows)
    header = [cell_value(h) for h in headers]
    widths: dict[int, int] = {}
    for row in [header, *rows]:
        for i, value in enumerate(row, start=1):
            if value is not None:
                length = 11 if isinstance(value, date) else len(str(value))
                if length > widths.get(i, 0):
                    widths[i] = length
    sheet.title = t(f"export.sheet_{name}")[:31]
    for column, width in sorted(widths.items()):  # before any row: a streamed sheet's
        most = (caps or {}).get(column, cap)
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, MIN_WIDTH), most
        )
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_wide(sheet, header_rows=HEADER_ROW)  # ten columns: portrait cut them over pages
    sheet.append([written(sheet, t(f"export.title_{name}"), styles.title)])
    sheet.append([written(sheet, cell_value(stated), styles.stated)])
    sheet.append([written(sheet, h, styles.header) for h in header])
    for row in rows:
        sheet.append(
            [
                None if v is None else written(sheet, v, styles.of(v, i in wrap))
                for i, v in enumerate(row, start=1)
            ]
        )


def _appendix(
    sheet: Worksheet,
    styles: _Styles,
    data: ExportData,
    t: Translate,
    now: datetime,
    tz: tzinfo,
    stated: str,
) -> None:
    """Write the appendix table, one row per assignment, by task then unit."""
    order = sorted(data.lines, key=lambda ln: (_task_key(data, ln), vi_sort_key(ln.unit_name)))
    rows = []
    for n, line in enumerate(order, start=1):
        status, days, never = line.status(now, tz)
        task = data.tasks[line.task_id]
        done_on = line.done_at.astimezone(tz).date() if status.done and line.done_at else None
        values = [
            n,
            line.unit_name,
            f"#{task.task_id} {task.title}",
            task.directive or None,
            effective_deadline(line.deadline, line.due_at, tz),  # the day in force
            done_on,
            status_label(t, status),
            days or None,
            evidence_text(data, line, t),
            notes_text(data, line, t, never and not status.done, tz),
        ]
        rows.append([cell_value(v) for v in values])
    headers = [t(f"export.col_{c}") for c in APPENDIX]
    # a unit's, a task's name may be 200 letters
    _write(sheet, styles, t, "appendix", headers, rows, stated, wrap={2, 3, 9, 10})


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
    if effective_deadline(line.deadline, line.due_at, tz) > line.deadline:
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


def _matrix(
    sheet: Worksheet,
    styles: _Styles,
    data: ExportData,
    t: Translate,
    now: datetime,
    tz: tzinfo,
    stated: str,
) -> None:
    """Write units down, tasks across, each cell the unit's status on the task."""
    tasks = sorted(data.tasks.values(), key=task_order)
    headers = [t("export.col_unit")] + [f"#{x.task_id} {x.title}" for x in tasks]
    column = {x.task_id: i for i, x in enumerate(tasks, start=1)}
    rows: dict[int, list[Any]] = {}  # by unit id: two communes of two districts share names
    for line in sorted(data.lines, key=lambda ln: (vi_sort_key(ln.unit_name), ln.unit_id)):
        if line.unit_id not in rows:
            rows[line.unit_id] = [cell_value(line.unit_name)] + [None] * len(tasks)
        status, days, never = line.status(now, tz)
        rows[line.unit_id][column[line.task_id]] = _short(t, status, days, never)
    wrap = set(range(1, len(headers) + 1))
    _write(
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


def _history(
    sheet: Worksheet,
    styles: _Styles,
    data: ExportData,
    t: Translate,
    now: datetime,
    tz: tzinfo,
    stated: str,
) -> None:
    """Write every status report, oldest first, with who sent it."""
    rows = []
    for h in data.history:
        task = data.tasks[h.task_id]
        values = [
            h.at.astimezone(tz).replace(tzinfo=None),
            h.unit,
            f"#{task.task_id} {task.title}",
            _state(t, h.state),
            h.percent,
            h.text or None,
            h.reason or None,
            h.evidence_number or None,
            h.evidence_date,
            h.reporter or None,
            _source(t, h.source),
        ]
        rows.append([cell_value(v) for v in values])
    headers = [t(f"export.hist_{c}") for c in HISTORY]
    _write(sheet, styles, t, "history", headers, rows, stated, wrap={2, 3, 6, 7})


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
