"""/digest off|on: a coordinator turns the scheduled digest off or on for themselves."""

from __future__ import annotations

from app import digest as app_digest
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow


@command(Access.COORDINATOR)
async def digest(req: Request) -> None:
    """Turn the sender's digest on or off, or tell its state and how to change it."""
    actor = req.actor
    await req.reply(
        await req.run(app_digest.switch, req.services, actor.lang, actor.contact_id, req.text_args)
    )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="digest",
        commands=(CommandSpec("digest", Access.COORDINATOR, digest, "digest.cmd_digest"),),
    )
