"""Status check-ins by button: done, in progress (with 25/50/75%), blocked, extension.

Data contracts (signed for the presser): `st:<action>:<assignment>` (keyboards.py),
`pc:<percent|skip>:<assignment>` after "in progress", `ck:<assignment>` to choose the task a
free-text reply is about. Free text and the answers to the bot's questions are in
handlers/telegram/checkin_text.py; its handler is registered here, after the buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from app.checkin import Answer
from app.checkin.choice import choose
from app.choices import STATUS_ACTIONS
from app.reporting import Recorded
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram import checkin_steps, checkin_text
from handlers.telegram.access import Request, button, prefix_pattern
from handlers.telegram.checkin_steps import origin_of
from handlers.telegram.itembuttons import readable, settle, spent
from handlers.telegram.presses import answer_press
from handlers.telegram.registry import NEW_MESSAGES, Flow
from render.telegram import buttons


def _ids(req: Request) -> tuple[str, int] | None:
    """Return the action and assignment id of a button, or None when malformed."""
    assignment_id = typed_number(req.args[2]) if len(req.args) == 3 else None
    return None if assignment_id is None else (req.args[1], assignment_id)


def _dedup(req: Request, kind: str, assignment_id: int) -> str:
    """Return the key that makes a double tap on one message's item record once."""
    msg = req.message
    query = req.update.callback_query
    if msg is None:
        return f"tg:cb:{query.id if query else req.update.update_id}"
    return f"tg:{kind}:{msg.chat.id}:{msg.message_id}:{assignment_id}"


async def _answer(req: Request, text: str, *, alert: bool = False) -> None:
    """Answer the button press (a short toast, or an alert for a refusal)."""
    await answer_press(req.update, req.context.bot, text, alert=alert)


async def _finish(
    req: Request,
    assignment_id: int,
    result: Recorded,
    extra: list[list[dict[str, Any]]] | None = None,
) -> None:
    """Acknowledge a press after the commit, and replace the item's buttons by its status."""
    await _answer(req, result.text, alert=not result.ok)
    msg = readable(req.message)
    if msg is None or (not result.ok and not result.closed):
        return
    await settle(
        req.context.bot,
        chat_id=msg.chat.id,
        message_id=msg.message_id,
        html=msg.text_html or "",
        markup=msg.reply_markup.to_dict() if msg.reply_markup else None,
        assignment_id=assignment_id,
        line=result.text if not extra else "",
        extra_rows=extra,
    )


def _dedup_of(req: Request) -> Callable[[str, int], str]:
    """Return the dedup keys of the reports a press in this message makes."""
    return lambda kind, assignment_id: _dedup(req, kind, assignment_id)


def _rows(req: Request, answer: Answer) -> list[list[dict[str, Any]]] | None:
    """Return the answer's choices as keyboard rows signed for the presser, or None."""
    choices = answer.said[0].choices if answer.said else []
    if not choices:
        return None
    markup = buttons(req.services.button_key, req.actor.external_id, choices)
    return [[b.to_dict() for b in row] for row in markup.inline_keyboard]


async def _choose(req: Request, origin: dict[str, Any] | None = None) -> Answer:
    """Apply the press (app.checkin.choice) in a worker thread, waiting out a locked
    database: rerun, it does only what it did not."""
    services, actor, args, dedup = req.services, req.actor, req.args, _dedup_of(req)
    return await req.atomic(lambda: choose(services, actor, args, dedup=dedup, origin=origin))


@button(Access.MEMBER)
async def on_status(req: Request) -> None:
    """Record done or in progress at once; ask the reason or the date for the others."""
    ids = _ids(req)
    if ids is None or ids[0] not in STATUS_ACTIONS:
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    action, assignment_id = ids
    origin = origin_of(req.message)
    answer = await _choose(req, origin)
    if action in ("done", "progress"):
        assert answer.recorded is not None
        await _finish(req, assignment_id, answer.recorded, extra=_rows(req, answer))
        return
    await _answer(req, answer.toast, alert=answer.alert)
    if not answer.alert:
        await checkin_steps.show(req, answer)


@button(Access.MEMBER)
async def on_percent(req: Request) -> None:
    """Record the percentage chosen after "in progress" (or just drop the choice)."""
    ids = _ids(req)
    if ids is None:
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    _, assignment_id = ids
    answer = await _choose(req)
    if answer.recorded is not None:
        await _finish(req, assignment_id, answer.recorded)
        return
    await _answer(req, answer.toast)
    msg = readable(req.message)
    if msg is not None:
        await settle(
            req.context.bot,
            chat_id=msg.chat.id,
            message_id=msg.message_id,
            html=msg.text_html or "",
            markup=msg.reply_markup.to_dict() if msg.reply_markup else None,
            assignment_id=assignment_id,
            line="",
        )


@button(Access.MEMBER)
async def on_pick(req: Request) -> None:
    """Apply a free-text reply kept while asking which task, or which status, it is about."""
    if not req.args or typed_number(req.args[-1]) is None:
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    answer = await _choose(req)
    await _answer(req, answer.toast, alert=answer.alert)
    if answer.alert:
        return
    await checkin_steps.show(req, answer)
    msg = req.message
    if msg is not None:  # the question is answered: its other buttons are spent
        await spent(req.context.bot, chat_id=msg.chat.id, message_id=msg.message_id)


def flow() -> Flow:
    """Return the check-in buttons and the free-text handler (after every command)."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return Flow(
        name="checkin",
        late=(
            CallbackQueryHandler(on_status, pattern=prefix_pattern("st")),
            CallbackQueryHandler(on_percent, pattern=prefix_pattern("pc")),
            CallbackQueryHandler(on_pick, pattern=prefix_pattern("ck")),
            CallbackQueryHandler(on_pick, pattern=prefix_pattern("cf")),
            MessageHandler(text & filters.UpdateType.MESSAGE, checkin_text.on_text),
            # After every flow's commands: a guided form's own /cancel is seen first.
            CommandHandler(
                "cancel", checkin_text.on_cancel, filters.ChatType.PRIVATE & NEW_MESSAGES
            ),
        ),
    )
