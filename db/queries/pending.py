"""Questions the bot asked a contact and waits for (a blocker's reason, which task...).

One value per contact and kind in the key-value store (db/queries/state.py), under
`checkin:<kind>:<contact>`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from db.queries import state

# A question the bot asked (which reason, which date) is forgotten after this long, so an
# unrelated message days later is read as what it says.
PENDING_TTL = timedelta(hours=24)
# A previewed import file waits this long for its apply / cancel (kind "import").
IMPORT_TTL = timedelta(hours=1)
IMPORT_KIND = "import"


def _key(kind: str, contact_id: int) -> str:
    """Return the app_state key of a contact's pending value."""
    return f"{_prefix(kind)}{contact_id}"


def pending_key(contact_id: int, kind: str = "step") -> str:
    """Return the key of a contact's pending value, for a statement that reads it with
    more (`db.queries.checkin.about_text`); `pending_in` reads what it found."""
    return _key(kind, contact_id)


def pending_in(
    stored: state.Stored | None, *, now: datetime, ttl: timedelta = PENDING_TTL
) -> dict[str, Any] | None:
    """Return what a stored pending value asks, unless it is older than ttl."""
    if stored is None or not stored.value or now - stored.updated_at > ttl:
        return None
    data = json.loads(stored.value)
    return data if isinstance(data, dict) else None


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
    state.write(db, _key(kind, contact_id), value, now=now)


def get_pending(
    db: Session | Connection,
    *,
    contact_id: int,
    now: datetime,
    kind: str = "step",
    ttl: timedelta = PENDING_TTL,
) -> dict[str, Any] | None:
    """Return what the bot asked this contact, unless it is older than ttl."""
    return pending_in(state.read(db, _key(kind, contact_id)), now=now, ttl=ttl)


def pending_since(
    db: Session | Connection, *, contact_id: int, kind: str
) -> tuple[dict[str, Any], datetime] | None:
    """Return what the bot asked this contact and when, however long ago (its caller judges
    by what it was how long it holds)."""
    row = state.read(db, _key(kind, contact_id))
    if row is None or not row.value:
        return None
    data = json.loads(row.value)
    return (data, row.updated_at) if isinstance(data, dict) else None


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
    key = _key(kind, contact_id)
    row = state.read(db, key)
    if row is None or not row.value or now - row.updated_at > ttl:
        return None
    data = json.loads(row.value)
    if not isinstance(data, dict) or data.get("token") != token:
        return None
    return data if state.take(db, key, row.value) else None


def prune_pending(db: Session | Connection, *, kind: str, before: datetime) -> int:
    """Delete every contact's pending value of this kind set before `before`; return how many."""
    return state.prune(db, prefix=_prefix(kind), before=before)


def clear_pending(db: Session | Connection, *, contact_id: int, kind: str = "step") -> None:
    """Forget the question asked of this contact."""
    state.forget(db, _key(kind, contact_id))


def forget_all_of(db: Session | Connection, *, contact_id: int) -> None:
    """Forget every question asked of this contact, of any kind."""
    state.forget_like(db, f"{_prefix('%')}{contact_id}")
