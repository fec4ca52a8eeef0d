"""The days the reminder sweep ran, each with the highest assignment id it covered.

A row of the key-value store per day (`reminders.swept_days:<yyyy-mm-dd>`, the number its
value), so that recording a day is one statement: two sweeps at once (several workers, a
leader's term ending as the next begins) each record theirs without reading the other's,
and of two tops of one day the higher stands (`state.raise_to`). Forgetting a day deletes
its row alone. An earlier version kept every day in one value under `reminders.swept_days`:
it is still read, and the first to record a day takes it (`state.take`, one of several)
and writes its days as rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session

from db.queries import state

ONE_VALUE = "reminders.swept_days"  # an earlier version's: "<day>:<top>,<day>:<top>"
PREFIX = ONE_VALUE + ":"


def read(session: Session) -> dict[date, int]:
    """Return the days recorded, each with its top (a key the LIKE's `_` let in that is no
    day's is no day: skipped)."""
    days = _parse(state.value(session, ONE_VALUE) or "")
    for key, value in state.values_like(session, PREFIX + "%").items():
        day = _day(key.removeprefix(PREFIX))
        if day is not None and value.isdigit():  # a hand-edited value: not swept
            days[day] = max(int(value), days.get(day, 0))
    return days


def record(session: Session, day: date, top: int, *, keep_from: date, now: datetime) -> None:
    """Record that the sweep of `day` covered the assignments up to `top` (a higher top
    recorded of the day stays), and let go of the days before `keep_from`."""
    _rows_of_one_value(session, now=now)
    state.raise_to(session, PREFIX + day.isoformat(), top, now=now)
    old = [d for d in read(session) if d < keep_from]
    forget(session, old, now=now)


def forget(session: Session, days: Iterable[date], *, now: datetime) -> None:
    """Forget these days (their occasions without a record count as missed again)."""
    _rows_of_one_value(session, now=now)
    for day in days:
        state.forget(session, PREFIX + day.isoformat())


def _rows_of_one_value(session: Session, *, now: datetime) -> None:
    """Write an earlier version's one value as a row per day, if it is still there."""
    kept = state.value(session, ONE_VALUE)
    if kept is None or not state.take(session, ONE_VALUE, kept):
        return
    for day, top in _parse(kept).items():
        state.raise_to(session, PREFIX + day.isoformat(), top, now=now)


def _parse(value: str) -> dict[date, int]:
    """Read an earlier version's one value."""
    days: dict[date, int] = {}
    for entry in value.split(","):
        text, _, top = entry.partition(":")
        day = _day(text)
        if day is not None and top.isdigit():  # else that day counts as not swept
            days[day] = int(top)
    return days


def _day(text: str) -> date | None:
    """Read yyyy-mm-dd, or None."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
