"""Deciding an extension request: approve or reject it, tell the unit, say what was done.

Shared by every channel: Telegram's buttons and /approve, /reject; Zalo's typed numbers.
"""

from __future__ import annotations

from functools import partial

from app.actor import Actor
from app.notices import tell
from app.services import Services
from core.deadlines import beyond_horizon, latest_deadline
from core.markup import Markup
from core.taskdates import due_at
from db.engine import session_scope
from db.models import Assignment, ExtensionRequest, Task
from db.queries.audit import record as audit
from db.queries.checkin import contact_name, contacts_of_unit, unit_name
from db.queries.scope import decides_on_own, in_scope


def decide(services: Services, actor: Actor, request_id: int, approve: bool, note: str) -> str:
    """Approve or reject a pending request, tell the unit, and return the coordinator's answer."""
    now = services.clock.now()
    t = services.catalog.get
    with session_scope(services.engine) as session:
        request = session.get(ExtensionRequest, request_id)
        assignment = session.get(Assignment, request.assignment_id) if request else None
        task = session.get(Task, assignment.task_id) if assignment else None
        if request is None or assignment is None or task is None:
            return t(actor.lang, "extensions.unknown", id=str(request_id))
        if not in_scope(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
            return t(actor.lang, "common.not_allowed")
        own = decides_on_own(session, contact_id=actor.contact_id, unit_id=assignment.unit_id)
        if own or request.contact_id == actor.contact_id:
            unit = unit_name(session, unit_id=assignment.unit_id)
            return t(actor.lang, "extensions.own_unit", unit=unit, id=str(request_id))
        if request.status != "pending":
            who = contact_name(session, contact_id=request.decided_by_id)
            return t(actor.lang, f"extensions.already_{request.status}", who=who)
        if approve and (refused := _too_far(services, actor, request)):
            return refused
        if approve and request.requested_deadline is not None:
            assignment.deadline = request.requested_deadline
            assignment.due_at = due_at(request.requested_deadline, services.settings.tz)
            session.add(assignment)
        request.status = "approved" if approve else "rejected"
        request.decided_by_id, request.decided_at = actor.contact_id, now
        session.add(request)
        audit(
            session,
            actor_id=actor.contact_id,
            action=f"extension.{request.status}",
            object_type="extension_request",
            object_id=request.id,
            details={"assignment_id": assignment.id, "note": note},
        )
        unit = unit_name(session, unit_id=assignment.unit_id)
        words = partial(
            t,
            key=f"extensions.{request.status}_notice",
            task=Markup(str(task.id)),
            title=task.title,
            deadline=request.requested_deadline,
            original=assignment.original_deadline,
            note=note,
        )
        tell(
            session,
            contacts_of_unit(session, unit_id=assignment.unit_id),
            key=f"extension-decided:{request.id}",
            text=words,
            now=now,
            assignment_ids=[assignment.id or 0],
        )
        return t(
            actor.lang,
            f"extensions.{request.status}",
            unit=unit,
            task=Markup(str(task.id)),
            deadline=request.requested_deadline,
        )


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
