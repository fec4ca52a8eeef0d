"""The XLSX workbook for the formal report: the appendix table, a units x tasks matrix and
the report history. Headers in the reader's language, dates as real dates, readable widths.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from app.summary_text import Translate, as_of, status_label
from core.markup import Markup
from core.safecells import cell_value, workbook_bytes
from core.states import ReportState
from core.status import Status
from core.summary import Line, in_force_order
from core.tablefile import print_wide
from core.taskdates import effective_deadline
from core.textnorm import vi_sort_key
from db.queries.export import ExportData, TaskInfo

if TYPE_CHECKING:
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
) -> bytes:
    """Return the workbook as XLSX bytes; `groups`, when the reader is limited to some,
    are named under each sheet's title with the time the figures are as of, and the
    reader's `own` units the figures also count."""
    # openpyxl (with numpy and Pillow, ~40 MB) is imported when a workbook is made, in the
    # worker process that makes it, not by every process that can name this function.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    stated = as_of(t, now.astimezone(tz))
    if groups:
        named = {"groups": Markup(", ".join(groups)), "units": Markup(", ".join(own))}
        stated += " " + t("export.scope_groups_own" if own else "export.scope_groups", **named)
    _appendix(sheet, data, t, now, tz, stated)
    _matrix(book.create_sheet(), data, t, now, tz, stated)
    _history(book.create_sheet(), data, t, now, tz, stated)
    return workbook_bytes(book)  # names and texts are people's: never formulas


def _start(sheet: Worksheet, t: Translate, name: str, headers: Sequence[str], stated: str) -> None:
    """Name the sheet, write its title, the 'as of' line (`stated`) and the bold header row;
    printed, these three rows head each page."""
    from openpyxl.styles import Alignment, Font

    sheet.title = t(f"export.sheet_{name}")[:31]
    sheet.cell(1, 1, t(f"export.title_{name}")).font = Font(bold=True, size=13)
    sheet.cell(2, 1, cell_value(stated)).font = Font(italic=True)
    for i, header in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, i, cell_value(header))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_wide(sheet, header_rows=HEADER_ROW)  # ten columns: portrait cut them over pages


def _appendix(
    sheet: Worksheet, data: ExportData, t: Translate, now: datetime, tz: tzinfo, stated: str
) -> None:
    """Write the appendix table, one row per assignment, by task then unit."""
    _start(sheet, t, "appendix", [t(f"export.col_{c}") for c in APPENDIX], stated)
    order = sorted(data.lines, key=lambda ln: (_task_key(data, ln), vi_sort_key(ln.unit_name)))
    for n, line in enumerate(order, start=1):
        status, days, never = line.status(now, tz)
        task = data.tasks[line.task_id]
        done_on = line.done_at.astimezone(tz).date() if status.done and line.done_at else None
        _row(
            sheet,
            HEADER_ROW + n,
            [
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
            ],
        )
    _fit(sheet, wrap={2, 3, 9, 10})  # a unit's, a task's name may be 200 letters


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
    deadline column holds the day in force), blocker, explanations."""
    notes = []
    if never:
        notes.append(t("summary.no_report"))
    if line.deadline != line.original_deadline:
        notes.append(t("export.extended_from", deadline=line.original_deadline))
    if effective_deadline(line.deadline, line.due_at, tz) > line.deadline:
        notes.append(t("common.deadline_rolled_note", deadline=line.deadline))
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
    sheet: Worksheet, data: ExportData, t: Translate, now: datetime, tz: tzinfo, stated: str
) -> None:
    """Write units down, tasks across, each cell the unit's status on the task."""
    tasks = sorted(data.tasks.values(), key=task_order)
    headers = [t("export.col_unit")] + [f"#{x.task_id} {x.title}" for x in tasks]
    _start(sheet, t, "matrix", headers, stated)
    column = {x.task_id: i for i, x in enumerate(tasks, start=2)}
    rows: dict[int, int] = {}  # by unit id: two communes of two districts share names
    for line in sorted(data.lines, key=lambda ln: (vi_sort_key(ln.unit_name), ln.unit_id)):
        if line.unit_id not in rows:
            rows[line.unit_id] = HEADER_ROW + 1 + len(rows)
            sheet.cell(rows[line.unit_id], 1, cell_value(line.unit_name))
        status, days, never = line.status(now, tz)
        sheet.cell(rows[line.unit_id], column[line.task_id], _short(t, status, days, never))
    _fit(sheet, wrap=set(range(1, len(headers) + 1)), cap=24, caps={1: UNIT_WIDTH})


def _short(t: Translate, status: Status, days: int, never: bool) -> str:
    """Return a matrix cell: a short status, days overdue, and no report."""
    text = t(f"export.short_{status.value}", days=days)
    return f"{text} ({t('summary.no_report')})" if never and not status.done else text


def _history(
    sheet: Worksheet, data: ExportData, t: Translate, now: datetime, tz: tzinfo, stated: str
) -> None:
    """Write every status report, oldest first, with who sent it."""
    _start(sheet, t, "history", [t(f"export.hist_{c}") for c in HISTORY], stated)
    for n, h in enumerate(data.history, start=HEADER_ROW + 1):
        task = data.tasks[h.task_id]
        _row(
            sheet,
            n,
            [
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
            ],
        )
    _fit(sheet, wrap={2, 3, 6, 7})


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


def _row(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write one row; dates and times get a dd/mm/yyyy format."""
    for i, value in enumerate(values, start=1):
        cell = sheet.cell(row, i, cell_value(value))
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT


def _fit(
    sheet: Worksheet, *, wrap: set[int], cap: int = MAX_WIDTH, caps: dict[int, int] | None = None
) -> None:
    """Size each column to its longest value (within `cap`, or the column's own in `caps`)
    and wrap the text columns that may be longer: a text past its column's width, not
    wrapped, is cut off at the next cell's edge on screen and in print (a task's or a unit's
    name of 200 letters in a column of 60 was)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW):
        for cell in row:
            if cell.value is None:
                continue
            length = 11 if isinstance(cell.value, date) else len(str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 0), length)
            if cell.column in wrap and cell.row > HEADER_ROW:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in widths.items():
        letter = get_column_letter(column)
        most = (caps or {}).get(column, cap)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), most)
