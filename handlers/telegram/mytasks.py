"""/mytasks (/viec): the open assignments of the sender's units, nearest deadline first.

Each item carries the status buttons (handlers/telegram/keyboards.py); pages turn with `mt:<page>`
buttons or by typing `/mytasks 2`.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from app.reporting import status_text, unit_inactive
from core.markup import Markup, to_html
from core.numbers import typed_number
from core.roles import Access
from db.queries.checkin import open_page, unit_name
from db.queries.explanations import latest_explanation
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.keyboards import status_rows
from handlers.telegram.registry import CommandSpec, Flow

PAGE_SIZE = 5


def render(req: Request, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons of one page of the sender's open assignments."""
    units = req.actor.unit_ids
    s = req.services
    with req.db() as session:
        page = max(1, page)
        offset = (page - 1) * PAGE_SIZE
        rows, total = open_page(session, unit_ids=units, offset=offset, limit=PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:  # a page typed too far, or the list shrank: show the last one
            page = pages
            offset = (page - 1) * PAGE_SIZE
            rows, total = open_page(session, unit_ids=units, offset=offset, limit=PAGE_SIZE)
        if total == 0:  # every unit deactivated: that is why
            said = unit_inactive(s, req.actor.lang, units, every=True)
            return said or req.t("mytasks.empty"), None
        lines = [req.t("mytasks.header", count=total)]
        keyboard = []
        for assignment, task in rows:
            assert assignment.id is not None
            unit = unit_name(session, unit_id=assignment.unit_id) if len(units) > 1 else ""
            lines.append(
                req.t(
                    "mytasks.item",
                    task=Markup(str(task.id)),
                    title=task.title,
                    deadline=assignment.deadline,
                    status=Markup(status_text(s, req.actor.lang, assignment)),
                    unit=f" · {unit}" if unit else "",
                )
            )
            explanation = latest_explanation(session, assignment_id=assignment.id)
            if explanation is not None:
                key = "mytasks.explained" if explanation.text else "mytasks.explain_waiting"
                lines.append(req.t(key, text=explanation.text or ""))
            keyboard += status_rows(
                s.button_key,
                req.actor.external_id,
                assignment.id,
                req.actor.lang,
                s.catalog,
                f"#{task.id}",
            )
    nav = []
    if page > 1:
        nav.append(req.button(req.t("common.prev"), "mt", page - 1))
    if page < pages:
        nav.append(req.button(req.t("common.next"), "mt", page + 1))
    if nav:
        keyboard.append(nav)
    lines.append(req.t("mytasks.footer", page=page, pages=pages))
    return "\n\n".join(lines), InlineKeyboardMarkup(keyboard)


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
