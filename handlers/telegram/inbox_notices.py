"""What a person is told before any flow sees their update, without the database: to slow
down or that their message waits for the database (the inbox), that their heavy request
waits for a slot (the lanes, `lanes.PersonLanes.on_queued`). In the language they chose,
once the bot has seen them, else their Telegram app's."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from app.i18n import pick_language
from core.markup import to_html
from handlers.telegram.access import services_of
from handlers.telegram.context import TelegramContext, TelegramData
from handlers.telegram.lanes import person_of
from handlers.telegram.presses import answer_press

log = logging.getLogger(__name__)


async def slow_down(update: Update, context: TelegramContext) -> None:
    """Tell a contact who sends too much to slow down (at most once a minute)."""
    services = services_of(context)
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return
    log.info("slowing down %s: over their update budget", user.id)
    lang = language_of(update, context.bot_data)
    await _tell(update, context, services.catalog.get(lang, "common.slow_down"))


async def tell_unavailable(update: Update, context: TelegramContext) -> None:
    """Tell a person whose message waits for the database that it is kept and will be
    answered once the database is back (once a person until then; no database needed)."""
    services, user = services_of(context), update.effective_user
    told = context.bot_data.told_unavailable
    if user is None or update.effective_chat is None or person_of(update) in told:
        return
    told.add(person_of(update))
    lang = language_of(update, context.bot_data)
    await _tell(update, context, services.catalog.get(lang, "common.database_unavailable"))


async def tell_queued(bot: Bot, data: TelegramData, update: object) -> None:
    """Tell the person in the update's chat that their heavy request is queued and will be
    answered in turn: a message, for a button's press too (its flow answers the press)."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = to_html(data.services.catalog.get(language_of(update, data), "common.heavy_queued"))
    try:
        await bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError as exc:  # the request itself is still answered in turn
        log.warning("queued note to chat %s not sent: %s", update.effective_chat.id, exc)


def language_of(update: Update, data: TelegramData) -> str:
    """Return the language to tell the update's sender in: theirs once the bot has seen
    them (the flood guard keeps it), else their Telegram app's, else the default."""
    user = update.effective_user
    app_language = user.language_code if user is not None else None
    default = data.services.settings.default_language
    return data.flood.language(update) or pick_language(app_language, default)


async def _tell(update: Update, context: TelegramContext, text: str) -> None:
    """Say `text` (neutral markup): a pop-up for a button press (the press answered and the
    text sent as a message when it is longer than a pop-up holds), else a message."""
    html = to_html(text)
    if update.callback_query is not None:
        await answer_press(update, context.bot, text, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, html, parse_mode=ParseMode.HTML)
