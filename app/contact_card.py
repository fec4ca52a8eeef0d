"""An admin's /contacts as Telegram shows it: a page of people (all, or a unit's), a choice
per person (`ct:card:<contact id>`) and to turn the page (`ct:pg:<page>:<unit id or 0>`);
a person's card: who they are, a choice per other role (`ct:role:<contact id>:<role>`) and
one per unit to remove them from (`ct:rm:<contact id>:<unit id>`), REMOVALS_PAGE units a
page (`ct:card:<contact id>:<page>`); and removing them from a unit, said. `listed` is the
page as data; `typed_page`, the page as a channel without buttons shows it (Zalo's
`/contacts [unit]`, "tiếp" the next)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from app import people
from app.choices import Choice, Rows
from app.services import Services
from core.markup import Markup
from core.paging import Page, page_of
from core.roles import Role
from db.engine import session_scope
from db.models import Unit
from db.queries.contact_admin import (
    ContactInfo,
    change_role,
    contact_info,
    contact_page,
    remove_from_unit,
)
from db.queries.contacts import Identities, name_of

PREFIX = "ct"  # the contacts flow's choices
# Units offered for removal on one card: Telegram refuses a keyboard of over 100 buttons, and
# someone may be a contact of more units than that.
REMOVALS_PAGE = 40


@dataclass(frozen=True)
class Card:
    """What a person's card says, and its choices."""

    text: str
    choices: Rows


@dataclass(frozen=True)
class Listed:
    """A page of people: all, or a unit's; how many in all."""

    page: Page[ContactInfo]
    count: int
    unit: str | None  # the unit's name, when it is a unit's


def listed(services: Services, *, unit_id: int, number: int, size: int) -> Listed | None:
    """Return page `number` of the people (0: all; else the unit's); None when the unit is
    gone (blocking)."""
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit_id and unit is None:
            return None
        page, count = contact_page(session, unit_id=unit_id or None, number=number, size=size)
    return Listed(page, count, unit.name if unit is not None else None)


def page(services: Services, lang: str, *, unit_id: int, number: int, size: int) -> Card | None:
    """Return a page of people with a choice per person and to turn the page; None when the
    unit is gone (blocking)."""
    found = listed(services, unit_id=unit_id, number=number, size=size)
    if found is None:
        return None
    t = partial(services.catalog.get, lang)
    shown = found.page
    lines = _lines(services, lang, found, "contacts.header", "contacts.header_unit")
    rows: Rows = [
        [Choice(info.label, (PREFIX, "card", cid))]
        for info in shown.items
        if (cid := info.contact.id) is not None
    ]
    nav = []
    if shown.has_prev:
        nav.append(Choice(t("common.prev"), (PREFIX, "pg", shown.number - 1, unit_id)))
    if shown.has_next:
        nav.append(Choice(t("common.next"), (PREFIX, "pg", shown.number + 1, unit_id)))
    return Card("\n".join(lines), [*rows, nav] if nav else rows)


TYPED_SIZE = 15  # people on a page of a channel without buttons


@dataclass(frozen=True)
class Typed:
    """A page of people as typed commands read it: its text, the next page (None: the last)."""

    text: str
    next_page: int | None = None


def typed_page(services: Services, lang: str, *, unit_id: int, number: int) -> Typed | None:
    """Return page `number` of the people (0: all; else the unit's) for a channel without
    buttons, "tiếp" for the next; None when the unit is gone (blocking)."""
    found = listed(services, unit_id=unit_id, number=number, size=TYPED_SIZE)
    if found is None:
        return None
    lines = _lines(services, lang, found, "zalo.contacts_header", "zalo.contacts_header_unit")
    if found.page.has_next:
        lines.append(services.catalog.get(lang, "zalo.more"))
    return Typed("\n".join(lines), found.page.number + 1 if found.page.has_next else None)


def _lines(services: Services, lang: str, found: Listed, everyone: str, units: str) -> list[str]:
    """Return a page's lines: its header (`everyone`'s or a unit's), a line a person (or
    that there is none), and which page it is."""
    t = partial(services.catalog.get, lang)
    shown = found.page
    head = t(units, count=found.count, unit=found.unit) if found.unit is not None else None
    lines = [head or t(everyone, count=found.count)]
    tz = services.settings.tz
    lines += [people.contact_line(services.catalog, lang, info, tz) for info in shown.items] or [
        t("contacts.none")
    ]
    return [*lines, "", t("common.page", page=shown.number, pages=shown.pages)]


