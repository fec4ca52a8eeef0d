"""Status check-ins in words: a reply to a reminder, a message to the bot, and the answers
to the bot's own questions (a blocker's reason, an extension's date, which task).

The reading is the application's (`app.checkin.text.answer_text`); here the Telegram message is
turned into its input and the answer into messages, buttons and edits.
"""

from __future__ import annotations

from functools import partial

from telegram import Message

from app import reject_reason
from app.checkin import RepliedTo
from app.checkin.pending import cancel, reason_awaited
from app.checkin.text import answer_text
from app.said import as_said, waited
from core.checkin import asks_for_help
from core.roles import Access
from handlers.telegram import checkin_steps, fallback, link
from handlers.telegram.access import Request, command
from handlers.telegram.extension_decisions import CHANNEL
from handlers.telegram.start import help_command
from scheduler.workers import in_update_worker


@command(Access.PUBLIC)
async def on_text(req: Request) -> None:
    """Read a text as the answer to the pending question, or as a status report."""
    msg = req.message
    # "trợ giúp", "menu" without the slash; "hướng dẫn" may answer "what blocks it?"
    if (
        msg is not None
        and msg.text is not None
        and asks_for_help(msg.text)
        and not await in_update_worker(reason_awaited, req.services, req.actor, msg.text)
    ):
        await help_command(req.update, req.context)
        return
    if await link.bare_code(req):  # "5VG8-TEZW" copied without its /link
        return
    if req.actor.access >= Access.COORDINATOR and msg is not None and msg.text is not None:
        # Why a request was just rejected by its button, asked of the decider (never a
        # status report of theirs: `app.reject_reason`).
        why = partial(reject_reason.answer, req.services, req.actor, msg.text, CHANNEL)
        reason = await req.atomic(why)
        if reason is not None:
            await checkin_steps.show(req, reason)
            return
    if not req.actor.unit_ids or msg is None or msg.text is None:
        await fallback.anything_else(req.update, req.context)
        return
    read = partial(
        answer_text,
        as_said(req.services, waited(msg.date)),  # a message that waited counts as sent
        req.actor,
        msg.text,
        key=checkin_steps.message_key(msg),
        replied=_replied_to(msg),
        forwarded=msg.forward_origin is not None,
    )
    # Off the loop, and a locked database waited out: rerun, it does only what it did not.
    await checkin_steps.show(req, await req.atomic(read))


@command(Access.PUBLIC)
async def on_cancel(req: Request) -> None:
    """Forget the question the bot asked (/cancel outside any guided form): one transaction,
    so a locked database is waited out and the question forgotten once."""
    await checkin_steps.show(req, await req.atomic(cancel, req.services, req.actor))


def _replied_to(msg: Message) -> RepliedTo | None:
    """Return the bot's message this one answers, if any."""
    original = msg.reply_to_message
    if original is None or original.from_user is None or not original.from_user.is_bot:
        return None
    text = original.text or original.caption or ""
    return RepliedTo(str(msg.chat.id), original.message_id, text)
