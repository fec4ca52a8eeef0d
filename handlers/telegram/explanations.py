"""Written explanations (giải trình): a coordinator asks an overdue unit, the unit answers.

Buttons: `ex:req:<assignment>` (for coordinators; the overdue list of the summaries carries
it, keep this contract) and `ex:ans:<explanation>` (for the unit's contacts, on the request).
Typed: coordinators `/explain <task> <unit>`; contacts answer by replying to the request, or
`/explain [#task] <text>`. A unit's name that fits several units given the task is answered
with one `ex:req` button per unit (Zalo numbers the same choices).
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from app.explanation_requests import named_by, request
from app.explanations import waiting_named
from core.markup import to_plain
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram import explanation_answers as answers
from handlers.telegram.access import Request, button, command
from handlers.telegram.presses import answer_press
from handlers.telegram.registry import CommandSpec, Flow
from render.telegram import buttons


@button(Access.COORDINATOR)
async def on_request(req: Request) -> None:
    """Ask an overdue unit for an explanation with one tap (`ex:req:<assignment>`)."""
    query = req.update.callback_query
    assert query is not None
    assignment_id = typed_number(req.args[2]) if len(req.args) == 3 else None
    if assignment_id is None:
        await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
        return
    said = await req.run(request, req.services, req.actor, assignment_id)
    await answer_press(req.update, req.context.bot, said, alert=True)


@command(Access.MEMBER)
async def explain_command(req: Request) -> None:
    """Coordinators: /explain <task> <unit> asks; a unit's contact: /explain [#task] <text>."""
    if req.actor.access >= Access.COORDINATOR:
        found = await req.atomic(named_by, req.services, req.actor, req.text_args)
        if found.assignment_id is None:
            key, who = req.services.button_key, req.actor.external_id
            markup = buttons(key, who, found.choices) if found.choices else None
            await req.reply(found.said, reply_markup=markup)
            return
        await req.reply(await req.run(request, req.services, req.actor, found.assignment_id))
        return
    text = req.text_args
    named = await req.atomic(waiting_named, req.services, req.actor, text)
    if named.explanation_id is None:  # several requests waiting: a button picks one
        key, who = req.services.button_key, req.actor.external_id
        markup = buttons(key, who, named.choices) if named.choices else None
        await req.reply(named.said, reply_markup=markup)
        return
    await answers.record_answer(req, named.explanation_id, named.words)


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
