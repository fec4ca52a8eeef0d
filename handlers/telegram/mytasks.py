"""/mytasks (/viec): the open assignments of the sender's units, nearest deadline first
(`app/my_tasks.py`, the page as data). Each item carries the status buttons
(handlers/telegram/keyboards.py); pages turn with `mt:<page>` buttons or by typing
`/mytasks trang 2`; `/mytasks 2` is the person's task #2 (`app.my_tasks.shown`).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from app.my_tasks import MyTasks, my_tasks, shown
from core.markup import to_html
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.keyboards import status_rows
from handlers.telegram.registry import CommandSpec, Flow


def render(req: Request, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons of one page of the sender's open assignments."""
    return rendered(req, my_tasks(req.services, req.actor, page))


def typed(req: Request) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons of what `/mytasks <args>` asks: a page, or one task."""
    return rendered(req, shown(req.services, req.actor, " ".join(req.args)))


def rendered(req: Request, shown: MyTasks) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return a page (or one task) of the sender's open assignments as text and buttons."""
    s = req.services
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
    if shown.task is not None:
        footer = req.t("mytasks.one_footer", task=str(shown.task))
    else:
        footer = req.t("mytasks.footer", page=shown.page, pages=shown.pages)
    return "\n\n".join([*shown.lines, footer]), InlineKeyboardMarkup(keyboard)


@command(Access.MEMBER)
async def mytasks(req: Request) -> None:
    """List the open assignments of the sender's units, with buttons to report."""
    if not req.actor.unit_ids:
        await req.say("mytasks.no_unit")
        return
    text, markup = await req.run(typed, req)
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
