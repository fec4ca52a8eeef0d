"""Signing in from Telegram's Mini App: its `initData`, checked as Telegram specifies.

Telegram signs the fields it hands the Mini App with a key derived from the bot's token
(HMAC-SHA256 of the token under the constant "WebAppData"): the hash is the HMAC of the
fields but `hash`, sorted, as `key=value` lines. An `auth_date` older than MAX_AGE is refused,
so that a captured initData does not open sessions for ever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote

from core.numbers import MAX_STAMP, typed_number

MAX_AGE = timedelta(minutes=10)
MAX_LENGTH = 8192


def derive_miniapp_key(token: str) -> bytes:
    """Return the key Telegram signs a Mini App's initData with, for this bot."""
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def sign_init_data(key: bytes, fields: dict[str, str]) -> str:
    """Return the initData Telegram would hand a Mini App with these fields (for tests)."""
    signed = dict(fields, hash=_hash(key, fields))
    return "&".join(f"{k}={_quote(v)}" for k, v in signed.items())


def verify_init_data(key: bytes, init_data: str, *, now: datetime) -> str | None:
    """Return the Telegram user id that initData names, or None (forged, stale, malformed)."""
    if not init_data or len(init_data) > MAX_LENGTH:
        return None
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    given = fields.pop("hash", "")
    if not hmac.compare_digest(given.encode(), _hash(key, fields).encode()):
        return None
    stamp = typed_number(fields.get("auth_date", ""), maximum=MAX_STAMP)
    if stamp is None or abs(now.timestamp() - stamp) > MAX_AGE.total_seconds():
        return None
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        return None
    user_id = user.get("id") if isinstance(user, dict) else None
    return str(user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None


def _hash(key: bytes, fields: dict[str, str]) -> str:
    """Return the hex HMAC of the fields as Telegram's data-check-string."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    return hmac.new(key, check.encode(), hashlib.sha256).hexdigest()


def _quote(value: str) -> str:
    """Percent-encode a field value as a query string does."""
    return quote(value, safe="")
