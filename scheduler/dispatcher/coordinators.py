"""Each coordinator's lists of escalated units and of missed reminders, queued."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from db.queries.outbox import PRIORITY_REMINDER, enqueue
from db.queries.recipients import Recipient
from scheduler.messages import escalation_list, late_list
from scheduler.sweep import Context, Due


def tell_coordinators(
    session: Session, ctx: Context, due: Due, now: datetime, today: date, tag: str
) -> None:
    """Queue each coordinator's list of escalated units and of missed reminders."""
    for lists in due.lists:
        person, lang = lists.person, lists.person.language
        escalated = lists.escalated
        if escalated.count:
            items = [item for item, _ in escalated.first()]
            shown = len(items) + len({i.task_id for i in items})
            text = escalation_list(
                items,
                lang=lang,
                catalog=ctx.catalog,
                day=today,
                times=escalated.least_seq,
                hidden=escalated.count + len(escalated.tasks) - shown,
            )
            _enqueue_list(session, person, "escalation", f"esc:{today}{tag}", text, now)
        missed = lists.missed
        if missed.count:
            first = missed.first()
            text = late_list(
                first, lang=lang, catalog=ctx.catalog, day=today, hidden=missed.count - len(first)
            )
            _enqueue_list(session, person, "late", f"late:{today}{tag}", text, now)


def _enqueue_list(
    session: Session,
    person: Recipient,
    kind: str,
    key: str,
    text: str,
    now: datetime,
) -> None:
    """Queue a list for one coordinator.

    Not linked to its assignments: a coordinator's reply is not a unit's report, and a
    province's list can name thousands of them.
    """
    enqueue(
        session,
        key=f"{key}:{person.contact_id}",
        chat_id=person.chat_id,
        channel=person.channel,
        contact_id=person.contact_id,
        kind=kind,
        text=text,
        priority=PRIORITY_REMINDER,
        now=now,
    )
