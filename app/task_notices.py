"""Telling a task's units what an admin changed: its deadline, its title, its end.

A unit learnt of a moved deadline, a new title or a task closed or cancelled only from the
next reminder (or never, for a task ended). Each change queues one notice per contact of
the units concerned, in the change's transaction: in the outbox, keyed by the change's
audit entry and the person, so it is neither lost nor sent twice; held until office time,
as every notice someone else's action causes (`app.notices.office_moment`).
"""

from __future__ import annotations

from datetime import date
from functools import partial

from sqlmodel import Session

from app.notices import Words, held_line, office_moment
from app.services import Services
from core.markup import Markup
from db.queries.outbox import PRIORITY_NOTICE, NewMessage, enqueue_many
from db.queries.task_notices import contacts_on_task, last_entry

KEY = "task-changed"


def tell_units(
    session: Session,
    services: Services,
    lang: str,
    *,
    task_id: int,
    action: str,
    words: Words,
    deadline: date | None = None,
) -> str:
    """Queue `words` to the contacts of the task's units (with `deadline`: those it moved);
    return the line telling the admin who will hear of it, and when ("" when nobody)."""
    now, tz = services.clock.now(), services.settings.tz
    people = contacts_on_task(session, task_id=task_id, deadline=deadline)
    if not people:
        return ""
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    key = f"{KEY}:{last_entry(session, task_id=task_id, action=action)}"
    texts = {language: words(language) for language in {p.language for p in people}}
    # A country's task is thousands of contacts: queued in a few statements (as the nudge
    # does), not a savepoint each, while the admin's change holds the write lock.
    messages = [
        NewMessage(
            key=f"{key}:{p.contact_id}", chat_id=p.chat_id, kind="notice",
            text=texts[p.language], contact_id=p.contact_id, priority=PRIORITY_NOTICE,
            channel=p.channel, not_before=moment, office=True,
        )
        for p in people
    ]  # fmt: skip
    told = len(enqueue_many(session, messages, now=now))
    said = services.catalog.get(lang, "tasks.units_told", count=told)
    return "\n" + said + held_line(services.catalog, lang, now=now, moment=moment, tz=tz)


def deadline_words(services: Services, task_id: int, title: str, old: date, new: date) -> Words:
    """Return the words of a moved deadline, in a person's language."""
    return partial(
        _get, services, "tasks.notice_deadline", id=Markup(str(task_id)), title=title, old=old,
        new=new,
    )  # fmt: skip


def renamed_words(services: Services, task_id: int, old: str, new: str) -> Words:
    """Return the words of a new title, in a person's language."""
    return partial(
        _get, services, "tasks.notice_renamed", id=Markup(str(task_id)), old=old, new=new
    )


def ended_words(services: Services, task_id: int, title: str, status: str) -> Words:
    """Return the words of a task closed or cancelled, in a person's language."""
    key = f"tasks.notice_{status}"
    return partial(_get, services, key, id=Markup(str(task_id)), title=title)


def _get(services: Services, key: str, lang: str, **params: object) -> str:
    """Return one catalog text in `lang`."""
    return services.catalog.get(lang, key, **params)
