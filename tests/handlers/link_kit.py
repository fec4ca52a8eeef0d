"""What the /link tests share: a province on two channels, a text typed on the text channel,
and the code an answer gives."""

from __future__ import annotations

import re

from pydantic import SecretStr

from handlers.text.channel import TextChannel
from tests.harness import BotUnderTest

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


def on_two_channels(bot: BotUnderTest) -> None:
    """Run the province on Telegram and Zalo: on one alone, /link has nothing to link."""
    bot.configure(zalo_bot_token=SecretStr("2718281828:fake-zalo-token-for-tests"))


def typed(bot: BotUnderTest, who: str, text: str, n: int) -> str:
    """Send a text on the text channel and return the bot's (single) answer."""
    [answer] = TextChannel(bot.services).receive(who, text, str(n))
    return answer


def code_in(text: str) -> str:
    """Return the link code an answer gives."""
    found = CODE.search(text)
    assert found is not None, text
    return found.group(0)


async def code_of(bot: BotUnderTest, user_id: int) -> str:
    """Ask /link on Telegram and return the code the bot gave."""
    return code_in((await bot.send(user_id, "/link")).text or "")
