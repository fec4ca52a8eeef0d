"""Recording a report and wording it: shared by buttons, free text, /mytasks and evidence.

`record` commits the report (and a blocker's notices to coordinators) before it returns, so
whatever acknowledges it afterwards acknowledges something already kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.i18n import Html
from bot.services import Services
from core.status import Status, classify
from db.engine import session_scope
from db.models import Assignment, StatusReport, Task
from db.queries.checkin import (
    Check,
    check_reportable,
    coordinators_of_unit,
    set_pending,
    unit_name,
)
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.reports import record_report
from handlers.access import Actor

REFUSALS = {
    Check.MISSING: "checkin.refused_missing",
    Check.NOT_YOURS: "checkin.refused_not_yours",
    Check.CLOSED: "checkin.refused_closed",
}


@dataclass(frozen=True)
class Recorded:
    """What became of a report: recorded, a duplicate of one recorded, or refused."""

    check: Check
    text: str  # the confirmation line, or the refusal
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the report is kept (now or before)."""
        return self.check == Check.OK


@dataclass(frozen=True)
class Report:
    """A status to record for one assignment, as the sender gave it."""

    assignment_id: int
    state: str
    source: str
    dedup_key: str | None
    percent: int | None = None
    text: str = ""
    reason: str | None = None
    evidence_number: str | None = None
    evidence_date: date | None = None


def status_text(services: Services, lang: str, assignment: Assignment) -> str:
    """Word an assignment's status in the official taxonomy, with the state it reported."""
    result = classify(
        state=assignment.state,
        deadline=assignment.deadline,
        due_at=assignment.due_at,
        done_at=assignment.done_at,
        last_report_at=assignment.last_report_at,
        now=services.clock.now(),
        tz=services.settings.tz,
    )
    t = services.catalog.get
    if result.status == Status.DONE_ON_TIME:
        return t(lang, "checkin.status_done_on_time")
    if result.status == Status.DONE_LATE:
        return t(lang, "checkin.status_done_late", days=result.days_overdue)
    if assignment.state == "in_progress" and assignment.percent is not None:
        state = t(lang, "checkin.state_in_progress_pct", percent=assignment.percent)
    else:
        state = t(lang, f"checkin.state_{assignment.state}")
    if result.status == Status.IN_TIME:
        return t(lang, "checkin.status_in_time", state=Html(state))
    return t(lang, "checkin.status_overdue", state=Html(state), days=result.days_overdue)


def confirmation(
    services: Services, lang: str, assignment: Assignment, task: Task, at: datetime
) -> str:
    """Return the one-line confirmation of a recorded report."""
    return services.catalog.get(
        lang,
        "checkin.recorded",
        status=Html(status_text(services, lang, assignment)),
        task=Html(str(task.id)),
        title=task.title,
        at=Html(at.astimezone(services.settings.tz).strftime("%H:%M %d/%m")),
    )


def record(services: Services, actor: Actor, report: Report) -> Recorded:
    """Record a report for one of the sender's assignments and commit it; refuse otherwise."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        check, assignment, task = check_reportable(
            session, assignment_id=report.assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or assignment is None or task is None:
            return Recorded(check, refusal(services, actor.lang, check, task))
        row = record_report(
            session,
            assignment=assignment,
            state=report.state,
            now=now,
            contact_id=actor.contact_id,
            percent=report.percent,
            text=report.text,
            reason=report.reason,
            evidence_number=report.evidence_number,
            evidence_date=report.evidence_date,
            source=report.source,
            dedup_key=report.dedup_key,
        )
        at = assignment.last_report_at or now
        line = confirmation(services, actor.lang, assignment, task, at)
        if row is None:
            return Recorded(Check.OK, line, duplicate=True)
        if report.state == "blocked" and services.settings.forward_blockers:
            forward_blocker(services, session, row, assignment, task)
        if report.state == "done":
            # A file sent next is evidence of this assignment ("after choosing done").
            data = {"assignment_id": assignment.id}
            set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind="done")
    return Recorded(Check.OK, line)


def refusal(services: Services, lang: str, check: Check, task: Task | None) -> str:
    """Word why a report was not recorded."""
    if check == Check.CLOSED and task is not None:
        return services.catalog.get(lang, "checkin.refused_closed", task=Html(str(task.id)))
    return services.catalog.get(lang, REFUSALS.get(check, "checkin.refused_missing"), task="")


def forward_blocker(
    services: Services, session: Session, row: StatusReport, assignment: Assignment, task: Task
) -> None:
    """Queue a blocker's notice to every coordinator of the unit, with the unit and reason."""
    unit = unit_name(session, unit_id=assignment.unit_id)
    at = row.created_at.astimezone(services.settings.tz)
    for coordinator in coordinators_of_unit(session, unit_id=assignment.unit_id):
        assert coordinator.chat_id is not None
        assert coordinator.id is not None
        text = services.catalog.get(
            coordinator.language,
            "checkin.blocker_notice",
            unit=unit,
            task=Html(str(task.id)),
            title=task.title,
            reason=row.reason or services.catalog.get(coordinator.language, "checkin.no_reason"),
            at=at,
        )
        enqueue(
            session,
            key=f"blocker:{row.id}:{coordinator.id}",
            chat_id=coordinator.chat_id,
            contact_id=coordinator.id,
            kind="notice",
            text=text,
            now=row.created_at,
            priority=PRIORITY_NOTICE,
            assignment_ids=[assignment.id or 0],
        )
