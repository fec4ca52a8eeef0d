"""Check-ins: what a contact may report on, which message a reply answers, and why a report
is refused (the units no longer followed, the admins to ask). Who to tell is
`people_to_tell.py`; an assignment named in words, `assignment_named.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, literal_column, true
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from core.roles import Role
from core.states import ReportState, TaskStatus
from core.textnorm import vi_sort_key
from db.engine import as_connection
from db.models import (
    AppState,
    Assignment,
    Contact,
    Outbox,
    OutboxItem,
    Task,
    Unit,
    UnitContact,
)
from db.prepared import Prepared
from db.queries.reports import reported_percent
from db.queries.state import Stored

Row = tuple[Assignment, Task]


class Check(StrEnum):
    """Whether a contact may report on an assignment, and why not."""

    OK = "ok"
    MISSING = "missing"
    NOT_YOURS = "not_yours"
    UNIT_INACTIVE = "unit_inactive"  # the unit was deactivated: no longer followed up
    CLOSED = "closed"


@dataclass(frozen=True)
class OpenItem:
    """An assignment a contact may report on: an active one of an open task of their unit."""

    assignment_id: int
    task_id: int
    title: str
    done: bool
    reported: bool  # the unit has reported on it at least once
    # As a report needs it, read with it: a report in the same transaction checks it
    # without reading it again (`app.reporting.record_in`'s `known`).
    target: Target | None = None


@dataclass(frozen=True)
class Target:
    """An assignment a report is about, with its task: what the check and the reply need."""

    assignment_id: int
    unit_id: int
    active: bool
    state: str
    percent: int | None
    deadline: date
    due_at: datetime
    done_at: datetime | None
    last_report_at: datetime | None
    task_id: int
    title: str
    task_status: str
    unit_active: bool = True

    def check(self, unit_ids: Sequence[int]) -> Check:
        """Return whether one of these units may report on it."""
        if self.unit_id not in unit_ids:
            return Check.NOT_YOURS
        if not self.unit_active:
            return Check.UNIT_INACTIVE
        if not self.active or self.task_status != TaskStatus.OPEN:
            return Check.CLOSED
        return Check.OK

    def reported(self, *, state: str, percent: int | None, at: datetime) -> Target:
        """Return it as it stands after a report (see db.queries.reports.record_report)."""
        return replace(
            self,
            state=state,
            percent=reported_percent(state, percent),
            last_report_at=at,
            done_at=(self.done_at or at if self.state == ReportState.DONE else at)
            if state == ReportState.DONE
            else None,
        )


@dataclass(frozen=True)
class Sent:
    """A message the bot delivered from the outbox."""

    outbox_id: int
    key: str
    assignment_ids: tuple[int, ...]  # what it was about (none for a notice or a list)


# The statements of the check-in path are prepared once (db/prepared.py): they run for
# every reply, and SQLAlchemy's execution costs several times more than SQLite's.
_A = Assignment.__table__.c  # type: ignore[attr-defined]
_T = Task.__table__.c  # type: ignore[attr-defined]
_U = Unit.__table__.c  # type: ignore[attr-defined]
_O = Outbox.__table__.c  # type: ignore[attr-defined]
_OI = OutboxItem.__table__.c  # type: ignore[attr-defined]
_OPEN = (
    core_select(
        *(_A.id, _T.id.label("task_id"), _T.title, _A.state, _A.deadline, _U.name, _U.code),
        *(_A.unit_id, _A.active, _A.percent, _A.due_at, _A.done_at, _A.last_report_at),
        *(_T.status, _U.active.label("unit_active")),
    )
    .join_from(Assignment.__table__, Task.__table__, _T.id == _A.task_id)  # type: ignore[attr-defined]
    .join(Unit.__table__, _U.id == _A.unit_id)  # type: ignore[attr-defined]
    .where(_A.unit_id.in_(bindparam("unit_ids", expanding=True)))
    .where(_A.active.is_(True), _T.status == TaskStatus.OPEN, _U.active.is_(True))
)
_OPEN_ITEMS = Prepared(_OPEN.order_by(_A.deadline, _T.id), expanding=("unit_ids",))
_TARGET = Prepared(
    core_select(
        *(_A.id, _A.unit_id, _A.active, _A.state, _A.percent, _A.deadline, _A.due_at),
        *(_A.done_at, _A.last_report_at, _T.id.label("task_id"), _T.title, _T.status),
        _U.active.label("unit_active"),
    )
    .join_from(Assignment.__table__, Task.__table__, _T.id == _A.task_id)  # type: ignore[attr-defined]
    .join(Unit.__table__, _U.id == _A.unit_id)  # type: ignore[attr-defined]
    .where(_A.id == bindparam("assignment_id"))
)
_SENT = Prepared(
    core_select(_O.id, _O.key, _OI.assignment_id)
    .outerjoin_from(Outbox.__table__, OutboxItem.__table__, _OI.outbox_id == _O.id)  # type: ignore[attr-defined]
    .where(_O.chat_id == bindparam("chat_id"), _O.channel_message_id == bindparam("message_id"))
)

# What a text may be about, in one statement (`about_text`): the question pending (a row of
# the key-value store), the message it replies to (its outbox row, the assignments it was
# about as "12,15"), and the open items, one row each (none: one row of NULLs). Every read
# of a status reply's is a step of SQLite's that lets the GIL go, and the event loop,
# busy beside it, takes it each time: three statements cost a reply more than one.
_ITEMS = _OPEN.subquery("items")
_REPLIED = (
    core_select(
        _O.id,
        _O.key,
        core_select(func.aggregate_strings(cast(_OI.assignment_id, String), ","))
        .where(_OI.outbox_id == _O.id)
        .scalar_subquery()
        .label("about"),
    )
    .where(_O.chat_id == bindparam("chat_id"), _O.channel_message_id == bindparam("message_id"))
    .order_by(_O.id)
    .limit(1)
    .subquery("replied")
)
_S = AppState.__table__.c  # type: ignore[attr-defined]
_ABOUT = Prepared(
    core_select(
        *(_S.value.label("asked"), _S.updated_at.label("asked_at")),
        *(_REPLIED.c.id.label("sent_id"), _REPLIED.c.key.label("sent_key")),
        _REPLIED.c.about.label("sent_about"),
        *_ITEMS.c,
    )
    .select_from(
        core_select(literal_column("1").label("one"))
        .subquery("one")
        .outerjoin(AppState.__table__, _S.key == bindparam("pending_key"))  # type: ignore[attr-defined]
        .outerjoin(_REPLIED, true())
        .outerjoin(_ITEMS, true())
    )
    .order_by(_ITEMS.c.deadline, _ITEMS.c.task_id),
    expanding=("unit_ids",),
)


@dataclass(frozen=True)
class About:
    """What a text may be about, read together (`about_text`)."""

    asked: Stored | None  # the question pending, as stored (`db.queries.pending.pending_in`)
    items: list[OpenItem]  # as `open_items` returns them
    sent: Sent | None  # the message it replies to, when the outbox delivered it


def open_items(db: Session | Connection, *, unit_ids: Sequence[int]) -> list[OpenItem]:
    """Return the assignments these units may report on (open tasks), nearest deadline first,
    a task's units in Vietnamese order."""
    return _open_items(_OPEN_ITEMS.rows(as_connection(db), {"unit_ids": list(unit_ids)}))


