"""A unit asks for a later deadline; its coordinators decide, in chat or on the dashboard."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from app import reject_reason
from app.actor import Actor
from app.choices import Choice, Rows
from app.due_words import deadline_words
from app.extension_shown import show_decided
from app.notices import Words, held_line, office_moment, tell
from app.reporting import refusal
from app.services import Services
from app.task_notices import prepare_told, send_told
from core.deadlines import beyond_horizon, latest_deadline
from core.markup import Markup
from core.numbers import typed_number
from core.states import RequestStatus, TaskStatus
from core.taskdates import effective_deadline
from core.textfit import QUOTE_LIMIT, clip
from core.textnorm import fold
from db.engine import session_in, session_scope
from db.models import Assignment, ExtensionRequest, Task
from db.queries.audit import record as audit
from db.queries.checkin import Check, Target, check_reportable
from db.queries.extensions import claim_request
from db.queries.people_to_tell import (
    contact_name,
    contacts_of_unit,
    coordinators_of_unit,
    unit_name,
)
from db.queries.reports import mark_answered
from db.queries.scope import decides_on_own, in_scope
from db.queries.task_deadlines import move_assignment
from db.queries.task_notices import CHANGED


def request_extension(
    services: Services,
    actor: Actor,
    assignment_id: int,
    target: date,
    reason: str,
    key: str,
    db: Session | None = None,
) -> str:
    """Keep an extension request and queue it to the unit's coordinators; return the answer.

    One transaction: `db`'s when given (the caller commits it), else its own.
    """
    return request_kept(services, actor, assignment_id, target, reason, key, db)[0]


def request_kept(
    services: Services,
    actor: Actor,
    assignment_id: int,
    target: date,
    reason: str,
    key: str,
    db: Session | None = None,
) -> tuple[str, int | None]:
    """Keep an extension request as `request_extension` does; return the answer and the
    request kept (None: refused, nothing kept)."""
    now = services.clock.now()
    t = partial(services.catalog.get, actor.lang)
    if beyond_horizon(target, services.today()):  # the bound of new deadlines, stored nothing
        latest = latest_deadline(services.today())
        return t("extensions.too_far", deadline=target, latest=latest), None
    with session_in(services.engine, db) as session:
        check, assignment = check_reportable(
            session, assignment_id=assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or assignment is None:
            return refusal(services, actor.lang, check, assignment), None
        if target <= assignment.deadline:
            return t("extensions.not_later", deadline=assignment.deadline), None
        assignment_id = assignment.assignment_id  # a row a merge took off: its kept one
        request = ExtensionRequest(
            assignment_id=assignment_id,
            contact_id=actor.contact_id,
            requested_deadline=target,
            reason=reason[:4096],
            created_at=now,
        )
        session.add(request)
        session.flush()
        mark_answered(session, assignment_id=assignment_id, now=now)
        _notify_coordinators(services, session, request, assignment)
        audit(
            session,
            actor_id=actor.contact_id,
            action="extension.request",
            object_type="extension_request",
            object_id=request.id,
            details={"assignment_id": assignment_id, "to": target.isoformat(), "key": key},
        )
    title = assignment.title
    line = t("extensions.submitted", task=str(assignment.task_id), title=title, deadline=target)
    return line, request.id


def add_reason(
    services: Services, actor: Actor, request_id: int, reason: str, db: Session | None = None
) -> str | None:
    """Give the reason of a request the person sent without one (the words they sent next);
    a request still waiting goes again to its coordinators, now with its reason. Return the
    answer; None when the request is not theirs to complete (gone, or its reason given).

    A request decided meanwhile keeps no reason no one would read: the person is told how it
    was decided (and, when refused, how to ask again with the reason); so is one whose task
    closed, which no coordinator decides any more.

    One transaction: `db`'s when given (the caller commits it), else its own.
    """
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        request = session.get(ExtensionRequest, request_id)
        if request is None or request.contact_id != actor.contact_id or request.reason:
            return None
        if request.status != RequestStatus.PENDING:
            row = session.get(Assignment, request.assignment_id)
            return t(
                f"extensions.reason_after_{request.status}",
                task=Markup(str(row.task_id if row is not None else "?")),
                who=contact_name(session, contact_id=request.decided_by_id),
                deadline=request.requested_deadline,
                reason=clip(reason),
            )
        check, assignment = check_reportable(
            session, assignment_id=request.assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or assignment is None:
            return refusal(services, actor.lang, check, assignment)
        request.reason = reason[:4096]
        session.add(request)
        session.flush()
        _notify_coordinators(services, session, request, assignment, reasoned=True)
        audit(
            session,
            actor_id=actor.contact_id,
            action="extension.reason",
            object_type="extension_request",
            object_id=request.id,
            details={"assignment_id": request.assignment_id},
        )
    return t("extensions.reason_added", task=str(assignment.task_id), reason=clip(reason))


def _notify_coordinators(
    services: Services,
    session: Session,
    request: ExtensionRequest,
    assignment: Target,
    *,
    reasoned: bool = False,
) -> None:
    """Queue the request, with approve and reject buttons, to each coordinator of the unit
    (`reasoned`: again, with the reason the person sent after it)."""
    unit = unit_name(session, unit_id=assignment.unit_id)
    who = contact_name(session, contact_id=request.contact_id)
    t = services.catalog.get
    deciders = [
        coordinator
        for coordinator in coordinators_of_unit(session, unit_id=assignment.unit_id)
        # the unit's own people cannot decide its request
        if not decides_on_own(
            session, contact_id=coordinator.contact_id, unit_id=assignment.unit_id
        )
    ]

    def text(lang: str) -> str:
        return t(
            lang,
            "extensions.reason_notice" if reasoned else "extensions.request_notice",
            unit=unit,
            task=Markup(str(assignment.task_id)),
            title=assignment.title,
            old=assignment.deadline,
            new=request.requested_deadline,
            reason=clip(request.reason or "") or t(lang, "checkin.no_reason"),
            who=who,
            id=Markup(str(request.id)),
        )

    def choices(lang: str) -> Rows:
        return [
            [
                Choice(t(lang, f"extensions.button_{choice}"), ("xt", choice, request.id or 0))
                for choice in ("ok", "no")
            ]
        ]

    tell(
        session,
        deciders,
        key=f"extension{'-reason' if reasoned else ''}:{request.id}",
        text=text,
        choices=choices,
        now=request.created_at,
        assignment_ids=[assignment.assignment_id],
    )


# What follows a typed "/approve 1" when it is only more request numbers: "2 3", "#2, #3",
# "2 và 3". Read as a note, it was sent to the unit and the other requests left pending.
_MORE_NUMBERS = re.compile(r"(?:[\s,;&+]|\b(?:va|and)\b)*(?:#?\d+(?:[\s,;&+.]|\b(?:va|and)\b)*)+")


def decide_typed(
    services: Services, actor: Actor, args: str, approve: bool, *, channel: str
) -> str:
    """Decide the request a typed /approve or /reject names ("N [note]"), or say how to type
    it: the usage, or, for several numbers, one command a request (none decided). A /reject
    without a note asks why on `channel`, as the button does (`app.reject_reason`)."""
    t = partial(services.catalog.get, actor.lang)
    word, _, note = args.strip().partition(" ")
    request_id = typed_number(word.lstrip("#").rstrip(",;"))
    if request_id is None:
        return t("extensions.usage")
    if note.strip() and _MORE_NUMBERS.fullmatch(fold(note.strip())):
        command = "approve" if approve else "reject"
        named = [request_id, *(int(n) for n in re.findall(r"\d+", note))]
        commands = ", ".join(f"/{command} {n}" for n in dict.fromkeys(named))
        return t("extensions.one_at_a_time", commands=commands)
    return decide(services, actor, request_id, approve, note, ask_on=channel)


def decide(
    services: Services,
    actor: Actor,
    request_id: int,
    approve: bool,
    note: str,
    *,
    not_allowed: str = "common.not_allowed",
    ask_on: str | None = None,
    pressed: tuple[str, str] | None = None,
) -> str:
    """Approve or reject a pending request, tell the unit, show it decided on its deciders'
    Telegram notices, and return the coordinator's answer (`not_allowed`: the key of the
    refusal outside their scope, a page's own words on one; `ask_on`: the channel of a
    button, number or command that rejected it without a note, on which the decider is asked
    why, `app.reject_reason`; `pressed`: the chat and message of the notice whose button
    decided it, which its handler edits itself, `app.extension_shown`)."""
    t = services.catalog.get
    note = note.strip()
    if len(note) > QUOTE_LIMIT:  # refused whole, never cut: the unit reads every word of it
        return t(actor.lang, "extensions.note_too_long", length=len(note), limit=QUOTE_LIMIT)
    with session_scope(services.engine) as session:
        found = _rows(session, request_id)
        if found is None:
            return t(actor.lang, "extensions.unknown", id=str(request_id))
        request = found[0]
        refused = _refusal(services, session, actor, found, approve, not_allowed)
        if refused is not None:
            return refused
        if not _claim(services, session, actor, request, approve, note):
            # Another coordinator decided it between the read above and now (two taps at
            # once): their decision stands, and this one changes nothing.
            session.refresh(request)
            return _already(services, session, actor, request)
        _record(services, session, actor, found, approve, note)
        show_decided(session, services, request, pressed=pressed)
        words = _unit_words(services, found, note)
        moment = _tell_unit(services, session, found, words, approve)
        decided = _decided_line(services, session, actor, found, moment)
        if approve or ask_on is None or note:
            return decided
        return f"{decided}\n{reject_reason.ask(session, services, actor, request_id, ask_on)}"


_Rows = tuple[ExtensionRequest, Assignment, Task]  # a request, its assignment and its task


def _rows(session: Session, request_id: int) -> _Rows | None:
    """Return the request with its assignment and task (None: any of them gone)."""
    request = session.get(ExtensionRequest, request_id)
    assignment = session.get(Assignment, request.assignment_id) if request else None
    task = session.get(Task, assignment.task_id) if assignment else None
    if request is None or assignment is None or task is None:
        return None
    return request, assignment, task


def _refusal(
    services: Services,
    session: Session,
    actor: Actor,
    found: _Rows,
    approve: bool,
    not_allowed: str,
) -> str | None:
    """Return why the actor may not decide the request now (None: they may)."""
    request, assignment, task = found
    t = partial(services.catalog.get, actor.lang)
    if not in_scope(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
        return t(not_allowed)
    own = decides_on_own(session, contact_id=actor.contact_id, unit_id=assignment.unit_id)
    if own or request.contact_id == actor.contact_id:
        unit = unit_name(session, unit_id=assignment.unit_id)
        return t("extensions.own_unit", unit=unit, id=str(request.id))
    if request.status != RequestStatus.PENDING:
        return _already(services, session, actor, request)
    if task.status != TaskStatus.OPEN:  # a closed or cancelled task has no deadline to move
        return t(f"extensions.task_{task.status}", task=Markup(str(task.id)), title=task.title)
    if not assignment.active:  # /unassign (or the unit deactivated): told not to report
        unit = unit_name(session, unit_id=assignment.unit_id)
        return t("extensions.unit_taken_off", unit=unit, task=Markup(str(task.id)))
    if not approve:
        return None
    if refused := _too_far(services, actor, request):
        return refused
    asked = request.requested_deadline
    if asked is not None and asked <= assignment.deadline:
        # A later deadline came meanwhile (another request, /deadline): approving this
        # one would shorten the unit's time. Nothing changes; it may still be rejected.
        unit = unit_name(session, unit_id=assignment.unit_id)
        return t(
            "extensions.not_later_now",
            id=str(request.id),
            unit=unit,
            asked=asked,
            deadline=assignment.deadline,
        )
    return None


def _already(services: Services, session: Session, actor: Actor, request: ExtensionRequest) -> str:
    """Say who decided the request already, and how."""
    who = contact_name(session, contact_id=request.decided_by_id)
    return services.catalog.get(actor.lang, f"extensions.already_{request.status}", who=who)


def _claim(
    services: Services,
    session: Session,
    actor: Actor,
    request: ExtensionRequest,
    approve: bool,
    note: str,
) -> bool:
    """Take the pending request as decided by the actor; tell whether this decision took it."""
    status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    return claim_request(
        session,
        request_id=request.id or 0,
        status=status,
        decider=actor.contact_id,
        now=services.clock.now(),
        note=note,
    )


def _record(
    services: Services, session: Session, actor: Actor, found: _Rows, approve: bool, note: str
) -> None:
    """Move the unit's deadline when approved, and audit the decision."""
    request, assignment, _ = found
    if approve and request.requested_deadline is not None:
        # Audited as the unit's deadline moved: the sweep plans it again today, as after
        # `/deadline`, and a day off removed later does not move it back past it.
        why = {"reason": "extension", "request": str(request.id)}
        move_assignment(
            session, assignment, to=request.requested_deadline, tz=services.settings.tz,
            actor_id=actor.contact_id, why=why,
        )  # fmt: skip
    session.refresh(request)
    audit(
        session,
        actor_id=actor.contact_id,
        action=f"extension.{request.status}",
        object_type="extension_request",
        object_id=request.id,
        details={"assignment_id": assignment.id, "note": note},
    )


