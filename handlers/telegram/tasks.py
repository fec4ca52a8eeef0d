"""/tasks: open tasks with their number, deadline and progress, paged; a task's card with
the admin's changes (deadline, units: handlers.taskedit; close and cancel: here; a closed
or cancelled task's card reopens it)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import task_list
from app.taskedit import ENDINGS, ask_end
from core.markup import to_html
from core.roles import Access
from core.states import TaskStatus
from handlers.telegram import taskedit
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.taskedit import confirm_units, end, reopen

PER_ROW = 5
PER_PAGE_FOUND = 10  # buttons for the tasks a title may mean


@command(Access.ADMIN)
async def list_tasks(req: Request) -> None:
    """List open tasks, nearest deadline first (`/tasks trang 2` opens page 2); `/tasks 12`,
    `/tasks #12` (or a title) shows that task, open, closed or cancelled, as on Zalo."""
    wanted = task_list.asked(req.text_args)
    if isinstance(wanted, str):
        await _show_named(req, wanted)
        return
    await _show_list(req, wanted, edit=False)


async def _show_named(req: Request, text: str) -> None:
    """Show the one task `text` names, or a button for each of those it may mean."""
    found = await req.run(task_list.named, req.services, text)
    if len(found) == 1:
        await show_task(req, found[0][0])
        return
    if not found:
        await req.say("tasks.not_found", text=text)
        return
    rows = [
        [req.button(f"#{task_id} {title[:40]}", "tk", "v", task_id)] for task_id, title in found
    ]
    reply = req.t("tasks.which_one", text=text, count=len(found))
    await req.reply(reply, reply_markup=InlineKeyboardMarkup(rows[:PER_PAGE_FOUND]))


async def _show_list(req: Request, number: int, *, edit: bool) -> None:
    """Send (or edit into) one page of the open tasks, with a button per task."""
    shown = await req.run(task_list.open_page, req.services, req.actor.lang, number)
    if shown is None:
        await req.say("tasks.list_empty")
        return
    page = shown.page
    text = "\n".join([*shown.lines, req.t("tasks.list_footer")])
    buttons = [req.button(f"#{task_id}", "tk", "v", task_id) for task_id in page.items]
    keyboard = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(req.button(req.t("common.prev"), "tk", "pg", page.number - 1))
    if page.has_next:
        nav.append(req.button(req.t("common.next"), "tk", "pg", page.number + 1))
    keyboard += [nav] if nav else []
    markup = InlineKeyboardMarkup(keyboard)
    query = req.update.callback_query
    if edit and query is not None:
        await query.edit_message_text(to_html(text), reply_markup=markup)
    else:
        await req.reply(text, reply_markup=markup)


async def show_task(req: Request, task_id: int) -> None:
    """Show one task's card with the admin's buttons."""
    card = await req.run(task_list.card, req.services, req.actor.lang, task_id)
    if card is None:
        await req.say("common.button_stale")
        return
    markup = None
    if card.status == TaskStatus.OPEN:
        markup = InlineKeyboardMarkup(
            [
                [req.button(req.t("tasks.btn_deadline"), "tk", "hint", "deadline", task_id)],
                [
                    req.button(req.t("tasks.btn_assign"), "tk", "hint", "assign", task_id),
                    req.button(req.t("tasks.btn_unassign"), "tk", "hint", "unassign", task_id),
                ],
                [
                    req.button(req.t("tasks.btn_close"), "tk", "end", "closed", task_id),
                    req.button(req.t("tasks.btn_cancel"), "tk", "end", "cancelled", task_id),
                ],
            ]
        )
    else:  # ended by mistake (the wrong number closed): opened again, its units told
        reopen = req.button(req.t("tasks.btn_reopen"), "tk", "reopen", task_id)
        markup = InlineKeyboardMarkup([[reopen]])
    await req.reply(card.text, reply_markup=markup)


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Page the list, open a card, show how to change it, close, cancel or reopen a task."""
    query = req.update.callback_query
    assert query is not None
    await query.answer()
    action, rest = (req.args[1], req.args[2:]) if len(req.args) > 1 else ("", [])
    if action == "pg" and rest:
        await _show_list(req, int(rest[0]), edit=True)
    elif action == "v" and rest:
        await show_task(req, int(rest[0]))
    elif action == "hint" and len(rest) == 2:
        await req.say(f"tasks.hint_{rest[0]}", id=int(rest[1]))
    elif action == "end" and len(rest) == 2 and rest[0] in ENDINGS:
        await _ask_end(req, rest[0], int(rest[1]))
    elif action == "endok" and len(rest) == 2 and rest[0] in ENDINGS:
        await end(req, rest[0], int(rest[1]))
    elif action == "units" and len(rest) == 1:
        await confirm_units(req, rest[0])
    elif action == "reopen" and len(rest) == 1:
        await reopen(req, int(rest[0]))


async def _ask_end(req: Request, status: str, task_id: int) -> None:
    """Ask before closing or cancelling a task."""
    asked = await req.atomic(ask_end, req.services, req.actor.lang, status, task_id)
    if asked is None:
        await req.say("common.button_stale")
        return
    yes = req.button(req.t("common.yes"), "tk", "endok", status, task_id)
    await req.reply(asked, reply_markup=InlineKeyboardMarkup([[yes]]))


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="tasks",
        commands=(
            CommandSpec("tasks", Access.ADMIN, list_tasks, "tasks.cmd_tasks"),
            *taskedit.commands(),
        ),
        late=(CallbackQueryHandler(on_button, pattern=prefix_pattern("tk")),),
    )
