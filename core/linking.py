"""Link codes: how a person on one channel proves they are also someone on another.

A person registered on one channel asks `/link` there and gets a code to type, on another
channel, as `/link <code>`. It is short enough to type on a phone (8 characters of an
alphabet without look-alikes: 40 bits), used once, stored only as a hash, and lives
LINK_TTL; wrong tries are counted with the invites' (`core.invites.is_rate_limited`), so
guessing is hopeless within a code's minutes.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from core.invites import hash_code

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off one phone, typed on another
LENGTH = 8
LINK_TTL = timedelta(minutes=15)
# A code as new_link_code() shows it, in any case: no word of a sentence looks so.
SHOWN = re.compile(f"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$", re.IGNORECASE)
_WRAPPING = "\"'`«»“”‘’()[]{}<>.,;:!?"


def new_link_code() -> str:
    """Return a fresh random code, as shown: two groups of four ("K7QM-3XPA")."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalized(text: str) -> str:
    """Return a typed code as stored: capitals, without spaces or dashes."""
    return "".join(c for c in text.upper() if c.isalnum())


def looks_like_link_code(text: str) -> bool:
    """Tell whether text could be a code at all (saves a lookup for obvious junk)."""
    code = normalized(text)
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


def hash_link_code(text: str) -> str:
    """Return the stored form of a typed code."""
    return hash_code(normalized(text))


def link_expires_at(now: datetime) -> datetime:
    """Return when a code made now stops working."""
    return now + LINK_TTL


def link_code_in(text: str) -> str | None:
    """Return the one code a sentence holds written as the bot shows it, or None: the line
    of /link's answer copied whole ("Mã liên kết của anh/chị: K7QM-3XPA"), "K7QM-3XPA ạ"."""
    words = (word.strip(_WRAPPING) for word in text.split())
    found = {word.upper() for word in words if SHOWN.match(word)}
    return found.pop() if len(found) == 1 else None
