"""Build the coordinators' summaries from the database: all open tasks, a task, a directive.

Channel-free: the chat adapter, the digest and the command line all call these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.formal_report import ReportTarget, anything_in_scope
from app.summary_text import Entry, Report, Translate, detail, task_list, task_title
from core.markup import Markup
from core.period import Dated, dated
from core.states import TaskStatus
from core.status import Counts
from core.summary import StatusLine, TaskCounts
from db.engine import session_scope
from db.models import Directive, Task
from db.queries import summary as q
from db.queries.targets import Target as Target  # re-exported: what a coordinator named
from db.queries.targets import resolve_target


@dataclass(frozen=True)
class Context:
    """Who reads and when: their language, scope, the moment and the time zone."""

    t: Translate
    lang: str
    scope: q.Scope
    now: datetime
    tz: tzinfo

    @property
    def now_local(self) -> datetime:
        """Return the moment in local time."""
        return self.now.astimezone(self.tz)


def target(engine: Engine, text: str, scope: q.Scope) -> Target:
    """Return what a coordinator's words name within their scope: all open tasks, a task, a
    directive, several tasks to choose from, or nothing (blocking)."""
    with session_scope(engine) as session:
        return resolve_target(session, text=text, scope=scope)


def summary_of(engine: Engine, ctx: Context, kind: str, ident: int) -> tuple[Report | None, str]:
    """Build now the summary of a task, a directive or (any other kind) all open tasks; the
    report, or None and what to say instead (blocking: tens of thousands of rows)."""
    with session_scope(engine) as session:
        if kind == "task":
            found = one_task(session, ctx, ident)
            return found, "" if found else why_no_task(session, ctx.t, ident)
        if kind == "directive":
            doc = session.get(Directive, ident)
            found = directive(session, ctx, doc) if doc is not None else None
            return found, ctx.t("summary.nothing_in_scope")
        return all_tasks(session, ctx), ctx.t("summary.none_open")


def ident_of(target: Target) -> int:
    """Return the id of a target's task or directive (0 for all open tasks)."""
    if target.task is not None and target.task.id is not None:
        return target.task.id
    if target.directive is not None and target.directive.id is not None:
        return target.directive.id
    return 0


def covers(target: Target) -> ReportTarget:
    """Return what a file of the target covers: a task, a directive, or every open task."""
    return ReportTarget(
        task_id=target.task.id if target.task is not None else None,
        directive_id=target.directive.id if target.directive is not None else None,
    )


def anything(engine: Engine, covered: ReportTarget, scope: q.Scope) -> bool:
    """Tell whether a file of `covered` would hold anything in the scope (blocking)."""
    with session_scope(engine) as session:
        return anything_in_scope(session, target=covered, scope=scope)


def directive_number(session: Session, directive_id: int) -> str | None:
    """Return the number a directive is known by ("4824/UBND-KGVX"), if it still exists."""
    directive = session.get(Directive, directive_id)
    return directive.number if directive is not None else None


def refused(t: Translate, target: Target, text: str, which: str, **params: object) -> str:
    """Return what a channel without buttons says of a target naming nothing (`not_found`)
    or several tasks (`which`'s words, given `text`, `tasks` listed and `params`), else ""."""
    if target.kind == "none":
        return not_found(t, target, text)
    if target.kind == "ambiguous":
        shown, more = task_choices(t, target)
        tasks = "\n".join(t("summary.choice", id=task.id, title=task.title) for task in shown)
        return t(which, text=text, tasks=Markup(tasks), **params) + more
    return ""


def cancelled_since(engine: Engine, t: Translate, task_id: int) -> str | None:
    """Say that a task picked from a list made before was cancelled since, or None
    (blocking)."""
    with session_scope(engine) as session:
        return cancelled(session, t, task_id)


def not_found(t: Translate, target: Target, text: str) -> str:
    """Say why `text` names nothing to summarise, export, chart or report on."""
    if target.cancelled is not None:
        task = target.cancelled
        return t("summary.cancelled", id=task.id, title=task.title)
    if target.period:
        kind = dated(text) or Dated.PERIOD
        return t(f"summary.{kind.value}_not_taken", text=text)
    return t("summary.not_found", text=text)


MAX_TASK_CHOICES = 8


def task_choices(t: Translate, target: Target) -> tuple[tuple[Task, ...], str]:
    """Return the tasks to offer for a name fitting several, and what to add when some are
    left off (the newest are offered: a task left off is reached by more of its name or its
    number)."""
    shown = target.choices[:MAX_TASK_CHOICES]
    if len(target.choices) <= len(shown):
        return shown, ""
    return shown, "\n" + t("summary.more_tasks", shown=len(shown))


