"""Written explanations (giải trình): a coordinator asks an overdue unit, the unit answers.

Buttons: `ex:req:<assignment>` (for coordinators; the overdue list of the summaries carries
it, keep this contract) and `ex:ans:<explanation>` (for the unit's contacts, on the request).
Typed: coordinators `/explain <task> <unit>`; contacts answer by replying to the request, or
`/explain [#task] <text>`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from telegram.ext import CallbackQueryHandler

from app.actor import Actor
from app.choices import Choice, Rows
from app.notices import tell
from app.services import Services
from core.checkin import task_numbers
from core.markup import Markup, to_plain
from core.roles import Access
from core.status import Status, status_of
from db.engine import session_scope
from db.models import Assignment, Explanation, Task
from db.queries.audit import record as audit
from db.queries.checkin import (
    contacts_of_unit,
    find_assignment,
    unit_name,
    waiting_explanation,
    waiting_explanations,
)
from db.queries.scope import decides_on_own, in_scope
from handlers.telegram import explanation_answers as answers
from handlers.telegram.access import Request, button, command
from handlers.telegram.registry import CommandSpec, Flow

ASKABLE = (Status.OVERDUE, Status.DONE_LATE)


def request(services: Services, actor: Actor, assignment_id: int) -> str:
    """Ask an overdue unit's contacts for an explanation; return the coordinator's answer."""
    now, t, lang = services.clock.now(), services.catalog.get, actor.lang
    with session_scope(services.engine) as session:
        assignment = session.get(Assignment, assignment_id)
        task = session.get(Task, assignment.task_id) if assignment else None
        if assignment is None or task is None or not assignment.active:
            return t(lang, "common.button_stale")
        if not in_scope(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
            return t(lang, "common.not_allowed")
        unit = unit_name(session, unit_id=assignment.unit_id)
        if decides_on_own(session, contact_id=actor.contact_id, unit_id=assignment.unit_id):
            return t(lang, "explanations.own_unit", unit=unit, task=Markup(str(task.id)))
        status = status_of(assignment, now=now, tz=services.settings.tz)
        if status.status not in ASKABLE:
            return t(lang, "explanations.not_overdue", unit=unit, task=Markup(str(task.id)))
        waiting = waiting_explanation(session, assignment_id=assignment_id)
        if waiting is not None:
            return t(lang, "explanations.already", unit=unit, at=waiting.requested_at)
        explanation = Explanation(
            assignment_id=assignment_id, requested_by_id=actor.contact_id, requested_at=now
        )
        session.add(explanation)
        session.flush()
        contacts = contacts_of_unit(session, unit_id=assignment.unit_id)
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
                status.days_overdue,
            ),
            choices=partial(_answer_choice, t, explanation.id or 0),
            now=now,
            assignment_ids=[assignment_id],
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
        return t(lang, key, unit=unit, task=Markup(str(task.id)), count=len(contacts))


@button(Access.COORDINATOR)
async def on_request(req: Request) -> None:
    """Ask an overdue unit for an explanation with one tap (`ex:req:<assignment>`)."""
    query = req.update.callback_query
    assert query is not None
    if len(req.args) != 3 or not req.args[2].isdigit():
        await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
        return
    await query.answer(
        to_plain(request(req.services, req.actor, int(req.args[2])))[:190], show_alert=True
    )


@command(Access.MEMBER)
async def explain_command(req: Request) -> None:
    """Coordinators: /explain <task> <unit> asks; a unit's contact: /explain [#task] <text>."""
    if req.actor.access >= Access.COORDINATOR:
        with req.db() as session:
            assignment, problem = find_assignment(
                session, text=req.text_args, scope=req.actor.scope
            )
        if assignment is None or assignment.id is None:
            await req.say(f"explanations.{problem or 'usage'}")
            return
        await req.reply(request(req.services, req.actor, assignment.id))
        return
    text = req.text_args
    with req.db() as session:
        waiting = waiting_explanations(session, unit_ids=req.actor.unit_ids)
        tasks = {e.id: session.get(Assignment, e.assignment_id) for e in waiting}
    numbers = task_numbers(text)
    if numbers:
        waiting = [e for e in waiting if (a := tasks[e.id]) is not None and a.task_id in numbers]
    if not text or len(waiting) != 1 or waiting[0].id is None:
        await req.say("explanations.answer_usage" if waiting else "explanations.none_waiting")
        return
    await answers.record_answer(req, waiting[0].id, text)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="explanations",
        commands=(
            CommandSpec(
                "explain",
                Access.MEMBER,
                explain_command,
                "explanations.cmd_explain",
                aliases=("giaitrinh",),
            ),
        ),
        late=(
            CallbackQueryHandler(on_request, pattern=r"^ex:req(:|~)"),
            CallbackQueryHandler(answers.on_answer, pattern=r"^ex:ans(:|~)"),
        ),
    )


def _request_text(
    t: Callable[..., str], task_id: int, title: str, deadline: date, days: int, lang: str
) -> str:
    """Word the request for an explanation to one of the unit's people."""
    return t(
        lang,
        "explanations.request_notice",
        task=Markup(str(task_id)),
        title=title,
        deadline=deadline,
        days=days,
    )


def _answer_choice(t: Callable[..., str], explanation_id: int, lang: str) -> Rows:
    """Return the one choice of a request: answer it."""
    return [[Choice(t(lang, "explanations.button_answer"), ("ex", "ans", explanation_id))]]
