"""Signing in from Telegram's Mini App: its `initData`, checked as Telegram specifies.

Telegram signs the fields it hands the Mini App with a key derived from the bot's token
(HMAC-SHA256 of the token under the constant "WebAppData"): the hash is the HMAC of the
fields but `hash`, sorted, as `key=value` lines. An `auth_date` older than MAX_AGE is refused
(with the words to open the Mini App again: a forged one is refused as any bad link), so
that a captured initData does not open sessions for ever; and one is taken once, as the
sign-in codes and links are: its hash is kept until it expires (`used_key`), and a second use
is refused with the words to open the Mini App again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, quote

from sqlmodel import Session

from core.numbers import MAX_STAMP, typed_number
from db.queries import used_links

MAX_AGE = timedelta(minutes=10)
# How long a used initData is remembered: past it, its auth_date (at most MAX_AGE ahead of
# the moment it was used, clocks differing) is refused as stale anyway.
USED_FOR = 2 * MAX_AGE
MAX_LENGTH = 8192


def derive_miniapp_key(token: str) -> bytes:
    """Return the key Telegram signs a Mini App's initData with, for this bot."""
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def sign_init_data(key: bytes, fields: dict[str, str]) -> str:
    """Return the initData Telegram would hand a Mini App with these fields (for tests)."""
    signed = dict(fields, hash=_hash(key, fields))
    return "&".join(f"{k}={_quote(v)}" for k, v in signed.items())


def used_key(init_data: str) -> str:
    """Return what a use of initData is kept as (`db.queries.used_links`): its hash field,
    Telegram's signature, unique to the fields it signs (a reopened Mini App signs anew)."""
    fields = dict(parse_qsl(init_data, keep_blank_values=True))
    return f"miniapp:{fields.get('hash', '')}"


def take_once(session: Session, used: str, *, expires_at: datetime, now: datetime) -> bool:
    """Take the initData `used` names (`used_key`) for its one sign-in; False when it was
    taken already. Kept until `expires_at`; the rows past it go as a new one is taken."""
    if not used_links.take(session, signature=used, expires_at=expires_at, now=now):
        return False
    used_links.confirm(session, signature=used)  # the session opens in this transaction
    return True


class Refused(StrEnum):
    """Why initData signs nobody in."""

    INVALID = "invalid"  # forged, malformed, or naming no user: refused as any bad link
    STALE = "stale"  # Telegram's own, but past MAX_AGE: the Mini App is to be opened again


def verify_init_data(key: bytes, init_data: str, *, now: datetime) -> str | Refused:
    """Return the Telegram user id that initData names, or why it is refused.

    Valid for MAX_AGE around its `auth_date`; the sign-in takes it once (`used_key`, kept
    until `now + USED_FOR`), so that a captured initData opens no second session. Stale is
    told only of a signature that holds: a forged one learns nothing of its age."""
    if not init_data or len(init_data) > MAX_LENGTH:
        return Refused.INVALID
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return Refused.INVALID
    given = fields.pop("hash", "")
    if not hmac.compare_digest(given.encode(), _hash(key, fields).encode()):
        return Refused.INVALID
    stamp = typed_number(fields.get("auth_date", ""), maximum=MAX_STAMP)
    if stamp is None:
        return Refused.INVALID
    if abs(now.timestamp() - stamp) > MAX_AGE.total_seconds():
        return Refused.STALE
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        return Refused.INVALID
    user_id = user.get("id") if isinstance(user, dict) else None
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        return str(user_id)
    return Refused.INVALID


def _hash(key: bytes, fields: dict[str, str]) -> str:
    """Return the hex HMAC of the fields as Telegram's data-check-string."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    return hmac.new(key, check.encode(), hashlib.sha256).hexdigest()


def _quote(value: str) -> str:
    """Percent-encode a field value as a query string does."""
    return quote(value, safe="")
