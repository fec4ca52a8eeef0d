"""The province's own days off and extra working days, typed by an admin (/calendar).

`add dd/mm/yyyy [reason]` adds a day off, `work dd/mm/yyyy [reason]` a worked day (a
make-up Saturday), `remove dd/mm/yyyy` undoes either; without words, the list, a page at a
time. Public holidays and the government's swaps come from the `holidays` package. Each
returns what to say, from the catalogs; the channel adds its own way to the next page.
A new day off moves what was due that day to the next working day; removing it moves back
what that moved and nothing changed since (`db.queries.dayoff`), and says which. It also
moves the messages held for office time that day to the next office moment (app.notices),
and removing it brings them back, with those queued meanwhile, and says how many. A day
already past is not set: its deadlines were met or missed as they stood, and a day off
added afterwards would move them after the fact (a single task's deadline: /deadline).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from app.notices import bring_back_held, hold_past_day_off
from app.services import Services
from core.deadlines import latest_deadline, parse_date
from core.paging import Page, page_of
from db.engine import session_scope
from db.queries.calendar import (
    override_on,
    overrides,
    remove_override,
    set_override,
    working_calendar,
)
from db.queries.dayoff import Move, MovedBack, finished, move_back, moves_to_undo
from db.queries.taskadmin import move_extended_off_day, move_task_off_day, next_due

PAGE_SIZE = 20
MAX_REASON = 200
MAX_LISTED_TASKS = 30  # tasks moved off a new day off, named by number; more are counted
ADD_WORDS = frozenset({"add", "off", "them", "thêm", "nghi", "nghỉ"})
WORK_WORDS = frozenset({"work", "lam", "làm", "lambu", "làmbù"})
REMOVE_WORDS = frozenset({"remove", "rm", "del", "delete", "xoa", "xóa", "bo", "bỏ"})
# A new day off moves a task (or MOVE_ROWS_AT_ONCE of its assignments) a transaction, each
# then pausing three times as long as it held the write lock. All in one transaction, a
# day's tasks (46,000 assignments of a country's cut) held SQLite's lock about 2 s, and
# every official's status report waited for it (tap p99 1.2 to 1.7 s). Committed back to
# back, or pausing only as long, the taps did worse: each makes several writes, four
# updates at a time, and their backlog did not drain between two tasks (bench/README.md,
# "The other heavy commands"). A task's assignments move ahead of the task itself (its
# deadline and audit entry move with the last of them): the largest task of that cut, in
# one statement, still held the lock 0.68 s (tap p99 387 to 410 ms). Removing a day off
# moves back the same way ("A day off's rows a few thousand at a time").
MOVE_ROWS_AT_ONCE = 2000
PAUSE_PER_HELD = 3.0


def change(services: Services, lang: str, actor_id: int, args: str) -> str:
    """Add or remove one day as the words say; return what to say."""
    t = partial(services.catalog.get, lang)
    words = args.split()
    verb = words[0].casefold() if words else ""
    day = parse_date(words[1]) if len(words) > 1 else None
    reason = " ".join(words[2:])[:MAX_REASON]
    if verb not in ADD_WORDS | WORK_WORDS | REMOVE_WORDS:
        return t("calendar.usage")
    if day is None:
        return t("calendar.bad_date")
    if verb in REMOVE_WORDS:
        return _remove(services, lang, actor_id, day)
    first, last = date(services.today().year, 1, 1), latest_deadline(services.today())
    if not first <= day <= last:  # a typo ("9999"); removing one set before stays possible
        return t("calendar.out_of_range", day=day, first=first, last=last)
    if day < services.today():
        return t("calendar.past_day", day=day, today=services.today())
    working = verb in WORK_WORDS
    today = services.today()
    undo: tuple[list[Move], MovedBack] | None = None
    held_back: tuple[int, datetime | None] = (0, None)
    with session_scope(services.engine) as session:
        before = override_on(session, day=day)
        if working and before is not None and not before.working:
            # A day off made a working day again gives back what it moved, as removing it
            # does (read by its audit, before this change is audited): else those deadlines
            # stayed a day late with nothing left to undo them.
            undo = moves_to_undo(session, day=day, today=today)
        set_override(session, day=day, working=working, reason=reason, actor_id=actor_id)
        # What was due that day is due the next working day (Civil Code 2015, art. 148),
        # as the reminders already count it: else a unit done then was counted late.
        to = working_calendar(session).roll_forward(day)[0]
        held = (0, None) if working else _hold(services, session, day)
        if undo is not None:
            held_back = _bring_back(services, session, day)
    moved = [] if working else _move_off(services, day=day, to=to, actor_id=actor_id)
    back = None if undo is None else _move_back(services, day, *undo, actor_id=actor_id)
    key = "calendar.work_added" if working else "calendar.off_added"
    said = t(key, day=day, weekday=weekday(services, lang, day), reason=reason or "-")
    if moved:
        said += "\n" + t("calendar.off_moved", count=len(moved), to=to, tasks=task_refs(moved))
    if back is not None:
        said += "\n" + "\n".join(_moved_back(services, lang, back, day=day, today=today))
    if held[0]:
        at = held[1].astimezone(services.settings.tz) if held[1] is not None else None
        said += "\n" + t("calendar.off_held", count=held[0], at=at)
    return said + _held_back_line(services, lang, held_back)


def _hold(services: Services, session: Session, day: date) -> tuple[int, datetime | None]:
    """Move the messages held for office time on the new day off `day` to the next office
    moment, in the day off's transaction; return how many and when they go."""
    return hold_past_day_off(
        session,
        day=day,
        now=services.clock.now(),
        hours=services.settings.work_hours,
        tz=services.settings.tz,
    )


