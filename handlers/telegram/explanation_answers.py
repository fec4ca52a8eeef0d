"""A unit answers an explanation request: by button (`ex:ans:<explanation>`), reply or text."""

from __future__ import annotations

from app.explanations import answer_explanation, start_answer
from core.markup import to_plain
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button


async def record_answer(req: Request, explanation_id: int, text: str) -> None:
    """Record the text as the answer to an explanation request, and confirm it."""
    said = await req.run(answer_explanation, req.services, req.actor, explanation_id, text)
    await req.reply(said)


@button(Access.MEMBER)
async def on_answer(req: Request) -> None:
    """Start answering an explanation request: the next text is the answer."""
    query = req.update.callback_query
    assert query is not None
    explanation_id = typed_number(req.args[2]) if len(req.args) == 3 else None
    if explanation_id is None:
        await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
        return
    said = await req.atomic(start_answer, req.services, req.actor, explanation_id)
    await query.answer()
    await req.reply(said)
