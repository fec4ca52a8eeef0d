"""/nudge <task>: a coordinator reminds, right now, every unit that has not reported done."""

from __future__ import annotations

from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow
from scheduler import nudge as nudging
from scheduler.delivery import wake
from scheduler.workers import in_heavy_worker


@command(Access.COORDINATOR)
async def nudge(req: Request) -> None:
    """Queue a reminder now to each not-done unit of the named task and say how many."""
    request = str(req.update.update_id)
    # A task of a whole province means thousands of messages to compose: not on the loop
    # (and in a worker process on a large database, which this thread waits for).
    answer = await in_heavy_worker(nudging.nudge, req.services, req.actor, req.text_args, request)
    wake(req.context.application)
    await req.reply(answer)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="nudge",
        commands=(CommandSpec("nudge", Access.COORDINATOR, nudge, "nudge.cmd_nudge"),),
    )