def _new_deadline(services: Services, found: _Rows, lang: str) -> Markup | date | None:
    """Return the deadline asked for as every reader is told a deadline: when approved and
    it fell on a day off (one declared since it was asked), the day in force first
    (`app.due_words`)."""
    request, assignment, _ = found
    asked = request.requested_deadline
    if asked is None or request.status != RequestStatus.APPROVED:
        return asked
    due = effective_deadline(assignment.deadline, assignment.due_at, services.settings.tz)
    return deadline_words(partial(services.catalog.get, lang), asked, due)


def _unit_words(services: Services, found: _Rows, note: str) -> Words:
    """Return the decision as the unit's contacts are told it, in their language."""
    request, assignment, task = found
    t = services.catalog.get

    def words(lang: str) -> str:
        return t(
            lang,
            f"extensions.{request.status}_notice",
            task=Markup(str(task.id)),
            title=task.title,
            deadline=_new_deadline(services, found, lang),
            original=assignment.original_deadline,
            note=Markup(t(lang, f"extensions.{request.status}_note", note=note) if note else ""),
        )

    return words


def _tell_unit(
    services: Services, session: Session, found: _Rows, words: Words, approve: bool
) -> datetime:
    """Queue the decision to the unit's contacts (an approval as their deadline moved, when
    anyone is to be told so); return the office moment it goes at."""
    request, assignment, _ = found
    now = services.clock.now()
    tz = services.settings.tz
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    if not (approve and _told_moved(services, session, request, assignment, words)):
        tell(
            session,
            contacts_of_unit(session, unit_id=assignment.unit_id),
            key=f"extension-decided:{request.id}",
            text=words,
            now=now,
            assignment_ids=[assignment.id or 0],
            not_before=moment,
        )
    return moment


