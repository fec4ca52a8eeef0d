"""One list of heavy commands and choices (`app.heavy`), read by Telegram's lanes and Zalo's
dispatch: every command either channel registers is classified there, and both channels
take the same commands for heavy."""

from __future__ import annotations

import re

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import CallbackQueryHandler

from app.heavy import HEAVY_CHOICES, HEAVY_COMMANDS, LIGHT_COMMANDS, is_heavy_command
from handlers.telegram.flows import flows
from handlers.telegram.lanes import HeavyUpdates
from handlers.zalo import commands as zalo

WHEN = 1_700_000_000
USER, CHAT = User(7, "Điều phối", is_bot=False), Chat(7, Chat.PRIVATE)


def typed(text: str) -> Update:
    """Return a Telegram update of a typed text."""
    return Update(1, message=Message(1, WHEN, CHAT, from_user=USER, text=text))  # type: ignore[arg-type]


def telegram_commands() -> dict[str, str]:
    """Return each name Telegram registers (aliases too) with its command's name."""
    return {
        alias: spec.name
        for flow in flows()
        for spec in flow.commands
        for alias in (spec.name, *spec.aliases)
    }


def zalo_commands() -> dict[str, str]:
    """Return each name Zalo takes (ACCESS: its registry and the text channel's) with its
    command's name: an alias runs the same function as a command the list names."""
    classified = HEAVY_COMMANDS | LIGHT_COMMANDS
    named = {zalo.COMMANDS[n]: n for n in classified if n in zalo.COMMANDS}

    def command(name: str) -> str:
        if name in classified or name not in zalo.COMMANDS:
            return name
        return named.get(zalo.COMMANDS[name], name)

    return {name: command(name) for name in zalo.ACCESS}


def test_every_command_of_either_channel_is_classified_once() -> None:
    """A command either channel registers is heavy or light in the one list, never both, and
    the list names no command that no channel has."""
    assert not HEAVY_COMMANDS & LIGHT_COMMANDS
    registered = set(telegram_commands().values()) | set(zalo_commands().values())
    assert registered == HEAVY_COMMANDS | LIGHT_COMMANDS


def test_both_channels_take_the_listed_commands_for_heavy_and_no_other() -> None:
    """Telegram's lanes and Zalo's dispatch tell a heavy command, alias or not, by the list;
    so a command both channels have is heavy on both or on neither."""
    lanes = HeavyUpdates.of(flows())
    for name, command in telegram_commands().items():
        assert lanes(typed(f"/{name} #12")) == is_heavy_command(command), name
    for name, command in zalo_commands().items():
        assert zalo.is_heavy(f"/{name} #12") == is_heavy_command(command), name
    assert lanes(typed("/tonghop"))  # an alias is its command's
    assert zalo.is_heavy("/tonghop")


def test_each_heavy_choice_is_a_button_telegram_answers_and_runs_heavy() -> None:
    """A heavy choice kind is the first part of buttons a Telegram flow answers (no stale
    entry), and the lanes take its presses for heavy."""
    lanes = HeavyUpdates.of(flows())
    patterns = [
        handler.pattern
        for flow in flows()
        for handler in flow.late
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    ]
    for kind in HEAVY_CHOICES:
        data = f"{kind}:x:1"
        assert any(p.match(data) for p in patterns), kind
        assert lanes(Update(2, callback_query=CallbackQuery("q", USER, "c", data=data)))
