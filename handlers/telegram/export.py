"""/export [task|directive]: the XLSX appendix table, matrix and report history."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from app import reports
from app.file_limits import TooLarge, fits, too_large
from app.formal_report import ReportTarget
from app.jobs import export_workbook
from app.summary_text import as_of
from core.markup import Markup, to_html
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.summary import ask_which, picked_task
from scheduler.workers import AbandonedError, made_unless_stopping

PREFIX = "xp"


@command(Access.COORDINATOR)
async def export(req: Request) -> None:
    """Send the workbook of every open task, one task, or a directive's tasks."""
    target = await req.atomic(reports.target, req.services.engine, req.text_args, req.actor.scope)
    if target.kind == "none":
        await req.reply(reports.not_found(req.t, target, req.text_args))
    elif target.kind == "ambiguous":
        await ask_which(req, target, PREFIX, "t")
    else:
        covered = reports.covers(target)
        await send_workbook(req, task_id=covered.task_id, directive_id=covered.directive_id)


@button(Access.COORDINATOR)
async def picked(req: Request) -> None:
    """Export the task picked from a list of matches."""
    task_id = await picked_task(req)
    if task_id is not None:
        await send_workbook(req, task_id=task_id, directive_id=None)


async def send_workbook(req: Request, *, task_id: int | None, directive_id: int | None) -> None:
    """Build the workbook from fresh data and send it as a document, or a link to it when it
    is past the channel's bound (`app.file_limits`)."""
    now, tz = req.services.clock.now(), req.services.settings.tz
    person = req.actor.contact_id or req.actor.external_id
    async with req.services.turns.turn("export", person) as mine:
        if not mine:
            await req.say("export.busy")
            return
        # Tens of thousands of rows read and written out as XLSX: up to a minute of work,
        # in a worker process so that everyone else is answered meanwhile.
        try:
            book = await made_unless_stopping(
                req.services.engine,
                export_workbook,
                task_id=task_id,
                directive_id=directive_id,
                scope=req.actor.scope,
                lang=req.actor.lang,
                now=now,
                tz=str(req.services.settings.tz),
            )
        except AbandonedError:  # the bot is stopping: a restart, an update
            await req.say("common.stopping_ask_again")
            return
    chat = req.update.effective_chat
    if book is None or chat is None:
        await req.say("export.nothing")
        return
    if not fits(req.services, "telegram", len(book.content)):
        covers = ReportTarget(task_id=task_id, directive_id=directive_id)
        said = TooLarge("export", len(book.content), covers)
        await req.reply(too_large(req.services, req.actor, said, channel="telegram"))
        return
    stamp = now.astimezone(tz).strftime("%Y%m%d-%H%M")
    caption = req.t(
        "export.caption",
        tasks=book.tasks,
        rows=book.rows,
        as_of=Markup(as_of(req.t, now.astimezone(tz))),
    )
    await req.context.bot.send_document(
        chat.id,
        document=book.content,
        filename=f"{req.t('export.file_name')}-{stamp}.xlsx",
        caption=to_html(caption),
    )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="export",
        commands=(CommandSpec("export", Access.COORDINATOR, export, "export.cmd_export"),),
        late=(CallbackQueryHandler(picked, pattern=prefix_pattern(PREFIX)),),
    )
