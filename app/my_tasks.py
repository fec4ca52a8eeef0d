"""/mytasks (/viec) on every channel: a page of the open assignments of the person's units.

Nearest deadline first, five a page; a page past the end is the last one. What follows the
command is read as after /tasks (`shown`): "trang 2" (or "page 2") is page 2, "2" or "#2" the
person's task #2 (`one_task`: its items alone), as `/tasks 2` and `/summary 2` are. The answer is
data: what to say instead of a list (no unit, nothing open, every unit deactivated), or the
header and each item's lines (a person of two units sees each item's unit; an explanation
asked of it, answered or not, on a line of its own), with the page and how many there are.
Telegram adds each item's status buttons and page buttons; Zalo its typed-answer hint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.due_words import said_deadline
from app.reporting import status_text, unit_inactive
from app.services import Services
from app.task_list import asked
from core.markup import Markup
from core.taskdates import effective_deadline
from db.engine import session_scope
from db.models import Assignment, Task
from db.queries.checkin import Check, Row, check_reportable, named_assignments, open_page
from db.queries.explanations import latest_explanation
from db.queries.people_to_tell import unit_name

PAGE_SIZE = 5
_TASK_RE = re.compile(r"#?\s*(\d{1,9})")  # "12", "#12": a task's number


@dataclass(frozen=True)
class Item:
    """One open assignment on the page: its id and task, and its lines (markup)."""

    assignment_id: int
    task_id: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class MyTasks:
    """A page of /mytasks: `said` instead of a list, or the header, items and page."""

    said: str | None = None
    header: str = ""
    items: tuple[Item, ...] = ()
    page: int = 1
    pages: int = 1
    task: int | None = None  # the one task asked for ("/mytasks 12"), not a page

    @property
    def lines(self) -> list[str]:
        """Return the header and every item's lines, in order."""
        return [self.header, *(line for item in self.items for line in item.lines)]


def shown(services: Services, actor: Actor, args: str) -> MyTasks:
    """Return what `/mytasks <args>` shows: a page ("", "trang 2"), or one task ("2", "#2");
    any other words are answered with how to ask."""
    what = asked(args)
    if isinstance(what, int):
        return my_tasks(services, actor, what)
    number = _TASK_RE.fullmatch(what)
    if number is None:
        return MyTasks(said=services.catalog.get(actor.lang, "mytasks.usage"))
    return one_task(services, actor, int(number.group(1)))


def one_task(services: Services, actor: Actor, task_id: int) -> MyTasks:
    """Return the person's items of one task (one a unit of theirs given it, done or not),
    or what to say when it is none of their open tasks."""
    t = partial(services.catalog.get, actor.lang)
    if not actor.unit_ids:
        return MyTasks(said=t("mytasks.no_unit"))
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        rows: list[Row] = []
        for assignment_id in named_assignments(
            session, task_ids=[task_id], unit_ids=actor.unit_ids
        ):
            check, _ = check_reportable(
                session, assignment_id=assignment_id, unit_ids=actor.unit_ids
            )
            assignment = session.get(Assignment, assignment_id)
            if check == Check.OK and assignment is not None and task is not None:
                rows.append((assignment, task))
        if not rows:  # not theirs, closed, or their unit's deactivated: none to report on
            return MyTasks(said=t("mytasks.not_yours", task=Markup(str(task_id))))
        items = tuple(_item(services, session, actor, row) for row in rows)
    header = t("mytasks.one_header", task=Markup(str(task_id)))
    return MyTasks(None, header, items, task=task_id)


def my_tasks(services: Services, actor: Actor, page: int) -> MyTasks:
    """Return the page (from 1) of the open assignments of the person's units."""
    t = partial(services.catalog.get, actor.lang)
    if not actor.unit_ids:
        return MyTasks(said=t("mytasks.no_unit"))
    page = max(page, 1)
    with session_scope(services.engine) as session:
        rows, total = _page(session, actor, page)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:  # a page typed too far, or the list shrank: the last one
            page = pages
            rows, total = _page(session, actor, page)
        if total == 0:  # every unit deactivated: that is why
            said = unit_inactive(services, actor.lang, actor.unit_ids, every=True)
            return MyTasks(said=said or t("mytasks.empty"))
        items = tuple(_item(services, session, actor, row) for row in rows)
    return MyTasks(None, t("mytasks.header", count=total), items, page, pages)


def _page(session: Session, actor: Actor, page: int) -> tuple[list[Row], int]:
    """Return one page of the open assignments of the person's units, and how many in all."""
    offset = (page - 1) * PAGE_SIZE
    return open_page(session, unit_ids=actor.unit_ids, offset=offset, limit=PAGE_SIZE)


def _item(services: Services, session: Session, actor: Actor, row: Row) -> Item:
    """Return one open assignment's lines: the item, and its explanation's if one was asked."""
    t = partial(services.catalog.get, actor.lang)
    assignment, task = row
    assert assignment.id is not None
    assert task.id is not None
    # A person of two units may see one task twice: each says its unit.
    unit = unit_name(session, unit_id=assignment.unit_id) if len(actor.unit_ids) > 1 else ""
    due = effective_deadline(assignment.deadline, assignment.due_at, services.settings.tz)
    lines = [
        t(
            "mytasks.item",
            task=Markup(str(task.id)),
            title=task.title,
            deadline=Markup(said_deadline(services.catalog, actor.lang, assignment.deadline, due)),
            status=Markup(status_text(services, actor.lang, assignment)),
            unit=f" · {unit}" if unit else "",
        )
    ]
    explanation = latest_explanation(session, assignment_id=assignment.id)
    if explanation is not None:
        key = "mytasks.explained" if explanation.text else "mytasks.explain_waiting"
        lines.append(t(key, text=explanation.text or ""))
    return Item(assignment.id, task.id, tuple(lines))


def tasks_of(services: Services, assignments: Sequence[int]) -> dict[int, int]:
    """Return the task of each of these assignments (those that still exist)."""
    if not assignments:
        return {}
    with session_scope(services.engine) as session:
        found = [session.get(Assignment, a) for a in assignments]
    return {a.id: a.task_id for a in found if a is not None and a.id is not None}
