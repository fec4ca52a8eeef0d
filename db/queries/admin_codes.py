"""One-time admin codes (`dondoc admin invite`): how the first admin of a province starts.

A code works once, on any channel, for anyone who has it, until it expires; only its hash
is kept (in app_state, so no table is needed). Spending one makes the sender an admin.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import Session

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
    """Spend a code: True when it was valid (it is then gone), False otherwise."""
    row = session.get(AppState, PREFIX + hash_code(code))
    if row is None:
        return False
    expires = datetime.fromisoformat(
        json.loads(row.value or "{}").get("expires", "1970-01-01T00:00:00+00:00")
    )
    session.delete(row)
    session.flush()
    return expires > now
