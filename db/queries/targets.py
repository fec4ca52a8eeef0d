"""What a coordinator named in /summary, /export, /report, /chart: everything, a task, a
directive, or several tasks to choose from, within their scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from core.period import dated
from core.states import TaskStatus
from db.models import Directive, Task
from db.queries.directives import directive_numbered, find_directive
from db.queries.scope import EVERY, Scope, visible_tasks
from db.queries.tasks import TASK_NUMBER, find_tasks


@dataclass(frozen=True)
class Target:
    """What a coordinator named: everything, a task, a directive, or several tasks."""

    kind: str  # all | task | directive | ambiguous | none
    task: Task | None = None
    directive: Directive | None = None
    choices: tuple[Task, ...] = ()
    # Why nothing was found, when it is not a mistyped name: a date or a period (these
    # commands take none), or the number of a task that was cancelled.
    period: bool = False
    cancelled: Task | None = None


def resolve_target(session: Session, *, text: str, scope: Scope = EVERY) -> Target:
    """Read '#12', '12', a directive number ('4824/UBND-KGVX', or '4824' when no task has
    that number) or a task title into a target.

    Tasks with nothing in scope are not found, so their titles are never offered.
    """
    text = text.strip()
    if not text:
        return Target("all")
    if not TASK_NUMBER.match(text):
        directive = find_directive(session, number=text)
        if directive is not None:
            return Target("directive", directive=directive)
        if dated(text) is not None:  # these commands take no date nor period
            return Target("none", period=True)
    named = visible_tasks(session, tasks=find_tasks(session, text=text), scope=scope)
    found = [t for t in named if t.status != TaskStatus.CANCELLED]
    if len(found) == 1:
        return Target("task", task=found[0])
    if found:
        return Target("ambiguous", choices=tuple(found))
    if TASK_NUMBER.match(text) and named:  # its number names a task that was cancelled
        return Target("none", cancelled=named[0])
    if text.isdigit():  # no task of that number: the number of a directive, said short
        directive = directive_numbered(session, number=int(text))
        if directive is not None:
            return Target("directive", directive=directive)
    return Target("none")
