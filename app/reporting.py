"""Recording a report and wording it: shared by buttons, free text, /mytasks and evidence.

`record` commits the report (and a blocker's notices to coordinators) before it returns, so
whatever acknowledges it afterwards acknowledges something already kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.actor import Actor
from app.notices import tell
from app.services import Services
from core.markup import Markup
from core.states import ReportState, TaskStatus
from core.status import Reportable, Status, status_of
from core.textfit import clip
from db.queries.checkin import (
    Check,
    Target,
    admin_names,
    carried_on,
    check_reportable,
    inactive_units,
    report_target,
    taken_off_meanwhile,
    units_now,
)
from db.queries.people_to_tell import coordinators_of_unit, unit_name, unit_names
from db.queries.reports import amend_percent, record_report

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

    @property
    def closed(self) -> bool:
        """Tell whether it was refused because the task is closed (its buttons settle all
        the same)."""
        return self.check == Check.CLOSED


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
    amends: str | None = None  # the key of the in-progress report a percentage completes


class Reported(Reportable, Protocol):
    """What the wording of a status needs (an Assignment, or a check-in Target): its status
    and the percentage it reported."""

    @property
    def percent(self) -> int | None: ...


def status_text(services: Services, lang: str, assignment: Reported) -> str:
    """Word an assignment's status in the official taxonomy, with the state it reported."""
    result = status_of(assignment, now=services.clock.now(), tz=services.settings.tz)
    t = services.catalog.get
    if result.status == Status.DONE_ON_TIME:
        return t(lang, "checkin.status_done_on_time")
    if result.status == Status.DONE_LATE:
        return t(lang, "checkin.status_done_late", days=result.days_overdue)
    if assignment.state == ReportState.IN_PROGRESS and assignment.percent is not None:
        state = t(lang, "checkin.state_in_progress_pct", percent=assignment.percent)
    else:
        state = t(lang, f"checkin.state_{assignment.state}")
    if result.status == Status.IN_TIME:
        return t(lang, "checkin.status_in_time", state=Markup(state))
    return t(lang, "checkin.status_overdue", state=Markup(state), days=result.days_overdue)


def confirmation(services: Services, lang: str, target: Target, unit: str = "") -> str:
    """Return the one-line confirmation of a recorded report (the unit's name before the
    title when given: the sender reports for several units)."""
    at = target.last_report_at or services.clock.now()
    return services.catalog.get(
        lang,
        "checkin.recorded",
        status=Markup(status_text(services, lang, target)),
        task=Markup(str(target.task_id)),
        title=f"{unit}: {target.title}" if unit else target.title,
        at=Markup(at.astimezone(services.settings.tz).strftime("%H:%M %d/%m")),
    )


def record(
    services: Services,
    actor: Actor,
    report: Report,
    also: Callable[[Connection], None] | None = None,
    db: Session | None = None,
) -> Recorded:
    """Record a report for one of the sender's assignments and commit it; refuse otherwise.

    One transaction; `also` writes what belongs with the report in it (the evidence file
    whose caption it came from). Given `db`, it is written in that session's transaction,
    which the caller commits (a savepoint undoes it alone when its key was recorded before).
    """
    if db is not None:
        try:
            with db.begin_nested():
                return record_in(services, actor, report, db.connection(), also)
        except IntegrityError:
            return recorded_before(services, actor, report)
    try:
        with services.engine.begin() as connection:
            return record_in(services, actor, report, connection, also)
    except IntegrityError:
        return recorded_before(services, actor, report)


def record_in(
    services: Services,
    actor: Actor,
    report: Report,
    connection: Connection,
    also: Callable[[Connection], None] | None = None,
    *,
    known: Target | None = None,
) -> Recorded:
    """Record a report in the caller's transaction, which commits it; refuse otherwise.

    Prepared statements on one connection: this runs for every status reply. `known`: the
    assignment as the caller read it in this transaction (the sender's open items), checked
    without reading it again. Raises IntegrityError when the report's key was recorded
    before: the caller rolls back and answers with `recorded_before`.
    """
    now = services.clock.now()
    target: Target | None = known
    if known is not None and known.assignment_id == report.assignment_id:
        check = known.check(actor.unit_ids)
    else:
        check, target = check_reportable(
            connection, assignment_id=report.assignment_id, unit_ids=actor.unit_ids
        )
    if (
        check == Check.OK
        and target is not None
        and taken_off_meanwhile(connection, assignment_id=target.assignment_id)
    ):  # a merge of units committed meanwhile: its kept row, for the person's units now
        units = units_now(connection, contact_id=actor.contact_id)
        check, target = check_reportable(
            connection, assignment_id=target.assignment_id, unit_ids=units
        )
    if check != Check.OK or target is None:
        return Recorded(check, refusal(services, actor.lang, check, target))
    if target.assignment_id != report.assignment_id:  # a row a merge took off: its kept one
        report = replace(report, assignment_id=target.assignment_id)
    amended = _amend(connection, report)
    report_id = _write(connection, actor, report, now) if amended is None else 0
    at = amended or now
    target = target.reported(state=report.state, percent=report.percent, at=at)
    if also is not None:
        also(connection)
    if report.state == ReportState.BLOCKED and services.settings.forward_blockers:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
            forward_blocker(services, s, report_id, report.reason, now, target)
            s.commit()
    unit = unit_of(connection, actor, target)
    return Recorded(Check.OK, confirmation(services, actor.lang, target, unit))


