"""Summaries by the database: the taxonomy's counts and the assignments and notes behind them.

`counts` counts (per task, unit, kind, group), `detail` lists the assignments and the notes
the units wrote, `digest` reads what the digest adds, `labels` the names shown beside them,
`rows` runs a column query. Every function is exported here: callers read them as one
module (`from db.queries import summary as q`).
"""

from __future__ import annotations

from db.queries.scope import EVERY, Scope
from db.queries.summary.counts import (
    count_columns,
    group_counts,
    in_scope,
    kind_counts,
    live_task_counts,
    task_counts,
    unit_counts,
)
from db.queries.summary.detail import (
    any_line,
    blocker_notes,
    explanation_notes,
    lines,
    status_lines,
    units_of,
)
from db.queries.summary.digest import changes_since, digest_readers, most_overdue, unreached_units
from db.queries.summary.labels import kind_labels, task_titles

__all__ = [
    "EVERY",
    "Scope",
    "any_line",
    "blocker_notes",
    "changes_since",
    "count_columns",
    "digest_readers",
    "explanation_notes",
    "group_counts",
    "in_scope",
    "kind_counts",
    "kind_labels",
    "lines",
    "live_task_counts",
    "most_overdue",
    "status_lines",
    "task_counts",
    "task_titles",
    "unit_counts",
    "units_of",
    "unreached_units",
]
