"""Telling a task's units what an admin changed: its deadline, its title, its end (and its
opening again), the units taken off it.

A unit learnt of a moved deadline, a new title or a task closed or cancelled only from the
next reminder (or never, for a task ended or a unit taken off it). Each change queues one
notice per contact of the units concerned, in the change's transaction: in the outbox, keyed
by the change's audit entry and the person, so it is neither lost nor sent twice; held until
office time, as every notice someone else's action causes (`app.notices.office_moment`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from app.choices import Rows, rows_to_json, status_choices
from app.due_words import reminder_footer
from app.i18n import Catalog
from app.notices import Words, held_line, office_moment
from app.services import Services
from core.markup import Markup
from db.models import Task
from db.queries.outbox import (
    PRIORITY_NOTICE,
    NewMessage,
    cancel_keyed,
    cancel_undone,
    enqueue_many,
    unsent_keyed,
)
from db.queries.task_notices import (
    CHANGED,
    TOLD,
    calendar_entry,
    contacts_of_units,
    contacts_on_task,
    due_by_contact,
    last_entry,
    removals,
    unit_entry,
    units_kept,
    units_of,
)
from db.queries.tasks import active_unit_ids

KEY = CHANGED
LISTED_TASKS = 10  # the tasks a notice names by number, then "…"


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
    go (None when nobody is to be told). See `prepare_told`."""
    prepared = prepare_told(
        session, services, task_id=task_id, key=key, words=words, deadline=deadline
    )
    return send_told(session, services, prepared)


@dataclass(frozen=True)
class Prepared:
    """Notices composed and not queued yet, and when they go."""

    messages: list[NewMessage]
    moment: datetime


def prepare_told(
    session: Session,
    services: Services,
    *,
    task_id: int,
    key: str,
    words: Words,
    deadline: date | None = None,
    assignment_ids: Sequence[int] | None = None,
) -> Prepared | None:
    """Compose the notices of `queue_told` (reading only): to the contacts of the task's
    units (with `deadline`: not done due then; with `assignment_ids`: not done among those,
    about to be given `deadline`); None when nobody is to be told.

    A deadline moved to the day the notice goes is that day's "due today" reminder too:
    the notice says so, offers the status choices and is about the unit's assignments, so
    the sweep counts the contact told of them with that deadline and sends no second
    message (`db.queries.reminder_outbox.sent_today`); the sweep's record of the reminder
    stays, and the notice cancelled unsent forgets it, as a reminder's would be.

    Whatever the day, a notice of a moved deadline keeps in its recipe (`TOLD`) the
    assignments it gives the new deadline: a sweep later that day that plans them again
    from it (a reminder today in the new plan) counts the contact told, and sends no
    reminder beside the morning's and the notice (`reminder_outbox.said_today`).
    """
    now, tz = services.clock.now(), services.settings.tz
    people = contacts_on_task(
        session, task_id=task_id, deadline=deadline, assignment_ids=assignment_ids
    )
    if not people:
        return None
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    due: dict[int, list[tuple[int, str]]] = {}
    if deadline is not None:
        due = due_by_contact(
            session, task_id=task_id, deadline=deadline, assignment_ids=assignment_ids
        )
    due_today = deadline is not None and deadline == moment.astimezone(tz).date()
    catalog = services.catalog
    texts = {language: words(language) for language in {p.language for p in people}}
    today = {
        language: catalog.get(language, "tasks.notice_due_today")
        + "\n\n"
        + reminder_footer(catalog, language, due=deadline, today=moment.astimezone(tz).date())
        for language in texts
    }
    messages = []
    for p in people:
        mine = due.get(p.contact_id, [])
        text, choices, about = texts[p.language], None, []
        recipe: dict[str, object] | None = None
        told = [{"assignment_id": a, "deadline": str(deadline)} for a, _ in mine]
        if told:  # the deadline it gives each: the sweep's re-plan says it no second time
            recipe = {TOLD: told}
        if mine and due_today:
            text += "\n" + today[p.language]
            choices = rows_to_json(_choices(catalog, p.language, task_id, mine))
            about = [a for a, _ in mine]
            # its words without "due today", should the day it goes become a day off
            recipe = {"items": told, "words": texts[p.language], TOLD: told}
        messages.append(
            NewMessage(
                key=f"{key}:{p.contact_id}", chat_id=p.chat_id, kind="notice", text=text,
                contact_id=p.contact_id, priority=PRIORITY_NOTICE, channel=p.channel,
                not_before=moment, office=True, choices=choices,
                assignment_ids=about, recipe=recipe,
            )
        )  # fmt: skip
    return Prepared(messages, moment)