def _open_items(rows: list[Any]) -> list[OpenItem]:
    """Return the open items that rows of `_OPEN`'s columns read as, in `open_items`' order."""
    if len(rows) > 1:  # most officials have one open task: nothing to put in order
        rows.sort(key=lambda r: (r.deadline, r.task_id, vi_sort_key(r.name, r.code)))
    return [
        OpenItem(
            *(r.id, r.task_id, r.title, r.state == ReportState.DONE, r.state != ReportState.NONE),
            _target(r),
        )
        for r in rows
    ]


def about_text(
    db: Session | Connection,
    *,
    pending_key: str | None,
    unit_ids: Sequence[int],
    chat_id: str | None = None,
    message_id: int | None = None,
) -> About:
    """Return, in one statement, what a text may be about: the value pending under
    `pending_key` (None: not read), these units' open items (as `open_items`), and the
    message `message_id` of `chat_id` (None: not read) as `message_outbox` finds it."""
    params = {
        "pending_key": pending_key,
        "unit_ids": list(unit_ids),
        "chat_id": chat_id if message_id is not None else None,
        "message_id": str(message_id) if message_id is not None else None,
    }
    rows = _ABOUT.rows(as_connection(db), params)
    first = rows[0]
    asked = Stored(first.asked, first.asked_at) if first.asked_at is not None else None
    sent = None
    if first.sent_id is not None:
        about = tuple(int(a) for a in (first.sent_about or "").split(",") if a)
        sent = Sent(first.sent_id, first.sent_key, about)
    found = [r for r in rows if r.id is not None]
    return About(asked, _open_items(found), sent)


