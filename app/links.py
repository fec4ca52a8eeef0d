"""Signed download links: a path, the one person it is for, and when it stops working.

A link is `/path?p=<person>&e=<expiry, unix seconds>&n=<nonce>&s=<signature>`, where the
signature is an HMAC over the path, the person, the expiry and a random nonce (so that two
links asked for in the same second are two links, each used once on its own). Changing any
of them, or presenting the link as someone else, refuses it. The key is derived from a
secret setting and never shown.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from core.numbers import MAX_STAMP, typed_number

NONCE_BYTES = 6  # makes each link its own, so that using one never uses another
SIG_BYTES = 16  # 128 bits: a link is a bearer credential, it must not be guessable
DEFAULT_TTL = timedelta(hours=24)
PHOTO_TTL = timedelta(minutes=15)  # a photo's URL, fetched by the chat's server at once
_KEY_LABEL = b"dondoc-links-v1"


class Refusal(enum.Enum):
    """Why a link is refused (forged and another person's answer 403, expired 410)."""

    FORGED = "forged"
    EXPIRED = "expired"
    OTHER_PERSON = "other_person"


class RefusedLinkError(Exception):
    """A link that must not be honoured; `reason` says why (for logs, never for the client)."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class SignedLink:
    """What a verified link grants: this path, to this person, until then."""

    path: str
    person: str
    expires: datetime
    signature: str  # names this one link (the single-use store keeps its hash)


def derive_link_key(secret: str) -> bytes:
    """Derive the key that signs download links from a secret setting (never stored)."""
    if not secret:
        raise ValueError("an empty secret cannot sign links")
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def sign(key: bytes, *, path: str, person: str, expires: datetime) -> str:
    """Return `path?p=..&e=..&s=..`: the path signed for one person until `expires`."""
    _check_path(path)
    stamp = int(expires.timestamp())
    nonce = secrets.token_urlsafe(NONCE_BYTES)  # two links asked for in one second differ
    sig = _signature(key, path, person, stamp, nonce)
    query = urlencode({"p": person, "e": stamp, "n": nonce, "s": sig})
    return f"{path}?{query}"


def url(
    base_url: str,
    key: bytes,
    *,
    path: str,
    person: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """Return the absolute signed link under the public base URL, valid `ttl` from now."""
    signed = sign(key, path=path, person=person, expires=now + ttl)
    return base_url.rstrip("/") + signed


def verify(
    key: bytes,
    *,
    path: str,
    query: Mapping[str, str],
    now: datetime,
    viewer: str | None = None,
) -> SignedLink:
    """Return what the link grants, or raise RefusedLinkError (forged, expired, someone else's).

    `viewer` is who is asking when the request says so (a dashboard session): a link
    signed for another person is refused even though its signature holds.
    """
    person, stamp_text, sig = query.get("p", ""), query.get("e", ""), query.get("s", "")
    nonce = query.get("n", "")
    stamp = typed_number(stamp_text, maximum=MAX_STAMP)
    if not person or stamp is None or not sig:
        raise RefusedLinkError(Refusal.FORGED)
    # As bytes: compare_digest refuses a str with non-ASCII characters, which forged data may hold.
    expected = _signature(key, path, person, stamp, nonce).encode()
    if not hmac.compare_digest(sig.encode(), expected):
        raise RefusedLinkError(Refusal.FORGED)
    if now.timestamp() >= stamp:
        raise RefusedLinkError(Refusal.EXPIRED)
    if viewer is not None and viewer != person:
        raise RefusedLinkError(Refusal.OTHER_PERSON)
    expires = datetime.fromtimestamp(stamp, now.tzinfo)
    return SignedLink(path=path, person=person, expires=expires, signature=sig)


def _signature(key: bytes, path: str, person: str, stamp: int, nonce: str) -> str:
    """Return the MAC of one link; fields are separated by a byte no field may hold."""
    message = "\x00".join((path, person, str(stamp), nonce)).encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()[:SIG_BYTES]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _check_path(path: str) -> None:
    """Refuse a path that is not absolute or already carries a query or a separator."""
    if not path.startswith("/") or "?" in path or "#" in path or "\x00" in path:
        raise ValueError(f"not a plain absolute path: {path!r}")


def derive_webhook_secret(secret: str, channel: str) -> str:
    """Derive the secret a channel sends with each webhook call (letters, digits, - and _)."""
    mac = hmac.new(secret.encode(), f"dondoc-webhook-{channel}-v1".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
