"""A task's chart: one bar per unit kind, then per group, in scope (the dashboard's and
/chart's); what a coordinator's /chart names: a task's, or a bar per task (`chart_of`); what
a chart's link covers, drawn for the person who follows it (`covered_chart`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.dashboard.viewer import Viewer
from app.i18n import Catalog, Lang
from core.chart import MAX_BARS, Bar
from core.markup import Markup
from core.numbers import is_id
from core.states import TaskStatus
from core.status import Counts
from core.summary import overdue_first
from core.textnorm import SortKey, vi_sort_key
from db.engine import session_scope
from db.models import Directive, Task
from db.queries import summary as sq
from db.queries.scope import Scope
from db.queries.targets import Target, resolve_target


def chart_of(
    engine: Engine, text: str, *, scope: Scope, lang: Lang, now: datetime, catalog: Catalog
) -> tuple[Target, list[Bar], str]:
    """Return what `text` names in scope (as /summary reads it) with its bars and title: a
    task's by unit kind and group, or one per task, every open one or a directive's, most
    overdue first; no bars when there is nothing to draw (blocking: every open task's
    counts)."""
    with session_scope(engine) as session:
        target = resolve_target(session, text=text, scope=scope)
        bars: list[Bar] = []
        title = ""
        if target.task is not None:
            bars, title = task_bars(
                session, target.task, scope=scope, lang=lang, now=now, catalog=catalog
            )
        if target.kind in ("all", "directive"):
            bars, title = _tasks_bars(
                session, target, scope=scope, lang=lang, now=now, catalog=catalog
            )
    return target, bars, title


def _tasks_bars(
    session: Session, target: Target, *, scope: Scope, lang: Lang, now: datetime, catalog: Catalog
) -> tuple[list[Bar], str]:
    """Return one bar per task (every open one, or a directive's), most overdue first."""
    t = partial(catalog.get, lang)
    doc = target.directive
    tasks = sq.task_counts(
        session, now=now, scope=scope, directive_id=doc.id if doc else None, open_only=doc is None
    )
    bars = [Bar(f"#{x.task_id} {x.title}", x.counts) for x in overdue_first(tasks)]
    if doc is not None:
        title = t("chart.title_directive", number=Markup(doc.number))
    else:
        title = t("chart.title_all", n=len(tasks))
    if len(bars) > MAX_BARS:
        title += " " + t("chart.shown", shown=MAX_BARS, n=len(bars))
    return bars, title


def covered_chart(
    session: Session,
    viewer: Viewer,
    *,
    task_id: int | None,
    directive_id: int | None,
    now: datetime,
    catalog: Catalog,
    lang: Lang | None = None,
) -> tuple[list[Bar], str]:
    """Return the bars and title of what a chart's link covers, in the viewer's scope: one
    task's, a directive's tasks' or every open task's, as /chart draws them on Telegram."""
    lang = lang or viewer.lang
    if task_id is not None:
        return task_chart(session, viewer, task_id=task_id, now=now, catalog=catalog, lang=lang)
    if directive_id is None:
        target = Target("all")
    else:
        directive = session.get(Directive, directive_id) if is_id(directive_id) else None
        if directive is None:
            return [], ""
        target = Target("directive", directive=directive)
    bars, title = _tasks_bars(
        session, target, scope=viewer.scope, lang=lang, now=now, catalog=catalog
    )
    return (bars, title) if bars else ([], "")


def task_chart(
    session: Session,
    viewer: Viewer,
    *,
    task_id: int,
    now: datetime,
    catalog: Catalog,
    lang: Lang | None = None,
) -> tuple[list[Bar], str]:
    """Return a task's chart bars in scope (one per unit kind, then per group) and title,
    in `lang` (the viewer's by default)."""
    task = session.get(Task, task_id) if is_id(task_id) else None
    if task is None or task.status == TaskStatus.CANCELLED:
        return [], ""
    lang = lang or viewer.lang
    return task_bars(session, task, scope=viewer.scope, lang=lang, now=now, catalog=catalog)


def task_bars(
    session: Session, task: Task, *, scope: Scope, lang: Lang, now: datetime, catalog: Catalog
) -> tuple[list[Bar], str]:
    """Return a task's chart bars in scope and its title: one bar per unit kind, then one
    per named group, each in Vietnamese alphabetical order (the dashboard's and /chart's)."""
    assert task.id is not None
    kinds = sq.kind_counts(session, now=now, task_id=task.id, scope=scope)
    if not kinds:
        return [], ""
    t = partial(catalog.get, lang)
    names = sq.kind_labels(session, lang=lang)
    groups = sq.group_counts(session, now=now, task_id=task.id, scope=scope)
    labelled = sorted(((names.get(k, k), c) for k, c in kinds.items()), key=_by_name)
    bars = [Bar(name, c) for name, c in labelled]
    bars += [
        Bar(t("chart.group", name=Markup(g)), c) for g, c in sorted(groups.items(), key=_by_name)
    ]
    return bars, t("chart.title_task", id=task.id, title=Markup(task.title))


def _by_name(item: tuple[str, Counts]) -> SortKey:
    """Sort a (name, counts) pair by its name in Vietnamese alphabetical order."""
    return vi_sort_key(item[0])
