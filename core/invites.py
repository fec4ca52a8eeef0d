"""Invite codes: unguessable, stored only as a hash, expiring, and guarded against guessing.

A code travels in a deep link (`t.me/<bot>?start=<code>`), whose payload may hold up to 64
characters of A-Z, a-z, 0-9, _ and -; 24 random bytes in URL-safe base64 are 32 of them and
carry 192 bits, well above the 128 the issue asks for.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from core.roles import LONGEST_WORDS, Function, Role
from core.textnorm import fold, narrow

CODE_BYTES = 24
ISSUED_LENGTH = 32  # what new_code() returns: 4 characters for every 3 bytes
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Wrong codes allowed per person within the window before they must wait.
MAX_FAILURES = 5
# A code split where the message it was copied from wrapped: at most this many pieces.
MAX_PIECES = 3
# What a pasted code comes wrapped in ("«CODE»", "CODE.", "`CODE`"): never part of a code.
# How the bot's invite labels its code (app/texts/invites.toml, zalo.toml), folded.
_LABELS = frozenset({"ma moi:", "ma:", "invite code:", "code:"})
_WRAPPING = "\"'`«»“”‘’()[]{}<>.,;:!?"
FAILURE_WINDOW = timedelta(hours=1)


def new_code() -> str:
    """Return a fresh random invite code (192 bits)."""
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    """Return the stored form of a code (hex SHA-256; the code itself is never stored)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    """Tell whether text could be a code at all (saves a lookup for obvious junk)."""
    return bool(CODE_SHAPE.match(text.strip()))


def pasted_code(text: str) -> str | None:
    """Return the code a newcomer pasted on its own, or None when the text is no code.

    Officials get their code by SMS, Zalo or on the invite sheet, and paste it without
    `/start`: the bare code, or the whole invite link (`https://t.me/<bot>?start=<code>`),
    maybe typed on a full-width keyboard, maybe with the quotes or the full stop around it,
    or the invite's line with its label ("Mã mời: <code>"), maybe split by a space or a
    line break where the message it came from wrapped (see :func:`_rejoined`), or written
    in a sentence ("mã của em là <code> ạ", "start <code>"): a word of it that is a whole
    code as :func:`new_code` makes them, the only one (see :func:`_issued`).
    Letters keep their case: a code is URL-safe base64, where 'a' and 'A' are two of its
    64 symbols, so a code typed in lower case is another code and stays refused.
    """
    words = narrow(text).split()
    for cut in range(1, min(len(words), 3)):  # the line of the bot's own invite, copied whole
        if fold(" ".join(words[:cut])) in _LABELS:
            words = words[cut:]
            break
    if len(words) == 1:
        return _bare(words[0])
    whole = {code for word in words if (code := _bare(word)) is not None and _issued(code)}
    if len(whole) == 1:  # "mã của em là <code> ạ", "start <code>": the one whole code in it
        return whole.pop()
    if 1 < len(words) <= MAX_PIECES:
        code = _bare("".join(words))
        return code if code is not None and _rejoined(code) else None
    return None


def _bare(word: str) -> str | None:
    """Return the code in one word (its wrapping and link taken off), or None."""
    code = word.strip(_WRAPPING).rsplit("start=", 1)[-1].strip(_WRAPPING)
    return code if looks_like_code(code) else None


def _issued(code: str) -> bool:
    """Tell whether a word is as a code :func:`new_code` makes looks: of its length, mixed
    case, with a digit, '-' or '_' (no word of a sentence is)."""
    return len(code) == ISSUED_LENGTH and _rejoined(code)


def _rejoined(code: str) -> bool:
    """Tell whether pieces joined make a code rather than a few ordinary words: a code
    mixes capitals and small letters, and has a digit, '-' or '_' or is as long as the
    codes :func:`new_code` makes (any of those is missing from one of them about once in
    ten million)."""
    mixed = any(c.isupper() for c in code) and any(c.islower() for c in code)
    marked = any(c.isdigit() or c in "-_" for c in code) or len(code) >= ISSUED_LENGTH
    return mixed and marked


def expires_at(now: datetime, ttl_days: int) -> datetime:
    """Return when an invite made now stops working."""
    return now + timedelta(days=ttl_days)


def failure_window_start(now: datetime) -> datetime:
    """Return the start of the window in which wrong codes are counted."""
    return now - FAILURE_WINDOW


def is_rate_limited(recent_failures: int) -> bool:
    """Tell whether someone with this many recent wrong codes must wait before trying again."""
    return recent_failures >= MAX_FAILURES


def invite_link(bot_username: str, code: str) -> str:
    """Return the deep link that opens the bot with the code as /start payload."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def parse_invite_args(text: str) -> tuple[str, Role, Function]:
    """Split `/invite` arguments into the unit text, the role and the function.

    The role and function are optional words at the end, in either order, in English or
    Vietnamese ("thành viên", "đầu mối"); what comes before them names the unit.
    """
    words = text.split()
    role: Role | None = None
    function: Function | None = None
    while words:
        for size in range(LONGEST_WORDS, 0, -1):
            tail = " ".join(words[-size:]) if len(words) >= size else ""
            if role is None and tail and (found_role := Role.parse(tail)) is not None:
                role = found_role
            elif function is None and tail and (found := Function.parse(tail)) is not None:
                function = found
            else:
                continue
            del words[-size:]
            break
        else:
            break
    return " ".join(words), role or Role.MEMBER, function or Function.FOCAL
