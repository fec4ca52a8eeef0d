"""/unit <unit>: one unit's tasks and on-time rate; /ranking [year|quarter|month]."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session
from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app.i18n import format_percent
from app.summary_text import Entry, Report, as_of, status_label
from core.markup import to_plain
from core.numbers import typed_number
from core.ranking import Ranked, parse_period, period_bounds, rank
from core.roles import Access
from core.status import Counts
from core.summary import Line
from core.taskdates import due_at
from db.models import Unit
from db.queries import summary as q
from db.queries.scope import Scope, units_in_scope
from db.queries.units import find_units, unit_names
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.report_pages import show_report

PREFIX = "rk"
PICK = "p"  # a unit picked from a list of matches: a new message, not a page
MAX_CHOICES = 8


@command(Access.COORDINATOR)
async def unit(req: Request) -> None:
    """Show one unit's assignments with their statuses, and its on-time rate."""
    text = req.text_args
    if not text:
        await req.say("summary.unit_usage")
        return
    scope = _scope(req)

    def read(session: Session) -> list[Unit]:
        found = [u for u in find_units(session, text=text) if u.id is not None]
        ids = [u.id for u in found if u.id is not None]
        allowed = units_in_scope(session, unit_ids=ids, scope=scope)
        return [u for u in found if u.id in allowed]

    found = await req.transaction(read)
    if not found:
        await req.say("summary.unit_not_found", text=text)
    elif len(found) > 1:
        rows = [[req.button(u.name, PREFIX, PICK, u.id)] for u in found[:MAX_CHOICES]]
        await req.reply(
            req.t("summary.unit_ambiguous", text=text), reply_markup=InlineKeyboardMarkup(rows)
        )
    else:
        await _show_unit(req, found[0].id or 0, page=1, edit=False)


def _scope(req: Request) -> Scope:
    """Return the units the coordinator may see."""
    return req.actor.scope


async def _show_unit(req: Request, unit_id: int, *, page: int, edit: bool) -> None:
    """Build a unit's report now and show one page of it."""
    now, tz = req.services.clock.now(), req.services.settings.tz
    scope = _scope(req)

    def read(
        session: Session,
    ) -> tuple[Unit | None, list[Line], dict[int, Counts], dict[int, str]]:
        found = session.get(Unit, unit_id)
        lines = q.lines(session, unit_id=unit_id, scope=scope)
        counts = q.unit_counts(session, now=now, unit_ids=[unit_id], scope=scope)
        titles = q.task_titles(session, task_ids=[ln.task_id for ln in lines])
        return found, lines, counts, titles

    found, lines, counts, titles = await req.transaction(read)
    name = found.name if found is not None else str(unit_id)
    if not lines:
        await req.say("summary.unit_no_tasks", unit=name)
        return
    c = counts.get(unit_id)
    rate = format_percent(c.done_on_time, c.due, req.actor.lang) if c else "-"
    header = "\n".join(
        [
            req.t("summary.unit_head", unit=name, n=len(lines)),
            req.t(
                "summary.on_time_rate",
                on_time=c.done_on_time if c else 0,
                due=c.due if c else 0,
                rate=rate,
            ),
            as_of(req.t, now.astimezone(tz)),
            "",
        ]
    )
    entries = []
    for ln in sorted(lines, key=lambda x: (x.deadline, x.task_id)):
        status, days, never = ln.status(now, tz)
        label = status_label(req.t, status, days, never)
        entries.append(
            Entry(
                req.t(
                    "summary.unit_task",
                    id=ln.task_id,
                    title=titles[ln.task_id],
                    deadline=ln.deadline,
                    status=label,
                )
            )
        )
    await show_report(
        req, Report(header, entries), nav=(PREFIX, "u", unit_id), page=page, edit=edit
    )


@command(Access.COORDINATOR)
async def ranking(req: Request) -> None:
    """Rank units by on-time rate over this year, quarter or month."""
    period = parse_period(req.text_args)
    if period is None:
        await req.say("summary.ranking_usage")
        return
    await _show_ranking(req, period, page=1, edit=False)


async def _show_ranking(req: Request, period: str, *, page: int, edit: bool) -> None:
    """Build the ranking now and show one page of it."""
    now, tz = req.services.clock.now(), req.services.settings.tz
    start, end = period_bounds(period, now.astimezone(tz).date())
    # Assignments whose deadline in force falls in the period (ends of local days).
    due_from, due_until = due_at(start - timedelta(days=1), tz), due_at(end, tz)
    scope = _scope(req)

    def build(session: Session) -> Report:
        counts = q.unit_counts(
            session, now=now, scope=scope, due_from=due_from, due_until=due_until
        )
        names = unit_names(session, unit_ids=list(counts))
        # A country's ranking sorts and words thousands of units: here, in the update pool,
        # not on the event loop, which stalled every person's update meanwhile.
        ranked = rank(counts, names)
        head = req.t("summary.ranking_head", start=start, end=end)
        lines = [head, as_of(req.t, now.astimezone(tz))]
        unranked = sum(1 for c in counts.values() if not c.due)
        if unranked:
            lines.append(req.t("summary.ranking_unranked", n=unranked))
        if not ranked:
            lines.append(req.t("summary.ranking_empty"))
        return Report("\n".join([*lines, ""]), [_ranked_entry(req, r) for r in ranked])

    report = await req.transaction(build)
    await show_report(req, report, nav=(PREFIX, "r", period), page=page, edit=edit)


def _ranked_entry(req: Request, r: Ranked) -> Entry:
    """Return one unit's line of the ranking."""
    c = r.counts
    rate = format_percent(c.done_on_time, c.due, req.actor.lang)
    text = req.t(
        "summary.ranking_line",
        place=r.place,
        unit=r.name,
        on_time=c.done_on_time,
        due=c.due,
        rate=rate,
    )
    return Entry(text)


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
    elif code == "r" and ident in ("year", "quarter", "month"):
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
