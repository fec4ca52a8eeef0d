"""One-time admin codes (`dondoc admin invite`): how the first admin of a province starts.

A code works once, on any channel, for anyone who has it, until it expires; only its hash
is kept (in app_state, so no table is needed). Spending one makes the sender an admin.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from core.invites import hash_code, new_code
from db.models import AppState

PREFIX = "admin_code:"


def create_admin_code(session: Session, *, now: datetime, ttl: timedelta) -> str:
    """Keep a new admin code's hash and return the code (the only time it is known)."""
    code = new_code()
    value = json.dumps({"expires": (now + ttl).isoformat()})
    session.add(AppState(key=PREFIX + hash_code(code), value=value, updated_at=now))
    session.flush()
    return code


def spend_admin_code(session: Session, *, code: str, now: datetime) -> bool:
    """Spend a code: True when it was valid (it is then gone), False otherwise.

    Spent by the one statement that deletes it: of two people sending it at once, the one
    whose delete finds it gone is refused (the ORM's delete of a row gone meanwhile only
    warned, and both became admins).
    """
    key = PREFIX + hash_code(code)
    row = session.get(AppState, key)
    if row is None:
        return False
    value = row.value
    session.expunge(row)
    gone = session.execute(
        delete(AppState)
        .where(col(AppState.key) == key)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        return False
    expires = datetime.fromisoformat(
        json.loads(value or "{}").get("expires", "1970-01-01T00:00:00+00:00")
    )
    return expires > now
