"""What the inbox tells a person before any flow sees their update: to slow down, or that
their message waits for the database. Neither needs the database."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from app.i18n import pick_language
from core.markup import to_html
from handlers.telegram.access import services_of
from handlers.telegram.context import TelegramContext
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
    lang = context.bot_data.flood.language(update) or pick_language(
        user.language_code, services.settings.default_language
    )
    await _tell(update, context, services.catalog.get(lang, "common.slow_down"))


async def tell_unavailable(update: Update, context: TelegramContext) -> None:
    """Tell a person whose message waits for the database that it is kept and will be
    answered once the database is back (once a person until then; no database needed)."""
    services, user = services_of(context), update.effective_user
    told = context.bot_data.told_unavailable
    if user is None or update.effective_chat is None or person_of(update) in told:
        return
    told.add(person_of(update))
    lang = pick_language(user.language_code, services.settings.default_language)
    await _tell(update, context, services.catalog.get(lang, "common.database_unavailable"))


async def _tell(update: Update, context: TelegramContext, text: str) -> None:
    """Say `text` (neutral markup): a pop-up for a button press (the press answered and the
    text sent as a message when it is longer than a pop-up holds), else a message."""
    html = to_html(text)
    if update.callback_query is not None:
        await answer_press(update, context.bot, text, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, html, parse_mode=ParseMode.HTML)
