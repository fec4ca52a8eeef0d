"""/calendar: the province's own days off and extra working days (make-up Saturdays).

`/calendar` lists them; `/calendar add dd/mm/yyyy [reason]` adds a day off,
`/calendar work dd/mm/yyyy [reason]` a worked day, `/calendar remove dd/mm/yyyy` undoes
either. The rules are `app/calendar_days/`'s, as on Zalo; here the list pages by buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app.calendar_days.command import change
from app.calendar_days.listing import listed
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from scheduler.workers import in_worker


@command(Access.ADMIN)
async def calendar(req: Request) -> None:
    """List the overrides, or add or remove one."""
    if not req.args:
        await _show(req, 1, edit=False)
        return
    actor = req.actor
    await req.reply(
        await in_worker(change, req.services, actor.lang, actor.contact_id, req.text_args)
    )


@button(Access.ADMIN)
async def on_page(req: Request) -> None:
    """Show another page of the list."""
    assert req.update.callback_query is not None
    await req.update.callback_query.answer()
    await _show(req, typed_number(req.args[-1]) or 1, edit=True)


async def _show(req: Request, number: int, *, edit: bool) -> None:
    """Send (or edit into) one page of this year's and later overrides."""
    text, page = await in_worker(listed, req.services, req.actor.lang, number)
    nav: list[InlineKeyboardButton] = []
    if page is not None and page.has_prev:
        nav.append(req.button(req.t("common.prev"), "cal", "pg", page.number - 1))
    if page is not None and page.has_next:
        nav.append(req.button(req.t("common.next"), "cal", "pg", page.number + 1))
    markup = InlineKeyboardMarkup([nav]) if nav else None
    query = req.update.callback_query
    if edit and query is not None:
        await query.edit_message_text(to_html(text), reply_markup=markup)
    else:
        await req.reply(text, reply_markup=markup)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="calendar",
        commands=(CommandSpec("calendar", Access.ADMIN, calendar, "calendar.cmd_calendar"),),
        late=(CallbackQueryHandler(on_page, pattern=prefix_pattern("cal")),),
    )
