"""Contacts: /whoami for everyone; /contacts [unit], role changes, removals, /scope for admins.

Buttons: `ct:pg:<page>:<unit id or 0>`, `ct:unit:<unit id>`, `ct:card:<contact id>`,
`ct:role:<contact id>:<role>`, `ct:rm:<contact id>:<unit id>`.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from app import people
from core.markup import Markup, to_html
from core.numbers import typed_number
from core.roles import Access, Role
from db.models import Unit
from db.queries.contact_admin import (
    ContactInfo,
    RoleChange,
    change_role,
    contact_info,
    contact_page,
    remove_from_unit,
)
from db.queries.contacts import name_of
from handlers.telegram.access import Request, button, command, prefix_pattern, refresh_menu
from handlers.telegram.presses import settle_press
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.unitpick import pick_unit
from scheduler.workers import in_worker

PREFIX = "ct"
PAGE_SIZE = 10


@command(Access.PUBLIC)
async def whoami(req: Request) -> None:
    """Tell the sender their role, function and units (and their id, for admins to use)."""
    if req.actor.access == Access.PUBLIC:
        await req.say("contacts.whoami_stranger", user_id=req.actor.external_id)
        return
    await req.reply(await in_worker(people.whoami, req.services, req.actor))


def _units_text(req: Request, info: ContactInfo) -> str:
    """Return the person's units with their function, one per line."""
    lines = [
        req.t("contacts.unit_line", unit=u.name, function=req.t(f"common.function_{f}"))
        for u, f in info.units
    ]
    return "\n".join(lines) or req.t("contacts.no_units")


@command(Access.ADMIN)
async def contacts(req: Request) -> None:
    """List the registered contacts, or those of one unit, with a button per person."""
    unit_id = 0
    if req.text_args:
        unit = await pick_unit(req, req.text_args, PREFIX, "unit", include_inactive=True)
        if unit is None or unit.id is None:
            return
        unit_id = unit.id
    page = await req.run(contacts_page, req, 1, unit_id)
    if page is not None:
        await req.reply(page[0], reply_markup=page[1])


def contacts_page(
    req: Request, number: int, unit_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Return one page of contacts (all, or of a unit) and its buttons; None if unit gone."""
    with req.db() as session:
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit_id and unit is None:
            return None
        page, count = contact_page(session, unit_id=unit_id or None, number=number, size=PAGE_SIZE)
    header_key = "contacts.header_unit" if unit is not None else "contacts.header"
    lines = [req.t(header_key, count=count, unit=unit.name if unit else "")]
    catalog, lang = req.services.catalog, req.actor.lang
    lines += [people.contact_line(catalog, lang, info) for info in page.items] or [
        req.t("contacts.none")
    ]
    lines += ["", req.t("common.page", page=page.number, pages=page.pages)]
    rows = [
        [req.button(info.label, PREFIX, "card", cid)]
        for info in page.items
        if (cid := info.contact.id) is not None
    ]
    nav = []
    if page.has_prev:
        nav.append(req.button(req.t("common.prev"), PREFIX, "pg", page.number - 1, unit_id))
    if page.has_next:
        nav.append(req.button(req.t("common.next"), PREFIX, "pg", page.number + 1, unit_id))
    return "\n".join(lines), InlineKeyboardMarkup([*rows, nav] if nav else rows)


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


@command(Access.ADMIN)
async def scope(req: Request) -> None:
    """/scope <person> [<group>, ... | all]: show, set or clear a coordinator's groups."""
    actor = req.actor
    answer = await in_worker(
        people.scope, req.services, actor.lang, actor.contact_id, req.text_args
    )
    await req.reply(answer)


@button(Access.ADMIN)
async def on_button(req: Request) -> None:
    """Handle the contacts buttons."""
    query = req.update.callback_query
    assert query is not None
    action, first, second = [*req.args, "", "", ""][1:4]
    number, other = typed_number(first), typed_number(second)
    found = number is not None
    if number is not None and action == "pg" and other is not None:
        page = await req.run(contacts_page, req, number, other)
        if found := page is not None:
            await query.edit_message_text(to_html(page[0]), reply_markup=page[1])
    elif number is not None and action == "unit":
        page = await req.run(contacts_page, req, 1, number)
        if found := page is not None:
            await req.reply(page[0], reply_markup=page[1])
    elif number is not None and action == "card":
        found = await send_card(req, number)
    elif number is not None and action == "role":
        found = await set_role(req, number, second)
    elif number is not None and action == "rm" and other is not None:
        found = await remove(req, number, other)
    else:
        found = False
    await settle_press(req, found)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="contacts",
        commands=(
            CommandSpec("whoami", Access.PUBLIC, whoami, "contacts.cmd_whoami"),
            CommandSpec("contacts", Access.ADMIN, contacts, "contacts.cmd_contacts"),
            CommandSpec("scope", Access.ADMIN, scope, "contacts.cmd_scope"),
        ),
        late=(CallbackQueryHandler(on_button, pattern=prefix_pattern(PREFIX)),),
    )
