"""An assignment named in words: "<task> <unit>" ("#12 Tam Xuân"), read within a scope."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.textfit import clip
from db.models import Assignment, Unit
from db.queries.scope import EVERY, Scope, units_in_scope, visible_tasks
from db.queries.tasks import find_tasks
from db.queries.units import find_units

MAX_UNIT_CHOICES = 8


def assignment_named(
    session: Session, *, text: str, scope: Scope = EVERY
) -> tuple[Assignment | None, str, list[tuple[Unit, Assignment]]]:
    """Return the assignment named by "<task> <unit>" ("#12 Tam Xuân"), or why not.

    The words are split at each place in turn; the first split that names exactly one task
    and exactly one unit in scope given that task wins (what lies outside is neither matched
    nor named). A unit's name that fits several units is narrowed to those given the task.
    Reasons: "usage", "not_found", "not_assigned", "unit_ambiguous" (with the units given
    the task that the name fits and their assignments, in Vietnamese order, at most
    MAX_UNIT_CHOICES).
    """
    words = text.split()
    if len(words) < 2:
        return None, "usage", []
    fitting: list[tuple[Unit, Assignment]] = []
    for cut in range(1, len(words)):
        tasks = visible_tasks(
            session, tasks=find_tasks(session, text=" ".join(words[:cut])), scope=scope
        )
        units = find_units(session, text=" ".join(words[cut:]), include_inactive=True)
        covered = units_in_scope(session, unit_ids=[u.id or 0 for u in units], scope=scope)
        units = [u for u in units if u.id in covered]
        if len(tasks) != 1 or not units:
            continue
        query = select(Assignment).where(
            Assignment.task_id == tasks[0].id, col(Assignment.unit_id).in_([u.id for u in units])
        )
        found = list(session.exec(query))
        if len(found) == 1:
            return found[0], "", []
        if not found and len(units) == 1:
            return None, "not_assigned", []
        given = {a.unit_id: a for a in found}
        fitting = fitting or [(u, given[u.id]) for u in units if u.id in given][:MAX_UNIT_CHOICES]
    if fitting:
        return None, "unit_ambiguous", fitting
    return None, "not_found", []


def task_named_first(
    session: Session, *, text: str, scope: Scope = EVERY
) -> tuple[int, str] | None:
    """Return the task "<task> <unit>"'s first word names alone in scope, and the words after
    it, when they name no unit at all (what `assignment_named` calls "not_found" with a task
    it could tell): the answer names the unit it did not find, not both."""
    words = text.split()
    if len(words) < 2:
        return None
    tasks = visible_tasks(session, tasks=find_tasks(session, text=words[0]), scope=scope)
    rest = " ".join(words[1:])
    units = find_units(session, text=rest, include_inactive=True)
    if len(tasks) != 1 or tasks[0].id is None or units:
        return None  # a unit outside the scope is answered as before: neither named
    return tasks[0].id, clip(rest)  # a pasted paragraph is not quoted back whole
