"""Last resort answers: unknown commands, and strangers writing to the bot."""

from __future__ import annotations

from functools import partial

from telegram import ReplyParameters
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from app.checkin import unhandled_key
from app.checkin.reaction import reacted
from app.people import unreachable
from core.invites import pasted_code
from core.markup import Markup, to_plain
from core.roles import Access
from handlers.telegram import invites_redeem, link
from handlers.telegram.access import Request, button, command
from handlers.telegram.registry import Flow
from handlers.telegram.senders import CHANNEL, blocked_us

MAX_TEXT = 4000
# What Telegram itself posts in the chat as the person acts on it (a reminder pinned, the
# auto-delete timer or the wallpaper set): no word of theirs, so no usage hint, which
# answered a pin with "when you get a reminder, choose a status...".
SERVICE = filters.StatusUpdate.ALL


@command(Access.PUBLIC)
async def unknown_command(req: Request) -> None:
    """Tell the sender the command does not exist and where the list is."""
    text = req.message.text if req.message is not None and req.message.text else ""
    word = text.split(maxsplit=1)[0][:64] if text else "/"
    await req.say("common.unknown_command", command=word)


@command(Access.PUBLIC)
async def anything_else(req: Request) -> None:
    """Answer a private message that no flow took: strangers learn how to join."""
    if await link.bare_code(req):  # someone on another channel: "5VG8-TEZW" without /link
        return
    if req.actor.access == Access.PUBLIC:
        code = pasted_code(req.message.text or "") if req.message is not None else None
        if code is not None:
            await invites_redeem.redeem(req, code)
            return
        await req.say("common.not_registered")
        return
    text = req.message.text if req.message is not None and req.message.text else ""
    if len(text) > MAX_TEXT:
        await req.say("common.too_long", length=len(text), limit=MAX_TEXT)
        return
    await req.reply(Markup(req.t(unhandled_key(req.actor.unit_ids))))


@command(Access.PUBLIC)
async def edited(req: Request) -> None:
    """Tell a registered sender that an edit is not read again: a correction is a new message.

    Recording the edit would need knowing what the first text did; silence let a corrected
    report ("xong" edited into "đang làm 50%") stand as the sender believed it changed.
    """
    if req.actor.access == Access.PUBLIC or req.message is None:
        return
    quoted = ReplyParameters(req.message.message_id, allow_sending_without_reply=True)
    await req.reply(req.t("common.edit_not_read"), reply_parameters=quoted)


@command(Access.PUBLIC)
async def reaction(req: Request) -> None:
    """Tell a unit's official who put a reaction (👍) on a reminder that it is no report.

    Only a reaction added where there was none: one changed or taken off says nothing new.
    """
    change = req.update.message_reaction
    if change is None or not change.new_reaction or change.old_reaction:
        return
    said = await req.run(
        partial(reacted, chat_id=str(change.chat.id), message_id=change.message_id),
        req.services,
        req.actor,
    )
    if said is None:
        return
    quoted = ReplyParameters(change.message_id, allow_sending_without_reply=True)
    await req.reply(Markup(said.text), reply_parameters=quoted)


@command(Access.PUBLIC)
async def blocked(req: Request) -> None:
    """Mark the chat of a person who blocked the bot unreachable as Telegram tells it, as a
    refused reminder would later: the coordinators see it now, and their messages go to
    another channel of theirs. Unblocking it (or writing again) makes it reachable again."""
    chat = req.update.effective_chat
    if chat is not None and blocked_us(req.update):
        await req.run(unreachable, req.services, CHANNEL, str(chat.id))


@button(Access.PUBLIC)
async def unhandled_button(req: Request) -> None:
    """Answer a genuine button that no flow handles any more (an old message)."""
    assert req.update.callback_query is not None
    await req.update.callback_query.answer(to_plain(req.t("common.button_stale")), show_alert=True)


def flow() -> Flow:
    """Return the fallbacks; registered after every other flow."""
    private = filters.ChatType.PRIVATE
    return Flow(
        name="fallback",
        late=(
            MessageHandler(
                private & filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command
            ),
            MessageHandler(
                private & ~filters.COMMAND & ~SERVICE & filters.UpdateType.MESSAGE, anything_else
            ),
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, edited),
            CallbackQueryHandler(unhandled_button),
            ChatMemberHandler(blocked, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageReactionHandler(
                reaction, message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED
            ),
        ),
    )
