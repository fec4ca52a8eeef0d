"""Small named values kept in `app_state`: the one key-value store of dondoc.

Its users name their keys by a prefix of their own: the scheduler's sweep marks
(`sweep.`, `reminders.`: the days swept a row each, db/queries/swept_days.py), the last
digest (`digest.`), the questions the bot waits an answer to (`checkin:<kind>:<contact>`,
db/queries/pending.py). A value is a string with the moment it was written. The statements
are built once, and those of a check-in reply prepared (db/prepared.py): the pending
questions are read and written on every one.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, delete, text
from sqlalchemy import select as core_select
from sqlmodel import Session

from db.engine import as_connection
from db.models import AppState
from db.prepared import Prepared
from db.types import UTCDateTime

_STATE = AppState.__table__  # type: ignore[attr-defined]
_READ = Prepared(
    core_select(_STATE.c.value, _STATE.c.updated_at).where(_STATE.c.key == bindparam("k"))
)
# Written out because SQLAlchemy compiles its dialects' upserts anew on every call; SQLite
# and PostgreSQL both read this one.
_WRITE = Prepared(
    text(
        "INSERT INTO app_state (key, value, updated_at) VALUES (:k, :value, :updated_at) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    ).bindparams(bindparam("updated_at", type_=UTCDateTime()))
)
_ADD = text(
    "INSERT INTO app_state (key, value, updated_at) VALUES (:k, :value, :updated_at) "
    "ON CONFLICT (key) DO NOTHING"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
_FORGET = Prepared(delete(_STATE).where(_STATE.c.key == bindparam("k")))
_TAKE = delete(_STATE).where(_STATE.c.key == bindparam("k"), _STATE.c.value == bindparam("value"))
_PRUNE = delete(_STATE).where(
    _STATE.c.key.like(bindparam("prefix")), _STATE.c.updated_at < bindparam("before")
)
_FORGET_LIKE = delete(_STATE).where(_STATE.c.key.like(bindparam("pattern")))
_READ_LIKE = core_select(_STATE.c.key, _STATE.c.value).where(
    _STATE.c.key.like(bindparam("pattern"))
)
# The larger of two numbers written in digits: the longer, or of the same length the later
# in order (digits sort so in every collation). No cast, which PostgreSQL would fail on a
# hand-edited value: such a value is kept until a longer number replaces it.
_RAISE = text(
    "INSERT INTO app_state (key, value, updated_at) VALUES (:k, :value, :updated_at) "
    "ON CONFLICT (key) DO UPDATE SET value = CASE "
    "WHEN length(excluded.value) > length(app_state.value) "
    "OR (length(excluded.value) = length(app_state.value) AND excluded.value > app_state.value) "
    "THEN excluded.value ELSE app_state.value END, updated_at = excluded.updated_at"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))


class Stored(NamedTuple):
    """A value and when it was written."""

    value: str
    updated_at: datetime


def read(db: Session | Connection, key: str) -> Stored | None:
    """Return the value stored under key, with when it was written, if any."""
    row = _READ.first(as_connection(db), {"k": key})
    return Stored(row.value, row.updated_at) if row is not None else None


def value(db: Session | Connection, key: str) -> str | None:
    """Return the value stored under key, if any."""
    stored = read(db, key)
    return stored.value if stored is not None else None


def write(db: Session | Connection, key: str, value: str, *, now: datetime) -> None:
    """Store value under key (replacing what was there), written at now."""
    _WRITE.run(as_connection(db), {"k": key, "value": value, "updated_at": now})


def add(db: Session | Connection, key: str, value: str, *, now: datetime) -> bool:
    """Store value under key unless a value is there; tell whether it was stored. One
    statement: of two callers at once, on any connections, one stores it."""
    params = {"k": key, "value": value, "updated_at": now}
    return bool(as_connection(db).execute(_ADD, params).rowcount == 1)


def forget(db: Session | Connection, key: str) -> None:
    """Delete the value under key, if any."""
    _FORGET.run(as_connection(db), {"k": key})


def take(db: Session | Connection, key: str, value: str) -> bool:
    """Delete the value under key only if it still is `value`; tell whether it was.

    At most one caller takes a value: a racing caller, or one that read a value since
    replaced, gets False.
    """
    return bool(as_connection(db).execute(_TAKE, {"k": key, "value": value}).rowcount == 1)


def prune(db: Session | Connection, *, prefix: str, before: datetime) -> int:
    """Delete the values whose key starts with prefix written before `before`; count them."""
    params = {"prefix": prefix + "%", "before": before}
    return int(as_connection(db).execute(_PRUNE, params).rowcount)


def forget_like(db: Session | Connection, pattern: str) -> None:
    """Delete every value whose key matches the SQL LIKE pattern."""
    as_connection(db).execute(_FORGET_LIKE, {"pattern": pattern})


def raise_to(db: Session | Connection, key: str, number: int, *, now: datetime) -> None:
    """Store `number` under key unless a larger one is stored: one statement, so of two
    writers at once the larger number stands whatever their order."""
    if number < 0:
        raise ValueError(f"raise_to keeps numbers from 0 up, not {number}")
    as_connection(db).execute(_RAISE, {"k": key, "value": str(number), "updated_at": now})


def values_like(db: Session | Connection, pattern: str) -> dict[str, str]:
    """Return the values whose key matches the SQL LIKE pattern, by key."""
    rows = as_connection(db).execute(_READ_LIKE, {"pattern": pattern})
    return {str(key): str(value) for key, value in rows}
