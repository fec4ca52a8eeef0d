"""Zalo's /contacts: the registered people (or a unit's), page by page ("tiếp" the next);
`/contacts role <person> <role>` and `/contacts remove <person> <unit>`, as a person's
card's buttons on Telegram, through the same use cases (`app.people`), and `/contacts
unlink <person> <channel>`, typed on both."""

from __future__ import annotations

from app import contact_card, people
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from handlers.zalo.commandkit import one_unit, refused_unless_admin
from handlers.zalo.pages import remember


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
    changes = {"role": people.set_role, "unlink": people.unlink}
    change = changes.get(verb, people.remove_contact)
    return [Said(change(services, actor.lang, actor.contact_id, rest))]


def contacts_page(services: Services, actor: Actor, text: str, number: int) -> list[Said]:
    """Show one page of the people `text` asks for (all, or a unit's): "tiếp" the next."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    unit_id = 0
    if text:
        found = one_unit(services, actor.lang, text, include_inactive=True)
        if isinstance(found, Said):
            return [found]
        unit_id = found.id or 0
    shown = contact_card.typed_page(services, actor.lang, unit_id=unit_id, number=number)
    if shown is None:  # the unit deleted since it was read
        return [Said(services.catalog.get(actor.lang, "units.not_found", text=text))]
    more = {"command": "contacts", "page": shown.next_page, "args": text}
    remember(services, actor, more if shown.next_page else None)
    return [Said(shown.text)]
