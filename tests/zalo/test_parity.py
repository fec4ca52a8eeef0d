"""Zalo knows every command Telegram does: a province may run dondoc on Zalo alone (Telegram
is blocked in Vietnam), so a command named in Telegram's registry is never "unknown" there."""

from __future__ import annotations

from handlers.telegram.flows import flows
from handlers.zalo.commands import ACCESS, COMMANDS


def test_every_telegram_command_and_alias_is_a_zalo_command_of_the_same_role() -> None:
    """Each name and alias Telegram registers is in Zalo's ACCESS with the same access."""
    telegram = {
        name: spec.access
        for flow in flows()
        for spec in flow.commands
        for name in (spec.name, *spec.aliases)
    }
    assert {name: ACCESS.get(name) for name in telegram} == telegram


def test_every_zalo_command_with_a_role_is_answered() -> None:
    """Each name in Zalo's ACCESS is run by COMMANDS or by the text channel itself."""
    text_channel = {"cancel", "link", "nudge", "whoami"}
    assert set(ACCESS) - set(COMMANDS) - text_channel == set()
