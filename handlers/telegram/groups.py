"""Groups, supergroups and channels: the bot works in private chats only.

A person's chat is where the bot writes to them (reminders, notices, digests). Learning it
from a group would send one person's messages into that group, so no flow sees an update
from anything but a private chat (the inbox stops it). Here the bot only answers, with one
line, a command or a mention addressed to it in a group, and leaves a group it is added to.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError

from app.i18n import pick_language
from core.markup import to_html
from handlers.telegram.access import services_of
from handlers.telegram.context import TelegramContext

log = logging.getLogger(__name__)

JOINED = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR})


# Updates from a private chat that is not the person's with the bot: a chat of a business
# account the bot is connected to (a customer's, its messages the owner's), or one it was
# called into as a guest. The chat is someone else's: it never becomes where the bot writes
# to the sender, and what is said there is said to someone else, not to the bot.
NOT_OURS = (
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "guest_message",
)


def is_private(update: Update) -> bool:
    """Tell whether an update comes from the sender's private chat with the bot (the only
    place the bot works): a private chat, of one of Telegram's own kinds, whose id is the
    sender's (Telegram's private chat with a user has the user's id)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE:
        return False
    if any(getattr(update, kind, None) is not None for kind in NOT_OURS):
        return False
    return user is None or user.id == chat.id


async def on_update(update: Update, context: TelegramContext) -> None:
    """Leave a group the bot was just added to; answer one line to what addresses the bot."""
    try:
        if _bot_joined(update):
            await _leave(update, context)
        elif update.message is not None and _addressed(update.message, context.bot.username):
            await _decline(update.message, context)
    except TelegramError as error:  # the group is not worth an error message anywhere
        log.warning("could not answer or leave chat %s: %s", _chat_id(update), error)


def _bot_joined(update: Update) -> bool:
    """Tell whether the update says the bot became a member of a group or channel."""
    change = update.my_chat_member
    return (
        change is not None
        and change.chat.type != ChatType.PRIVATE
        and change.new_chat_member.status in JOINED
    )


def _addressed(message: Message, username: str) -> bool:
    """Tell whether a group message is a command for this bot or mentions it."""
    me = f"@{username}".lower()
    for entity, text in message.parse_entities().items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, at, name = text.partition("@")
            if not at or f"@{name}".lower() == me:
                return True
        if entity.type == MessageEntity.MENTION and text.lower() == me:
            return True
    return False


async def _leave(update: Update, context: TelegramContext) -> None:
    """Leave the chat the bot was added to."""
    chat_id = _chat_id(update)
    log.info("left chat %s: the bot works in private chats only", chat_id)
    await context.bot.leave_chat(chat_id)


async def _decline(message: Message, context: TelegramContext) -> None:
    """Say in the group, in the sender's language, that the bot works in private chats."""
    services = services_of(context)
    user = message.from_user
    lang = pick_language(user.language_code if user else None, services.settings.default_language)
    text = services.catalog.get(lang, "common.private_only", bot=context.bot.username)
    await context.bot.send_message(message.chat_id, to_html(text), parse_mode=ParseMode.HTML)


def _chat_id(update: Update) -> int:
    """Return the id of the chat an update comes from (0 when it has none)."""
    chat = update.effective_chat
    return chat.id if chat is not None else 0
