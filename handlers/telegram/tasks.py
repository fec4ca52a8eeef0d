"""/tasks: open tasks with their number, deadline and progress, paged; a task's card with
the admin's changes (deadline, units: handlers.taskedit; close and cancel: here)."""

from __future__ import annotations

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from core.markup import to_html
from core.paging import Page
from core.roles import Access
from core.states import TaskStatus
from db.models import Directive, Task
from db.queries.taskadmin import TaskRow, open_tasks, progress
from handlers.telegram import taskedit
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.taskedit import ENDINGS, end

PAGE_SIZE = 10
PER_ROW = 5


@command(Access.ADMIN)
async def list_tasks(req: Request) -> None:
    """List open tasks, nearest deadline first (`/tasks 2` opens page 2)."""
    number = int(req.args[0]) if req.args and req.args[0].isdigit() else 1
    await _show_list(req, number, edit=False)


async def _show_list(req: Request, number: int, *, edit: bool) -> None:
    """Send (or edit into) one page of the open tasks, with a button per task."""

    def read(session: Session) -> tuple[list[TaskRow], int, int, int]:
        _, total = open_tasks(session, offset=0, limit=0)
        pages = max(1, -(-total // PAGE_SIZE))
        shown = min(max(1, number), pages)
        rows, total = open_tasks(session, offset=(shown - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        return rows, total, pages, shown

    rows, total, pages, number = await req.transaction(read)
    if not rows:
        await req.say("tasks.list_empty")
        return
    page = Page(rows, number, pages)
    lines = [req.t("tasks.list_header", total=total, page=page.number, pages=page.pages)]
    lines += [
        req.t(
            "tasks.list_line",
            id=r.id,
            title=r.title,
            deadline=r.deadline,
            done=r.done,
            assigned=r.assigned,
        )
        for r in rows
    ]
    lines.append(req.t("tasks.list_footer"))
    buttons = [req.button(f"#{r.id}", "tk", "v", r.id) for r in rows]
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
        await query.edit_message_text(to_html("\n".join(lines)), reply_markup=markup)
    else:
        await req.reply("\n".join(lines), reply_markup=markup)


async def show_task(req: Request, task_id: int) -> None:
    """Show one task's card with the admin's buttons."""

    def read(session: Session) -> tuple[Task | None, Directive | None, tuple[int, int]]:
        task = session.get(Task, task_id)
        directive = (
            session.get(Directive, task.directive_id) if task and task.directive_id else None
        )
        return task, directive, progress(session, [task_id]).get(task_id, (0, 0))

    task, directive, (done, assigned) = await req.transaction(read)
    if task is None:
        await req.say("common.button_stale")
        return
    text = req.t(
        "tasks.detail",
        id=task_id,
        title=task.title,
        directive=directive.number if directive else req.t("tasks.no_directive"),
        deadline=task.deadline,
        status=req.t(f"tasks.status_{task.status}"),
        done=done,
        assigned=assigned,
        description=task.description or "-",
    )
    markup = None
    if task.status == TaskStatus.OPEN:
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
    await req.reply(text, reply_markup=markup)


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Page the list, open a card, show how to change it, close or cancel a task."""
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


async def _ask_end(req: Request, status: str, task_id: int) -> None:
    """Ask before closing or cancelling a task."""
    task = await req.transaction(lambda session: session.get(Task, task_id))
    if task is None:
        await req.say("common.button_stale")
        return
    key = "tasks.ask_close" if status == TaskStatus.CLOSED else "tasks.ask_cancel"
    yes = req.button(req.t("common.yes"), "tk", "endok", status, task_id)
    await req.reply(
        req.t(key, id=task_id, title=task.title), reply_markup=InlineKeyboardMarkup([[yes]])
    )


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
