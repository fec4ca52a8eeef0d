"""Which epoch of the bot's update ids an update belongs to, so that restarts never replay.

Telegram numbers a bot's updates sequentially, but the numbers can start again: after a
week without updates Telegram picks the next id at random (Bot API, getUpdates), and a fake
server (devtools.fakebotapi, a local trial) restarted while the bot keeps its database
starts wherever it starts. Keyed by id alone, the new server's updates would be taken for
ones already handled and dropped. So the inbox keys an update by the bot (its id, from
getMe: another token on the same database is another account) and an epoch, a number that
goes up each time the ids start again. Telegram gives no epoch; the bot detects it two ways:

- a discontinuity: an update whose id is more than `WINDOW` below the highest id seen in
  the current epoch. A redelivered update is never that far down: getUpdates returns at
  most 100 updates and each call confirms those of the call before, so what Telegram hands
  out again lies within the last 100 ids the bot received. This catches a new series at
  its first update, before any of its ids meets a known one.
- a known id with other content: each row keeps a digest of what the update carries (all
  but its id); a replay carries the same, a new series that reuses the id does not (a
  series that starts again just below the highest id, or at the same base as before).

A new series that starts above the old one needs no new epoch: its ids are all new.

The highest id is read at start-up from the rows recorded last (updates are recorded
nearly in id order) and then kept in memory: the check costs nothing per update but the
digest. Updates recovered from the inbox after a crash run in the epoch stored with them.

A channel whose ids never repeat (Zalo's message ids) needs none of this: epoch 0.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from db.queries import inbox as rows
from db.queries.inbox import InboxKey

WINDOW = 100_000
# Rows read at start-up to find the highest id: updates are recorded a few at a time,
# nearly in id order, so the highest is among the last few recorded.
RECENT_ROWS = 1_000


def digest(payload: dict[str, Any]) -> str:
    """Return a digest of what an update carries, its id left out."""
    content = {k: v for k, v in payload.items() if k != "update_id"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def same_content(recorded: str | None, received: str) -> bool:
    """Tell whether a known id's row holds this content (a row from before 0003 may)."""
    return recorded is None or recorded in ("", received)


@dataclass
class Epochs:
    """The current epoch of one bot's update ids and the highest id seen in it."""

    channel: str
    account: str
    epoch: int = 0
    highest: int | None = None

    def key(self, update_id: int) -> InboxKey:
        """Return the inbox key of a live update, starting a new epoch on a discontinuity."""
        if self.highest is not None and update_id < self.highest - WINDOW:
            self.epoch += 1
            self.highest = update_id
        elif self.highest is None or update_id > self.highest:
            self.highest = update_id
        return InboxKey(self.account, self.epoch, str(update_id))

    def restart(self, known: InboxKey) -> InboxKey:
        """Return the key of an update whose id is known with other content: a new epoch.

        Unless another update started one since `known` was keyed (updates are handled
        a few at a time): then it belongs to that one.
        """
        if self.epoch == known.epoch:
            self.epoch += 1
            self.highest = int(known.update_id)
        return InboxKey(self.account, self.epoch, known.update_id)


def load(engine: Engine, *, channel: str, account: str) -> Epochs:
    """Read the bot's current epoch and highest id (blocking); adopt rows older than 0003."""
    with engine.begin() as connection:
        rows.adopt(connection, channel=channel, account=account)
        recent = rows.recent(connection, channel=channel, account=account, limit=RECENT_ROWS)
    if not recent:
        return Epochs(channel, account)
    epoch = recent[0][0]
    ids = [int(u) for e, u in recent if e == epoch and u.lstrip("-").isdigit()]
    return Epochs(channel, account, epoch, max(ids) if ids else None)
