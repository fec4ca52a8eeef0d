"""Coordinators' /unit and /ranking on Zalo, typed as on Telegram, through the same use
case (`app.unit_reports`): a long answer goes on with "tiếp".

A name that fits several units is answered with numbered choices: a typed "2" shows the
second unit (`rk:p:<unit id>`), as Telegram's second button would.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import unit_reports
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.reports import Context
from app.services import Services
from core.roles import Access
from db.engine import session_scope
from handlers.zalo.commandkit import refused_below
from handlers.zalo.pages import show_page

PREFIX = "rk"
PICK = "p"


def _context(services: Services, actor: Actor) -> Context:
    """Return who reads and when, for a report."""
    t = partial(services.catalog.get, actor.lang)
    return Context(t, actor.lang, actor.scope, services.clock.now(), services.settings.tz)


def unit(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/unit <unit>: one unit's tasks with their statuses, and its on-time rate."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    text = args.strip()
    if not text:
        return [Said(t("summary.unit_usage"))]
    with session_scope(services.engine) as session:
        found = unit_reports.units_named(session, text=text, scope=actor.scope)
    if not found:
        return [Said(t("summary.unit_not_found", text=text))]
    if len(found) > 1:
        words, shown = unit_reports.ambiguous(t, text, found)
        return [Said(words, [[Choice(u.name, (PREFIX, PICK, u.id or 0))] for u in shown])]
    return unit_page(services, actor, str(found[0].id or 0), 1)


def unit_page(services: Services, actor: Actor, unit_id: str, page: int) -> list[Said]:
    """Show one page of a unit's report ("tiếp" asks for the next)."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None or not unit_id.isdigit():
        return refused or [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    ctx = _context(services, actor)
    with session_scope(services.engine) as session:
        report = unit_reports.unit(session, ctx, int(unit_id))
    if isinstance(report, str):
        return [Said(report)]
    return show_page(services, actor, report, page, {"command": "unit", "args": unit_id})


def ranking(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/ranking [year|quarter|month|dd/mm/yyyy-dd/mm/yyyy]: the units by on-time rate."""
    return ranking_page(services, actor, args, 1)


def ranking_page(services: Services, actor: Actor, args: str, page: int) -> list[Said]:
    """Show one page of the ranking over the period `args` names ("tiếp": the next)."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    period, said = unit_reports.ranking_period(partial(services.catalog.get, actor.lang), args)
    if period is None:
        return [Said(said)]
    ctx = _context(services, actor)
    with session_scope(services.engine) as session:
        report = unit_reports.ranking(session, ctx, period)
    return show_page(services, actor, report, page, {"command": "ranking", "args": period})


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Show the unit chosen by its number (`rk:p:<unit id>`)."""
    if len(data) != 3 or data[1] != PICK:
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    return unit_page(services, actor, data[2], 1)
