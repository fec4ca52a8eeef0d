"""The numbered choices last offered to a person on a channel without buttons (Zalo's), and
how long a typed number takes them.

Those of a message the bot sent on its own (`OUTBOX`: a reminder, a coordinator's notice)
hold a week, as its buttons on Telegram do not expire: a Friday's reminder answered "3 thiếu
kinh phí" on Monday was asked again which status, the reason dropped. Those of an answer hold
a day (`PENDING_TTL`), as every question asked: a number typed days later is read as what it
says. Any later answer replaces them, or forgets them when it offers none.

A message the outbox sent offers its choices once Zalo took it; an answer's are kept as it is
worked out, before it waits its turn to be sent. An answer worked out while an outbox message
to the person was on its way is sent after it (one message at a time to a person): its
choices, shown last, are kept (`keep_sent`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from app.choices import STATUS_PREFIX
from db.queries.pending import PENDING_TTL, pending_since, set_pending

CHOICES = "choices"  # the pending kind of the numbered choices last offered
OUTBOX = "outbox:"  # how the offer of a message the outbox sent is named: outbox:<row id>
SENT_TTL = timedelta(days=7)


def last_offer(
    db: Session | Connection, *, contact_id: int, now: datetime
) -> dict[str, Any] | None:
    """Return the numbered choices last offered to the person (`offer`, `choices`) while a
    typed number still takes them."""
    found = last_offer_since(db, contact_id=contact_id, now=now)
    return None if found is None else found[0]


def last_offer_since(
    db: Session | Connection, *, contact_id: int, now: datetime
) -> tuple[dict[str, Any], datetime] | None:
    """Return the numbered choices last offered to the person and when they were offered,
    while a typed number still takes them."""
    found = pending_since(db, contact_id=contact_id, kind=CHOICES)
    if found is None:
        return None
    offer, since = found
    sent = str(offer.get("offer", "")).startswith(OUTBOX)
    return found if now - since <= (SENT_TTL if sent else PENDING_TTL) else None


def reminded(offer: dict[str, Any] | None) -> list[int]:
    """Return the assignments whose statuses a message the bot sent on its own offers (a
    reminder's), if the offer is one ([] otherwise)."""
    if offer is None or not str(offer.get("offer", "")).startswith(OUTBOX):
        return []
    found = []
    for choice in offer.get("choices") or []:
        if isinstance(choice, list) and len(choice) == 3 and choice[0] == STATUS_PREFIX:
            found.append(str(choice[2]))
    return list(dict.fromkeys(int(one) for one in found if one.isascii() and one.isdigit()))


def keep_sent(
    session: Session, *, contact_id: int, data: dict[str, Any], started: datetime, now: datetime
) -> bool:
    """Keep the choices of a message the outbox sent (`data`, its call to the channel started
    at `started`) as what a typed number takes, unless an answer's were kept since it started:
    that answer reaches the person after it. Return whether they were kept.

    A reminder on its way while "xong" was answered "which task?" took the next "1": the
    question, read last, was answered with the reminder's first choice."""
    found = pending_since(session, contact_id=contact_id, kind=CHOICES)
    if found is not None:
        offer, since = found
        if not str(offer.get("offer", "")).startswith(OUTBOX) and since > started:
            return False
    set_pending(session, contact_id=contact_id, data=data, now=now, kind=CHOICES)
    return True
