"""/tasks on any channel: what a page of the open tasks says, and a task's card.

The use case reads the page (nearest deadline first, with progress) and words its lines
from the catalogs; each channel adds its own footer and way to go on (Telegram's buttons,
Zalo's "tiếp").

What follows /tasks is read the same on every channel (`asked`): nothing is the first page;
"trang 2" (or "page 2") is page 2; anything else names a task, so "2" is task #2, as in
`/summary 2`, `/deadline 2`, `/closetask 2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from app.due_words import deadline_words
from app.services import Services
from core.numbers import typed_number
from core.paging import Page
from core.textnorm import fold
from db.engine import session_scope
from db.models import Directive, Task
from db.queries.calendar import working_calendar
from db.queries.task_list import open_tasks, progress
from db.queries.tasks import find_tasks

PAGE_SIZE = 10
_PAGE_RE = re.compile(r"(?:trang|page)\s*(\d{1,9})")


def asked(text: str) -> int | str:
    """Read what follows /tasks: a page number (1 for nothing, "trang 2", "page 2") or the
    words that name a task ("2", "#2", a title): a bare number is a task, as elsewhere."""
    text = text.strip()
    if not text:
        return 1
    page = _PAGE_RE.fullmatch(fold(text))
    if page is None:
        return text
    return typed_number(page.group(1)) or 1


@dataclass(frozen=True)
class TaskPage:
    """A page of open tasks: the ids shown and its lines (markup: header, a line a task)."""

    page: Page[int]
    lines: list[str]


def open_page(services: Services, lang: str, number: int) -> TaskPage | None:
    """Return page `number` of the open tasks (the last one past the end), or None: none open.

    Nearest deadline first, then by title and number, as every list (`in_force_order`).
    """
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        _, total = open_tasks(session, offset=0, limit=0)
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(max(1, number), pages)
        rows, total = open_tasks(session, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        roll = working_calendar(session).roll_forward
    if not rows:
        return None
    lines = [t("tasks.list_header", total=total, page=number, pages=pages)]
    lines += [
        t(
            "tasks.list_line",
            id=r.id,
            title=r.title,
            deadline=deadline_words(t, r.deadline, roll(r.deadline)[0]),
            done=r.done,
            assigned=r.assigned,
        )
        for r in rows
    ]
    return TaskPage(Page([r.id for r in rows], number, pages), lines)


def named(services: Services, text: str) -> list[tuple[int, str]]:
    """Return (id, title) of the tasks a text names ("#12", "12" or a title), whatever their
    status: a closed or cancelled task is looked at the same way as an open one."""
    with session_scope(services.engine) as session:
        return [(t.id, t.title) for t in find_tasks(session, text=text) if t.id is not None]


@dataclass(frozen=True)
class Card:
    """A task's card (markup) and its status (the changes offered depend on it)."""

    text: str
    status: str  # a TaskStatus value


def card(services: Services, lang: str, task_id: int) -> Card | None:
    """Say one task: directive, deadline, status, progress, description; None if unknown."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        if task is None:
            return None
        directive = session.get(Directive, task.directive_id) if task.directive_id else None
        done, assigned = progress(session, [task_id]).get(task_id, (0, 0))
        text = t(
            "tasks.detail",
            id=task_id,
            title=task.title,
            directive=directive.number if directive else t("tasks.no_directive"),
            deadline=deadline_words(
                t, task.deadline, working_calendar(session).roll_forward(task.deadline)[0]
            ),
            status=t(f"tasks.status_{task.status}"),
            done=done,
            assigned=assigned,
            description=task.description or "-",
        )
        return Card(text, task.status)