def card(services: Services, lang: str, contact_id: int, page: int = 1) -> Card | None:
    """Return a person's card, with the removals of page `page` of their units; None when
    they no longer exist (blocking)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        info = contact_info(session, contact_id=contact_id)
        if info is None:
            return None
        contact = info.contact
        units = [(unit.code, unit.id) for unit, _ in info.units if unit.id is not None]
        shown = page_of(units, page, REMOVALS_PAGE)
        text = t(
            "contacts.card",
            title=Markup(_title(services, lang, info)),
            identities=people.identities_text(services.catalog, lang, info.identities),
            role=t(f"common.role_{contact.role}"),
            state=_state(services, lang, info.identities),
            units=Markup(_units_text(services, lang, info)),
        )
        if shown.pages > 1:
            text += "\n" + t("contacts.removals_page", page=shown.number, pages=shown.pages)
        roles = [
            Choice(
                t("contacts.make", role=t(f"common.role_{role}")),
                (PREFIX, "role", contact_id, role.value),
            )
            for role in Role
            if role != contact.role
        ]
        removals = [
            [Choice(t("contacts.remove_from", unit=code), (PREFIX, "rm", contact_id, unit_id))]
            for code, unit_id in shown.items
        ]
    nav: list[Choice] = []
    if shown.has_prev:
        nav.append(Choice(t("common.prev"), (PREFIX, "card", contact_id, shown.number - 1)))
    if shown.has_next:
        nav.append(Choice(t("common.next"), (PREFIX, "card", contact_id, shown.number + 1)))
    return Card(text, [roles, *removals, *([nav] if nav else [])])


def remove(
    services: Services, lang: str, actor_id: int | None, contact_id: int, unit_id: int
) -> str | None:
    """Remove a person from a unit and say so; None when there was nothing to remove (the
    person, the unit or the link gone meanwhile) (blocking)."""
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id)
        info = contact_info(session, contact_id=contact_id)
        removed = remove_from_unit(
            session, contact_id=contact_id, unit_id=unit_id, actor_id=actor_id
        )
        if not removed or unit is None or info is None:
            return None
        name, unit_name = info.label, unit.name
    return services.catalog.get(lang, "contacts.removed", name=name, unit=unit_name)


def _title(services: Services, lang: str, info: ContactInfo) -> str:
    """Return a card's first line: the person's name, and their username when there is one
    (a person on Zalo alone has none, and their name is not followed by a stray dash)."""
    username = info.identities.username
    if username:
        return services.catalog.get(
            lang, "contacts.card_title", name=info.label, username=username
        )
    return services.catalog.get(lang, "contacts.card_title_no_username", name=info.label)


def _units_text(services: Services, lang: str, info: ContactInfo) -> str:
    """Return the person's units with their function, one per line."""
    t = partial(services.catalog.get, lang)
    lines = [
        t("contacts.unit_line", unit=u.name, function=t(f"common.function_{f}"))
        for u, f in info.units
    ]
    return "\n".join(lines) or t("contacts.no_units")


@dataclass(frozen=True)
class RoleSet:
    """What a card's role button did: what to say, and whether the role changed (their menu
    follows it)."""

    said: str
    changed: bool


def set_role(
    services: Services, lang: str, actor_id: int, contact_id: int, role: Role
) -> RoleSet | None:
    """Give a person a role from their card (never one's own, never the last admin's, as
    `/contacts role` on a channel without buttons, `people.set_role`); None when they no
    longer exist (blocking)."""
    t = partial(services.catalog.get, lang)
    if contact_id == actor_id:
        return RoleSet(t("contacts.not_yourself"), changed=False)
    with session_scope(services.engine) as session:
        done = change_role(session, contact_id=contact_id, role=role, actor_id=actor_id)
        name = name_of(session, done.contact)
    if done.contact is None:
        return None
    said = people.role_said(t, done.problem, name, role)
    return RoleSet(said, changed=done.problem != "last_admin")


def _state(services: Services, lang: str, identities: Identities) -> str:
    """Return whether the bot reaches the person, and reads them (a card's "Liên lạc")."""
    t = partial(services.catalog.get, lang)
    if not identities.reachable:
        return t("contacts.unreachable")
    unreadable = identities.unreadable_since
    if unreadable is None:
        return t("contacts.reachable")
    return t(
        "contacts.unreadable", since=f"{unreadable.astimezone(services.settings.tz):%d/%m/%Y}"
    )
