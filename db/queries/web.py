"""The dashboard's sign-in: one-time codes asked for in chat, then browser sessions.

Only hashes of codes and session tokens are stored; a code works once, until it expires;
a session ends after a time without use, or at logout.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import WebLogin, WebSession

TOKEN_BYTES = 32


def _hash(secret: str) -> str:
    """Return the stored form of a code or token (hex SHA-256)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_login(session: Session, *, contact_id: int, now: datetime, ttl: timedelta) -> str:
    """Store a new one-time sign-in code for the contact and return it (never stored)."""
    code = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        WebLogin(
            code_hash=_hash(code), contact_id=contact_id, created_at=now, expires_at=now + ttl
        )
    )
    session.flush()
    return code


def find_login(
    session: Session, *, code: str, now: datetime, expired: bool = False
) -> WebLogin | None:
    """Return the unexpired sign-in code's row (with `expired`, an expired one's too), used or
    not, without using it (None: unknown)."""
    if not code or len(code) > 200:
        return None
    found = session.exec(select(WebLogin).where(WebLogin.code_hash == _hash(code))).first()
    return found if found is not None and (expired or found.expires_at > now) else None


def redeem_login(session: Session, *, code: str, now: datetime) -> int | None:
    """Use a sign-in code once; return its contact, or None (unknown, expired or used)."""
    if not code or len(code) > 200:
        return None
    claimed = session.execute(
        update(WebLogin)
        .where(
            col(WebLogin.code_hash) == _hash(code),
            col(WebLogin.used_at).is_(None),
            col(WebLogin.expires_at) > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    login = session.exec(select(WebLogin).where(WebLogin.code_hash == _hash(code))).one()
    return login.contact_id


def open_session(session: Session, *, contact_id: int, now: datetime) -> tuple[str, str]:
    """Open a browser session; return its cookie token and its CSRF token."""
    token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        WebSession(
            token_hash=_hash(token),
            contact_id=contact_id,
            csrf=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token, csrf


def touch_session(
    session: Session,
    *,
    token: str,
    now: datetime,
    idle: timedelta,
    lifetime: timedelta | None = None,
) -> WebSession | None:
    """Return the live session of this token, marked used now; None when ended, idle, or
    opened longer than `lifetime` ago."""
    if not token or len(token) > 200:
        return None
    found = session.exec(select(WebSession).where(WebSession.token_hash == _hash(token))).first()
    if found is None or found.ended_at is not None or found.last_seen_at + idle <= now:
        return None
    if lifetime is not None and found.created_at + lifetime <= now:
        return None
    found.last_seen_at = now
    session.add(found)
    session.flush()
    return found


def session_owner(session: Session, *, token: str) -> int | None:
    """Return the person a session's token was given to, live or ended (None when unknown)."""
    if not token or len(token) > 200:
        return None
    return session.exec(
        select(WebSession.contact_id).where(WebSession.token_hash == _hash(token))
    ).first()


def end_session(session: Session, *, token: str, now: datetime) -> None:
    """End the session of this token (logout)."""
    session.execute(
        update(WebSession)
        .where(col(WebSession.token_hash) == _hash(token), col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
    )
