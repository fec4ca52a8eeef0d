"""An assignment's status as the dashboard's tables show it, as HTML made in Python.

A matrix page is thousands of cells: through Jinja2 each was a call to look it up and a
macro to write it, most of the page's rendering. Here a page writes each distinct status
once (a status, "no report", the days late) and a matrix row is one string.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.dashboard.cells import Cell
from app.dashboard.matrix import Matrix

# The catalog texts of a status's short name, and of a unit that never reported.
NAMES = {
    "no_report": "web.no_report",
    "done_on_time": "web.short_done_on_time",
    "done_late": "web.short_done_late",
    "in_time": "web.short_in_time",
    "overdue": "web.short_overdue",
}


class StatusCells:
    """Write statuses in a page's language: `status(cell)` in a template, and a matrix's
    row of cells with `status.row(grid, unit_id)`."""

    def __init__(self, t: Callable[..., str]) -> None:
        self.t = t
        self.made: dict[tuple[str, bool, int], str] = {}  # HTML, escaped

    def __call__(self, cell: Cell) -> Markup:
        """Return a status as a span: its class for the colour, its text for people."""
        return Markup(self._html(cell))

    def _html(self, cell: Cell) -> str:
        """Return a status's span, made the first time this page writes it."""
        value = cell.status.value
        silent = cell.never and not cell.status.done
        key = (value, silent, cell.days)
        found = self.made.get(key)
        if found is None:
            text = self.t(NAMES["no_report" if silent else value])
            if value == "overdue":
                text += f" ({self.t('web.overdue_days', days=cell.days)})"
            if value == "done_late" and cell.days:
                text += f" ({self.t('web.late_days', days=cell.days)})"
            kind = f"status {value} no_report" if silent else f"status {value}"
            span = '<span class="{}" data-status="{}">{}</span>'
            found = self.made[key] = str(Markup(span).format(kind, value, text))
        return found

    def row(self, grid: Matrix, unit_id: int) -> Markup:
        """Return a unit's cells in a matrix: one per task, empty where it has none."""
        cells = grid.cells
        found = (cells.get((unit_id, task.task_id)) for task in grid.tasks)
        return Markup(
            "".join(f"<td>{self._html(c)}</td>" if c is not None else "<td></td>" for c in found)
        )
