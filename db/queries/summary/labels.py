"""The names shown beside the counts: tasks' titles, unit kinds' names in a language."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from db.models import Task, UnitKind


def task_titles(session: Session, *, task_ids: Sequence[int]) -> dict[int, str]:
    """Return the titles of tasks by id."""
    query = select(Task.id, Task.title).where(col(Task.id).in_(task_ids))
    return {int(tid or 0): title for tid, title in session.exec(query)}


def kind_labels(session: Session, *, lang: str) -> dict[str, str]:
    """Return each unit kind's name in the language."""
    kinds = session.exec(select(UnitKind))
    return {k.key: (k.name_en if lang == "en" else k.name_vi) for k in kinds}
