"""Per-role command menus (setMyCommands) in both languages."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import NetworkError, RetryAfter, TelegramError

from app.i18n import LANGUAGES, Catalog
from app.menus import MenuOf, marked_menus, take_marks
from core.roles import Access
from handlers.telegram.registry import Flow, visible_commands
from scheduler.workers import in_update_worker

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
    bot: Bot, flows: Sequence[Flow], catalog: Catalog, menu_for: MenuOf
) -> bool:
    """Give a coordinator or admin the menu of their role in their chat and language; tell
    whether that is settled (False: Telegram did not answer, to be tried again).

    The database is read before (`app.menus`, off the event loop); here only Telegram is called.
    """
    scope = BotCommandScopeChat(menu_for.chat_id)
    try:
        if menu_for.access <= Access.MEMBER:
            await bot.delete_my_commands(scope=scope)
        else:
            commands = menu(flows, menu_for.access, catalog, menu_for.language)
            await bot.set_my_commands(commands, scope=scope)
    except (NetworkError, RetryAfter) as exc:  # NetworkError covers TimedOut
        log.warning("could not set the menu of contact %s yet: %s", menu_for.contact_id, exc)
        return False
    except TelegramError as exc:  # a chat that refuses it: trying again would not help
        log.warning("could not set the menu of contact %s: %s", menu_for.contact_id, exc)
    return True


async def refresh_marked(bot: Bot, flows: Sequence[Flow], catalog: Catalog, engine: Engine) -> int:
    """Reset the menus of the people whose commands changed anywhere (a role given on Zalo or
    on the command line, units taken away: `db.queries.menu_marks`); return how many.

    The marks of people with no Telegram chat are taken as they are: nothing to reset.
    """

    settled: list[tuple[int, str]] = []
    for contact_id, value, menu_for in await in_update_worker(marked_menus, engine):
        if menu_for is None or await set_contact_menu(bot, flows, catalog, menu_for):
            settled.append((contact_id, value))

    if settled:
        await in_update_worker(take_marks, engine, settled)
    return len(settled)
