"""A reaction (👍, ✅) put on a reminder: no report, so the person is told how to give one.

Officials acknowledge a message with a reaction in every chat they use; on a reminder that
looked like "done" to them, and the bot, which reads no reaction as a status (a 👍 may say
"seen" as well as "done"), said nothing: the task stayed "no report". A reminder too long
for one message went in parts: a reaction on any of them is one on the reminder. A reaction
on any other message (an answer, a notice) is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.actor import Actor
from app.checkin import Said
from app.services import Services
from db.queries.checkin import message_of_part, message_outbox, open_items


def reacted(services: Services, actor: Actor, *, chat_id: str, message_id: int) -> Said | None:
    """Return how to report on what a reminder reacted to still chases (None: nothing to
    say: not a reminder of the person's, or every task of it done or closed) (blocking)."""
    if not actor.unit_ids:
        return None
    with services.engine.connect() as connection:
        sent = message_outbox(connection, chat_id=chat_id, message_id=message_id)
        if sent is None:  # an earlier part of a reminder split for length
            sent = message_of_part(connection, chat_id=chat_id, message_id=message_id)
    if sent is None:
        return None
    return still_chased(services, actor, sent.assignment_ids)


def still_chased(services: Services, actor: Actor, assignment_ids: Sequence[int]) -> Said | None:
    """Return how to report on the assignments a reminder is about that are still chased,
    after a sign that is no report (a reaction on Telegram, a sticker on Zalo, which has no
    reactions to read); None when none is (blocking)."""
    if not actor.unit_ids or not assignment_ids:
        return None
    with services.engine.connect() as connection:
        rows = open_items(connection, unit_ids=actor.unit_ids)
    about = set(assignment_ids)
    tasks = sorted({r.task_id for r in rows if r.assignment_id in about and not r.done})
    if not tasks:
        return None
    text = services.catalog.get(
        actor.lang, "checkin.reaction_not_read", tasks=", ".join(f"#{task}" for task in tasks)
    )
    return Said(text)
