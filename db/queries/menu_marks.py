"""People whose commands changed (role, units, merged in): their Telegram menu is reset.

A role can change on any channel or on the command line, none of which may call Telegram.
The change leaves a mark here, in the transaction that makes it, and the Telegram side takes
the marks when it next can (`handlers/telegram/menus.refresh_marked`). A mark is a key
`menu:<contact>` of the key-value store whose value is new each time, so a change made while
a menu is being set leaves a mark that is not taken with the older one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection
from sqlalchemy import select as core_select
from sqlmodel import Session

from db.engine import as_connection
from db.models import AppState
from db.queries import state

PREFIX = "menu:"
_STATE = AppState.__table__  # type: ignore[attr-defined]


def mark(db: Session | Connection, *, contact_id: int) -> None:
    """Note that the person's commands changed (committed with the change)."""
    stamp = secrets.token_hex(8)
    state.write(db, f"{PREFIX}{contact_id}", stamp, now=datetime.now(UTC))


def marked(db: Session | Connection, *, limit: int = 100) -> list[tuple[int, str]]:
    """Return up to `limit` marks: the person and the mark's value, oldest first."""
    query = (
        core_select(_STATE.c.key, _STATE.c.value)
        .where(_STATE.c.key.like(PREFIX + "%"))
        .order_by(_STATE.c.updated_at)
        .limit(limit)
    )
    rows = as_connection(db).execute(query)
    return [(int(key.removeprefix(PREFIX)), value) for key, value in rows]


def take(db: Session | Connection, *, contact_id: int, value: str) -> None:
    """Remove a mark once its menu is set (not a newer one left since)."""
    state.take(db, f"{PREFIX}{contact_id}", value)
