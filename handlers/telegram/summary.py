"""/summary (/tonghop): all open tasks, one task in detail, or a directive's tasks; pages."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import reports
from core.markup import to_plain
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.report_pages import show_report
from scheduler.workers import in_heavy_worker

PREFIX = "sm"
PICK = "p"  # a task picked from a list of matches: a new message, not a page


def context_of(req: Request) -> reports.Context:
    """Return who reads this summary and when."""
    tz = req.services.settings.tz
    return reports.Context(req.t, req.actor.lang, req.actor.scope, req.services.clock.now(), tz)


@command(Access.COORDINATOR)
async def summary(req: Request) -> None:
    """Summarise what the coordinator named: nothing (all), a task, or a directive."""
    target = await req.atomic(reports.target, req.services.engine, req.text_args, req.actor.scope)
    if target.kind == "none":
        await req.reply(reports.not_found(req.t, target, req.text_args))
    elif target.kind == "ambiguous":
        await ask_which(req, target, PREFIX, PICK)
    else:
        await _show(req, target.kind, reports.ident_of(target), page=1, edit=False)


async def ask_which(req: Request, target: reports.Target, *nav: object) -> None:
    """List the tasks an ambiguous name matches, as buttons leading to each."""
    shown, more = reports.task_choices(req.t, target)
    rows = [
        [req.button(req.t("summary.choice", id=task.id, title=task.title), *nav, task.id)]
        for task in shown
    ]
    text = req.t("summary.ambiguous", text=req.text_args) + more
    await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))


async def picked_task(req: Request) -> int | None:
    """Return the task a button of `ask_which` picked, or None: no task in it, or one
    cancelled since the list was shown (the coordinator is told)."""
    await req.update.callback_query.answer()  # type: ignore[union-attr]
    task_id = typed_number(req.args[2]) if len(req.args) > 2 else None
    if task_id is None:
        return None
    said = await req.atomic(reports.cancelled_since, req.services.engine, req.t, task_id)
    if said is not None:
        await req.reply(said)
        return None
    return task_id


@button(Access.COORDINATOR)
async def page(req: Request) -> None:
    """Show another page of a summary, or a task picked from a list, with fresh figures."""
    _, code, ident, number = [*req.args, "", "", ""][:4]
    target, page_number = typed_number(ident), typed_number(number)
    if code == PICK and target is not None:
        await req.update.callback_query.answer()  # type: ignore[union-attr]
        await _show(req, "task", target, page=1, edit=False)
    elif code in KINDS and target is not None and page_number is not None:
        await _show(req, KINDS[code], target, page=page_number, edit=True)
    else:
        await req.update.callback_query.answer(to_plain(req.t("common.button_stale")))  # type: ignore[union-attr]


KINDS = {"a": "all", "t": "task", "d": "directive"}
CODES = {v: k for k, v in KINDS.items()}


async def _show(req: Request, kind: str, ident: int, *, page: int, edit: bool) -> None:
    """Build the report of a target now and show one page of it."""
    ctx = context_of(req)
    # A province's summary reads tens of thousands of rows and writes their text: off the loop.
    report, empty = await in_heavy_worker(
        reports.summary_of, req.services.engine, ctx, kind, ident
    )
    if report is None:
        if req.update.callback_query is not None:
            await req.update.callback_query.answer()
        await req.reply(empty)
        return
    await show_report(req, report, nav=(PREFIX, CODES[kind], ident), page=page, edit=edit)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="summary",
        commands=(
            CommandSpec(
                "summary",
                Access.COORDINATOR,
                summary,
                "summary.cmd_summary",
                aliases=("tonghop",),
            ),
        ),
        late=(CallbackQueryHandler(page, pattern=prefix_pattern(PREFIX)),),
    )