def _bring_back(services: Services, session: Session, day: date) -> tuple[int, datetime | None]:
    """Bring back the messages held past `day`, a day off no longer, in its transaction;
    return how many and when the first goes."""
    return bring_back_held(
        session,
        day=day,
        now=services.clock.now(),
        hours=services.settings.work_hours,
        tz=services.settings.tz,
    )


def _held_back_line(services: Services, lang: str, back: tuple[int, datetime | None]) -> str:
    """Return the line saying how many held messages go earlier, and from when ("": none)."""
    count, at = back
    if not count or at is None:
        return ""
    at = at.astimezone(services.settings.tz)
    return "\n" + services.catalog.get(lang, "calendar.off_held_back", count=count, at=at)


def _move_off(services: Services, *, day: date, to: date, actor_id: int) -> list[int]:
    """Move what is due on the new day off `day` to `to`, a transaction per task or per
    MOVE_ROWS_AT_ONCE of its assignments, each pausing after (the day off is already set: a
    failure midway leaves the rest for `/calendar add` again, which moves only what is still
    due that day, a task's rows included); return the tasks moved, in order."""
    tz, moved, ahead, of = services.settings.tz, set(), 0, None
    while True:
        started = time.monotonic()
        with session_scope(services.engine) as session:
            task = next_due(session, day=day)
            if task is None:
                break
            ahead = ahead if task.id == of else 0  # rows of this task moved before
            more = move_task_off_day(
                session,
                task,
                day=day,
                to=to,
                tz=tz,
                actor_id=actor_id,
                rows=MOVE_ROWS_AT_ONCE,
                ahead=ahead,
            )
            ahead, of = (0, None) if more == 0 else (ahead + more, task.id)
            if more == 0:
                moved.add(task.id or 0)
        _pause(started)
    with session_scope(services.engine) as session:
        moved.update(move_extended_off_day(session, day=day, to=to, tz=tz, actor_id=actor_id))
    return sorted(moved)


def _move_back(
    services: Services, day: date, moves: list[Move], result: MovedBack, *, actor_id: int
) -> MovedBack:
    """Undo a day off's moves as `_move_off` made them, a transaction per move (and per few
    thousand of a task's assignments), pausing between; return what moved back and was kept.
    The day off is already removed or changed: a failure midway leaves the rest where the
    day off moved them (a task's rows split between the days: `/deadline` sets them all)."""
    tz = services.settings.tz
    for move in moves:
        while True:
            started = time.monotonic()
            with session_scope(services.engine) as session:
                more = move_back(
                    session,
                    move,
                    day=day,
                    tz=tz,
                    actor_id=actor_id,
                    result=result,
                    rows=MOVE_ROWS_AT_ONCE,
                )
            _pause(started)
            if more == 0:
                break
    return finished(result)


def _pause(started: float) -> None:
    """Pause three times as long as the transaction begun at `started` held the lock."""
    time.sleep(PAUSE_PER_HELD * (time.monotonic() - started))  # the others write then


def _remove(services: Services, lang: str, actor_id: int, day: date) -> str:
    """Remove what was set for a day; a day off's moves go back where nothing changed them."""
    t = partial(services.catalog.get, lang)
    today = services.today()
    with session_scope(services.engine) as session:
        removed = remove_override(session, day=day, actor_id=actor_id)
        if removed is None:
            return t("calendar.not_set", day=day)
        if removed.working:
            return t("calendar.removed", day=day)
        moves, kept = moves_to_undo(session, day=day, today=today)
        held_back = _bring_back(services, session, day)
    back = _move_back(services, day, moves, kept, actor_id=actor_id)
    lines = [t("calendar.removed", day=day)]
    said = "\n".join(lines + _moved_back(services, lang, back, day=day, today=today))
    return said + _held_back_line(services, lang, held_back)


def _moved_back(
    services: Services, lang: str, back: MovedBack, *, day: date, today: date
) -> list[str]:
    """Return the lines naming the tasks a day off no longer moves, and those it kept."""
    t = partial(services.catalog.get, lang)
    lines = []
    if back.moved:
        lines.append(
            t(
                "calendar.off_moved_back",
                count=len(back.moved),
                day=day,
                tasks=task_refs(back.moved),
            )
        )
    else:
        lines.append(t("calendar.off_none_moved_back", day=day))
    if back.kept:
        key = "calendar.off_kept_past" if day < today else "calendar.off_kept_changed"
        lines.append(t(key, count=len(back.kept), tasks=task_refs(back.kept)))
    return lines


def task_refs(ids: list[int]) -> str:
    """Return tasks as "#12, #13", the first MAX_LISTED_TASKS of them and how many more."""
    shown = ", ".join(f"#{i}" for i in ids[:MAX_LISTED_TASKS])
    more = len(ids) - MAX_LISTED_TASKS
    return f"{shown}, … (+{more})" if more > 0 else shown


def listed(services: Services, lang: str, number: int) -> tuple[str, Page[object] | None]:
    """Return one page of this year's and later days, and the page (None: there are none)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        rows = overrides(session, since=date(services.today().year, 1, 1))
    if not rows:
        return t("calendar.empty"), None
    page = page_of(rows, number, PAGE_SIZE)
    lines = [t("calendar.header", count=len(rows), page=page.number, pages=page.pages)]
    for row in page.items:
        key = "calendar.line_work" if row.working else "calendar.line_off"
        day = weekday(services, lang, row.day)
        lines.append(t(key, day=row.day, weekday=day, reason=row.reason or "-"))
    lines.append(t("calendar.footer"))
    return "\n".join(lines), Page(list(page.items), page.number, page.pages)


def weekday(services: Services, lang: str, day: date) -> str:
    """Return the day of the week in the person's language."""
    return services.catalog.get(lang, f"calendar.wd_{day.weekday()}")