def tell_taken_off(
    session: Session,
    services: Services,
    lang: str,
    *,
    task_id: int,
    title: str,
    unit_ids: Sequence[int],
) -> str:
    """Queue to the contacts of the units just taken off the task (after the change is
    audited: its entry keys the notices) a notice that it needs no more report from them,
    naming their units; return the line telling the admin who will hear of it."""
    told = queue_taken_off(session, services, task_id=task_id, title=title, unit_ids=unit_ids)
    return told_line(services, lang, *told) if told else ""


def queue_taken_off(
    session: Session,
    services: Services,
    *,
    task_id: int,
    title: str,
    unit_ids: Sequence[int],
) -> tuple[int, datetime] | None:
    """Queue the notices of `tell_taken_off`; return how many and when they go (None when
    nobody is to be told)."""
    people = contacts_of_units(session, unit_ids=unit_ids)
    if not people:
        return None
    now, tz = services.clock.now(), services.settings.tz
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    entry = last_entry(session, task_id=task_id, action="task.assignees_removed")
    kept = units_kept(session, task_id=task_id, contact_ids=[p.contact_id for p, _ in people])
    messages = []
    for p, units in people:
        said = {"id": Markup(str(task_id)), "title": title, "units": ", ".join(units)}
        text = services.catalog.get(p.language, "tasks.notice_unassigned", **said)
        if p.contact_id in kept:  # their other unit still has it: reminders go on for it
            others = ", ".join(kept[p.contact_id])
            text = services.catalog.get(
                p.language, "tasks.notice_unassigned_kept", kept=others, **said
            )
        messages.append(
            NewMessage(
                key=f"{KEY}:{entry}:{p.contact_id}", chat_id=p.chat_id, kind="notice",
                text=text, contact_id=p.contact_id, priority=PRIORITY_NOTICE,
                channel=p.channel, not_before=moment, office=True,
            )
        )  # fmt: skip
    return send_told(session, services, Prepared(messages, moment))


def tell_unit_stopped(
    session: Session, services: Services, lang: str, *, unit_id: int, task_ids: Sequence[int]
) -> str:
    """Queue to the contacts of a unit just deactivated (after it is audited) that it is no
    longer followed and its open tasks (`task_ids`, just taken off) need no more report from
    it; return the line telling the admin who will hear of it ("" when nobody)."""
    people = contacts_of_units(session, unit_ids=[unit_id], active_only=False)
    if not people or not task_ids:
        return ""
    now, tz = services.clock.now(), services.settings.tz
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    entry = unit_entry(session, unit_id=unit_id, action="unit.deactivated")
    shown = ", ".join(f"#{i}" for i in task_ids[:LISTED_TASKS])
    shown += ", …" if len(task_ids) > LISTED_TASKS else ""
    messages = [
        NewMessage(
            key=f"{KEY}:unit{entry}:{p.contact_id}", chat_id=p.chat_id, kind="notice",
            text=services.catalog.get(
                p.language, "units.notice_deactivated", name=names[0], count=len(task_ids),
                tasks=shown,
            ),
            contact_id=p.contact_id, priority=PRIORITY_NOTICE, channel=p.channel,
            not_before=moment, office=True,
        )
        for p, names in people
    ]  # fmt: skip
    told = send_told(session, services, Prepared(messages, moment))
    return told_line(services, lang, *told) if told else ""


def withdraw_unit_stopped(session: Session, services: Services, lang: str, *, unit_id: int) -> str:
    """Withdraw the unsent notices that the unit is no longer followed (held overnight, call
    it after /activate): its people would hear the next morning of a change undone. Return
    the line telling the admin ("" when none)."""
    entry = unit_entry(session, unit_id=unit_id, action="unit.deactivated")
    withdrawn = cancel_keyed(session, prefix=f"{KEY}:unit{entry}:") if entry else set()
    if not withdrawn:
        return ""
    return "\n" + services.catalog.get(lang, "units.stopped_withdrawn", count=len(withdrawn))


