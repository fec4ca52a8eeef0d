"""Asking an overdue unit for a written explanation (giải trình), from any channel.

The request goes to the unit's contacts with one choice, `ex:ans:<explanation>` (answer
it); the coordinator's side offers `ex:req:<assignment>` on the overdue lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.choices import Choice, Rows
from app.due_words import deadline_words
from app.notices import held_line, office_moment, tell
from app.services import Services
from core.markup import Markup
from core.states import TaskStatus
from core.status import Status, status_of
from core.taskdates import effective_deadline
from db.engine import session_scope
from db.models import Assignment, Explanation, Task, Unit
from db.queries.assignment_named import assignment_named, task_named_first
from db.queries.audit import record as audit
from db.queries.explanations import waiting_explanation
from db.queries.people_to_tell import contacts_of_unit, unit_name
from db.queries.scope import Scope, decides_on_own, in_scope

ASKABLE = (Status.OVERDUE, Status.DONE_LATE)


@dataclass(frozen=True)
class Named:
    """What "<task> <unit>" names to ask: an assignment, or what to say (and offer) instead."""

    assignment_id: int | None
    said: str = ""
    choices: Rows = field(default_factory=list)  # the units a name fits, `ex:req:<assignment>`


def named(session: Session, lang: str, t: Callable[..., str], *, text: str, scope: Scope) -> Named:
    """Read "<task> <unit>" in the coordinator's scope. A unit's name that fits several units
    given the task is offered as one choice per unit (a button, or a typed number)."""
    assignment, problem, fitting = assignment_named(session, text=text, scope=scope)
    if problem == "unit_ambiguous" and fitting:
        task = Markup(str(fitting[0][1].task_id))
        choices = [
            [Choice(f"{unit.name} ({unit.code})", ("ex", "req", a.id or 0))] for unit, a in fitting
        ]
        return Named(
            None, t(lang, "explanations.which_unit", count=len(fitting), task=task), choices
        )
    if problem == "not_found" and (alone := task_named_first(session, text=text, scope=scope)):
        task_id, unit = alone
        return Named(None, t(lang, "explanations.unit_not_found", task=str(task_id), unit=unit))
    if assignment is None or assignment.id is None:
        listed = "\n".join(f"• {unit.name}" for unit, _ in fitting)
        return Named(None, t(lang, f"explanations.{problem or 'usage'}", units=listed))
    return Named(assignment.id)


def named_by(services: Services, actor: Actor, text: str) -> Named:
    """Return the assignment a typed `/explain <task> <unit>` names in the person's scope, or
    what to say and which units to choose from (`named` in a transaction of its own)."""
    with session_scope(services.engine) as session:
        return named(session, actor.lang, services.catalog.get, text=text, scope=actor.scope)


def request(services: Services, actor: Actor, assignment_id: int) -> str:
    """Ask an overdue unit's contacts for an explanation; return the coordinator's answer."""
    now, t, lang = services.clock.now(), services.catalog.get, actor.lang
    with session_scope(services.engine) as session:
        assignment = session.get(Assignment, assignment_id)
        task = session.get(Task, assignment.task_id) if assignment else None
        if assignment is None or task is None:
            return t(lang, "common.button_stale")
        if not in_scope(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
            return t(lang, "common.not_allowed")
        unit = unit_name(session, unit_id=assignment.unit_id)
        followed = session.get(Unit, assignment.unit_id)
        if followed is not None and not followed.active:
            # Deactivated (and so taken off its open tasks): nobody there is reminded or
            # nudged any more, nor asked this.
            return t(lang, "explanations.unit_inactive", unit=unit, task=Markup(str(task.id)))
        if not assignment.active:  # taken off the task (/unassign): others still have it
            return t(lang, "explanations.unassigned", unit=unit, task=Markup(str(task.id)))
        if task.status != TaskStatus.OPEN:
            # Nobody follows up a closed or cancelled task: its summary offers no unit to ask.
            key = "task_cancelled" if task.status == TaskStatus.CANCELLED else "task_closed"
            return t(lang, f"explanations.{key}", unit=unit, task=Markup(str(task.id)))
        if decides_on_own(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
            return t(lang, "explanations.own_unit", unit=unit, task=Markup(str(task.id)))
        status = status_of(assignment, now=now, tz=services.settings.tz)
        if status.status not in ASKABLE:
            key = "done_on_time" if status.status == Status.DONE_ON_TIME else "not_overdue"
            return t(lang, f"explanations.{key}", unit=unit, task=Markup(str(task.id)))
        waiting = waiting_explanation(session, assignment_id=assignment_id)
        if waiting is not None:
            at = waiting.requested_at.astimezone(services.settings.tz)
            return t(lang, "explanations.already", unit=unit, at=at)
        explanation = Explanation(
            assignment_id=assignment_id, requested_by_id=actor.contact_id, requested_at=now
        )
        session.add(explanation)
        session.flush()
        contacts = contacts_of_unit(session, unit_id=assignment.unit_id)
        tz = services.settings.tz
        moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
        # Asked now, whenever it is read (`requested_at`): a notice held to office time says
        # so, with the days overdue as of now, which a weekend between would make untrue.
        held = now.astimezone(tz) if moment > now else None
        tell(
            session,
            contacts,
            key=f"explain:{explanation.id}",
            text=partial(
                _request_text,
                t,
                task.id or 0,
                task.title,
                assignment.deadline,
                effective_deadline(assignment.deadline, assignment.due_at, tz),
                status.days_overdue,
                held,
            ),
            choices=partial(_answer_choice, t, explanation.id or 0),
            now=now,
            assignment_ids=[assignment_id],
            not_before=moment,
        )
        audit(
            session,
            actor_id=actor.contact_id,
            action="explanation.request",
            object_type="explanation",
            object_id=explanation.id,
            details={"assignment_id": assignment_id},
        )
        key = "explanations.requested" if contacts else "explanations.requested_nobody"
        if contacts and held is not None:  # recorded, not sent yet: asked as of now all the same
            key = "explanations.requested_held"
        task_no = Markup(str(task.id))
        asked = t(lang, key, unit=unit, task=task_no, count=len(contacts), at=held)
        if not contacts:
            return asked
        return asked + held_line(services.catalog, lang, now=now, moment=moment, tz=tz)


def _request_text(
    t: Callable[..., str],
    task_id: int,
    title: str,
    deadline: date,
    due: date,
    days: int,
    held: datetime | None,
    lang: str,
) -> str:
    """Word the request for an explanation to one of the unit's people (the deadline as the
    day in force, which its days overdue count from, and the one given if a day off; `held`:
    when it was asked, for a notice held to office time, its days overdue as of then)."""
    return t(
        lang,
        "explanations.request_notice" if held is None else "explanations.request_notice_held",
        task=Markup(str(task_id)),
        title=title,
        deadline=deadline_words(partial(t, lang), deadline, due),
        days=days,
        at=held,
    )


def _answer_choice(t: Callable[..., str], explanation_id: int, lang: str) -> Rows:
    """Return the one choice of a request: answer it."""
    return [[Choice(t(lang, "explanations.button_answer"), ("ex", "ans", explanation_id))]]
