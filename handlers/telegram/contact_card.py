"""A person's card in /contacts (`app/contact_card.py`: who they are, buttons to change their
role (`ct:role:<contact id>:<role>`) or remove them from a unit (`ct:rm:<contact id>:<unit
id>`), a page of units at a time (`ct:card:<contact id>:<page>`)), and what those buttons
do. `contacts.py` routes the buttons here.

A role is given by `app.contact_card.set_role`, as Zalo's `/contacts role` gives one."""

from __future__ import annotations

from app import contact_card
from core.roles import Role
from handlers.telegram.access import Request, refresh_menu
from render.telegram import buttons

PREFIX = contact_card.PREFIX  # the contacts flow's buttons


async def send_card(req: Request, contact_id: int, page: int = 1) -> bool:
    """Send a person's card with buttons to change their role or remove them from a unit
    (a page of their units)."""
    card = contact_card.card
    shown = await req.atomic(card, req.services, req.actor.lang, contact_id, page)
    if shown is None:
        return False
    markup = buttons(req.services.button_key, req.actor.external_id, shown.choices)
    await req.reply(shown.text, reply_markup=markup)
    return True


async def set_role(req: Request, contact_id: int, role_text: str) -> bool:
    """Change a person's role, refresh their command menu and say so."""
    if role_text not in set(Role):
        return False
    actor_id, role = req.actor.contact_id, Role(role_text)
    done = await req.atomic(
        contact_card.set_role, req.services, req.actor.lang, actor_id, contact_id, role
    )
    if done is None:
        return False
    if done.changed:
        await refresh_menu(req, contact_id)
    await req.reply(done.said)
    return True


async def remove(req: Request, contact_id: int, unit_id: int) -> bool:
    """Remove a person from a unit, refresh their menu and say so."""
    actor_id = req.actor.contact_id
    said = await req.atomic(
        contact_card.remove, req.services, req.actor.lang, actor_id, contact_id, unit_id
    )
    if said is None:
        return False
    await refresh_menu(req, contact_id)
    await req.reply(said)
    return True
