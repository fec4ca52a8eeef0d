"""An assignment's status as the matrix, the task page and the unit page show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from core.status import Status, taxonomy_rank
from core.summary import Line


@dataclass(frozen=True)
class Cell:
    """One assignment as the matrix and the task page show it."""

    status: Status
    days: int
    never: bool
    percent: int | None
    blocked: bool

    @property
    def rank(self) -> int:
        """Return where the cell's status sorts: the taxonomy's order, "no report" last."""
        return taxonomy_rank(self.status, never_reported=self.never)


def cell_of(line: Line, now: datetime, tz: tzinfo) -> Cell:
    """Return an assignment's status as a cell."""
    status, days, never = line.status(now, tz)
    return Cell(status, days, never, line.percent, line.state == "blocked")
