"""A person's card in /contacts: who they are, and buttons to change their role
(`ct:role:<contact id>:<role>`) or remove them from a unit (`ct:rm:<contact id>:<unit id>`),
and what those buttons do. `contacts.py` routes the buttons here."""

from __future__ import annotations

from sqlmodel import Session
from telegram import InlineKeyboardMarkup

from app import people
from core.markup import Markup
from core.roles import Role
from db.models import Unit
from db.queries.contact_admin import (
    ContactInfo,
    RoleChange,
    change_role,
    contact_info,
    remove_from_unit,
)
from db.queries.contacts import name_of
from handlers.telegram.access import Request, refresh_menu

PREFIX = "ct"  # the contacts flow's buttons


async def send_card(req: Request, contact_id: int) -> bool:
    """Send a person's card with buttons to change their role or remove them from a unit."""
    info = await req.transaction(lambda session: contact_info(session, contact_id=contact_id))
    if info is None:
        return False
    contact = info.contact
    text = req.t(
        "contacts.card",
        name=info.label,
        username=f"@{info.identities.username}" if info.identities.username else "-",
        identities=people.identities_text(req.services.catalog, req.actor.lang, info.identities),
        role=req.t(f"common.role_{contact.role}"),
        state=req.t("contacts.reachable" if info.identities.reachable else "contacts.unreachable"),
        units=Markup(_units_text(req, info)),
    )
    roles = [
        req.button(
            req.t("contacts.make", role=req.t(f"common.role_{role}")),
            PREFIX,
            "role",
            contact_id,
            role,
        )
        for role in Role
        if role != contact.role
    ]
    removals = [
        [
            req.button(
                req.t("contacts.remove_from", unit=unit.code), PREFIX, "rm", contact_id, unit.id
            )
        ]
        for unit, _ in info.units
    ]
    await req.reply(text, reply_markup=InlineKeyboardMarkup([roles, *removals]))
    return True


async def set_role(req: Request, contact_id: int, role_text: str) -> bool:
    """Change a person's role, refresh their command menu and say so."""
    if role_text not in set(Role):
        return False
    if contact_id == req.actor.contact_id:
        await req.say("contacts.not_yourself")
        return True
    actor_id = req.actor.contact_id

    def change(session: Session) -> tuple[RoleChange, str]:
        done = change_role(session, contact_id=contact_id, role=Role(role_text), actor_id=actor_id)
        return done, name_of(session, done.contact)

    done, name = await req.transaction(change)
    if done.contact is None:
        return False
    if done.problem == "last_admin":
        await req.say("contacts.last_admin", name=name)
        return True
    await refresh_menu(req, contact_id)
    await req.say("contacts.role_changed", name=name, role=req.t(f"common.role_{role_text}"))
    return True


async def remove(req: Request, contact_id: int, unit_id: int) -> bool:
    """Remove a person from a unit, refresh their menu and say so."""
    actor_id = req.actor.contact_id

    def change(session: Session) -> tuple[Unit | None, ContactInfo | None, bool]:
        unit = session.get(Unit, unit_id)
        info = contact_info(session, contact_id=contact_id)
        removed = remove_from_unit(
            session, contact_id=contact_id, unit_id=unit_id, actor_id=actor_id
        )
        return unit, info, removed

    unit, info, removed = await req.transaction(change)
    if not removed or unit is None or info is None:
        return False
    await refresh_menu(req, contact_id)
    await req.say("contacts.removed", name=info.label, unit=unit.name)
    return True


def _units_text(req: Request, info: ContactInfo) -> str:
    """Return the person's units with their function, one per line."""
    lines = [
        req.t("contacts.unit_line", unit=u.name, function=req.t(f"common.function_{f}"))
        for u, f in info.units
    ]
    return "\n".join(lines) or req.t("contacts.no_units")
