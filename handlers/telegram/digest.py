"""/digest off|on: a coordinator turns the scheduled digest off or on for themselves."""

from __future__ import annotations

from sqlmodel import Session

from core.roles import Access
from core.textnorm import fold
from db.models import Contact
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow

CHOICES = {"on": True, "bat": True, "off": False, "tat": False}


@command(Access.COORDINATOR)
async def digest(req: Request) -> None:
    """Turn the sender's digest on or off, or tell its state and how to change it."""
    choice = CHOICES.get(fold(req.text_args))
    contact_id = req.actor.contact_id

    def apply(session: Session) -> bool:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        if choice is not None:
            contact.digest_enabled = choice
        return contact.digest_enabled

    enabled = await req.transaction(apply)
    if choice is None:
        state = req.t("digest.state_on" if enabled else "digest.state_off")
        await req.say("digest.usage", state=state)
    else:
        await req.say("digest.turned_on" if enabled else "digest.turned_off")


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="digest",
        commands=(CommandSpec("digest", Access.COORDINATOR, digest, "digest.cmd_digest"),),
    )
