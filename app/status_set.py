"""An admin sets a unit's status on a task by hand: `/setstatus`, on every channel.

A unit's contact tapped "done" by mistake (or the wrong unit did, or on the wrong task): the
reminders stopped and every summary counted it done, and nobody but that contact could take
it back. `/setstatus #12 X01 | đang thực hiện | bấm nhầm` sets it (done, in progress with
its share, blocked, or back to no report), with a reason that is required: the correction is
a report of its own (`db.queries.reports.set_by_admin`), so the history shows both the unit's
and the admin's, audited as `assignment.status_set`; the unit's contacts are told in office
time, and reminders go on by the calendar as for any unit not done. The coordinators (and
the other admins) whose scope holds the unit are told too, in office time: one who reported
"12 done" to the province learns that one was set back, and why.

The rules are the official's own, an open task and a unit still on it and followed, except
that an admin may also mend a closed task's record (what the formal report counts); a
cancelled task counts nowhere, and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from sqlmodel import Session

from app.notices import office_moment, tell
from app.reporting import status_text
from app.services import Services
from app.task_notices import told_line
from core.markup import Markup, escape
from core.states import ReportState, TaskStatus
from core.status_set import state_named
from core.textfit import clip
from core.textnorm import fold, vi_sort_key
from db.engine import session_scope
from db.queries import audit
from db.queries.checkin import Target, report_target
from db.queries.people_to_tell import (
    contact_name,
    contacts_of_unit,
    coordinators_of_unit,
    unit_name,
)
from db.queries.recipients import Recipient
from db.queries.reports import set_by_admin
from db.queries.tasks import TASK_NUMBER, find_tasks, task_units

ACTION = "assignment.status_set"
NAMED_MAX = 10  # the units or tasks an answer lists


@dataclass(frozen=True)
class Command:
    """What `/setstatus` read: the task and unit as typed, the status, the reason."""

    task: str
    unit: str
    state: str
    reason: str


def read(args: str) -> Command | None:
    """Read `<#task> <unit> | <status> | <reason>` or `<task> | <unit> | <status> | <reason>`;
    the reason left out with its "|" is read as empty, so that the answer names it."""
    parts = [p.strip() for p in args.split("|")]
    words = parts[0].split(None, 1)
    if len(parts) in (2, 3) and len(words) == 2 and TASK_NUMBER.match(words[0]):
        parts = [words[0], words[1].strip(), *parts[1:]]
    if len(parts) == 3:
        parts.append("")
    if len(parts) != 4 or not all(parts[:3]):
        return None
    return Command(*parts)


def run(services: Services, lang: str, actor_id: int, args: str) -> str:
    """Set a unit's status on a task as an admin typed it; return what to say."""
    t = partial(services.catalog.get, lang)
    command = read(args)
    if command is None:
        return t("status_set.usage")
    named = state_named(command.state)
    if named is None:
        return t("status_set.unknown_state", words=command.state) + "\n" + t("status_set.usage")
    if not command.reason.strip(" .-"):
        return t("status_set.no_reason") + "\n" + t("status_set.usage")
    state, percent, day = named.state, named.percent, named.day
    if day is not None and day > services.today():
        return t("status_set.future_day", day=day)
    with session_scope(services.engine) as session:
        tasks = find_tasks(session, text=command.task)
        if not tasks:
            return t("tasks.not_found", text=command.task)
        if len(tasks) > 1:
            lines = [escape(f"#{task.id} {task.title}") for task in tasks[:NAMED_MAX]]
            return t("status_set.which_task", text=command.task) + "\n" + "\n".join(lines)
        task = tasks[0]
        task_id = task.id or 0
        if task.status == TaskStatus.CANCELLED:
            return t("status_set.cancelled", id=task_id)
        found = _unit_of(session, services, lang, task_id, command.unit)
        if isinstance(found, str):
            return found
        before = report_target(session.connection(), assignment_id=found)
        assert before is not None  # found on the task above, in this transaction
        refused = _refused(services, lang, session, before)
        if refused is not None:
            return refused
        if _same(before, state, percent) and day is None:
            return t("status_set.same", status=Markup(status_text(services, lang, before)))
        done_at = _done_at(services, day)
        return _set(
            services, lang, session, actor_id, before, (state, percent, done_at), command.reason
        )


def _done_at(services: Services, day: date | None) -> datetime | None:
    """Return when a done set for `day` counts from: now for today, else that day's noon."""
    if day is None or day == services.today():
        return None
    return datetime.combine(day, time(12), tzinfo=services.settings.tz)


def _unit_of(
    session: Session, services: Services, lang: str, task_id: int, typed: str
) -> int | str:
    """Return the assignment of the unit typed (its code, its name or a part of it) on the
    task, or what to say when none or several fit."""
    t = partial(services.catalog.get, lang)
    units = task_units(session, task_id=task_id)
    folded = fold(typed)
    exact = [u for u in units if folded in (fold(u.code), fold(u.name))]
    fits = exact or [u for u in units if folded and folded in fold(u.name)]
    if len(fits) == 1:
        return fits[0].assignment_id
    listed = sorted(fits or units, key=lambda u: vi_sort_key(u.name, u.code))
    names = ", ".join(f"{u.name} ({u.code})" for u in listed[:NAMED_MAX])
    names += ", …" if len(listed) > NAMED_MAX else ""
    if fits:
        return t("status_set.which_unit", text=typed, units=names)
    return t("status_set.unit_not_on_task", text=typed, id=task_id, units=names)


