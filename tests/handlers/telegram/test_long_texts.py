"""What a person types at length reaches the coordinator in one notice, quoted with an ellipsis."""

from __future__ import annotations

from datetime import date

from core.textfit import ELLIPSIS, QUOTE_LIMIT
from devtools.fakebotapi import ChatMessage
from scheduler.delivery import wake
from tests.handlers.telegram.checkin_world import COORDINATOR, OFFICIAL, notices, scene
from tests.harness import BotUnderTest

# As long as a member may type (handlers accept up to 4,000 characters).
LONG = ("thiếu kinh phí và nhân lực cho khảo sát " * 100)[:3900]


async def notice_to_coordinator(bot: BotUnderTest, prefix: str) -> list[ChatMessage]:
    """Wait for the sender to deliver the one notice with that key prefix; return what came."""
    assert len(notices(bot, COORDINATOR, prefix)) == 1
    wake(bot.app)
    await bot.server.wait_until(lambda: notices(bot, COORDINATOR, prefix)[0].status == "sent", 15)
    return [m for m in bot.server.messages(COORDINATOR) if "thiếu kinh phí" in (m.text or "")]


def quoted_once(messages: list[ChatMessage]) -> str:
    """Return the single notice's text, checking the long text is cut with an ellipsis."""
    [message] = messages
    text = message.text or ""
    assert ELLIPSIS in text
    assert LONG[: QUOTE_LIMIT // 2] in text
    assert LONG not in text
    assert len(text) <= 4096
    return text


async def test_blocker_with_a_long_reason_reaches_the_coordinator_cut(bot: BotUnderTest) -> None:
    """A 3,900-character blocker reason is quoted cut, in one notice the coordinator gets."""
    await scene(bot)
    reply = await bot.send(OFFICIAL, f"vướng: {LONG}")
    assert "Vướng mắc" in (reply.text or "")
    quoted_once(await notice_to_coordinator(bot, "blocker:"))


async def test_explanation_with_a_long_answer_reaches_the_asker_cut(bot: BotUnderTest) -> None:
    """A 3,900-character explanation is kept whole and quoted cut in the asker's notice."""
    world = await scene(bot, deadline=date(2026, 11, 10))
    await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    reply = await bot.send(OFFICIAL, f"/giaitrinh {LONG}")
    assert "Đã ghi nhận giải trình" in (reply.text or "")
    quoted_once(await notice_to_coordinator(bot, "explained:"))


async def test_extension_with_a_long_reason_reaches_the_coordinator_cut(bot: BotUnderTest) -> None:
    """A 3,900-character extension reason is quoted cut in the coordinator's request notice."""
    await scene(bot)
    await bot.send(OFFICIAL, f"xin gia hạn đến 15/12 vì {LONG}")
    quoted_once(await notice_to_coordinator(bot, "extension:"))
