"""Deadline extensions: a unit's request goes to its coordinators, who approve or reject it.

Approval moves that unit's assignment only (`deadline` and `due_at`; `original_deadline`
stays), so its reminders follow, since the planner derives them from the deadline. Buttons:
`xt:ok:<request>` and `xt:no:<request>`, signed for each coordinator; typed: /approve N,
/reject N [reason].
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session
from telegram.ext import CallbackQueryHandler

from app.choices import Choice, rows_to_json
from app.reporting import refusal
from app.services import Services
from core.deadlines import beyond_horizon, latest_deadline
from core.markup import Markup
from core.roles import Access
from core.textfit import clip
from db.models import ExtensionRequest
from db.queries.audit import record as audit
from db.queries.checkin import (
    Check,
    Target,
    check_reportable,
    contact_name,
    coordinators_of_unit,
    unit_name,
)
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.scope import decides_on_own
from handlers.telegram import extension_decisions as decisions
from handlers.telegram.access import Request, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow


def submit(req: Request, assignment_id: int, target: date, reason: str, key: str) -> str:
    """Keep an extension request and queue it to the unit's coordinators; return the answer."""
    services, now = req.services, req.services.clock.now()
    if beyond_horizon(target, services.today()):  # the bound of new deadlines, stored nothing
        return req.t(
            "extensions.too_far", deadline=target, latest=latest_deadline(services.today())
        )
    with req.db() as session:
        check, assignment = check_reportable(
            session, assignment_id=assignment_id, unit_ids=req.actor.unit_ids
        )
        if check != Check.OK or assignment is None:
            return refusal(services, req.actor.lang, check, assignment)
        if target <= assignment.deadline:
            return req.t("extensions.not_later", deadline=assignment.deadline)
        request = ExtensionRequest(
            assignment_id=assignment_id,
            contact_id=req.actor.contact_id,
            requested_deadline=target,
            reason=reason[:4096],
            created_at=now,
        )
        session.add(request)
        session.flush()
        _notify_coordinators(services, session, request, assignment)
        audit(
            session,
            actor_id=req.actor.contact_id,
            action="extension.request",
            object_type="extension_request",
            object_id=request.id,
            details={"assignment_id": assignment_id, "to": target.isoformat(), "key": key},
        )
    title = assignment.title
    return req.t(
        "extensions.submitted", task=str(assignment.task_id), title=title, deadline=target
    )


def _notify_coordinators(
    services: Services,
    session: Session,
    request: ExtensionRequest,
    assignment: Target,
) -> None:
    """Queue the request, with approve and reject buttons, to each coordinator of the unit."""
    unit = unit_name(session, unit_id=assignment.unit_id)
    who = contact_name(session, contact_id=request.contact_id)
    for coordinator in coordinators_of_unit(session, unit_id=assignment.unit_id):
        if coordinator.id is None or decides_on_own(
            session, contact_id=coordinator.id, unit_id=assignment.unit_id
        ):
            continue  # the unit's own people cannot decide its request
        lang = coordinator.language
        t = services.catalog.get
        text = t(
            lang,
            "extensions.request_notice",
            unit=unit,
            task=Markup(str(assignment.task_id)),
            title=assignment.title,
            old=assignment.deadline,
            new=request.requested_deadline,
            reason=clip(request.reason or "") or t(lang, "checkin.no_reason"),
            who=who,
            id=Markup(str(request.id)),
        )
        choices = [
            Choice(t(lang, f"extensions.button_{choice}"), ("xt", choice, request.id or 0))
            for choice in ("ok", "no")
        ]
        enqueue(
            session,
            key=f"extension:{request.id}:{coordinator.id}",
            chat_id=coordinator.chat_id or "",
            contact_id=coordinator.id,
            kind="notice",
            text=text,
            choices=rows_to_json([choices]),
            now=request.created_at,
            priority=PRIORITY_NOTICE,
            assignment_ids=[assignment.assignment_id],
        )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="extensions",
        commands=(
            CommandSpec(
                "approve",
                Access.COORDINATOR,
                decisions.approve_command,
                "extensions.cmd_approve",
                aliases=("duyet",),
                in_menu=False,
            ),
            CommandSpec(
                "reject",
                Access.COORDINATOR,
                decisions.reject_command,
                "extensions.cmd_reject",
                aliases=("tuchoi",),
                in_menu=False,
            ),
        ),
        late=(CallbackQueryHandler(decisions.on_decision, pattern=prefix_pattern("xt")),),
    )