def _refused(services: Services, lang: str, session: Session, target: Target) -> str | None:
    """Say why this unit's status cannot be set (taken off the task, deactivated)."""
    t = partial(services.catalog.get, lang)
    unit = _unit_name(session, target.unit_id)
    if not target.unit_active:
        return t("status_set.unit_inactive", unit=unit)
    if not target.active:
        return t("status_set.unassigned", unit=unit, id=target.task_id)
    return None


def _same(target: Target, state: str, percent: int | None) -> bool:
    """Tell whether the status asked is the one in force already (nothing to write)."""
    if target.state != state:
        return False
    return state != ReportState.IN_PROGRESS or percent is None or percent == target.percent


@dataclass(frozen=True)
class _Change:
    """A status set by an admin: the assignment before and after, its report, the reason."""

    before: Target
    after: Target
    report_id: int
    reason: str
    unit: str


def _set(
    services: Services,
    lang: str,
    session: Session,
    actor_id: int,
    before: Target,
    status: tuple[str, int | None, datetime | None],
    reason: str,
) -> str:
    """Write the correction (the state, its share, when a done was done) and its audit
    entry, tell the unit; return the admin's answer."""
    now = services.clock.now()
    state, percent, done_at = status
    reason = clip(" ".join(reason.split()))
    report_id = set_by_admin(
        session.connection(),
        assignment_id=before.assignment_id,
        state=state,
        now=now,
        contact_id=actor_id,
        reason=reason,
        percent=percent,
        done_at=done_at,
    )
    after = report_target(session.connection(), assignment_id=before.assignment_id)
    assert after is not None
    change = _Change(before, after, report_id, reason, _unit_name(session, before.unit_id))
    _audit(session, actor_id, change)
    hours, tz = services.settings.work_hours, services.settings.tz
    moment = office_moment(session, now=now, hours=hours, tz=tz)
    told, staff_told = _tell(services, session, actor_id, change, now, moment)
    said = _answer(services, lang, change)
    if not told:
        said += "\n" + services.catalog.get(lang, "status_set.nobody_told", unit=change.unit)
    else:
        said += told_line(services, lang, told, moment)
    staff_said = services.catalog.get(lang, "status_set.staff_told", count=staff_told)
    return said + ("\n" + staff_said if staff_told else "")


def _audit(session: Session, actor_id: int, change: _Change) -> None:
    """Record the change in the audit log: from what to what, and why."""
    before, after = change.before, change.after
    audit.record(
        session,
        actor_id=actor_id,
        action=ACTION,
        object_type="assignment",
        object_id=before.assignment_id,
        details={
            "task_id": before.task_id,
            "unit_id": before.unit_id,
            "report_id": change.report_id,
            "from": {"state": before.state, "percent": before.percent},
            "to": {"state": after.state, "percent": after.percent},
            "done_at": after.done_at.isoformat() if after.done_at else None,
            "reason": change.reason,
        },
    )


def _tell(
    services: Services,
    session: Session,
    actor_id: int,
    change: _Change,
    now: datetime,
    moment: datetime,
) -> tuple[int, int]:
    """Queue the notice to the unit's contacts and to the staff whose scope holds the unit;
    return how many of the unit's contacts and of the staff were told."""
    before = change.before
    admin = contact_name(session, contact_id=actor_id)

    def words(to: str, key: str = "status_set.notice") -> str:
        return services.catalog.get(
            to,
            key,
            admin=admin,
            unit=change.unit,
            id=Markup(str(before.task_id)),
            title=before.title,
            old=Markup(status_text(services, to, before)),
            new=Markup(status_text(services, to, change.after)),
            reason=change.reason,
        )

    def unit_words(to: str) -> str:
        remind = _reminded(change.after)
        return words(to) + (services.catalog.get(to, "status_set.notice_remind") if remind else "")

    key, ids = f"{ACTION}:{change.report_id}", [before.assignment_id]
    people = contacts_of_unit(session, unit_id=before.unit_id)
    told = tell(
        session, people, key=key, text=unit_words, now=now, assignment_ids=ids,
        not_before=moment,
    )  # fmt: skip
    staff = _staff_to_tell(session, before.unit_id, actor_id, people)
    staff_words = partial(words, key="status_set.notice_staff")
    staff_told = tell(
        session, staff, key=key, text=staff_words, now=now, assignment_ids=ids,
        not_before=moment,
    )  # fmt: skip
    return told, staff_told


def _answer(services: Services, lang: str, change: _Change) -> str:
    """Return what the admin is told was set: the change, and what it kept or closed."""
    t = partial(services.catalog.get, lang)
    before, after = change.before, change.after
    lines = [
        t(
            "status_set.done",
            unit=change.unit,
            id=Markup(str(before.task_id)),
            title=before.title,
            old=Markup(status_text(services, lang, before)),
            new=Markup(status_text(services, lang, after)),
        )
    ]
    lines += [t("status_set.history_kept")] if before.last_report_at is not None else []
    lines += [t("status_set.remind")] if _reminded(after) else []
    lines += (
        [t("status_set.closed", id=before.task_id)] if after.task_status != TaskStatus.OPEN else []
    )
    return "\n".join(lines)


def _staff_to_tell(
    session: Session, unit_id: int, actor_id: int, contacts: list[Recipient]
) -> list[Recipient]:
    """Return the coordinators and admins whose scope holds the unit, but for the admin who
    set the status and those told already as the unit's contacts."""
    told = {p.contact_id for p in contacts} | {actor_id}
    return [p for p in coordinators_of_unit(session, unit_id=unit_id) if p.contact_id not in told]


def _reminded(target: Target) -> bool:
    """Tell whether reminders go on for it (an open task not done)."""
    return target.task_status == TaskStatus.OPEN and target.state != ReportState.DONE


def _unit_name(session: Session, unit_id: int) -> str:
    """Return a unit's name."""
    return unit_name(session, unit_id=unit_id)
