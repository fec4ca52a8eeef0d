"""Paged answers on Zalo: what "tiếp" shows next, kept per person in the database."""

from __future__ import annotations

from typing import Any

from app.actor import Actor
from app.services import Services
from db.engine import session_scope
from db.queries.pending import clear_pending, get_pending, set_pending

PAGE = "page"  # the pending kind of the paged answer "tiếp" continues


def remember(services: Services, actor: Actor, data: dict[str, Any] | None) -> None:
    """Keep what "tiếp" shows next (None: nothing more)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        if data is None:
            clear_pending(session, contact_id=actor.contact_id, kind=PAGE)
        else:
            set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=PAGE)


def recall(services: Services, actor: Actor) -> dict[str, Any] | None:
    """Return what "tiếp" shows next, if anything."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        return get_pending(session, contact_id=actor.contact_id, now=now, kind=PAGE)
