"""Show a summary report in chat: one message when it fits, else pages with buttons.

A report longer than a few pages is also sent whole as a text file, so nothing is ever cut.
Page buttons carry the report's own parts (`nav`) and the page number; the flow that owns
the prefix rebuilds the report from fresh data and calls `show_report` with `edit=True`.

Cutting the pages and writing the file are in the update pool: a directive's summary over
every commune of a country is megabytes of text, a tenth of a second of Python on the loop.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from app.summary_text import Entry, Report
from core.markup import Markup, to_html, to_plain
from handlers.telegram.access import Request

FILE_AFTER_PAGES = 5


async def show_report(
    req: Request, report: Report, *, nav: Sequence[object], page: int = 1, edit: bool = False
) -> None:
    """Send (or edit to) one page of a report, with explanation and page buttons."""
    pages = await req.run(report.pages)
    page = min(max(page, 1), len(pages))
    text = report.text(pages[page - 1])
    if len(pages) > 1:
        text += "\n\n" + req.t("common.page", page=page, pages=len(pages))
    markup = _markup(req, pages[page - 1], nav, page, len(pages))
    query = req.update.callback_query
    if edit and query is not None:
        await query.answer()
        try:
            await query.edit_message_text(
                to_html(text), parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except BadRequest as exc:  # the same page pressed twice: nothing to change
            if "not modified" not in str(exc).lower():
                raise
        return
    await req.reply(text, reply_markup=markup)
    if len(pages) > FILE_AFTER_PAGES:
        await send_text_file(req, await req.run(report.full_text), req.t("summary.file_name"))
        await req.say("summary.sent_as_file", pages=len(pages))


def _markup(
    req: Request, entries: Sequence[Entry], nav: Sequence[object], page: int, pages: int
) -> InlineKeyboardMarkup | None:
    """Return one explanation button per overdue unit on the page, then the page buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    for entry in entries:
        if entry.explain is not None:
            aid, unit = entry.explain
            label = req.t("summary.ask_explanation", unit=Markup(unit))
            rows.append([req.button(label, "ex", "req", aid)])
    moves = []
    if page > 1:
        moves.append(req.button(req.t("common.prev"), *nav, page - 1))
    if page < pages:
        moves.append(req.button(req.t("common.next"), *nav, page + 1))
    if moves:
        rows.append(moves)
    return InlineKeyboardMarkup(rows) if rows else None


async def send_text_file(req: Request, text: str, stem: str) -> None:
    """Send text (its markup removed) as a UTF-8 .txt document."""
    chat = req.update.effective_chat
    if chat is None:
        return
    document = await req.run(_utf8_plain, text)
    await req.context.bot.send_document(chat.id, document=document, filename=f"{stem}.txt")


def _utf8_plain(text: str) -> bytes:
    """Return the text without its markup, in UTF-8."""
    return to_plain(text).encode("utf-8")
