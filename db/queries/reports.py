"""Recording status reports: the one domain function every way of reporting goes through."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import Assignment, StatusReport

STATES = ("done", "in_progress", "blocked")


def record_report(
    session: Session,
    *,
    assignment: Assignment,
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
) -> StatusReport | None:
    """Append a report and make it the assignment's current status; None if a duplicate.

    The latest report counts: a unit that reported done and then corrects itself to in
    progress is no longer done. `dedup_key` (e.g. the update id) makes a repeated update or
    a double tap record once. The caller commits before acknowledging.
    """
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    assert assignment.id is not None
    if dedup_key is not None and _seen(session, dedup_key):
        return None
    report = StatusReport(
        assignment_id=assignment.id,
        contact_id=contact_id,
        state=state,
        percent=100 if state == "done" else percent,
        text=text[:4096],
        reason=reason[:4096] if reason else reason,
        evidence_number=evidence_number,
        evidence_date=evidence_date,
        source=source,
        dedup_key=dedup_key,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError:
        return None  # the same dedup key raced in from another update
    assignment.state = state
    assignment.percent = report.percent
    assignment.last_report_at = now
    assignment.done_at = now if state == "done" else None
    session.add(assignment)
    session.flush()
    return report


def _seen(session: Session, dedup_key: str) -> bool:
    """Tell whether a report with this key exists already."""
    query = select(StatusReport.id).where(StatusReport.dedup_key == dedup_key)
    return session.exec(query).first() is not None
