"""What a person is told when their heavy update waits for a slot (`lanes.PersonLanes`).

Said before the inbox has seen the update, so without the database: in the language their
Telegram app uses, as the inbox's own notices are (`inbox_notices`).
"""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from app.i18n import pick_language
from core.markup import to_html
from handlers.telegram.context import TelegramData

log = logging.getLogger(__name__)


async def tell_queued(bot: Bot, data: TelegramData, update: object) -> None:
    """Tell the person in the update's chat that their heavy request is queued and will be
    answered in turn (a message, a button's press too: the flow answers the press later)."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    services, user = data.services, update.effective_user
    language = user.language_code if user is not None else None
    lang = pick_language(language, services.settings.default_language)
    text = to_html(services.catalog.get(lang, "common.heavy_queued"))
    try:
        await bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError as exc:  # the request itself is still answered in turn
        log.warning("queued note to chat %s not sent: %s", update.effective_chat.id, exc)
