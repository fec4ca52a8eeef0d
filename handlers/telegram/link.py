"""/link on Telegram: a code to use dondoc on another channel, or this chat joining a person.

The use case is `app.linking.link`; here the Telegram user and chat become its `Caller`.
"""

from __future__ import annotations

from app.linking import Caller, link
from core.roles import Access
from handlers.telegram.access import Request, command, refresh_menu
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.senders import CHANNEL
from scheduler.workers import in_worker


@command(Access.PUBLIC)
async def link_command(req: Request) -> None:
    """Answer /link (a new code) or /link <code> (this Telegram account joins a person)."""
    user, chat = req.update.effective_user, req.update.effective_chat
    if user is None or chat is None:
        return
    caller = Caller(CHANNEL, str(user.id), str(chat.id), user.username)
    linked = await in_worker(link, req.services, req.actor, caller, req.text_args)
    await req.reply(linked.text)
    if linked.contact_id is not None:
        await refresh_menu(req, linked.contact_id)


def flow() -> Flow:
    """Return this flow's commands."""
    return Flow(
        name="link",
        commands=(CommandSpec("link", Access.PUBLIC, link_command, "linking.cmd_link"),),
    )
