"""Telling people something unasked: one queued notice per person, in their language.

What someone else's action causes for an official (an extension decided, an explanation
asked) is held until office time (`office_moment`), as the reminders are: nobody is
written to at 22:00 or on Tết about something they did not just ask. A day off added
afterwards moves what was held for that day to the next office moment (`hold_past_day_off`);
removing it brings back what waits past it (`bring_back_held`).

Office-bound (given `not_before`, an `office_moment`, and flagged `payload["office"]`, so
the senders hold one still queued when office time ends to the next office moment, as the
nudges): what tells an official about their task (an extension decided, an explanation
asked; a deadline changed, a task renamed or ended: `app.task_notices`, flagged by
`NewMessage.office`). Urgent (queued to go at once, any
hour): what the admins or a person must know now (an invite used, a merge of two people,
a message given up) and what a unit's action asks of a coordinator (a blocker, an
extension request, an explanation given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache, partial

from sqlmodel import Session

from app.choices import Rows, rows_to_json
from app.i18n import Catalog
from core.calendar import WorkingCalendar
from core.workhours import WorkHours
from db.queries.calendar import working_calendar
from db.queries.outbox import OFFICE, PRIORITY_NOTICE, enqueue
from db.queries.outbox_held import bring_held, held_queued, move_held, unstand_held
from db.queries.recipients import Recipient
from db.queries.task_notices import CHANGED

HELD_KINDS = ("nudge", "notice", "digest")  # what is queued for the next office moment
Words = Callable[[str], str]  # language -> the notice's text (markup)
Offers = Callable[[str], Rows]  # language -> the choices the notice offers


def tell(
    session: Session,
    people: Iterable[Recipient],
    *,
    key: str,
    text: Words,
    now: datetime,
    choices: Offers | None = None,
    assignment_ids: Sequence[int] = (),
    not_before: datetime | None = None,
) -> int:
    """Queue a notice to each person under `<key>:<contact id>` (once per key); return how many.

    Each goes out on the identity the person used last, worded in their language; the key
    is the person's, so a notice is queued once whatever channels they are on. It goes out
    from `not_before` on, an office moment (`office_moment`) that makes it office-bound
    (`outbox.OFFICE`); at once, at any hour, when None.
    """
    told = 0
    for person in people:
        lang = person.language
        queued = enqueue(
            session,
            key=f"{key}:{person.contact_id}",
            chat_id=person.chat_id,
            channel=person.channel,
            contact_id=person.contact_id,
            kind="notice",
            text=text(lang),
            choices=rows_to_json(choices(lang)) if choices is not None else None,
            now=now,
            priority=PRIORITY_NOTICE,
            assignment_ids=assignment_ids,
            not_before=not_before,
            extra={OFFICE: True} if not_before is not None else None,
        )
        told += queued is not None
    return told


def office_moment(session: Session, *, now: datetime, hours: str, tz: tzinfo) -> datetime:
    """Return `now` in office time, else the next working window's start (`WORK_HOURS`)."""
    return work_hours(hours).next_send_moment(now, working_calendar(session), tz)


def hold_past_day_off(
    session: Session, *, day: date, now: datetime, hours: str, tz: tzinfo
) -> tuple[int, datetime]:
    """Move what is held for an office moment of `day`, just made a day off (in this
    session), to the next office moment; return how many rows moved, and that moment."""
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    moment = office_moment(session, now=start, hours=hours, tz=tz)
    # A deadline moved to that day was told "due today": not so on the day it now goes.
    unstand_held(session, key_prefix=f"{CHANGED}:", since=start, until=end, now=now)
    moved = move_held(session, kinds=HELD_KINDS, since=start, until=end, now=now, to=moment)
    return moved, moment


def bring_back_held(
    session: Session, *, day: date, now: datetime, hours: str, tz: tzinfo
) -> tuple[int, datetime | None]:
    """Bring back what waits past `day`, a day off no longer (in this session), for having
    been one; return how many rows moved, and the first moment they now go (None: none).

    What a day off held is not marked: every held message's moment is the office moment of
    when it was queued (`office_moment`), so that is counted again without the day off. A
    row waiting for the first office moment after `day` (as the day off had it) whose moment
    so counted falls on `day` goes then, or at once if that passed (in office time still):
    the messages the day off moved, and those queued while it stood (a send retried a few
    minutes later, moved by the day off, comes back at `day`'s office moment, or at once).
    Nothing else moves: what waits for a later moment, or past another day off still.
    """
    calendar = working_calendar(session)
    if not calendar.is_working_day(day):  # a weekend or a holiday still
        return 0, None
    window = work_hours(hours)
    off = WorkingCalendar(
        days_off={**calendar.days_off, day: ""},
        extra_working_days=calendar.extra_working_days - {day},
    )
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    past = window.next_send_moment(start, off, tz)  # where the day off sent them
    queued = held_queued(
        session, kinds=HELD_KINDS, since=end, until=past, queued_before=end, now=now
    )
    back: dict[datetime, list[datetime]] = {}
    for at in queued:
        moment = window.next_send_moment(at, calendar, tz)
        if moment <= now:  # it would have gone already: it goes now, in office time
            moment = window.next_send_moment(now, calendar, tz)
        if start <= moment < end:
            back.setdefault(moment, []).append(at)
    bring = partial(bring_held, session, kinds=HELD_KINDS, since=end, until=past, now=now)
    moved = sum(bring(queued=at, to=to) for to, at in back.items())
    return moved, min(back, default=None)


def held_line(catalog: Catalog, lang: str, *, now: datetime, moment: datetime, tz: tzinfo) -> str:
    """Return the line telling who acted when held notices go out ("" when they go at once)."""
    if moment <= now:
        return ""
    return "\n" + catalog.get(lang, "common.held_until", at=moment.astimezone(tz))


@cache
def work_hours(text: str) -> WorkHours:
    """Return the parsed WORK_HOURS setting (parsed once; the senders' and digest's too)."""
    return WorkHours.parse(text)
