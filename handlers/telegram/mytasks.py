"""/mytasks (/viec): the open assignments of the sender's units, nearest deadline first
(`app/my_tasks.py`, the page as data). Each item carries the status buttons
(handlers/telegram/keyboards.py); pages turn with `mt:<page>` buttons or by typing
`/mytasks 2`.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from app.my_tasks import my_tasks
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.keyboards import status_rows
from handlers.telegram.registry import CommandSpec, Flow


def render(req: Request, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons of one page of the sender's open assignments."""
    s = req.services
    shown = my_tasks(s, req.actor, page)
    if shown.said is not None:
        return shown.said, None
    keyboard = []
    for item in shown.items:
        keyboard += status_rows(
            s.button_key,
            req.actor.external_id,
            item.assignment_id,
            req.actor.lang,
            s.catalog,
            f"#{item.task_id}",
        )
    nav = []
    if shown.page > 1:
        nav.append(req.button(req.t("common.prev"), "mt", shown.page - 1))
    if shown.page < shown.pages:
        nav.append(req.button(req.t("common.next"), "mt", shown.page + 1))
    if nav:
        keyboard.append(nav)
    footer = req.t("mytasks.footer", page=shown.page, pages=shown.pages)
    return "\n\n".join([*shown.lines, footer]), InlineKeyboardMarkup(keyboard)


@command(Access.MEMBER)
async def mytasks(req: Request) -> None:
    """List the open assignments of the sender's units, with buttons to report."""
    if not req.actor.unit_ids:
        await req.say("mytasks.no_unit")
        return
    page = typed_number(req.args[0] if req.args else "") or 1
    text, markup = await req.run(render, req, page)
    await req.reply(text, reply_markup=markup)


@button(Access.MEMBER)
async def on_page(req: Request) -> None:
    """Turn the /mytasks message to another page."""
    query = req.update.callback_query
    assert query is not None
    page = typed_number(req.args[1] if len(req.args) == 2 else "") or 1
    await query.answer()
    if not req.actor.unit_ids or req.message is None:
        return
    text, markup = await req.run(render, req, page)
    try:
        await req.message.edit_text(to_html(text), reply_markup=markup)
    except BadRequest:
        await req.reply(text, reply_markup=markup)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="mytasks",
        commands=(
            CommandSpec("mytasks", Access.MEMBER, mytasks, "mytasks.cmd", aliases=("viec",)),
        ),
        late=(CallbackQueryHandler(on_page, pattern=prefix_pattern("mt")),),
    )
