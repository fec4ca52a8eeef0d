"""What a person is to the bot, as they may ask it on any channel: /whoami; /scope for admins."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from app.actor import Actor
from app.i18n import Catalog
from app.services import Services
from core.markup import Markup
from db.engine import session_scope
from db.queries.contact_admin import ContactInfo, change_scope, contact_info, split_person
from db.queries.contacts import Identities, described, name_of

# A /contacts page is one Telegram message, edited in place by its buttons: ten people in
# dozens of units each passed 4,096 characters. Listed, a person is at most LISTED_NAME
# characters of name and LISTED_UNITS codes (of at most 40), about 300 characters a line;
# the card (pressing the name) shows them all.
LISTED_NAME = 80
LISTED_UNITS = 3


def channel_name(catalog: Catalog, lang: str, channel: str) -> str:
    """Return a channel's name as people know it ("Telegram", "Zalo")."""
    key = f"common.channel_{channel}"
    return catalog.get(lang, key) if catalog.has(key) else channel


def channel_names(catalog: Catalog, lang: str, channels: Iterable[str]) -> str:
    """Return channels' names as one list ("Zalo, Telegram")."""
    return ", ".join(channel_name(catalog, lang, c) for c in channels)


def identities_text(catalog: Catalog, lang: str, identities: Identities) -> Markup:
    """Return a person's channels with their ids: "Zalo (mã a0d1…), Telegram (mã 1001)"."""
    return Markup(
        ", ".join(
            catalog.get(
                lang,
                "contacts.identity",
                channel=channel_name(catalog, lang, i.channel),
                id=i.external_id,
            )
            for i in identities.items
        )
    )


def whoami(services: Services, actor: Actor) -> str:
    """Return a known person's name, identities (channel and id), role and units (markup)."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        info = contact_info(session, contact_id=actor.contact_id)
        if info is None:
            return t("common.not_registered")
        identities = identities_text(services.catalog, actor.lang, info.identities)
        units = [
            t("contacts.unit_line", unit=u.name, function=t(f"common.function_{f}"))
            for u, f in info.units
        ]
        return t(
            "contacts.whoami",
            name=info.label,
            identities=identities,
            role=t(f"common.role_{info.contact.role}"),
            units=Markup("\n".join(units) or t("contacts.no_units")),
        )


def scope(services: Services, lang: str, actor_id: int, args: str) -> str:
    """/scope <person> [<group>, ... | all]: show, set or clear a coordinator's groups.

    The person is named as /contacts shows them: their name, @username or channel id.
    """
    t = partial(services.catalog.get, lang)
    if not args.strip():
        return t("contacts.scope_usage")
    with session_scope(services.engine) as session:
        people, rest = split_person(session, text=args)
        person = people[0] if len(people) == 1 else None
        groups = [g for g in (p.strip() for p in rest.split(",")) if g] if rest else None
        result = (
            change_scope(session, contact=person, groups=groups, actor_id=actor_id)
            if person is not None
            else None
        )
        name = name_of(session, person)
        who = described(session, people)
    if not people:
        return t("contacts.scope_person_not_found", text=args)
    if result is None:
        return t("contacts.scope_which_person", people="\n".join(who))
    if result.problem == "not_coordinator":
        return t("contacts.scope_not_coordinator", name=name)
    if result.problem == "group_not_found":
        known = ", ".join(result.known) or t("contacts.scope_no_groups")
        return t("contacts.scope_group_not_found", group=result.missing, groups=known)
    kind = "all" if not result.groups else "groups"
    verb = "shown" if groups is None else "set"
    said = t(f"contacts.scope_{verb}_{kind}", name=name, groups=", ".join(result.groups))
    if result.empty:
        said += "\n" + t("contacts.scope_empty_groups", groups=", ".join(result.empty))
    return said


def contact_line(catalog: Catalog, lang: str, info: ContactInfo) -> str:
    """Return one person of a /contacts page: name, role, their first units' codes (the
    others counted), and a flag when the bot cannot reach them."""
    codes = [unit.code for unit, _ in info.units]
    units = ", ".join(codes[:LISTED_UNITS]) or "-"
    if len(codes) > LISTED_UNITS:
        more = catalog.get(lang, "contacts.more_units", count=len(codes) - LISTED_UNITS)
        units = f"{units} {more}"
    name = info.label
    if len(name) > LISTED_NAME:
        name = name[: LISTED_NAME - 1].rstrip() + "…"
    key = "contacts.line" if info.identities.reachable else "contacts.line_unreachable"
    role = catalog.get(lang, f"common.role_{info.contact.role}")
    return catalog.get(lang, key, name=name, role=role, units=units)
