"""Telling a task's units what an admin changed: its deadline, its title, its end.

A unit learnt of a moved deadline, a new title or a task closed or cancelled only from the
next reminder (or never, for a task ended). Each change queues one notice per contact of
the units concerned, in the change's transaction: in the outbox, keyed by the change's
audit entry and the person, so it is neither lost nor sent twice; held until office time,
as every notice someone else's action causes (`app.notices.office_moment`).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from app.choices import Rows, rows_to_json, status_choices
from app.i18n import Catalog
from app.notices import Words, held_line, office_moment
from app.services import Services
from core.markup import Markup
from db.models import Task
from db.queries.outbox import PRIORITY_NOTICE, NewMessage, enqueue_many
from db.queries.task_notices import (
    CHANGED,
    calendar_entry,
    contacts_on_task,
    due_by_contact,
    last_entry,
)

KEY = CHANGED


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
    key = f"{KEY}:{last_entry(session, task_id=task_id, action=action)}"
    told = queue_told(session, services, task_id=task_id, key=key, words=words, deadline=deadline)
    if told is None:
        return ""
    return told_line(services, lang, *told)


def queue_told(
    session: Session,
    services: Services,
    *,
    task_id: int,
    key: str,
    words: Words,
    deadline: date | None = None,
) -> tuple[int, datetime] | None:
    """Queue `words` to the contacts of the task's units (with `deadline`: those not done
    due then), each under `<key>:<contact id>`; return how many were queued and when they
    go (None when nobody is to be told).

    A deadline moved to the day the notice goes is that day's "due today" reminder too:
    the notice says so, offers the status choices and is about the unit's assignments, so
    the sweep counts the contact told of them with that deadline and sends no second
    message (`db.queries.reminder_outbox.sent_today`); the sweep's record of the reminder
    stays, and the notice cancelled unsent forgets it, as a reminder's would be.
    """
    now, tz = services.clock.now(), services.settings.tz
    people = contacts_on_task(session, task_id=task_id, deadline=deadline)
    if not people:
        return None
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    due: dict[int, list[tuple[int, str]]] = {}
    if deadline is not None and deadline == moment.astimezone(tz).date():
        due = due_by_contact(session, task_id=task_id, deadline=deadline)
    catalog = services.catalog
    texts = {language: words(language) for language in {p.language for p in people}}
    today = {
        language: catalog.get(language, "tasks.notice_due_today")
        + "\n\n"
        + catalog.get(language, "reminders.footer")
        for language in texts
    }
    # A country's task is thousands of contacts: queued in a few statements (as the nudge
    # does), not a savepoint each, while the admin's change holds the write lock.
    messages = []
    for p in people:
        mine = due.get(p.contact_id, [])
        text, choices, recipe = texts[p.language], None, None
        if mine:
            text += "\n" + today[p.language]
            choices = rows_to_json(_choices(catalog, p.language, task_id, mine))
            items = [{"assignment_id": a, "deadline": str(deadline)} for a, _ in mine]
            recipe = {"items": items}
        messages.append(
            NewMessage(
                key=f"{key}:{p.contact_id}", chat_id=p.chat_id, kind="notice", text=text,
                contact_id=p.contact_id, priority=PRIORITY_NOTICE, channel=p.channel,
                not_before=moment, office=True, choices=choices,
                assignment_ids=[a for a, _ in mine], recipe=recipe,
            )
        )  # fmt: skip
    return len(enqueue_many(session, messages, now=now)), moment


def _choices(catalog: Catalog, lang: str, task_id: int, mine: list[tuple[int, str]]) -> Rows:
    """Return the status choices of a contact's assignments on the task (each named by its
    unit when they are two or more)."""
    return [
        row
        for assignment_id, unit in mine
        for row in status_choices(
            catalog, lang, assignment_id, label=f"#{task_id} {unit}" if len(mine) > 1 else ""
        )
    ]


def deadline_words(services: Services, task_id: int, title: str, old: date, new: date) -> Words:
    """Return the words of a moved deadline, in a person's language."""
    return partial(
        _get, services, "tasks.notice_deadline", id=Markup(str(task_id)), title=title, old=old,
        new=new,
    )  # fmt: skip


def day_off_words(services: Services, task_id: int, title: str, old: date, new: date) -> Words:
    """Return the words of a deadline moved by a day off added (`new` later) or removed."""
    key = "tasks.notice_day_off" if new > old else "tasks.notice_day_off_removed"
    return partial(_get, services, key, id=Markup(str(task_id)), title=title, old=old, new=new)


def tell_calendar_move(
    session: Session, services: Services, *, task_id: int, day: date, old: date, new: date
) -> tuple[int, datetime] | None:
    """Tell the contacts of the task's units not done now due `new` that the day off `day`
    (added, or removed) moved their deadline from `old`; once per person for each change of
    the day (its latest `/calendar` audit entry names it), in the move's transaction."""
    task = session.get(Task, task_id)
    if task is None:
        return None
    key = f"{KEY}:day{calendar_entry(session, day=day)}:{task_id}"
    words = day_off_words(services, task_id, task.title, old, new)
    return queue_told(session, services, task_id=task_id, key=key, words=words, deadline=new)


def told_line(services: Services, lang: str, count: int, moment: datetime | None) -> str:
    """Return the line telling the admin how many contacts will hear of it, and when."""
    if moment is None:
        return ""
    now, tz = services.clock.now(), services.settings.tz
    said = services.catalog.get(lang, "tasks.units_told", count=count)
    return "\n" + said + held_line(services.catalog, lang, now=now, moment=moment, tz=tz)


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
