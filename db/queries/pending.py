"""Questions the bot asked a contact and waits for (a blocker's reason, which task...).

One value per contact and kind in app_state, read and written on every check-in reply, so
its statements are built once.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, text
from sqlalchemy import select as core_select
from sqlmodel import Session

from db.engine import as_connection
from db.models import AppState
from db.types import UTCDateTime

# A question the bot asked (which reason, which date) is forgotten after this long, so an
# unrelated message days later is read as what it says.
PENDING_TTL = timedelta(hours=24)

_STATE = AppState.__table__  # type: ignore[attr-defined]
_PENDING = core_select(_STATE.c.value, _STATE.c.updated_at).where(_STATE.c.key == bindparam("k"))

# Written out because SQLAlchemy compiles its dialects' upserts anew on every call; SQLite
# and PostgreSQL both read this one.
_PENDING_SET = text(
    "INSERT INTO app_state (key, value, updated_at) VALUES (:k, :value, :updated_at) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
_PENDING_DELETE = delete(_STATE).where(_STATE.c.key == bindparam("k"))


def _key(kind: str, contact_id: int) -> str:
    """Return the app_state key of a contact's pending value."""
    return f"checkin:{kind}:{contact_id}"


def set_pending(
    db: Session | Connection,
    *,
    contact_id: int,
    data: dict[str, Any],
    now: datetime,
    kind: str = "step",
) -> None:
    """Remember what the bot asked this contact (one question at a time)."""
    value = json.dumps(data, ensure_ascii=False)
    params = {"k": _key(kind, contact_id), "value": value, "updated_at": now}
    as_connection(db).execute(_PENDING_SET, params)


def get_pending(
    db: Session | Connection, *, contact_id: int, now: datetime, kind: str = "step"
) -> dict[str, Any] | None:
    """Return what the bot asked this contact, unless it is too old."""
    row = as_connection(db).execute(_PENDING, {"k": _key(kind, contact_id)}).first()
    if row is None or not row.value or now - row.updated_at > PENDING_TTL:
        return None
    data = json.loads(row.value)
    return data if isinstance(data, dict) else None


def clear_pending(db: Session | Connection, *, contact_id: int, kind: str = "step") -> None:
    """Forget the question asked of this contact."""
    as_connection(db).execute(_PENDING_DELETE, {"k": _key(kind, contact_id)})