def cancelled(session: Session, t: Translate, task_id: int) -> str | None:
    """Say that a task chosen from a list made before was cancelled since, or None."""
    task = session.get(Task, task_id)
    if task is not None and task.status == TaskStatus.CANCELLED:
        return t("summary.cancelled", id=task_id, title=task.title)
    return None


def why_no_task(session: Session, t: Translate, task_id: int) -> str:
    """Say why a task shown before has no summary now: cancelled since, or nothing in scope."""
    task = session.get(Task, task_id)
    if task is not None and task.status == TaskStatus.CANCELLED:
        return t("summary.cancelled", id=task_id, title=task.title)
    return t("summary.nothing_in_scope")


def all_tasks(session: Session, ctx: Context) -> Report | None:
    """Return the summary of every open task in scope, or None when there is none."""
    tasks = q.task_counts(session, now=ctx.now, scope=ctx.scope)
    if not tasks:
        return None
    head = ctx.t("summary.all_head", n=len(tasks))
    return task_list(ctx.t, ctx.lang, tasks, head, ctx.now_local)


def one_task(session: Session, ctx: Context, task_id: int) -> Report | None:
    """Return one task in detail, or None when nothing of it is in scope."""
    found = q.task_counts(
        session, now=ctx.now, scope=ctx.scope, task_ids=[task_id], open_only=False
    )
    if not found:
        return None
    task = found[0]
    if task.status == TaskStatus.OPEN:
        return _detail(session, ctx, task_title(ctx.t, task), task.counts, [task_id])
    # A closed task's figures are final: said so at the top, and no unit is offered to be
    # asked for an explanation of a task nobody follows up any more.
    head = task_title(ctx.t, task) + "\n" + ctx.t("summary.task_closed")
    report = _detail(session, ctx, head, task.counts, [task_id])
    return Report(report.header, [Entry(entry.text) for entry in report.entries])


def directive(session: Session, ctx: Context, doc: Directive) -> Report | None:
    """Return every task of a directive: totals, each task, then the units in detail."""
    assert doc.id is not None
    tasks = q.task_counts(
        session, now=ctx.now, scope=ctx.scope, directive_id=doc.id, open_only=False
    )
    if not tasks:
        return None
    head = ctx.t("summary.directive_head", number=doc.number, n=len(tasks))
    total = sum((x.counts for x in tasks), Counts())
    overview = task_list(ctx.t, ctx.lang, tasks, head, ctx.now_local)
    ids = [x.task_id for x in tasks]
    numbers = {x.task_id: f"#{x.task_id} " for x in tasks}
    closed = frozenset(x.task_id for x in tasks if x.status != TaskStatus.OPEN)
    units = _detail(
        session, ctx, head, total, ids, prefix=lambda ln: numbers[ln.task_id], closed=closed
    )
    # Laid out as the all-tasks summary is: a blank line after the header and between the
    # tasks; the first group of units follows the last task after one, its own.
    *before, last = overview.entries
    listed = [*before, last._replace(text=last.text.rstrip("\n"))]
    return Report(overview.header, listed + units.entries)


def _detail(
    session: Session,
    ctx: Context,
    head: str,
    counts: Counts,
    task_ids: list[int],
    prefix: Callable[[StatusLine], str] | None = None,
    closed: frozenset[int] = frozenset(),
) -> Report:
    """Return the detail of some tasks: totals, then the units of each group."""
    lines = q.status_lines(session, now=ctx.now, scope=ctx.scope, task_ids=task_ids)
    blockers = q.blocker_notes(session, task_ids=task_ids, scope=ctx.scope)
    explained = q.explanation_notes(session, task_ids=task_ids, scope=ctx.scope)
    return detail(
        ctx.t,
        ctx.lang,
        head,
        counts,
        lines,
        blockers,
        explained,
        now=ctx.now,
        tz=ctx.tz,
        prefix=prefix,
        closed=closed,
    )


def task_summaries(session: Session, ctx: Context) -> list[TaskCounts]:
    """Return the open tasks in scope with their counts (for charts and digests)."""
    return q.task_counts(session, now=ctx.now, scope=ctx.scope)


def nothing_to_report(t: Translate, target: ReportTarget) -> str:
    """Say that the report would cover no task: for a period, naming it (a month with nothing
    due was answered as if the reader's scope held nothing)."""
    if target.start is not None and target.end is not None:
        return t("report.nothing_in_period", start=target.start, end=target.end)
    return t("report.nothing")
