"""/unit <unit>: one unit's tasks and on-time rate; /ranking [year|quarter|month|period]."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import unit_reports
from app.reports import Context
from core.markup import to_plain
from core.numbers import typed_number
from core.ranking import is_period_key
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.report_pages import show_report
from scheduler.workers import in_heavy_worker

PREFIX = "rk"
PICK = "p"  # a unit picked from a list of matches: a new message, not a page


@command(Access.COORDINATOR)
async def unit(req: Request) -> None:
    """Show one unit's assignments with their statuses, and its on-time rate."""
    text = req.text_args
    if not text:
        await req.say("summary.unit_usage")
        return
    scope = req.actor.scope
    found = await req.transaction(
        lambda session: unit_reports.units_named(session, text=text, scope=scope)
    )
    if not found:
        await req.say("summary.unit_not_found", text=text)
    elif len(found) > 1:
        words, shown = unit_reports.ambiguous(req.t, text, found)
        rows = [[req.button(u.name, PREFIX, PICK, u.id)] for u in shown]
        await req.reply(words, reply_markup=InlineKeyboardMarkup(rows))
    else:
        await _show_unit(req, found[0].id or 0, page=1, edit=False)


def _context(req: Request) -> Context:
    """Return who reads and when, for a report."""
    services, actor = req.services, req.actor
    return Context(req.t, actor.lang, actor.scope, services.clock.now(), services.settings.tz)


async def _show_unit(req: Request, unit_id: int, *, page: int, edit: bool) -> None:
    """Build a unit's report now and show one page of it."""
    ctx = _context(req)
    report = await req.transaction(lambda session: unit_reports.unit(session, ctx, unit_id))
    if isinstance(report, str):
        await req.reply(report)
        return
    await show_report(req, report, nav=(PREFIX, "u", unit_id), page=page, edit=edit)


@command(Access.COORDINATOR)
async def ranking(req: Request) -> None:
    """Rank units by on-time rate over this year, quarter, month or a typed period."""
    period, said = unit_reports.ranking_period(req.t, req.text_args)
    if period is None:
        await req.reply(said)
        return
    await _show_ranking(req, period, page=1, edit=False)


async def _show_ranking(req: Request, period: str, *, page: int, edit: bool) -> None:
    """Build the ranking now and show one page of it."""
    ctx = _context(req)
    # A country's ranking sorts and words thousands of units: not on the event loop, which
    # stalled every person's update meanwhile, nor in the update pool, whose first thread
    # the officials' replies queue for (fifty coordinators' rankings at once held their
    # taps up to 5 s, bench.stall): in the heavy pool, as a summary.
    report = await in_heavy_worker(unit_reports.ranking_of, req.services.engine, ctx, period)
    await show_report(req, report, nav=(PREFIX, "r", period), page=page, edit=edit)


@button(Access.COORDINATOR)
async def page(req: Request) -> None:
    """Show another page of a unit or the ranking, or a unit picked from a list."""
    _, code, ident, number = [*req.args, "", "", ""][:4]
    num, unit_id = typed_number(number) or 1, typed_number(ident)
    if code == PICK and unit_id is not None:
        await req.update.callback_query.answer()  # type: ignore[union-attr]
        await _show_unit(req, unit_id, page=1, edit=False)
    elif code == "u" and unit_id is not None:
        await _show_unit(req, unit_id, page=num, edit=True)
    elif code == "r" and is_period_key(ident):
        await _show_ranking(req, ident, page=num, edit=True)
    else:
        await req.update.callback_query.answer(to_plain(req.t("common.button_stale")))  # type: ignore[union-attr]


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="ranking",
        commands=(
            CommandSpec("unit", Access.COORDINATOR, unit, "summary.cmd_unit"),
            CommandSpec("ranking", Access.COORDINATOR, ranking, "summary.cmd_ranking"),
        ),
        late=(CallbackQueryHandler(page, pattern=prefix_pattern(PREFIX)),),
    )
