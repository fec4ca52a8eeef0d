"""A unit answers a request for a written explanation of an overdue task (`answer_typed`:
what a channel without buttons reads of `/explain [#task] <text>`)."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.services import Services
from core.checkin import task_numbers
from core.markup import Markup
from core.textfit import clip
from db.engine import session_in, session_scope
from db.models import Assignment, Explanation, Task
from db.queries.audit import record as audit
from db.queries.checkin import contact_name, unit_name
from db.queries.explanations import waiting_explanations
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.pending import set_pending
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


def answer_typed(services: Services, actor: Actor, args: str) -> str:
    """A unit's contact typed `/explain [#task] <text>`: answer the one explanation waiting
    for their units (the one of the task named, when several wait), or say how to type it."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        waiting = waiting_explanations(session, unit_ids=actor.unit_ids)
        tasks = {e.id: session.get(Assignment, e.assignment_id) for e in waiting}
    numbers = task_numbers(args)
    if numbers:
        waiting = [e for e in waiting if (a := tasks[e.id]) is not None and a.task_id in numbers]
    if not args.strip() or len(waiting) != 1 or waiting[0].id is None:
        return t("explanations.answer_usage" if waiting else "explanations.none_waiting")
    return answer_explanation(services, actor, waiting[0].id, args.strip())


def start_answer(services: Services, actor: Actor, explanation_id: int) -> str:
    """Take the person's next text as their answer to explanation request `explanation_id`
    (`ex:ans:<id>` chosen) and ask for it."""
    data = {"step": "explain", "explanation_id": explanation_id}
    now = services.clock.now()
    with services.engine.begin() as connection:
        set_pending(connection, contact_id=actor.contact_id, data=data, now=now)
    return services.catalog.get(actor.lang, "explanations.ask_answer")
