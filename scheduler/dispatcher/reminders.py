"""Each contact's reminder for today, composed and queued a batch of contacts at a time."""

from __future__ import annotations

import time as clock
from datetime import date, datetime

from app.choices import rows_to_json
from db.engine import session_scope
from db.queries import reminder_outbox as queued
from db.queries.outbox import PRIORITY_REMINDER, NewMessage, enqueue_many
from db.queries.recipients import Recipient
from scheduler.dispatcher.result import Result
from scheduler.dispatcher.stale import start_of_day
from scheduler.messages import Item, Part, compose
from scheduler.sweep import PAUSE_S, Context, Due, SweepStopped

# Each batch is one write transaction; the bot's own writes wait for it, so keep it short.
CONTACT_BATCH = 20


def queue_reminders(
    ctx: Context, due: Due, now: datetime, today: date, result: Result, tag: str = ""
) -> None:
    """Queue one message (or its parts) per contact gathered in `due`, counted in `result`.

    An item planned again for a moved deadline (`due.replanned`) goes unless the contact was
    told of it today with that deadline; its message's key takes `tag` (the run's), as the
    contact may have had one of the same key this morning.

    Messages are composed before the write transaction opens: this runs in a thread, and
    SQLite's write lock held while composing would stall the bot's own writes (and so its
    answers to people) for as long as a batch takes.
    """
    since = start_of_day(today, ctx.tz)
    contacts = list(due.by_contact.items())
    for start in range(0, len(contacts), CONTACT_BATCH):
        if not ctx.keep_going():
            raise SweepStopped
        batch = contacts[start : start + CONTACT_BATCH]
        with session_scope(ctx.engine) as session:
            ids = [c for c, _ in batch]
            done = queued.sent_today(session, contact_ids=ids, since=since)
            previous = queued.previous_reminders(session, contact_ids=ids, before=since)
            again = {i.assignment_id for _, (_, items) in batch for i in items} & due.replanned
            said = queued.said_today(
                session,
                contact_ids=ids,
                assignment_ids=sorted(again),
                since=since,
                afresh=_afresh(batch, again, since),
            )
        messages: list[NewMessage] = []
        for contact_id, (person, items) in batch:
            fresh = [i for i in items if not _told(contact_id, i, done, said, again)]
            if fresh:
                parts = compose(
                    fresh,
                    person,
                    catalog=ctx.catalog,
                    day=today,
                    previous=previous.get(contact_id),
                )
                key = tag if again.intersection(i.assignment_id for i in fresh) else ""
                messages += _reminder_messages(person, fresh, parts, today, key)
                result.items += len(fresh)
        if messages:
            with session_scope(ctx.engine) as session:
                result.messages += len(enqueue_many(session, messages, now=now))
            ctx.queued()  # committed: the sender may start on them
            clock.sleep(PAUSE_S)


def _afresh(
    batch: list[tuple[int, tuple[Recipient, list[Item]]]], again: set[int], since: datetime
) -> dict[int, datetime]:
    """Return the items planned again that started afresh today (a unit taken off its task
    and brought back: `/unassign`, `/assign`), each with its moment: what its contacts were
    told of it before then (this morning's reminder) does not count as told."""
    return {
        i.assignment_id: i.created_at
        for _, (_, items) in batch
        for i in items
        if i.assignment_id in again and i.created_at is not None and i.created_at >= since
    }


def _told(
    contact_id: int,
    item: Item,
    done: set[tuple[int, int]],
    said: dict[tuple[int, int], set[str]],
    again: set[int],
) -> bool:
    """Tell whether the contact was told of the item today (planned again: with its deadline)."""
    if item.assignment_id in again:
        return item.deadline.isoformat() in said.get((contact_id, item.assignment_id), set())
    return (contact_id, item.assignment_id) in done


def _reminder_messages(
    person: Recipient, items: list[Item], parts: list[Part], today: date, tag: str = ""
) -> list[NewMessage]:
    """Return one contact's composed reminder for today as messages to queue."""
    first = min(i.assignment_id for i in items)
    return [
        NewMessage(
            key=f"rem:{person.contact_id}:{today.isoformat()}:{first}{tag}:{n}",
            chat_id=person.chat_id,
            contact_id=person.contact_id,
            kind="reminder",
            text=part.text,
            choices=rows_to_json(part.choices),
            priority=PRIORITY_REMINDER,
            channel=person.channel,
            assignment_ids=part.assignment_ids,
            recipe=part.recipe,
        )
        for n, part in enumerate(parts)
    ]
