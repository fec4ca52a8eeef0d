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


def queue_reminders(ctx: Context, due: Due, now: datetime, today: date, result: Result) -> None:
    """Queue one message (or its parts) per contact gathered in `due`, counted in `result`.

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
        messages: list[NewMessage] = []
        for contact_id, (person, items) in batch:
            fresh = [i for i in items if (contact_id, i.assignment_id) not in done]
            if fresh:
                parts = compose(
                    fresh,
                    person,
                    catalog=ctx.catalog,
                    day=today,
                    previous=previous.get(contact_id),
                )
                messages += _reminder_messages(person, fresh, parts, today)
                result.items += len(fresh)
        if messages:
            with session_scope(ctx.engine) as session:
                result.messages += len(enqueue_many(session, messages, now=now))
            clock.sleep(PAUSE_S)


def _reminder_messages(
    person: Recipient, items: list[Item], parts: list[Part], today: date
) -> list[NewMessage]:
    """Return one contact's composed reminder for today as messages to queue."""
    first = min(i.assignment_id for i in items)
    return [
        NewMessage(
            key=f"rem:{person.contact_id}:{today.isoformat()}:{first}:{n}",
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
