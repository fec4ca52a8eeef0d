"""/link on Telegram: a code to use dondoc on another channel, or this chat joining a person.

The use case is `app.linking.link`; here the Telegram user and chat become its `Caller`.
A code that would merge this chat's person into the code's is asked first: Join and Cancel
buttons (`lk:...`, signed for this user), answered by `app.linking.confirm`.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from app.link_confirm import PREFIX
from app.linking import Caller, Linked, confirm, is_live_code, link
from core.linking import looks_like_link_code
from core.markup import to_html, to_plain
from core.roles import Access
from handlers.telegram.access import Request, button, command, prefix_pattern, refresh_menu
from handlers.telegram.presses import POPUP_LIMIT
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.senders import CHANNEL
from render.telegram import buttons
from scheduler.workers import in_worker


def _caller(req: Request) -> Caller | None:
    """Return the Telegram account and chat the update came from."""
    user, chat = req.update.effective_user, req.update.effective_chat
    if user is None or chat is None:
        return None
    return Caller(CHANNEL, str(user.id), str(chat.id), user.username)


@command(Access.PUBLIC)
async def link_command(req: Request) -> None:
    """Answer /link (a new code) or /link <code> (this Telegram account joins a person)."""
    await linked_by(req, req.text_args)


async def bare_code(req: Request) -> bool:
    """Answer a link code sent alone as `/link <code>`; False when the text is none."""
    text = req.message.text if req.message is not None else None
    if not text or not looks_like_link_code(text.strip()):
        return False  # most texts: no hop to a worker for the lookup
    if not await in_worker(is_live_code, req.services, text.strip()):
        return False
    await linked_by(req, text.strip())
    return True


async def linked_by(req: Request, typed: str) -> None:
    """Run /link with what was typed after it, and answer."""
    caller = _caller(req)
    if caller is None:
        return
    linked = await in_worker(link, req.services, req.actor, caller, typed)
    markup = None
    if linked.choices:
        markup = buttons(req.services.button_key, req.actor.external_id, linked.choices)
    await req.reply(linked.text, reply_markup=markup)
    await _after(req, linked)


@button(Access.PUBLIC)
async def on_confirm(req: Request) -> None:
    """Join or Cancel from the buttons of a merge's question; the question keeps its answer."""
    caller = _caller(req)
    if caller is None:
        return
    linked = await in_worker(confirm, req.services, req.actor, caller, req.args)
    query, msg = req.update.callback_query, req.message
    if query is not None:
        await query.answer(to_plain(linked.text)[:POPUP_LIMIT])
    if msg is not None and msg.text_html:
        await msg.edit_text(f"{msg.text_html}\n\n{to_html(linked.text)}", reply_markup=None)
    else:
        await req.reply(linked.text)
    await _after(req, linked)


async def _after(req: Request, linked: Linked) -> None:
    """Reset the menu of the person the chat now is, when it changed."""
    if linked.contact_id is not None:
        await refresh_menu(req, linked.contact_id)


def flow() -> Flow:
    """Return this flow's commands and buttons."""
    return Flow(
        name="link",
        commands=(CommandSpec("link", Access.PUBLIC, link_command, "linking.cmd_link"),),
        late=(CallbackQueryHandler(on_confirm, pattern=prefix_pattern(PREFIX)),),
    )