def withdraw_taken_off(session: Session, services: Services, lang: str, *, task_id: int) -> str:
    """Withdraw the unsent notices of units taken off the task (held overnight) to the people
    whose units they named are all back on it (call it after /assign): they would hear the
    next morning of a change undone. Return the line telling the admin ("" when none)."""
    back = set(active_unit_ids(session, task_id=task_id))
    pending = [
        (outbox_id, contact_id, removed)
        for entry, removed in removals(session, task_id=task_id)
        for outbox_id, contact_id in unsent_keyed(session, prefix=f"{KEY}:{entry}:")
    ]
    theirs = units_of(session, contact_ids=[c for _, c, _ in pending])
    named = [(i, c, removed & theirs.get(c, set())) for i, c, removed in pending]
    undone = [(i, c) for i, c, units in named if units and units <= back]
    if not undone:
        return ""
    cancel_undone(session, outbox_ids=[i for i, _ in undone])
    people = len({c for _, c in undone})
    return "\n" + services.catalog.get(lang, "tasks.taken_off_withdrawn", count=people)


def tell_reopened(
    session: Session, services: Services, lang: str, *, task_id: int, title: str, deadline: date
) -> str:
    """Queue to the contacts of the task's units that it is open again (call it after the
    reopening is audited), but to those whose notice of its end has not gone yet: that one
    is withdrawn instead, and they hear of neither. Return the lines telling the admin."""
    ended = max(
        last_entry(session, task_id=task_id, action=action)
        for action in ("task.closed", "task.cancelled")
    )
    withdrawn = cancel_keyed(session, prefix=f"{KEY}:{ended}:") if ended else set()
    key = f"{KEY}:{last_entry(session, task_id=task_id, action='task.reopened')}"
    words = partial(
        _get, services, "tasks.notice_reopened", id=Markup(str(task_id)), title=title,
        deadline=deadline,
    )  # fmt: skip
    prepared = prepare_told(session, services, task_id=task_id, key=key, words=words)
    if prepared is not None:
        kept = [m for m in prepared.messages if m.contact_id not in withdrawn]
        prepared = Prepared(kept, prepared.moment) if kept else None
    told = send_told(session, services, prepared)
    said = told_line(services, lang, *told) if told else ""
    if withdrawn:
        said += "\n" + services.catalog.get(lang, "tasks.end_withdrawn", count=len(withdrawn))
    return said


def send_told(
    session: Session, services: Services, prepared: Prepared | None
) -> tuple[int, datetime] | None:
    """Queue the notices composed (a key queued before is left as it was); return how many
    were queued and when they go."""
    if prepared is None:
        return None
    # A country's task is thousands of contacts: queued in a few statements (as the nudge
    # does), not a savepoint each, while the change holds the write lock.
    now = services.clock.now()
    return len(enqueue_many(session, prepared.messages, now=now)), prepared.moment


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


def rolled_words(services: Services, task_id: int, title: str, old: date, new: date) -> Words:
    """Return the words of a deadline on a day off met on another day now: later past a day
    off added (`old` the day), earlier on a day made a working day (`new` the day)."""
    key = "tasks.notice_day_off" if new > old else "tasks.notice_day_worked"
    return partial(_get, services, key, id=Markup(str(task_id)), title=title, old=old, new=new)


def calendar_key(session: Session, *, day: date, task_id: int) -> str:
    """Return the key of the notices of a task moved by the latest `/calendar` change of the
    day (its audit entry), before `:<contact id>`: once per person for each change."""
    return f"{KEY}:day{calendar_entry(session, day=day)}:{task_id}"


def prepare_calendar_move(
    session: Session,
    services: Services,
    *,
    task: Task,
    key: str,
    old: date,
    new: date,
    assignment_ids: Sequence[int] | None = None,
) -> Prepared | None:
    """Compose the notices of a day off (added, or removed) that moves the task's deadline
    from `old` to `new`: to the units not done now due `new`, or among `assignment_ids`
    (those about to move, read before the move takes the write lock)."""
    words = day_off_words(services, task.id or 0, task.title, old, new)
    return prepare_told(
        session,
        services,
        task_id=task.id or 0,
        key=key,
        words=words,
        deadline=new,
        assignment_ids=assignment_ids,
    )


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
