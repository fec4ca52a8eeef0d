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
# A previewed import file waits this long for its apply / cancel (kind "import").
IMPORT_TTL = timedelta(hours=1)
IMPORT_KIND = "import"

_STATE = AppState.__table__  # type: ignore[attr-defined]
_PENDING = core_select(_STATE.c.value, _STATE.c.updated_at).where(_STATE.c.key == bindparam("k"))

# Written out because SQLAlchemy compiles its dialects' upserts anew on every call; SQLite
# and PostgreSQL both read this one.
_PENDING_SET = text(
    "INSERT INTO app_state (key, value, updated_at) VALUES (:k, :value, :updated_at) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
_PENDING_DELETE = delete(_STATE).where(_STATE.c.key == bindparam("k"))
# Only the value that was read: a press racing another (or a newer file) takes nothing.
_PENDING_TAKE = delete(_STATE).where(
    _STATE.c.key == bindparam("k"), _STATE.c.value == bindparam("value")
)
_PENDING_PRUNE = delete(_STATE).where(
    _STATE.c.key.like(bindparam("prefix")), _STATE.c.updated_at < bindparam("before")
)


def _key(kind: str, contact_id: int) -> str:
    """Return the app_state key of a contact's pending value."""
    return f"{_prefix(kind)}{contact_id}"


def _prefix(kind: str) -> str:
    """Return what the keys of every contact's pending value of this kind start with."""
    return f"checkin:{kind}:"


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
    db: Session | Connection,
    *,
    contact_id: int,
    now: datetime,
    kind: str = "step",
    ttl: timedelta = PENDING_TTL,
) -> dict[str, Any] | None:
    """Return what the bot asked this contact, unless it is older than ttl."""
    row = as_connection(db).execute(_PENDING, {"k": _key(kind, contact_id)}).first()
    if row is None or not row.value or now - row.updated_at > ttl:
        return None
    data = json.loads(row.value)
    return data if isinstance(data, dict) else None


def take_pending(
    db: Session | Connection,
    *,
    contact_id: int,
    token: str,
    now: datetime,
    kind: str,
    ttl: timedelta,
) -> dict[str, Any] | None:
    """Return and forget the pending value whose "token" is token, if it is still there.

    At most one caller gets it: the row is deleted only as it was read, so a second press
    of the same button, or one racing it, gets None, as does a token a newer value replaced.
    """
    connection = as_connection(db)
    key = _key(kind, contact_id)
    row = connection.execute(_PENDING, {"k": key}).first()
    if row is None or not row.value or now - row.updated_at > ttl:
        return None
    data = json.loads(row.value)
    if not isinstance(data, dict) or data.get("token") != token:
        return None
    taken = connection.execute(_PENDING_TAKE, {"k": key, "value": row.value}).rowcount
    return data if taken == 1 else None


def prune_pending(db: Session | Connection, *, kind: str, before: datetime) -> int:
    """Delete every contact's pending value of this kind set before `before`; return how many."""
    params = {"prefix": _prefix(kind) + "%", "before": before}
    return as_connection(db).execute(_PENDING_PRUNE, params).rowcount


def clear_pending(db: Session | Connection, *, contact_id: int, kind: str = "step") -> None:
    """Forget the question asked of this contact."""
    as_connection(db).execute(_PENDING_DELETE, {"k": _key(kind, contact_id)})
