"""Per-role command menus (setMyCommands) in both languages."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel import Session
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from app.i18n import LANGUAGES, Catalog
from core.roles import Access, Role, access_of
from db.models import Contact
from db.queries.contacts import contacts_with_role_at_least, identity_on, unit_ids_of
from handlers.telegram.registry import Flow, visible_commands

log = logging.getLogger(__name__)


def menu(flows: Sequence[Flow], access: Access, catalog: Catalog, lang: str) -> list[BotCommand]:
    """Return the command menu for an access level in a language."""
    return [
        BotCommand(spec.name, catalog.get(lang, spec.description_key)[:256])
        for spec in visible_commands(flows, access)
    ]


async def set_default_menus(bot: Bot, flows: Sequence[Flow], catalog: Catalog) -> None:
    """Set the menu every private chat sees (a member's), in Vietnamese and English."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(menu(flows, Access.MEMBER, catalog, "vi"), scope=scope)
    for lang in LANGUAGES:
        commands = menu(flows, Access.MEMBER, catalog, lang)
        await bot.set_my_commands(commands, scope=scope, language_code=lang)


async def set_contact_menu(
    bot: Bot, flows: Sequence[Flow], catalog: Catalog, session: Session, contact: Contact
) -> None:
    """Give a coordinator or admin the menu of their role in their chat and language."""
    if contact.id is None:
        return
    identity = identity_on(session, contact_id=contact.id, channel="telegram")
    if identity is None or identity.chat_id is None or not identity.started:
        return
    has_units = bool(unit_ids_of(session, contact_id=contact.id))
    access = access_of(contact.role, has_units=has_units)
    scope = BotCommandScopeChat(int(identity.chat_id))
    try:
        if access <= Access.MEMBER:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(menu(flows, access, catalog, contact.language), scope=scope)
    except TelegramError as exc:
        log.warning("could not set the menu of contact %s: %s", contact.id, exc)


async def set_staff_menus(
    bot: Bot, flows: Sequence[Flow], catalog: Catalog, session: Session
) -> None:
    """Set the menus of every coordinator and admin who has started the bot."""
    for contact in contacts_with_role_at_least(
        session, roles=(Role.COORDINATOR.value, Role.ADMIN.value)
    ):
        await set_contact_menu(bot, flows, catalog, session, contact)
