"""/unit and /ranking on any channel: one unit's tasks and on-time rate, and the units
ranked by on-time rate over a year, quarter, month or typed period, as Reports a channel
pages.

Channel-free, like `app/reports.py`: the reader's scope decides which units they see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.due_words import deadline_words
from app.i18n import format_percent
from app.link_merge import vi_sorted
from app.reports import Context
from app.summary_text import Entry, Report, Translate, as_of, on_time_text, status_label
from core.period import PeriodError
from core.ranking import Ranked, parse_period, period_bounds, rank
from core.status import Counts
from core.summary import Line, in_force_order
from core.taskdates import due_at, effective_deadline
from db.engine import session_scope
from db.models import Unit
from db.queries import summary as q
from db.queries.scope import Scope, units_in_scope
from db.queries.unit_admin import inactive_ids
from db.queries.unit_merge_history import merged_from, merged_into, old_unit_ids
from db.queries.units import find_units, unit_names


def units_named(session: Session, *, text: str, scope: Scope) -> list[Unit]:
    """Return the units `text` names (code or name) that the reader may see; a deactivated
    unit when no active one fits (a commune merged away keeps its history to look at)."""
    for inactive_too in (False, True):
        found = find_units(session, text=text, include_inactive=inactive_too)
        ids = [u.id for u in found if u.id is not None]
        allowed = units_in_scope(session, unit_ids=ids, scope=scope)
        if allowed:
            return [u for u in found if u.id in allowed]
    return []


MAX_CHOICES = 8


def ambiguous(t: Translate, text: str, found: list[Unit]) -> tuple[str, list[Unit]]:
    """Return what to say of a name fitting several units, and the units to offer.

    Past MAX_CHOICES the answer says that only the first are offered and how to narrow the
    name: a unit left off the list would otherwise be out of reach without a word.
    """
    shown = found[:MAX_CHOICES]
    words = t("summary.unit_ambiguous", text=text)
    if len(found) > len(shown):
        words += "\n" + t("summary.unit_more", shown=len(shown))
    return words, shown


@dataclass(frozen=True)
class MergeNotes:
    """Where a unit comes from and where it went, when units were merged: each merge into it
    (its local day, the old units named) and the one it was merged into, if any."""

    sources: list[tuple[date, str]]
    into: tuple[date, str] | None = None

    def lines(self, t: Translate) -> list[str]:
        """Return them worded: "Gộp từ Xã A (XA-A), Xã B (XA-B) ngày 07/12/2026."."""
        lines = [t("summary.unit_merged_from", units=u, day=d) for d, u in self.sources]
        if self.into is not None:
            lines.append(t("summary.unit_merged_into", unit=self.into[1], day=self.into[0]))
        return lines


def merge_notes(session: Session, *, unit_id: int, tz: tzinfo) -> MergeNotes:
    """Return the merges a unit was made from, and the one it was merged into."""
    sources = merged_from(session, unit_id=unit_id)
    into = merged_into(session, unit_id=unit_id)
    named = _coded(session, [*old_unit_ids(sources), *([into.new_id] if into else [])])

    def names(ids: Sequence[int]) -> str:
        return ", ".join(vi_sorted(named[i] for i in ids if i in named))

    return MergeNotes(
        [(m.at.astimezone(tz).date(), names(m.old_ids)) for m in sources],
        (into.at.astimezone(tz).date(), names([into.new_id])) if into is not None else None,
    )


def _coded(session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    """Return units as "Xã An Hòa (XA-AH)", by id."""
    query = select(Unit.id, Unit.name, Unit.code).where(col(Unit.id).in_(list(unit_ids)))
    return {i: f"{name} ({code})" for i, name, code in session.exec(query) if i is not None}


def unit(session: Session, ctx: Context, unit_id: int) -> Report | str:
    """Return a unit's assignments with their statuses and its on-time rate, or what to say
    when it has none in the reader's scope; the units it was merged from, or into, said."""
    found = session.get(Unit, unit_id)
    lines = q.lines(session, unit_id=unit_id, scope=ctx.scope)
    name = found.name if found is not None else str(unit_id)
    stopped = found is not None and not found.active
    merges = merge_notes(session, unit_id=unit_id, tz=ctx.tz).lines(ctx.t)
    if not lines:
        key = "summary.unit_inactive" if stopped else "summary.unit_no_tasks"
        return "\n".join([ctx.t(key, unit=name), *merges])
    counts = q.unit_counts(session, now=ctx.now, unit_ids=[unit_id], scope=ctx.scope)
    titles = q.task_titles(session, task_ids=[ln.task_id for ln in lines])
    header = [
        ctx.t("summary.unit_head", unit=name, n=len(lines)),
        *merges,
        on_time_text(ctx.t, counts.get(unit_id, Counts()), ctx.lang),
        *([ctx.t("summary.unit_inactive", unit=name)] if stopped else []),
        as_of(ctx.t, ctx.now_local),
        "",
    ]
    entries = []

    def shown(x: Line) -> tuple[object, ...]:  # by the deadline in force each line says
        due = effective_deadline(x.deadline, x.due_at, ctx.tz)
        return in_force_order(due, x.deadline, titles[x.task_id], x.task_id)

    for ln in sorted(lines, key=shown):
        status, days, never = ln.status(ctx.now, ctx.tz)
        label = status_label(ctx.t, status, days, never)
        text = ctx.t(
            "summary.unit_task",
            id=ln.task_id,
            title=titles[ln.task_id],
            deadline=deadline_words(
                ctx.t, ln.deadline, effective_deadline(ln.deadline, ln.due_at, ctx.tz)
            ),
            status=label,
        )
        entries.append(Entry(text))
    return Report("\n".join(header), entries)


