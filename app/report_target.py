"""What a summary or a file of tasks is about, as a channel without buttons is told it:
the task, directive or every open task a typed text names within the person's scope, else
what to say (nothing such; several tasks fit, listed for the person to type one).

`summary` is /summary's page source on such a channel; `named` is /export's, /chart's and
/report's (`anything` says whether the file would hold anything in the person's scope).
"""

from __future__ import annotations

from functools import partial

from sqlmodel import Session

from app import reports
from app.actor import Actor
from app.formal_report import ReportTarget, anything_in_scope
from app.services import Services
from app.summary_text import Report, Translate
from core.markup import Markup
from db.engine import session_scope
from db.models import Directive
from db.queries.targets import Target, resolve_target

__all__ = ["Target", "anything", "covers", "named", "summary"]


def named(
    services: Services, actor: Actor, text: str, *, which: str, **params: object
) -> Target | str:
    """Return what `text` names in the person's scope, or what to say: none such, or the
    tasks it fits in `which`'s words (given `text`, `tasks` and `params`)."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        target = resolve_target(session, text=text, scope=actor.scope)
    return _refused(t, target, text, which, **params) or target


def summary(services: Services, actor: Actor, text: str) -> Report | str:
    """Return the summary `text` names (a task, a directive, every open task in scope), or
    what to say instead."""
    t = partial(services.catalog.get, actor.lang)
    ctx = reports.Context(t, actor.lang, actor.scope, services.clock.now(), services.settings.tz)
    with session_scope(services.engine) as session:
        target = resolve_target(session, text=text, scope=actor.scope)
        refused = _refused(t, target, text, "zalo.summary_which")
        if refused:
            return refused
        report = _report(session, ctx, target)
    if report is None:
        return t("summary.none_open" if target.kind == "all" else "summary.nothing_in_scope")
    return report


def covers(target: Target) -> ReportTarget:
    """Return what a file of the target covers: a task, a directive, or every open task."""
    return ReportTarget(
        task_id=target.task.id if target.task is not None else None,
        directive_id=target.directive.id if target.directive is not None else None,
    )


def anything(services: Services, actor: Actor, covered: ReportTarget) -> bool:
    """Tell whether the file would hold anything in the person's scope (Telegram's rule)."""
    with session_scope(services.engine) as session:
        return anything_in_scope(session, target=covered, scope=actor.scope)


def _report(session: Session, ctx: reports.Context, target: Target) -> Report | None:
    """Return the summary of a resolved target, None when it holds nothing."""
    if target.task is not None and target.task.id is not None:
        return reports.one_task(session, ctx, target.task.id)
    if target.directive is not None and target.directive.id is not None:
        doc = session.get(Directive, target.directive.id)
        return reports.directive(session, ctx, doc) if doc is not None else None
    return reports.all_tasks(session, ctx)


def _refused(t: Translate, target: Target, text: str, which: str, **params: object) -> str:
    """Return what to say of a target that names nothing or several tasks, else ""."""
    if target.kind == "none":
        return reports.not_found(t, target, text)
    if target.kind == "ambiguous":
        shown, more = reports.task_choices(t, target)
        tasks = "\n".join(t("summary.choice", id=task.id, title=task.title) for task in shown)
        return t(which, text=text, tasks=Markup(tasks), **params) + more
    return ""
