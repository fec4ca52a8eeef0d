"""Telling people something unasked: one queued notice per person, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlmodel import Session

from app.choices import Rows, rows_to_json
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.recipients import Recipient

Words = Callable[[str], str]  # language -> the notice's text (markup)
Offers = Callable[[str], Rows]  # language -> the choices the notice offers


def tell(
    session: Session,
    people: Iterable[Recipient],
    *,
    key: str,
    text: Words,
    now: datetime,
    choices: Offers | None = None,
    assignment_ids: Sequence[int] = (),
) -> int:
    """Queue a notice to each person under `<key>:<contact id>` (once per key); return how many.

    Each goes out on the identity the person used last, worded in their language; the key
    is the person's, so a notice is queued once whatever channels they are on.
    """
    told = 0
    for person in people:
        lang = person.language
        queued = enqueue(
            session,
            key=f"{key}:{person.contact_id}",
            chat_id=person.chat_id,
            channel=person.channel,
            contact_id=person.contact_id,
            kind="notice",
            text=text(lang),
            choices=rows_to_json(choices(lang)) if choices is not None else None,
            now=now,
            priority=PRIORITY_NOTICE,
            assignment_ids=assignment_ids,
        )
        told += queued is not None
    return told
