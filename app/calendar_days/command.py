"""/calendar add|work|remove: the words read, the day set or removed, what to say of it.

A new day off moves what was due that day (app.calendar_days.moves) and the messages held
for office time (app.calendar_days.held); a day off removed, or made a working day, moves
them back (a weekday the province made a day off, made a working day, is that day off
removed: no working day is stored over it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from app.calendar_days.held import bring_back, held_back_line, hold
from app.calendar_days.moves import Told, move_back, move_off, reroll
from app.calendar_days.words import reason_clause, task_refs, weekday
from app.services import Services
from app.task_notices import told_line
from core.calendar import WorkingCalendar, public_holiday_name
from core.deadlines import SpanError, latest_deadline, parse_span
from core.markup import Markup
from db.engine import session_scope
from db.queries.calendar import override_on, remove_override, set_override, working_calendar
from db.queries.dayoff import Move, MovedBack, moves_to_undo

MAX_REASON = 200
ADD_WORDS = frozenset({"add", "off", "them", "thêm", "nghi", "nghỉ"})
WORK_WORDS = frozenset({"work", "lam", "làm", "lambu", "làmbù"})
REMOVE_WORDS = frozenset({"remove", "rm", "del", "delete", "xoa", "xóa", "bo", "bỏ"})


def change(services: Services, lang: str, actor_id: int, args: str) -> str:
    """Add or remove one day, or each day of a range (Tết), as the words say; return what
    to say."""
    t = partial(services.catalog.get, lang)
    verb, _, typed = args.strip().partition(" ")
    if verb.casefold() not in ADD_WORDS | WORK_WORDS | REMOVE_WORDS:
        return t("calendar.usage")
    span = parse_span(typed, today=services.today())
    if isinstance(span, SpanError):
        return t(f"calendar.span_{span.code.value}", first=span.first, last=span.last)
    days = [span.first + timedelta(days=n) for n in range((span.last - span.first).days + 1)]
    if verb.casefold() in REMOVE_WORDS:
        return "\n".join(_remove(services, lang, actor_id, day) for day in days)
    first, last = date(services.today().year, 1, 1), latest_deadline(services.today())
    for day in (span.first, span.last):
        if not first <= day <= last:  # a typo ("9999"); removing one set before stays possible
            return t("calendar.out_of_range", day=day, first=first, last=last)
    if span.first < services.today():
        return t("calendar.past_day", day=span.first, today=services.today())
    working, reason = verb.casefold() in WORK_WORDS, span.rest[:MAX_REASON]
    if len(days) == 1:
        if (already := _already(services, lang, span.first, working)) is not None:
            return already
        headline, lines = _set_day(services, lang, actor_id, span.first, working, reason)
        return "\n".join([headline, *lines])
    key = "calendar.span_work_added" if working else "calendar.span_off_added"
    clause = reason_clause(services, lang, reason)
    said = [t(key, count=len(days), first=span.first, last=span.last, reason=clause)]
    # Each day is set as a day of its own, the last first: what is due inside the range
    # then moves once, past its end, not a day at a time. What it moved is said by date.
    moved = {
        day: _set_day(services, lang, actor_id, day, working, reason)[1] for day in days[::-1]
    }
    for day in days:
        said += [t("calendar.span_day", day=day, said=Markup(line)) for line in moved[day]]
    return "\n".join(said)


def _already(services: Services, lang: str, day: date, working: bool) -> str | None:
    """Say that a day is already what it is asked to be, a weekend or a public holiday off,
    an ordinary weekday worked, when the province's calendar sets nothing for it; None
    otherwise. Nothing is set then: storing it changed no deadline and no reminder, and
    the answer "is now a day off" said it had."""
    with session_scope(services.engine) as session:
        if override_on(session, day=day) is not None:
            return None  # the province's own day, set again: its reason may change
        calendar = working_calendar(session)
    if calendar.is_working_day(day) != working:
        return None
    key = "calendar.already_working" if working else "calendar.already_off"
    # A public holiday named by the `holidays` package in the reader's language (an English
    # admin read "Tết Dương lịch"); none of the province's own is set on this day.
    named = "" if working else public_holiday_name(day, lang) or calendar.holiday_name(day) or ""
    holiday = reason_clause(services, lang, named)
    return services.catalog.get(
        lang, key, day=day, weekday=weekday(services, lang, day), reason=holiday
    )


def _set_day(
    services: Services, lang: str, actor_id: int, day: date, working: bool, reason: str
) -> tuple[str, list[str]]:
    """Set one day as `_set` does, except a weekday that is off only because the province
    added it, asked to be worked: its day off is removed, as /calendar remove does, and the
    answer says so (a "working day" stored there was one more entry in the list, and left
    on the day when the day off went)."""
    with session_scope(services.engine) as session:
        before = override_on(session, day=day)
    added_off = before is not None and not before.working
    if not (working and added_off and WorkingCalendar().is_working_day(day)):
        return _set(services, lang, actor_id, day, working, reason)
    said = services.catalog.get(
        lang, "calendar.work_removes_off", day=day, weekday=weekday(services, lang, day)
    )
    return said, [line for line in _remove(services, lang, actor_id, day).split("\n") if line]


def _set(
    services: Services, lang: str, actor_id: int, day: date, working: bool, reason: str
) -> tuple[str, list[str]]:
    """Make one day a day off or a working day; return the line saying so, and those saying
    what it moved."""
    t = partial(services.catalog.get, lang)
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
        held = (0, None) if working else hold(services, session, day)
        if undo is not None:
            held_back = bring_back(services, session, day)
    told = Told()
    moved = [] if working else move_off(services, day=day, to=to, actor_id=actor_id, told=told)
    back = None if undo is None else move_back(services, day, *undo, actor_id=actor_id, told=told)
    rolled = reroll(services, day=day, told=told)
    key = "calendar.work_added" if working else "calendar.off_added"
    clause = reason_clause(services, lang, reason)
    said = t(key, day=day, weekday=weekday(services, lang, day), reason=clause)
    lines: list[str] = []
    if working and (holiday := public_holiday_name(day, lang)) is not None:
        lines.append(t("calendar.work_over_holiday", day=day, name=holiday))
    if moved:
        lines.append(t("calendar.off_moved", count=len(moved), to=to, tasks=task_refs(moved)))
    if back is not None:
        lines += _moved_back(services, lang, back, day=day, today=today)
    lines += _rerolled(services, lang, rolled, to)
    if held[0]:
        at = held[1].astimezone(services.settings.tz) if held[1] is not None else None
        lines.append(t("calendar.off_held", count=held[0], at=at))
    if line := held_back_line(services, lang, held_back).strip():
        lines.append(line)
    if line := told_line(services, lang, told.count, told.moment).strip():
        lines.append(line)
    return said, lines


def _remove(services: Services, lang: str, actor_id: int, day: date) -> str:
    """Remove what was set for a day; a day off's moves go back where nothing changed them,
    and a worked day taken back that is a day off again moves what is due on it."""
    t = partial(services.catalog.get, lang)
    today = services.today()
    with session_scope(services.engine) as session:
        removed = remove_override(session, day=day, actor_id=actor_id)
        if removed is None:
            return t("calendar.not_set", day=day)
        if removed.working:
            calendar = working_calendar(session)
            if day < today or calendar.is_working_day(day):
                return t("calendar.removed", day=day)
            to = calendar.roll_forward(day)[0]
            held = hold(services, session, day)
        else:
            moves, kept = moves_to_undo(session, day=day, today=today)
            held_back = bring_back(services, session, day)
    if removed.working:  # a day off again: its deadlines move once the removal is committed
        return _taken_back(services, lang, actor_id, day, to, held)
    told = Told()
    back = move_back(services, day, moves, kept, actor_id=actor_id, told=told)
    rolled = reroll(services, day=day, told=told)
    lines = [t("calendar.removed", day=day)]
    lines += _moved_back(services, lang, back, day=day, today=today)
    said = "\n".join(lines + _rerolled(services, lang, rolled, day))
    said += held_back_line(services, lang, held_back)
    return said + told_line(services, lang, told.count, told.moment)


def _taken_back(
    services: Services,
    lang: str,
    actor_id: int,
    day: date,
    to: date,
    held: tuple[int, datetime | None],
) -> str:
    """Move what is due on a worked day taken back (now a day off) and say so."""
    t = partial(services.catalog.get, lang)
    told = Told()
    moved = move_off(services, day=day, to=to, actor_id=actor_id, told=told)
    rolled = reroll(services, day=day, told=told)
    said = t("calendar.removed", day=day)
    if moved:
        said += "\n" + t("calendar.off_moved", count=len(moved), to=to, tasks=task_refs(moved))
    said += "".join("\n" + line for line in _rerolled(services, lang, rolled, to))
    if held[0]:
        at = held[1].astimezone(services.settings.tz) if held[1] is not None else None
        said += "\n" + t("calendar.off_held", count=held[0], at=at)
    return said + told_line(services, lang, told.count, told.moment)


def _rerolled(services: Services, lang: str, tasks: list[int], to: date) -> list[str]:
    """Say which tasks' deadlines on the days off beside the day are now met on `to`."""
    if not tasks:
        return []
    return [
        services.catalog.get(
            lang, "calendar.due_rerolled", count=len(tasks), to=to, tasks=task_refs(tasks)
        )
    ]


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
