"""Telling people something unasked: one queued notice per person, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlmodel import Session

from app.choices import Rows, rows_to_json
from db.models import Contact
from db.queries.outbox import PRIORITY_NOTICE, enqueue

Words = Callable[[str], str]  # language -> the notice's text (markup)
Offers = Callable[[str], Rows]  # language -> the choices the notice offers


def tell(
    session: Session,
    people: Iterable[Contact],
    *,
    key: str,
    text: Words,
    now: datetime,
    choices: Offers | None = None,
    assignment_ids: Sequence[int] = (),
) -> int:
    """Queue a notice to each person under `<key>:<contact id>` (once per key); return how many.

    Each goes out on the person's channel, worded in their language.
    """
    told = 0
    for person in people:
        if person.id is None:
            continue
        lang = person.language
        queued = enqueue(
            session,
            key=f"{key}:{person.id}",
            chat_id=person.chat_id or "",
            contact_id=person.id,
            kind="notice",
            text=text(lang),
            choices=rows_to_json(choices(lang)) if choices is not None else None,
            now=now,
            priority=PRIORITY_NOTICE,
            assignment_ids=assignment_ids,
        )
        told += queued is not None
    return told
