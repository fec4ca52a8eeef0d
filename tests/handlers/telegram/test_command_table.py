"""Commands: every flow's commands are one handler's table, found by name as Telegram types
them (any case, addressed to this bot, with arguments), and a name given twice is refused."""

from __future__ import annotations

import pytest
from telegram.ext import ApplicationBuilder

from handlers.telegram import flows as registered
from handlers.telegram.registry import CommandSpec, Flow
from tests.harness import ADMIN_ID, BotUnderTest


async def test_a_command_is_found_in_any_case_and_addressed_to_this_bot(
    bot: BotUnderTest,
) -> None:
    """/WHOAMI and /whoami@<this bot> get what /whoami gets; /whoami@other_bot is not ours."""
    plain = (await bot.send(ADMIN_ID, "/whoami")).text
    shouted = (await bot.send(ADMIN_ID, "/WHOAMI")).text
    addressed = (await bot.send(ADMIN_ID, "/whoami@dondoc_test_bot extra words")).text

    assert plain == shouted == addressed
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.processed(bot.server.send_text(ADMIN_ID, "/whoami@other_bot"))
    since = [m.text for m in bot.server.messages(ADMIN_ID) if m.message_id > after]
    assert plain not in since


async def test_a_command_s_words_after_it_reach_its_flow_as_arguments(bot: BotUnderTest) -> None:
    """/lang en switches the language: the table hands the words after the command on."""
    answer = await bot.send(ADMIN_ID, "/lang en")
    again = await bot.send(ADMIN_ID, "/lang vi")

    assert answer.text != again.text


def test_a_command_named_twice_is_refused_when_the_flows_are_registered() -> None:
    """Two flows giving the same name (an alias of one, the command of another) cannot both
    run: registering them fails, rather than the second never running."""
    every = registered.flows()
    first = next(spec for flow in every for spec in flow.commands if spec.aliases)
    clash = CommandSpec(first.aliases[0], first.access, first.callback, first.description_key)
    application = ApplicationBuilder().token("1:x").build()

    with pytest.raises(ValueError, match=f"/{first.aliases[0]} is registered twice"):
        registered.register(application, [*every, Flow(name="clash", commands=(clash,))])
