"""A unit answers a request for a written explanation of an overdue task."""

from __future__ import annotations

from sqlmodel import Session

from app.actor import Actor
from app.services import Services
from core.markup import Markup
from core.textfit import clip
from db.engine import session_in
from db.models import Assignment, Explanation, Task
from db.queries.audit import record as audit
from db.queries.checkin import contact_name, unit_name
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.recipients import recipient
from db.queries.reports import mark_answered


def answer_explanation(
    services: Services, actor: Actor, explanation_id: int, text: str, db: Session | None = None
) -> str:
    """Record a unit's explanation, tell whoever asked, and return the sender's answer.

    One transaction: `db`'s when given (the caller commits it), else its own.
    """
    now, t, lang = services.clock.now(), services.catalog.get, actor.lang
    with session_in(services.engine, db) as session:
        explanation = session.get(Explanation, explanation_id)
        assignment = session.get(Assignment, explanation.assignment_id) if explanation else None
        task = session.get(Task, assignment.task_id) if assignment else None
        if explanation is None or assignment is None or task is None:
            return t(lang, "common.button_stale")
        if assignment.unit_id not in actor.unit_ids:
            return t(lang, "checkin.refused_not_yours")
        explanation.text = text.strip()[:4096]
        explanation.answered_by_id, explanation.answered_at = actor.contact_id, now
        session.add(explanation)
        mark_answered(session, assignment_id=assignment.id or 0, now=now)
        audit(
            session,
            actor_id=actor.contact_id,
            action="explanation.answer",
            object_type="explanation",
            object_id=explanation.id,
            details={"assignment_id": assignment.id},
        )
        asker = recipient(session, contact_id=explanation.requested_by_id)
        if asker is not None:
            enqueue(
                session,
                key=f"explained:{explanation.id}:{now.timestamp():.0f}:{actor.contact_id}",
                chat_id=asker.chat_id,
                channel=asker.channel,
                contact_id=asker.contact_id,
                kind="notice",
                text=t(
                    asker.language,
                    "explanations.answer_notice",
                    unit=unit_name(session, unit_id=assignment.unit_id),
                    task=Markup(str(task.id)),
                    title=task.title,
                    text=clip(explanation.text),
                    who=contact_name(session, contact_id=actor.contact_id),
                ),
                now=now,
                priority=PRIORITY_NOTICE,
                assignment_ids=[assignment.id or 0],
            )
        return t(lang, "explanations.recorded", task=Markup(str(task.id)), title=task.title)
