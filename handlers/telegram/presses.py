"""Answering a button press: a pop-up when the text fits, settled silently when the press
did its work, or told that the button is stale."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode

from core.markup import to_html, to_plain
from handlers.telegram.access import Request
from scheduler.split import split_html

log = logging.getLogger(__name__)

POPUP_LIMIT = 190  # characters of a button press's answer Telegram shows (it takes 200)


async def answer_press(update: Update, bot: Bot, text: str, *, alert: bool = False) -> None:
    """Answer a button press with text (neutral markup): a pop-up when it fits, else the
    press answered without words and the text sent whole as a message, so nothing is cut
    (an error's code, a long unit name)."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    plain = to_plain(text)
    if len(plain) <= POPUP_LIMIT or chat is None:
        await query.answer(plain[:POPUP_LIMIT], show_alert=alert)
        return
    await query.answer()
    for part in split_html(to_html(text)):
        await bot.send_message(chat.id, part, parse_mode=ParseMode.HTML)


async def settle_press(req: Request, done: bool) -> None:
    """Answer a button press: silently when it did its work, else as a stale button."""
    query = req.update.callback_query
    if query is None:
        return
    if done:
        await query.answer()
        return
    log.info("stale button %s from %s", req.args, req.actor.external_id)
    await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
