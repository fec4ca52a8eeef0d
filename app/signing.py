"""Signed choice data: what a person's button or link carries, valid only when sent back by them.

`a:b:c~sig`, where sig is a short HMAC of the body and the person's identity; short enough
for Telegram's 64-byte callback data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIG_SEPARATOR = "~"
SIG_BYTES = 6
MAX_CALLBACK_BYTES = 64


def derive_button_key(token: str) -> bytes:
    """Derive the key that signs button data from the bot token (never stored)."""
    return hmac.new(token.encode(), b"dondoc-buttons-v1", hashlib.sha256).digest()


def sign(key: bytes, user_id: str, *parts: object) -> str:
    """Return callback data `a:b:c~sig` that only this user can send back."""
    body = ":".join(str(p) for p in parts)
    data = f"{body}{SIG_SEPARATOR}{_signature(key, user_id, body)}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def verify(key: bytes, user_id: str, data: str) -> list[str] | None:
    """Return the parts of signed callback data, or None when it was not issued to user."""
    body, sep, sig = data.rpartition(SIG_SEPARATOR)
    # As bytes: compare_digest refuses a str with non-ASCII characters, which forged data may hold.
    expected = _signature(key, user_id, body).encode()
    if not sep or not hmac.compare_digest(sig.encode(), expected):
        return None
    return body.split(":")


def _signature(key: bytes, user_id: str, body: str) -> str:
    """Return a short MAC of the body for the user."""
    mac = hmac.new(key, f"{user_id}|{body}".encode(), hashlib.sha256).digest()[:SIG_BYTES]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")
