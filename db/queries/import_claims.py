"""A previewed import file being applied: claimed in the database, its progress kept there.

One row a file in the key-value store (`app_state`), `import.applying:<token>`, inserted by
one statement that does nothing when the key is taken: of two presses at once, on one worker
or two (`WORKERS=multi`), one claims the file and the other is refused. The apply writes how
far it got at each slice's commit, in that transaction; the row is deleted when the apply
ends (done, or stopped by the bot stopping, which says so itself). A row left is an apply
that never ended (the process killed: SIGKILL, out of memory): at the next start the admin
who pressed Apply is told how far it got (`app.import_files.tell_cut_short`), once. Among
several workers (`WORKERS=multi`) no start tells of another worker's: the claim names its
worker, and the leader's housekeeping finds the claims of workers gone, or unmoved for
`STALE` (`dead`), and tells of them the same way (`app.import_files.tell_dead`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import Session

from db.engine import as_connection
from db.queries import state
from db.queries.workers import DEAD_AFTER

PREFIX = "import.applying:"
# An apply writes its progress at each slice's commit (seconds apart at a country's size): a
# claim unmoved this long belongs to a process that is gone.
STALE = timedelta(minutes=10)
# The workers alive (each writes its row every second), by the database's clock as
# `db.queries.workers` reads them; PostgreSQL only, as several workers are.
_LIVE = text("SELECT id FROM worker WHERE seen_at > now() - make_interval(secs => :dead)")


def _key(token: str) -> str:
    """Return the key of the file's claim."""
    return f"{PREFIX}{token}"


def claim(db: Session | Connection, *, token: str, data: dict[str, Any], now: datetime) -> bool:
    """Claim the file `token` names for this apply; False when another apply holds it.

    A claim no slice has moved for `STALE` is an apply whose process is gone (killed on
    another worker, whose start would not tell of it: `WORKERS=multi`): it is taken over, so
    Apply pressed again goes on rather than refusing the file until its preview expires. Of
    two presses taking over at once, one does (the old claim deleted only if unchanged)."""
    connection, key = as_connection(db), _key(token)
    value = json.dumps(data, ensure_ascii=False)
    if state.add(connection, key, value, now=now):
        return True
    held = state.read(connection, key)
    if held is not None and (
        now - held.updated_at < STALE or not state.take(connection, key, held.value)
    ):
        return False
    return state.add(connection, key, value, now=now)


def progress(
    db: Session | Connection, *, token: str, done: int, total: int, now: datetime
) -> None:
    """Keep how far the apply got (the good rows applied of how many), in its transaction."""
    connection = as_connection(db)
    old = state.read(connection, _key(token))
    if old is None:
        return
    data = json.loads(old.value)
    data |= {"done": done, "total": total}
    state.write(connection, _key(token), json.dumps(data, ensure_ascii=False), now=now)


def release(db: Session | Connection, *, token: str) -> None:
    """Let the file go: its apply ended."""
    state.forget(db, _key(token))


def left(db: Session | Connection) -> dict[str, str]:
    """Return the claims left (of applies that never ended, at start), by token."""
    found = state.values_like(db, f"{PREFIX}%")
    return {key.removeprefix(PREFIX): value for key, value in found.items()}


def take_left(db: Session | Connection, *, token: str, value: str) -> dict[str, Any] | None:
    """Delete a claim left, if it still is `value`; return what it held (None: gone)."""
    if not state.take(db, _key(token), value):
        return None
    data = json.loads(value)
    return data if isinstance(data, dict) else None


def dead(db: Session | Connection, *, now: datetime) -> dict[str, str]:
    """Return the claims whose apply is gone, by token: its worker not seen for
    `DEAD_AFTER` (killed, `WORKERS=multi`), or no slice moved it for `STALE`.

    Read by the leader among several workers (PostgreSQL: the `worker` table); the claims
    are then taken with `take_left`, which of two readers one does."""
    connection = as_connection(db)
    rows = connection.execute(_LIVE, {"dead": DEAD_AFTER.total_seconds()})
    live = {str(worker) for (worker,) in rows}
    found: dict[str, str] = {}
    for token in left(connection):
        held = state.read(connection, _key(token))
        if held is None:
            continue
        data = json.loads(held.value)
        worker = data.get("worker") if isinstance(data, dict) else None
        if (worker and worker not in live) or now - held.updated_at >= STALE:
            found[token] = held.value
    return found
