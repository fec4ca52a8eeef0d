"""/nudge <task>: a coordinator reminds, right now, every unit that has not reported done."""

from __future__ import annotations

from app.services import Services
from core.markup import Markup
from core.roles import Access
from core.textnorm import vi_sort_key
from db.engine import session_scope
from db.models import Task
from db.queries.scope import unit_ids_in_scope, visible_tasks
from db.queries.tasks import find_tasks
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow
from scheduler.delivery import dispatch_context, wake
from scheduler.nudge import NudgeResult, nudge_task
from scheduler.workers import in_heavy_worker

MAX_CHOICES = 8
MAX_UNREACHED = 20


@command(Access.COORDINATOR)
async def nudge(req: Request) -> None:
    """Queue a reminder now to each not-done unit of the named task and say how many."""
    text = req.text_args
    if not text:
        await req.say("nudge.usage")
        return
    with req.db() as session:
        tasks = visible_tasks(session, tasks=find_tasks(session, text=text), scope=req.actor.scope)
        if len(tasks) != 1:
            await _not_one(req, text, [f"#{t.id} {t.title}" for t in tasks])
            return
        task = tasks[0]
        if task.status != "open":
            await req.say("nudge.not_open", task=Markup(str(task.id)), title=task.title)
            return
        scope = None
        if not req.actor.scope.everything:
            scope = set(unit_ids_in_scope(session, contact_id=req.actor.contact_id))
        task_id, title = task.id or 0, task.title
    # A task of a whole province means thousands of messages to compose: not on the loop.
    request = str(req.update.update_id)
    result = await in_heavy_worker(_nudge, req.services, task_id, request, scope)
    wake(req.context.application)
    if result.units == 0 and not result.unreached:
        await req.say("nudge.all_done", task=Markup(str(task_id)), title=title)
        return
    unreached = sorted(result.unreached, key=vi_sort_key)
    answer = req.t(
        "nudge.done_unreached" if unreached else "nudge.done",
        task=Markup(str(task_id)),
        title=title,
        total=result.units + len(unreached),
        units=result.units,
        contacts=result.contacts,
        unreached=len(unreached),
    )
    if unreached:
        lines = [req.t("nudge.unreached")]
        lines += [req.t("nudge.unreached_unit", unit=u) for u in unreached[:MAX_UNREACHED]]
        if len(unreached) > MAX_UNREACHED:
            lines.append(req.t("nudge.unreached_more", n=len(unreached) - MAX_UNREACHED))
        answer += "\n" + "\n".join(lines)
    await req.reply(answer)


def _nudge(services: Services, task_id: int, request: str, scope: set[int] | None) -> NudgeResult:
    """Queue the nudge in its own session (run in a worker thread)."""
    with session_scope(services.engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return nudge_task(
            session,
            dispatch_context(services),
            task=task,
            now=services.clock.now(),
            request=request,
            scope=scope,
            checkpoint=session.commit,
        )


async def _not_one(req: Request, text: str, matches: list[str]) -> None:
    """Say that no task, or several, match what the coordinator typed."""
    if not matches:
        await req.say("nudge.not_found", text=text)
        return
    await req.say("nudge.which", text=text, tasks="\n".join(matches[:MAX_CHOICES]))


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="nudge",
        commands=(CommandSpec("nudge", Access.COORDINATOR, nudge, "nudge.cmd_nudge"),),
    )