def _decided_line(
    services: Services, session: Session, actor: Actor, found: _Rows, moment: datetime
) -> str:
    """Return the decider's answer: the decision, and when the unit is told when held."""
    request, assignment, task = found
    t = services.catalog.get
    decided = t(
        actor.lang,
        f"extensions.{request.status}",
        unit=unit_name(session, unit_id=assignment.unit_id),
        task=Markup(str(task.id)),
        deadline=_new_deadline(services, found, actor.lang),
    )
    now, tz = services.clock.now(), services.settings.tz
    return decided + held_line(services.catalog, actor.lang, now=now, moment=moment, tz=tz)


def _told_moved(
    services: Services,
    session: Session,
    request: ExtensionRequest,
    assignment: Assignment,
    words: Words,
) -> bool:
    """Queue the approval to the unit's contacts as the notice of its deadline moved
    (`app.task_notices`): it gives the new deadline (so the sweep's re-plan of the day says
    it no second time) and, when that is the day it goes, says so with the status choices,
    standing in for the day's "due today". Return False when nobody is to be told so (the
    unit done meanwhile): the plain decision goes then."""
    prepared = prepare_told(
        session,
        services,
        task_id=assignment.task_id,
        key=f"{CHANGED}:ext{request.id}",
        words=words,
        deadline=request.requested_deadline,
        assignment_ids=[assignment.id or 0],
    )
    return send_told(session, services, prepared) is not None


def _too_far(services: Services, actor: Actor, request: ExtensionRequest) -> str | None:
    """Refuse a request past the horizon of new deadlines (kept before the bound held)."""
    asked, today = request.requested_deadline, services.today()
    if asked is None or not beyond_horizon(asked, today):
        return None
    return services.catalog.get(
        actor.lang,
        "extensions.too_far_to_approve",
        deadline=asked,
        latest=latest_deadline(today),
        id=Markup(str(request.id)),
    )