def named_assignments(
    db: Session | Connection, *, task_ids: Sequence[int], unit_ids: Sequence[int]
) -> list[int]:
    """Return these units' assignments of these tasks, open or not (a closed task's too: a
    file or a caption naming it is answered that it is over, not taken for another)."""
    if not task_ids or not unit_ids:
        return []
    query = (
        core_select(_A.id)
        .where(_A.task_id.in_(list(task_ids)), _A.unit_id.in_(list(unit_ids)))
        .order_by(_A.id)
    )
    return [int(row.id) for row in as_connection(db).execute(query)]


def report_target(db: Session | Connection, *, assignment_id: int) -> Target | None:
    """Return the assignment with its task, if it exists."""
    row = _TARGET.first(as_connection(db), {"assignment_id": assignment_id})
    return _target(row) if row is not None else None


def _target(row: Any) -> Target:
    """Return the target a row of `_TARGET`'s columns (or `_OPEN_ITEMS`'s) reads as."""
    return Target(
        *(row.id, row.unit_id, row.active, row.state, row.percent, row.deadline, row.due_at),
        *(row.done_at, row.last_report_at, row.task_id, row.title, row.status),
        bool(row.unit_active),
    )


def open_page(
    session: Session, *, unit_ids: Sequence[int], offset: int, limit: int
) -> tuple[list[Row], int]:
    """Return a page of the units' not-done assignments, nearest deadline first, a task's
    units in Vietnamese order, and a total (a deactivated unit's left out: nothing of theirs
    is recorded any more)."""
    # The order is the alphabet's, which no collation gives everywhere: the few columns of
    # every row are sorted here, then the page's rows loaded.
    listed = (
        core_select(_A.id, _A.deadline, _T.id.label("task_id"), _U.name, _U.code)
        .join_from(Assignment.__table__, Task.__table__, _T.id == _A.task_id)  # type: ignore[attr-defined]
        .join(Unit.__table__, _U.id == _A.unit_id)  # type: ignore[attr-defined]
        .where(_A.unit_id.in_(list(unit_ids)), _U.active.is_(True))
        .where(_A.active.is_(True), _T.status == TaskStatus.OPEN, _A.state != ReportState.DONE)
    )
    ordered = sorted(
        as_connection(session).execute(listed),
        key=lambda r: (r.deadline, r.task_id, vi_sort_key(r.name, r.code), r.id),
    )
    ids = [int(r.id) for r in ordered[offset : offset + limit]]
    query = (
        select(Assignment, Task)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Assignment.id).in_(ids))
    )
    found = {a.id: (a, t) for a, t in session.exec(query)}
    return [found[i] for i in ids if i in found], len(ordered)


