"""Zalo's /contacts: the registered people (or a unit's), page by page ("tiếp" the next);
`/contacts role <person> <role>` and `/contacts remove <person> <unit>`, as a person's
card's buttons on Telegram, through the same use cases (`app.people`)."""

from __future__ import annotations

from functools import partial

from app import people
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from db.engine import session_scope
from db.models import Unit
from db.queries.contact_admin import contact_page
from handlers.zalo.commandkit import one_unit, refused_unless_admin
from handlers.zalo.pages import remember

CONTACTS_SIZE = 15


def contacts(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/contacts [unit]: the registered people (or a unit's), a page at a time;
    `/contacts role <person> <role>` and `/contacts remove <person> <unit>` do what a
    person's card's buttons do on Telegram."""
    action = people.contact_action(args)
    if action is None:
        return contacts_page(services, actor, args.strip(), 1)
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    verb, rest = action
    change = people.set_role if verb == "role" else people.remove_contact
    return [Said(change(services, actor.lang, actor.contact_id, rest))]


def contacts_page(services: Services, actor: Actor, text: str, number: int) -> list[Said]:
    """Show one page of the people `text` asks for (all, or a unit's): "tiếp" the next."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    unit: Unit | None = None
    if text:
        found = one_unit(services, actor.lang, text, include_inactive=True)
        if isinstance(found, Said):
            return [found]
        unit = found
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        unit_id = unit.id if unit is not None else None
        page, count = contact_page(session, unit_id=unit_id, number=number, size=CONTACTS_SIZE)
        header = (
            t("zalo.contacts_header_unit", count=count, unit=unit.name)
            if unit is not None
            else t("zalo.contacts_header", count=count)
        )
        lines = [header]
        lines += [people.contact_line(services.catalog, actor.lang, i) for i in page.items]
    if not page.items:
        lines.append(t("contacts.none"))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    more = None
    if page.has_next:
        more = {"command": "contacts", "page": page.number + 1, "args": text}
        lines.append(t("zalo.more"))
    remember(services, actor, more)
    return [Said("\n".join(lines))]
