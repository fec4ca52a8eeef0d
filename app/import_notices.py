"""Telling the units what a tasks file changed, as the commands do (`app.task_notices`).

A task a file updates (by its code) may get a new deadline, a new title, or fewer units:
`/deadline`, `/renametask` and `/unassign` tell the contacts concerned, and the file told
nobody, so a deadline moved earlier was learnt from a reminder, or not at all. The import
runs in a worker process, a slice a transaction, without the bot's services: once it has
ended, the changes its audit entries name (after `last_entry_id`, by that admin) are told,
each notice keyed by its change's entry, so telling twice sends nothing more.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from app.notices import held_line
from app.services import Services
from app.task_notices import (
    KEY,
    deadline_words,
    queue_taken_off,
    queue_told,
    renamed_words,
)
from core.calendar import WorkingCalendar
from core.states import TaskStatus
from db.engine import session_scope
from db.models import AuditLog, Task
from db.queries.calendar import working_calendar
from db.queries.task_notices import last_audit_id, task_changes

MOVED, UPDATED, TAKEN_OFF = "task.deadline_changed", "task.updated", "task.assignees_removed"


def last_entry_id(services: Services) -> int:
    """Return the latest audit entry's id: an import's changes are the entries after it."""
    with session_scope(services.engine) as session:
        return last_audit_id(session)


def tell_changed(services: Services, lang: str, *, actor_id: int | None, after: int) -> str:
    """Queue the notices of what the admin's import changed in open tasks since entry
    `after`; return the line telling the admin ("" when nobody is told)."""
    with session_scope(services.engine) as session:
        calendar = working_calendar(session)
        changes = task_changes(
            session, after=after, actor_id=actor_id, actions=(MOVED, UPDATED, TAKEN_OFF)
        )
        told = [_tell(session, services, entry, calendar) for entry in changes]
    queued = [t for t in told if t is not None and t[0]]
    if not queued:
        return ""
    now, tz = services.clock.now(), services.settings.tz
    count = sum(n for n, _ in queued)
    said = services.catalog.get(lang, "imports.units_told", count=count)
    moment = min(m for _, m in queued)
    return said + held_line(services.catalog, lang, now=now, moment=moment, tz=tz)


def _tell(
    session: Session, services: Services, entry: AuditLog, calendar: WorkingCalendar
) -> tuple[int, datetime] | None:
    """Queue the notices of one change, as its command would; None when nobody is told."""
    task = session.get(Task, int(entry.object_id))
    if task is None or task.id is None or task.status != TaskStatus.OPEN:
        return None
    details, key = entry.details, f"{KEY}:{entry.id}"
    if entry.action == MOVED:
        # From the day in force (one on a day off was due the next working day), as
        # /deadline says it; onto that day, nothing moved for anyone.
        was = calendar.roll_forward(date.fromisoformat(str(details["from"])))[0]
        new = date.fromisoformat(str(details["to"]))
        if new == was:
            return None
        words = deadline_words(services, task.id, task.title, was, new)
        return queue_told(session, services, task_id=task.id, key=key, words=words, deadline=new)
    if entry.action == UPDATED and "title_from" in details:
        words = renamed_words(services, task.id, str(details["title_from"]), task.title)
        return queue_told(session, services, task_id=task.id, key=key, words=words)
    if entry.action == TAKEN_OFF:
        units = [int(u) for u in details.get("units", [])]
        return queue_taken_off(
            session, services, task_id=task.id, title=task.title, unit_ids=units
        )
    return None
