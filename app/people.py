"""What a person is to the bot, as they may ask it on any channel: /whoami, /lang; /scope for
admins."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial

from sqlmodel import col, select

from app.actor import Actor
from app.i18n import Catalog, Lang
from app.services import Services
from core.markup import Markup
from core.roles import Role
from core.textnorm import fold
from db.engine import session_scope
from db.models import Contact, Unit
from db.queries import menu_marks
from db.queries.audit import record
from db.queries.contact_admin import (
    ContactInfo,
    change_role,
    change_scope,
    contact_info,
    find_people,
    remove_from_unit,
    split_person,
)
from db.queries.contacts import Identities, described, name_of, unit_ids_of
from db.queries.linking import split_identity
from db.queries.recipients import mark_unreachable
from db.queries.units import find_units

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


def unit_names(services: Services, unit_ids: Iterable[int]) -> list[str]:
    """Return the names of these units (blocking)."""
    query = select(Unit.name).where(col(Unit.id).in_(list(unit_ids)))
    with session_scope(services.engine) as session:
        return list(session.exec(query))


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


@dataclass(frozen=True)
class LanguageSet:
    """What `/lang` says, and the language kept (None: nothing kept, a usage or a stranger)."""

    said: str
    kept: Lang | None


# What `/lang` takes, folded: the codes, and the languages named ("tiếng Việt", "English").
LANGUAGE_WORDS: dict[str, Lang] = {
    **dict.fromkeys(("vi", "viet", "tieng viet", "vietnamese"), "vi"),
    **dict.fromkeys(("en", "anh", "tieng anh", "english"), "en"),
}


def set_language(services: Services, actor: Actor, args: str) -> LanguageSet:
    """/lang vi|en: keep the person's language, on any channel, and answer in it.

    The person's Telegram menu is in their language: the change leaves a mark for it
    (`db.queries.menu_marks`), which Telegram's side takes, whichever channel it came from.
    A stranger has nowhere to keep it: they are told how to join, in the language asked.
    """
    lang = LANGUAGE_WORDS.get(fold(args))
    if lang is None:
        return LanguageSet(services.catalog.get(actor.lang, "start.lang_usage"), None)
    if not actor.known:
        return LanguageSet(services.catalog.get(lang, "common.not_registered"), None)
    with session_scope(services.engine) as session:
        contact = session.get(Contact, actor.contact_id)
        if contact is None:  # removed meanwhile
            return LanguageSet(services.catalog.get(lang, "common.not_registered"), None)
        contact.language = lang
        menu_marks.mark(session, contact_id=actor.contact_id)
    return LanguageSet(services.catalog.get(lang, "start.lang_set"), lang)


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


def contact_line(catalog: Catalog, lang: str, info: ContactInfo, tz: tzinfo) -> str:
    """Return one person of a /contacts page: name, role, their first units' codes (the
    others counted), and a flag when the bot cannot reach them, or read them (since a day
    in `tz`)."""
    codes = [unit.code for unit, _ in info.units]
    units = ", ".join(codes[:LISTED_UNITS]) or "-"
    if len(codes) > LISTED_UNITS:
        more = catalog.get(lang, "contacts.more_units", count=len(codes) - LISTED_UNITS)
        units = f"{units} {more}"
    name = info.label
    if len(name) > LISTED_NAME:
        name = name[: LISTED_NAME - 1].rstrip() + "…"
    role = catalog.get(lang, f"common.role_{info.contact.role}")
    unreadable = info.identities.unreadable_since
    if not info.identities.reachable:
        return catalog.get(lang, "contacts.line_unreachable", name=name, role=role, units=units)
    if unreadable is not None:
        since = f"{unreadable.astimezone(tz):%d/%m/%Y}"
        key = "contacts.line_unreadable"
        return catalog.get(lang, key, name=name, role=role, units=units, since=since)
    return catalog.get(lang, "contacts.line", name=name, role=role, units=units)


ROLE_ACTION = ("role", "vai tro")  # "vai trò": /contacts role <person> <role>
# "gỡ liên kết": /contacts unlink <person> <channel>; before "gỡ", which it starts with
UNLINK_ACTION = ("unlink", "go lien ket")
REMOVE_ACTION = ("remove", "go")  # "gỡ": /contacts remove <person> <unit>
ACTIONS = (("role", ROLE_ACTION), ("unlink", UNLINK_ACTION), ("remove", REMOVE_ACTION))
CHANNELS = {"telegram": "telegram", "tg": "telegram", "zalo": "zalo"}


def contact_action(text: str) -> tuple[str, str] | None:
    """Return ("role" | "unlink" | "remove", the rest) when /contacts' text asks to change
    someone."""
    words = text.split()
    for action, spellings in ACTIONS:
        for spelling in spellings:
            width = len(spelling.split())
            if fold(" ".join(words[:width])) == spelling:
                return action, " ".join(words[width:])
    return None


def set_role(services: Services, lang: str, actor_id: int, args: str) -> str:
    """/contacts role <person> <role>: give the person a role (as a card's button does on
    Telegram); never one's own, never the last admin's."""
    t = partial(services.catalog.get, lang)
    if not args.strip():
        return t("contacts.manage_usage")
    with session_scope(services.engine) as session:
        found, rest = split_person(session, text=args)
        role = Role.parse(rest)
        if not found or len(found) > 1 or role is None:
            who = described(session, found)
            problem = "person" if not found else "which" if len(found) > 1 else "usage"
        elif found[0].id == actor_id:
            problem = "yourself"
        else:
            assert found[0].id is not None
            done = change_role(session, contact_id=found[0].id, role=role, actor_id=actor_id)
            problem = done.problem
        name = name_of(session, found[0]) if found else ""
    if problem == "person":
        return t("contacts.scope_person_not_found", text=args) + "\n" + t("contacts.manage_usage")
    if problem == "which":
        return t("contacts.scope_which_person", people="\n".join(who))
    if problem == "usage":
        return t("contacts.manage_usage")
    if problem == "yourself":
        return t("contacts.not_yourself")
    assert role is not None
    return role_said(t, problem, name, role)


def role_said(t: Callable[..., str], problem: str | None, name: str, role: Role) -> str:
    """Say what became of a role given on any channel: refused for the last admin, or set."""
    if problem == "last_admin":
        return t("contacts.last_admin", name=name)
    return t("contacts.role_changed", name=name, role=t(f"common.role_{role.value}"))


def remove_contact(services: Services, lang: str, actor_id: int, args: str) -> str:
    """/contacts remove <person> <unit>: take the person off one of their units (as a card's
    button does on Telegram); the person and their history stay."""
    t = partial(services.catalog.get, lang)
    if not args.strip():
        return t("contacts.manage_usage")
    with session_scope(services.engine) as session:
        found, rest = split_person(session, text=args)
        person = found[0] if len(found) == 1 else None
        theirs: list[str] = []
        units: list[Unit] = []
        if person is not None and person.id is not None:
            own = set(unit_ids_of(session, contact_id=person.id))
            found_units = find_units(session, text=rest, include_inactive=True) if rest else []
            units = [u for u in found_units if u.id in own]
            if len(units) != 1:
                info = contact_info(session, contact_id=person.id)
                theirs = [f"{u.code}: {u.name}" for u, _ in (info.units if info else [])]
            else:
                assert units[0].id is not None
                remove_from_unit(
                    session, contact_id=person.id, unit_id=units[0].id, actor_id=actor_id
                )
        who = described(session, found)
        name = name_of(session, person)
        unit_name = units[0].name if len(units) == 1 else ""
    if not found:
        return t("contacts.scope_person_not_found", text=args) + "\n" + t("contacts.manage_usage")
    if person is None:
        return t("contacts.scope_which_person", people="\n".join(who))
    if not unit_name:
        listed = "\n".join(theirs) or t("contacts.no_units")
        key = "contacts.remove_which_unit" if rest else "contacts.remove_no_unit"
        return t(key, name=name, text=rest, units=listed)
    return t("contacts.removed", name=name, unit=unit_name)


def unlink(services: Services, lang: str, actor_id: int, args: str) -> str:
    """/contacts unlink <person> <channel>: take the person's account on that channel off
    them (a /link code typed by someone else, an account they no longer use), as a person of
    its own with no unit; audited. Their other channel keeps their units and history."""
    t = partial(services.catalog.get, lang)
    person_text, _, last = args.strip().rpartition(" ")
    channel = CHANNELS.get(fold(last))
    if channel is None or not person_text.strip():
        return t("contacts.unlink_usage")
    with session_scope(services.engine) as session:
        found = find_people(session, text=person_text)
        who = described(session, found)
        name = name_of(session, found[0]) if found else ""
        split = None
        if len(found) == 1 and found[0].id is not None:
            split = split_identity(session, contact_id=found[0].id, channel=channel)
        if split is not None:
            identity, alone = split
            record(
                session, actor_id=actor_id, action="contact.unlinked", object_type="contact",
                object_id=found[0].id,
                details={"channel": channel, "account": identity.external_id, "to": alone.id},
            )  # fmt: skip
    said = partial(t, name=name, channel=channel_name(services.catalog, lang, channel))
    if not found:
        return (
            t("contacts.scope_person_not_found", text=person_text)
            + "\n"
            + said("contacts.unlink_usage")
        )
    if len(found) > 1:
        return t("contacts.scope_which_person", people="\n".join(who))
    if split is None:
        return said("contacts.unlink_none")
    return said("contacts.unlinked", account=split[0].external_id)


def unreachable(services: Services, channel: str, chat_id: str) -> None:
    """Mark a chat that refused an answer (the person blocked the bot since writing)
    unreachable, as a refused reminder is: the coordinators see who cannot be reached."""
    with session_scope(services.engine) as session:
        mark_unreachable(session, channel=channel, chat_id=chat_id, now=services.clock.now())
