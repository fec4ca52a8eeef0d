"""The error handler, registered last: log the traceback, tell the user something useful."""

from __future__ import annotations

import logging
import secrets
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Conflict, Forbidden, NetworkError, RetryAfter, TelegramError

from app.i18n import pick_language
from app.people import unreachable
from core.markup import to_html
from handlers.telegram.access import services_of
from handlers.telegram.admission import StoringBot
from handlers.telegram.context import TelegramContext
from handlers.telegram.presses import answer_press
from handlers.telegram.senders import CHANNEL
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)


async def on_error(update: object, context: TelegramContext) -> None:
    """Log the error with a short reference the user can quote to an administrator."""
    if isinstance(context.error, Conflict):
        await _stop_on_conflict(context)
        return
    if isinstance(context.error, Forbidden):
        await _unreachable(update, context)
        return
    bot, error = context.bot, context.error
    polling = update is None and context.job is None  # polling's getUpdates, tried again
    if polling and isinstance(bot, StoringBot) and isinstance(error, NetworkError):
        bot.polling_failed(error)
        return
    ref = secrets.token_hex(3)
    log.error("error %s while handling an update", ref, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    services = services_of(context)
    user = update.effective_user
    lang = pick_language(user.language_code if user else None, services.settings.default_language)
    # A call to Telegram that failed on the way (a connection dropped, a timeout) may have
    # reached it, after the work was recorded: not sent again, and the person not told that
    # nothing was recorded, which invited a second report.
    if isinstance(context.error, NetworkError):
        text = services.catalog.get(lang, "common.answer_interrupted")
    elif isinstance(context.error, RetryAfter):
        # Telegram's 429 on an answer, too long to wait out (the limiter waits a short one):
        # what came before the answer, a report, is recorded.
        text = services.catalog.get(lang, "common.answer_held")
    else:
        text = services.catalog.get(lang, "common.internal_error", ref=ref)
    try:
        if update.callback_query is not None:
            await answer_press(update, context.bot, text, alert=True)
        else:
            await context.bot.send_message(
                update.effective_chat.id, to_html(text), parse_mode=ParseMode.HTML
            )
    except TelegramError:
        log.warning("could not tell the user about error %s", ref)


async def _unreachable(update: object, context: TelegramContext) -> None:
    """Mark a private chat that refused an answer (the person blocked the bot since writing)
    unreachable, as a refused reminder is and a Zalo answer: the coordinators see who cannot
    be reached. Nothing can reach them to say more."""
    chat = update.effective_chat if isinstance(update, Update) else None
    log.info("an answer was refused: %s", context.error)
    if chat is None or chat.type != ChatType.PRIVATE:
        return  # a group the bot was removed from: nobody to mark
    refused = partial(unreachable, services_of(context), CHANNEL, str(chat.id))
    try:
        await in_update_worker(refused)
    except SQLAlchemyError as exc:  # the database away: the next reminder refused marks it
        log.warning("chat %s not marked unreachable: %s", chat.id, type(exc).__name__)


async def _stop_on_conflict(context: TelegramContext) -> None:
    """Stop the bot: another process polls this token, and two pollers lose updates."""
    services = services_of(context)
    lang = services.settings.default_language
    log.critical(services.catalog.get(lang, "cli.conflict"))
    context.bot_data.exit_code = 1
    context.application.stop_running()
