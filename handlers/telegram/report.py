"""/report [#task | directive | period]: the formal report (báo cáo) as a Word document."""

from __future__ import annotations

import logging

from telegram.ext import CallbackQueryHandler

from app import reports
from app.file_limits import TooLarge, fits, too_large
from app.formal_report import ReportTarget, letterhead_of
from app.jobs import report_document
from app.report_docx import TemplateError
from app.summary_text import as_of
from core.markup import Markup, to_html
from core.period import Period, report_period
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.summary import ask_which, picked_task
from scheduler.workers import AbandonedError, made_unless_stopping

PREFIX = "rp"
log = logging.getLogger(__name__)


@command(Access.COORDINATOR)
async def report(req: Request) -> None:
    """Send the report on every open task, one task, a directive or a period."""
    text = req.text_args
    period = report_period(text, req.services.today())
    if isinstance(period, Period):
        await send_report(req, ReportTarget(start=period.start, end=period.end))
        return
    if period is not None:
        await req.say(f"report.{period.code.value}", text=period.text)
        return
    target = await req.atomic(reports.target, req.services.engine, text, req.actor.scope)
    if target.kind == "none":
        await req.reply(reports.not_found(req.t, target, text))
    elif target.kind == "ambiguous":
        await ask_which(req, target, PREFIX, "t")
    else:
        await send_report(req, reports.covers(target))


@button(Access.COORDINATOR)
async def picked(req: Request) -> None:
    """Report on the task picked from a list of matches."""
    task_id = await picked_task(req)
    if task_id is not None:
        await send_report(req, ReportTarget(task_id=task_id))


async def send_report(req: Request, target: ReportTarget) -> None:
    """Write the report from fresh data, in the reader's scope, and send it as a document, or
    a link to it when it is past the channel's bound (`app.file_limits`)."""
    now, tz = req.services.clock.now(), req.services.settings.tz
    person = req.actor.contact_id or req.actor.external_id
    async with req.services.turns.turn("report", person) as mine:
        if not mine:
            await req.say("report.busy")
            return
        try:
            # Thousands of appendix rows written as Word XML: seconds of Python, in a worker
            # process so that everyone else is answered meanwhile.
            made = await made_unless_stopping(
                req.services.engine,
                report_document,
                target=target,
                scope=req.actor.scope,  # written in Vietnamese, whoever asks (caption says)
                now=now,
                tz=str(tz),
                letterhead=letterhead_of(req.services.settings),
            )
        except AbandonedError:  # the bot is stopping: a restart, an update
            await req.say("common.stopping_ask_again")
            return
        except TemplateError:
            log.exception("the report template cannot be read")
            await req.say("report.template_broken")
            return
    chat = req.update.effective_chat
    if made is None or chat is None:
        await req.reply(reports.nothing_to_report(req.t, target))
        return
    if not fits(req.services, "telegram", len(made.content)):
        said = TooLarge("report", len(made.content), target)
        await req.reply(too_large(req.services, req.actor, said, channel="telegram"))
        return
    caption = req.t(
        "report.caption",
        tasks=made.tasks,
        rows=made.rows,
        as_of=Markup(as_of(req.t, now.astimezone(tz))),
    )
    await req.context.bot.send_document(
        chat.id, document=made.content, filename=made.file_name, caption=to_html(caption)
    )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="report",
        commands=(CommandSpec("report", Access.COORDINATOR, report, "report.cmd_report"),),
        late=(CallbackQueryHandler(picked, pattern=prefix_pattern(PREFIX)),),
    )
