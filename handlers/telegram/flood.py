"""A token bucket per person at the inbox, so that one person cannot slow everyone down.

Checked before an update is recorded (a dropped update costs no database work and no
answer, so a flood cannot earn the bot Telegram's 429s either):

- a stranger (someone who is no contact) writing text is answered once, then ignored for a
  while (one message a minute gets through); their commands and buttons (`/start` with an
  invite, `/help`, `/lang`) have a bucket of their own, STRANGER_COMMANDS_BURST, then one
  every STRANGER_COMMANDS_EVERY_S;
- a contact may burst MEMBER_BURST updates and keep up one a second; past that, updates are
  dropped and the person is told to slow down, at most once a minute.

An update the inbox knew already (the platform delivering it again) is given back (`undo`):
only what the person sends counts. Before a warning the inbox looks the update up (at most
once a minute a person), so that a copy is not warned about.

Whether someone is a contact is learned from the updates the inbox records; a person not
seen yet gets through (their lane runs one update at a time, so the next one is judged).
Only private chats are limited: group updates tell the bot where it was added.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update

from app.actor import Actor
from core import flood
from core.flood import TABLE_PRUNE, Verdict
from core.invites import pasted_code
from core.roles import Access

__all__ = ["Bucket", "FloodGuard", "Verdict"]

MEMBER_BURST = 20.0
MEMBER_PER_S = 1.0
STRANGER_BURST = 1.0
STRANGER_PER_S = 1 / 60
STRANGER_COMMANDS_BURST = 10.0
STRANGER_COMMANDS_EVERY_S = 6.0


@dataclass
class Bucket(flood.Bucket):
    """One person's tokens (`core.flood.Bucket`) and what the bot knows of them."""

    member: bool | None = None
    lang: str | None = None
    command_tokens: float = STRANGER_COMMANDS_BURST


class FloodGuard:
    """The buckets of everyone who wrote to the bot lately."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[int, Bucket] = {}

    def check(self, update: Update, now: float | None = None) -> Verdict:
        """Take a token for this update, or say it must be dropped (and whether to warn)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or chat.type != "private":
            return Verdict.PASS
        now = self.clock() if now is None else now
        bucket = self._buckets.get(user.id)
        if bucket is None:
            if len(self._buckets) >= TABLE_PRUNE:
                self._prune(now)
            self._buckets[user.id] = Bucket(tokens=MEMBER_BURST, at=now)
            return Verdict.PASS
        if bucket.member is None:
            return Verdict.PASS
        burst, rate = (
            (MEMBER_BURST, MEMBER_PER_S) if bucket.member else (STRANGER_BURST, STRANGER_PER_S)
        )
        elapsed = bucket.fill(now, burst=burst, per_s=rate)
        if not bucket.member and _is_command(update):
            bucket.command_tokens = min(
                STRANGER_COMMANDS_BURST,
                bucket.command_tokens + elapsed / STRANGER_COMMANDS_EVERY_S,
            )
            if bucket.command_tokens >= 1:
                bucket.command_tokens -= 1
                return Verdict.PASS
            return Verdict.DROP
        return bucket.spend(now, warn=bucket.member)  # a stranger is told nothing

    def undo(self, update: Update, verdict: Verdict) -> None:
        """Give back what `check` took for an update the inbox knew: a platform's redelivery.

        A redelivered update is not the person writing again: it must not use their budget,
        nor the one warning a minute (DROP took nothing).
        """
        user = update.effective_user
        bucket = self._buckets.get(user.id) if user is not None else None
        if bucket is None or bucket.member is None:
            return  # its first update took no token
        if verdict is Verdict.PASS and not bucket.member and _is_command(update):
            bucket.command_tokens = min(STRANGER_COMMANDS_BURST, bucket.command_tokens + 1)
        else:
            bucket.give_back(verdict, burst=MEMBER_BURST if bucket.member else STRANGER_BURST)

    def learn(self, update: Update, actor: Actor | None) -> None:
        """Remember whether the sender is a contact (read with the update's inbox row).

        `actor` is the contact the inbox found for a private chat's sender: None, a stranger.
        """
        user = update.effective_user
        bucket = self._buckets.get(user.id) if user is not None else None
        if bucket is None:
            return
        member = actor is not None and (actor.known or actor.access > Access.PUBLIC)
        if bucket.member is None:
            # The first update judged: a stranger writing text has used their one answer.
            if member:
                bucket.tokens = MEMBER_BURST - 1
            elif _is_command(update):
                bucket.tokens, bucket.command_tokens = STRANGER_BURST, STRANGER_COMMANDS_BURST - 1
            else:
                bucket.tokens = 0.0
        elif member and not bucket.member:
            bucket.tokens = MEMBER_BURST  # just became a contact (redeemed an invite)
        bucket.member = member
        if actor is not None:
            bucket.lang = actor.lang

    def language(self, update: Update) -> str | None:
        """Return the sender's language as last seen, if known."""
        user = update.effective_user
        bucket = self._buckets.get(user.id) if user is not None else None
        return bucket.lang if bucket is not None else None

    def _prune(self, now: float) -> None:
        """Forget people idle for long enough that their buckets are full again."""
        self._buckets = {
            uid: b for uid, b in self._buckets.items() if now - b.at < max(1 / STRANGER_PER_S, 60)
        }


def _is_command(update: Update) -> bool:
    """Whether the update is a command, a button press or an invite code pasted alone (as
    `/start <code>` is a command), not free text or a file."""
    if update.callback_query is not None:
        return True
    msg = update.message
    text = (msg.text or "") if msg is not None else ""
    return text.startswith("/") or pasted_code(text) is not None
