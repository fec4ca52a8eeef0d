"""/chart [task|directive]: a PNG of stacked bars per task, or per kind and group for one."""

from __future__ import annotations

from functools import partial

from app import reports
from app.dashboard.charts import chart_of
from app.file_limits import TooLarge, fits, too_large
from app.jobs import chart_png
from app.summary_text import as_of
from core.markup import Markup, to_html
from core.roles import Access
from core.status import Status
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow
from scheduler.workers import in_heavy_worker, in_process


@command(Access.COORDINATOR)
async def chart(req: Request) -> None:
    """Draw the chart of what the coordinator named and send it as a photo."""
    now, tz = req.services.clock.now(), req.services.settings.tz

    # The counts of every open task off the event loop, then a PNG drawn with matplotlib in
    # the worker process (matplotlib, once imported, would stay in the bot's memory).
    read = partial(
        chart_of,
        scope=req.actor.scope,
        lang=req.actor.lang,
        now=now,  # the same moment as the "as of" line below: one read of the clock
        catalog=req.services.catalog,
    )
    target, bars, title = await in_heavy_worker(read, req.services.engine, req.text_args)
    if target.kind == "none":
        await req.reply(reports.not_found(req.t, target, req.text_args))
        return
    if target.kind == "ambiguous":
        await req.say("summary.ambiguous", text=req.text_args)
        return
    if not bars:
        await req.say("summary.none_open" if target.kind == "all" else "summary.nothing_in_scope")
        return
    subtitle = as_of(req.t, now.astimezone(tz))
    legend = {s: req.t(f"summary.status_{s.value}") for s in Status}
    png = await in_process(
        req.services.engine,
        chart_png,
        bars,
        title=title,
        subtitle=subtitle,
        legend=legend,
        axis_label=req.t("chart.axis"),
    )
    if not fits(req.services, "telegram", len(png), photo=True):
        said = TooLarge("chart", len(png), reports.covers(target))
        await req.reply(too_large(req.services, req.actor, said, channel="telegram"))
        return
    chat = req.update.effective_chat
    if chat is not None:
        caption = req.t("chart.caption", as_of=Markup(subtitle))
        await req.context.bot.send_photo(
            chat.id,
            photo=png,
            caption=to_html(caption),
            filename=f"{req.t('chart.file_name')}.png",
        )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="chart",
        commands=(CommandSpec("chart", Access.COORDINATOR, chart, "chart.cmd_chart"),),
    )
