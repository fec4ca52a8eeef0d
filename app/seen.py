"""Who wrote on a channel: the person an identity of that channel is, recorded as seen.

Read for every message a person sends (one prepared query, `db.queries.snapshot`); what the
channel says of them now (chat, name, username) is written only when it changed, or when
they were last seen more than `LAST_SEEN_PRECISION` ago, or were unreachable: writing
again from a chat makes it reachable again and the identity used last, the one reminders go
to.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from app.actor import Actor, actor_from
from app.services import Services
from db.queries.snapshot import Seen, Snapshot, refresh, snapshot

__all__ = ["Seen", "known_in", "seen", "seen_in"]


def seen(
    services: Services,
    channel: str,
    external_id: str,
    *,
    chat_id: str,
    name: str,
    username: str | None = None,
    same_username: bool = False,
    readable: bool = True,
) -> Actor | None:
    """Return who `external_id` is on `channel` (None: nobody the bot knows), recording
    what the channel says of them: their chat, their name ("" says nothing of it), their
    username (`same_username`: whatever is stored, for a channel that has none to tell),
    whether what they sent could be read (`readable`: not Zalo's unsupported message)."""
    now = services.clock.now()

    def told(known: Snapshot) -> Seen:
        kept = known.username if same_username else username
        return Seen(chat_id, name, kept, now, readable)

    with services.engine.begin() as connection:
        return seen_in(connection, channel, external_id, told)


def seen_in(
    connection: Connection, channel: str, external_id: str, told: Callable[[Snapshot], Seen]
) -> Actor | None:
    """Return who `external_id` is on `channel` (None: nobody the bot knows), in the
    caller's transaction, recording what `told` says the channel tells of them now when it
    is not what is stored (every channel's rule, Telegram's hot path included)."""
    known = snapshot(connection, channel=channel, external_id=external_id)
    if known is None:
        return None
    person = told(known)
    if not known.is_current(person):
        known = refresh(connection, known, person)
    return actor_from(known)


def known_in(connection: Connection, channel: str, external_id: str) -> Actor | None:
    """Return who `external_id` is on `channel` (None: nobody the bot knows), recording
    nothing: an update from them that is no sign of them (they blocked the bot)."""
    known = snapshot(connection, channel=channel, external_id=external_id)
    return actor_from(known) if known is not None else None