def ranking_period(t: Translate, text: str) -> tuple[str | None, str]:
    """Read what /ranking was given: the period's key (`core.ranking.parse_period`), or
    what to say instead (a typed period that is wrong says what is; other words, the usage)."""
    period = parse_period(text)
    if isinstance(period, PeriodError):
        return None, t(f"summary.ranking_{period.code.value}", text=period.text)
    if period is None:
        return None, t("summary.ranking_usage")
    return period, ""


def ranking(session: Session, ctx: Context, period: str) -> Report:
    """Rank the units in scope by on-time rate over the period (a key of `ranking_period`)."""
    start, end = period_bounds(period, ctx.now_local.date())
    # Assignments whose deadline in force falls in the period (ends of local days).
    due_from, due_until = due_at(start - timedelta(days=1), ctx.tz), due_at(end, ctx.tz)
    counts = q.unit_counts(
        session, now=ctx.now, scope=ctx.scope, due_from=due_from, due_until=due_until
    )
    # A unit deactivated (a commune merged away) is not ranked: its history stays in its
    # tasks' summaries and reports, but no emulation ranks a unit that no longer exists.
    idle = inactive_ids(session, unit_ids=list(counts))
    counts = {u: c for u, c in counts.items() if u not in idle}
    names = unit_names(session, unit_ids=list(counts))
    ranked = rank(counts, names)
    lines = [ctx.t("summary.ranking_head", start=start, end=end), as_of(ctx.t, ctx.now_local)]
    if idle:
        lines.append(ctx.t("summary.ranking_inactive", n=len(idle)))
    unranked = sum(1 for c in counts.values() if not c.due)
    if unranked:
        lines.append(ctx.t("summary.ranking_unranked", n=unranked))
    if not ranked:
        lines.append(ctx.t("summary.ranking_empty"))
    return Report("\n".join([*lines, ""]), [_ranked_entry(ctx, r) for r in ranked])


def ranking_of(engine: Engine, ctx: Context, period: str) -> Report:
    """Build now the ranking of `ranking`, in a transaction of its own (blocking: every
    unit's counts read, sorted and worded; a heavy worker's job, as a summary is)."""
    with session_scope(engine) as session:
        return ranking(session, ctx, period)


def _ranked_entry(ctx: Context, r: Ranked) -> Entry:
    """Return one unit's line of the ranking."""
    c = r.counts
    rate = format_percent(c.done_on_time, c.due, ctx.lang)
    text = ctx.t(
        "summary.ranking_line",
        place=r.place,
        unit=r.name,
        on_time=c.done_on_time,
        due=c.due,
        rate=rate,
    )
    return Entry(text)