def unit_of(connection: Connection, actor: Actor, target: Target) -> str:
    """Return the name of the unit a report is for when the sender reports for several (an
    official of two communes is told which one's it was), else ""."""
    if len(set(actor.unit_ids)) < 2:
        return ""
    return unit_names(connection, assignment_ids=[target.assignment_id]).get(
        target.assignment_id, ""
    )


def recorded_before(services: Services, actor: Actor, report: Report) -> Recorded:
    """Answer a report recorded before under its key (a repeated update, a double tap)."""
    with services.engine.connect() as connection:
        target = carried_on(
            connection, report_target(connection, assignment_id=report.assignment_id)
        )
        unit = unit_of(connection, actor, target) if target is not None else ""
    if target is None:
        return Recorded(Check.MISSING, refusal(services, actor.lang, Check.MISSING, None))
    return Recorded(Check.OK, confirmation(services, actor.lang, target, unit), duplicate=True)


def _amend(connection: Connection, report: Report) -> datetime | None:
    """Complete the in-progress report a percentage refers to; None when a new one is due."""
    if report.amends is None or report.percent is None:
        return None
    return amend_percent(
        connection,
        assignment_id=report.assignment_id,
        dedup_key=report.amends,
        percent=report.percent,
    )


def _write(connection: Connection, actor: Actor, report: Report, now: datetime) -> int:
    """Write the report (IntegrityError: one with its key exists)."""
    return record_report(
        connection,
        assignment_id=report.assignment_id,
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


def refusal(services: Services, lang: str, check: Check, target: Target | None) -> str:
    """Word why a report was not recorded (naming the task, when it exists)."""
    if check == Check.CLOSED and target is not None:
        task = Markup(str(target.task_id))
        # An open task the unit was taken off (/unassign) is not over: it is no longer theirs.
        taken_off = not target.active and target.task_status == TaskStatus.OPEN
        key = "checkin.refused_unassigned" if taken_off else "checkin.refused_closed"
        if target.active and target.task_status == TaskStatus.CLOSED:
            # Its record still counts (the formal report): an admin mends it, `/setstatus`.
            return closed_ask_admin(services, lang, task)
        return services.catalog.get(lang, key, task=task)
    if check == Check.UNIT_INACTIVE and target is not None:
        return unit_inactive(services, lang, [target.unit_id]) or ""
    return services.catalog.get(lang, REFUSALS.get(check, "checkin.refused_missing"), task="")


def closed_ask_admin(services: Services, lang: str, task: Markup) -> str:
    """Say that a closed task takes no more reports, and whom to ask to mend what the unit
    reported on it (an admin's `/setstatus`), as a deactivated unit's refusal names them."""
    with services.engine.connect() as connection:
        admins = admin_names(connection)
    if not admins:
        return services.catalog.get(lang, "checkin.refused_closed", task=task)
    names = ", ".join(admins)
    return services.catalog.get(lang, "checkin.refused_closed_ask", task=task, admins=names)


def unit_inactive(
    services: Services, lang: str, unit_ids: Sequence[int], *, every: bool = False
) -> str | None:
    """Say that these units' deactivated ones are no longer followed up, so nothing of theirs
    is recorded, and whom to ask (the admins, who may follow them up again); None when every
    one is active (with `every`, unless every one was deactivated)."""
    with services.engine.connect() as connection:
        units = inactive_units(connection, unit_ids=unit_ids)
        admins = admin_names(connection) if units else []
    if not units or (every and len(units) < len(set(unit_ids))):
        return None
    names = ", ".join(units)
    if not admins:
        return services.catalog.get(lang, "checkin.refused_unit_inactive_ask", units=names)
    return services.catalog.get(
        lang, "checkin.refused_unit_inactive", units=names, admins=", ".join(admins)
    )


def forward_blocker(
    services: Services,
    session: Session,
    report_id: int,
    reason: str | None,
    at: datetime,
    target: Target,
) -> None:
    """Queue a blocker's notice to every coordinator of the unit, with the unit and reason."""
    unit = unit_name(session, unit_id=target.unit_id)
    local = at.astimezone(services.settings.tz)
    t = services.catalog.get

    def text(lang: str) -> str:
        return t(
            lang,
            "checkin.blocker_notice",
            unit=unit,
            task=Markup(str(target.task_id)),
            title=target.title,
            reason=clip(reason or "") or t(lang, "checkin.no_reason"),
            at=local,
        )

    coordinators = coordinators_of_unit(session, unit_id=target.unit_id)
    tell(
        session,
        coordinators,
        key=f"blocker:{report_id}",
        text=text,
        now=at,
        assignment_ids=[target.assignment_id],
    )