def check_reportable(
    db: Session | Connection, *, assignment_id: int, unit_ids: Sequence[int]
) -> tuple[Check, Target | None]:
    """Check that the assignment is one of these units' and its task is still open: the one
    its work went on in when a merge took it off (`carried_on`), whose id the target has."""
    target = carried_on(db, report_target(db, assignment_id=assignment_id))
    return (target.check(unit_ids) if target is not None else Check.MISSING), target


def taken_off_meanwhile(db: Session | Connection, *, assignment_id: int) -> bool:
    """Lock the assignment a report is about until the transaction ends, and tell whether
    it was taken off since it was read (PostgreSQL: a merge of units that held it committed
    meanwhile, its lock waited out; SQLite's one writer takes them in turn: never)."""
    connection = as_connection(db)
    if connection.dialect.name != "postgresql":
        return False
    query = core_select(_A.active).where(_A.id == assignment_id).with_for_update()
    return connection.execute(query).scalar() is not True


def units_now(db: Session | Connection, *, contact_id: int) -> list[int]:
    """Return the units a person is a contact of, as the database has them now."""
    c = UnitContact.__table__.c  # type: ignore[attr-defined]
    query = core_select(c.unit_id).where(c.contact_id == contact_id)
    return [int(u) for u in as_connection(db).execute(query).scalars()]


def carried_on(db: Session | Connection, target: Target | None) -> Target | None:
    """Return the assignment a merge of units carried this one's work on in (a button of a
    reminder sent before the merge names the row taken off), followed through merges made
    one after another; the target itself when none did (an active one: one read only)."""
    seen: set[int] = set()
    while target is not None and not target.active and target.assignment_id not in seen:
        seen.add(target.assignment_id)
        query = core_select(_A.merged_into_id).where(_A.id == target.assignment_id)
        into = as_connection(db).execute(query).scalar()
        if into is None:
            return target
        target = report_target(db, assignment_id=int(into)) or target
    return target


def message_outbox(db: Session | Connection, *, chat_id: str, message_id: int) -> Sent | None:
    """Return the outbox message delivered as this message, with the assignments it was about."""
    params = {"chat_id": chat_id, "message_id": str(message_id)}
    rows = _SENT.rows(as_connection(db), params)
    if not rows:
        return None
    about = tuple(r.assignment_id for r in rows if r.assignment_id is not None)
    return Sent(rows[0].id, rows[0].key, about)


# A message split for length (over Telegram's 4,096 characters) is stored under its last
# part's id, the earlier parts' in its payload ("part_ids"): the last follows them within
# this many of the chat's messages (its other parts, and anything said meanwhile).
PART_REACH = 100


def message_of_part(db: Session | Connection, *, chat_id: str, message_id: int) -> Sent | None:
    """Return the outbox message this message is an earlier part of, when it went split for
    length (None: no such part)."""
    later = [str(message_id + n) for n in range(1, PART_REACH + 1)]
    query = core_select(_O.channel_message_id, _O.payload).where(
        _O.chat_id == chat_id, _O.channel_message_id.in_(later)
    )
    for last, payload in as_connection(db).execute(query):
        if str(message_id) in (payload or {}).get("part_ids", []):
            return message_outbox(db, chat_id=chat_id, message_id=int(last))
    return None


def inactive_units(db: Session | Connection, *, unit_ids: Sequence[int]) -> list[str]:
    """Return the names of the deactivated ones among these units, in Vietnamese order."""
    query = core_select(_U.name, _U.code).where(_U.id.in_(list(unit_ids)), _U.active.is_(False))
    rows = as_connection(db).execute(query).all()
    return [str(r.name) for r in sorted(rows, key=lambda r: vi_sort_key(r.name, r.code))]


def admin_names(db: Session | Connection, *, limit: int = 3) -> list[str]:
    """Return the names of the first admins, who may follow a unit up again (/activate)."""
    c = Contact.__table__.c  # type: ignore[attr-defined]
    query = core_select(c.display_name).where(c.role == Role.ADMIN.value).order_by(c.id)
    return [str(n) for n in as_connection(db).execute(query.limit(limit)).scalars() if n]
