"""Coordinators decide extension requests: `xt:ok|no:<request>` buttons, /approve, /reject."""

from __future__ import annotations

import contextlib
from functools import partial

from telegram.error import BadRequest

from app.extensions import decide, decide_typed
from core.markup import to_html, to_plain
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command
from handlers.telegram.itembuttons import readable

CHANNEL = "telegram"


@button(Access.COORDINATOR)
async def on_decision(req: Request) -> None:
    """Approve or reject from the buttons of the request notice."""
    query = req.update.callback_query
    assert query is not None
    request_id = typed_number(req.args[2]) if len(req.args) == 3 else None
    if request_id is None or req.args[1] not in ("ok", "no"):
        await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
        return
    # A rejection asks the decider why; their next text here is the reason (app.reject_reason).
    msg, shown = req.message, readable(req.message)
    # This message is edited here at once; the request's other notices through the outbox.
    pressed = (str(msg.chat_id), str(msg.message_id)) if msg is not None else None
    decided = partial(decide, ask_on=CHANNEL, pressed=pressed)
    line = await req.run(decided, req.services, req.actor, request_id, req.args[1] == "ok", "")
    await query.answer(to_plain(line)[:190])
    if shown is not None:
        await shown.edit_text(f"{shown.text_html}\n\n{to_html(line)}", reply_markup=None)
    elif msg is not None:  # its text unknown ("None" was written over it): buttons off, said
        with contextlib.suppress(BadRequest):
            await msg.edit_reply_markup(reply_markup=None)
        await req.reply(line)


async def _typed(req: Request, approve: bool) -> None:
    """Approve or reject a request named by its number, with an optional note."""
    typed = " ".join(req.args)
    # A /reject without a note asks why, as the button does (app.reject_reason).
    decided = partial(decide_typed, channel=CHANNEL)
    await req.reply(await req.run(decided, req.services, req.actor, typed, approve))


@command(Access.COORDINATOR)
async def approve_command(req: Request) -> None:
    """/approve N: approve extension request N."""
    await _typed(req, True)


@command(Access.COORDINATOR)
async def reject_command(req: Request) -> None:
    """/reject N [reason]: reject extension request N."""
    await _typed(req, False)
