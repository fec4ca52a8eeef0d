"""/recurring: rules that create a task per occurrence ahead of time (monthly reports, ...).

`/recurring` lists the rules; `/recurring add <title> | <rule> | <units> [| <directive>]`
defines one (rule: `monthly:20`, `quarterly:15`, `weekly:fri`, or 'hàng tháng 20' ...) and
creates its first tasks at once; `/recurring stop <number>` stops one (its tasks stay).
The rules are `app/recurring_rules.py`'s, as on Zalo; the daily job (scheduler.recurring)
creates the later occurrences.
"""

from __future__ import annotations

from app import recurring_rules
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow
from scheduler.workers import in_worker


@command(Access.ADMIN)
async def recurring(req: Request) -> None:
    """List, add or stop recurring rules."""
    answer = recurring_rules.command
    actor = req.actor
    for text in await in_worker(answer, req.services, actor.lang, actor.contact_id, req.text_args):
        await req.reply(text)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="recurring",
        commands=(CommandSpec("recurring", Access.ADMIN, recurring, "recurring.cmd_recurring"),),
    )
