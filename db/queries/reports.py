"""Recording status reports: the one domain function every way of reporting goes through."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, bindparam, case, func, insert, select, update
from sqlmodel import Session

from core.states import ReportState
from db.engine import as_connection
from db.models import Assignment, StatusReport
from db.prepared import Prepared

STATES = ("done", "in_progress", "blocked")

# Prepared once (db/prepared.py): a report is recorded for every "xong", and SQLAlchemy's
# execution costs several times more than SQLite's.
_REPORTS = StatusReport.__table__  # type: ignore[attr-defined]
_ASSIGNMENTS = Assignment.__table__  # type: ignore[attr-defined]
_INSERT = Prepared(insert(_REPORTS).returning(_REPORTS.c.id))
_SET_STATUS = Prepared(update(_ASSIGNMENTS).where(_ASSIGNMENTS.c.id == bindparam("assignment_id")))
_A = _ASSIGNMENTS.c
# Done again (a photo of the minutes captioned "đã xong" after the deadline, a "xong" sent
# twice) keeps the moment it was first done: the day it was done decides on time or late.
_SET_DONE = Prepared(
    update(_ASSIGNMENTS)
    .where(_A.id == bindparam("assignment_id"))
    .values(
        state=ReportState.DONE,
        percent=bindparam("new_percent", type_=_A.percent.type),
        last_report_at=bindparam("now", type_=_A.last_report_at.type),
        done_at=case(
            (_A.state == ReportState.DONE, func.coalesce(_A.done_at, bindparam("now"))),
            else_=bindparam("now"),
        ),
    )
)


def record_report(
    db: Session | Connection,
    *,
    assignment_id: int,
    state: str,
    now: datetime,
    contact_id: int | None = None,
    percent: int | None = None,
    text: str = "",
    reason: str | None = None,
    evidence_number: str | None = None,
    evidence_date: date | None = None,
    source: str = "button",
    dedup_key: str | None = None,
) -> int:
    """Append a report and make it the assignment's current status; return the report's id.

    The latest report counts: a unit that reported done and then corrects itself to in
    progress is no longer done; one done again stays done since the first time. `dedup_key`
    (e.g. the update id) makes a repeated update or a double tap record once: a second
    report with the same key raises IntegrityError (the unique index decides, also between
    two updates racing), and the caller rolls back and answers as for a duplicate. The
    caller commits before acknowledging.
    """
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    connection = as_connection(db)
    percent = reported_percent(state, percent)
    inserted = _INSERT.rows(
        connection,
        {
            "assignment_id": assignment_id,
            "contact_id": contact_id,
            "state": state,
            "percent": percent,
            "text": text[:4096],
            "reason": reason[:4096] if reason else reason,
            "evidence_number": evidence_number,
            "evidence_date": evidence_date,
            "source": source,
            "dedup_key": dedup_key,
            "created_at": now,
        },
    )
    if state == ReportState.DONE:
        params = {"assignment_id": assignment_id, "new_percent": percent, "now": now}
        _SET_DONE.run(connection, params)
        return int(inserted[0].id)
    _SET_STATUS.run(
        connection,
        {
            "assignment_id": assignment_id,
            "state": state,
            "percent": percent,
            "last_report_at": now,
            "done_at": None,
        },
    )
    return int(inserted[0].id)


def mark_answered(db: Session | Connection, *, assignment_id: int, now: datetime) -> None:
    """Count an answer that is not a status report (an extension request, an explanation).

    A unit that asked for more time or explained a delay has answered: it is no longer
    "Chưa báo cáo" in any view, all of which read `last_report_at IS NULL` (the summary's
    counts through `task_count`'s triggers). A report's own time is never moved by it.
    """
    as_connection(db).execute(
        update(_ASSIGNMENTS)
        .where(_ASSIGNMENTS.c.id == assignment_id, _ASSIGNMENTS.c.last_report_at.is_(None))
        .values(last_report_at=now)
    )


def amend_percent(
    db: Session | Connection,
    *,
    assignment_id: int,
    dedup_key: str,
    percent: int,
) -> datetime | None:
    """Add a percentage to the in-progress report recorded under `dedup_key`, in place.

    "In progress" then "50%" is one report, so the history keeps one row for it. Only the
    assignment's latest report is amended; return its time, or None when it cannot be
    (another report came in between, or there is none) and a new report is due instead.
    """
    connection = as_connection(db)
    found = connection.execute(
        select(_REPORTS.c.id, _REPORTS.c.state, _REPORTS.c.created_at).where(
            _REPORTS.c.assignment_id == assignment_id, _REPORTS.c.dedup_key == dedup_key
        )
    ).first()
    if found is None or found.state != ReportState.IN_PROGRESS:
        return None
    latest = connection.execute(
        select(func.max(_REPORTS.c.id)).where(_REPORTS.c.assignment_id == assignment_id)
    ).scalar()
    if latest != found.id:
        return None
    connection.execute(update(_REPORTS).where(_REPORTS.c.id == found.id).values(percent=percent))
    connection.execute(
        update(_ASSIGNMENTS).where(_ASSIGNMENTS.c.id == assignment_id).values(percent=percent)
    )
    at: datetime = found.created_at
    return at


def just_done(db: Session | Connection, *, contact_id: int, since: datetime) -> int | None:
    """Return the assignment this person last reported done since `since`: a file they send
    next, naming no task, is its evidence ("xong", then the photo of the minutes).

    None when there is none, or when that report was one of several a message or a choice
    made at once ("#12 xong, #13 xong", "all of them are done"): which task a file is for is
    then asked, not given to the last. Those share their key's stem, before its "#". An
    admin's correction (`set_by_admin`) is no report of theirs to file evidence for.

    Read from the reports themselves, when a file comes: a report writes nothing more for
    it (a marker per report cost each "xong" an eighth of its time in the update pool)."""
    rows = (
        as_connection(db)
        .execute(
            select(_REPORTS.c.assignment_id, _REPORTS.c.dedup_key)
            .where(
                _REPORTS.c.contact_id == contact_id,
                _REPORTS.c.state == ReportState.DONE,
                _REPORTS.c.source != "admin",
                _REPORTS.c.created_at >= since,
            )
            .order_by(_REPORTS.c.id.desc())
            .limit(2)
        )
        .all()
    )
    if not rows:
        return None
    last, stem = rows[0], _stem(rows[0].dedup_key)
    if len(rows) == 2 and stem is not None and _stem(rows[1].dedup_key) == stem:
        return None
    return int(last.assignment_id)


def _stem(key: str | None) -> str | None:
    """Return what a report's key shares with the others made with it (before its "#": a
    message about several tasks, an "all done"), None for a report made alone."""
    if key is None or "#" not in key:
        return None
    return key.rsplit("#", 1)[0]


def reported_percent(state: str, percent: int | None) -> int | None:
    """Return the percentage a report stands for: done is 100%."""
    return 100 if state == ReportState.DONE else percent


def set_by_admin(
    db: Session | Connection,
    *,
    assignment_id: int,
    state: str,
    now: datetime,
    contact_id: int,
    reason: str,
    percent: int | None = None,
    done_at: datetime | None = None,
) -> int:
    """Set an assignment's status by an admin's hand, with the reason; return the report's id.

    The correction is a report of its own (`source` "admin", the reason its text): the
    history keeps the unit's report and the admin's both, and the latest counts, as for any
    report. Set to done, it is done from now (a unit done before stays done since then);
    set back to "none", the unit is "Chưa báo cáo" again, as if it had never answered. Done
    with `done_at`, it is done since then (the day the unit said so by phone).
    """
    if state != ReportState.NONE:
        report_id = record_report(
            db,
            assignment_id=assignment_id,
            state=state,
            now=now,
            contact_id=contact_id,
            percent=percent,
            text=reason,
            source="admin",
        )
        if state == ReportState.DONE and done_at is not None:
            as_connection(db).execute(
                update(_ASSIGNMENTS)
                .where(_ASSIGNMENTS.c.id == assignment_id)
                .values(done_at=done_at)
            )
        return report_id
    connection = as_connection(db)
    inserted = _INSERT.rows(
        connection,
        {
            "assignment_id": assignment_id,
            "contact_id": contact_id,
            "state": ReportState.NONE.value,
            "percent": None,
            "text": reason[:4096],
            "reason": None,
            "evidence_number": None,
            "evidence_date": None,
            "source": "admin",
            "dedup_key": None,
            "created_at": now,
        },
    )
    params = {"assignment_id": assignment_id, "state": ReportState.NONE.value, "percent": None}
    _SET_STATUS.run(connection, {**params, "last_report_at": None, "done_at": None})
    return int(inserted[0].id)
