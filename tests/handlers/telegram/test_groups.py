"""Groups: the bot works in private chats only, so a group never becomes a person's chat."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import select

from db.models import StatusReport
from db.queries.contacts import find_identity
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import at, task_for

GROUP = -100700
PRIVATE_ONLY = "chỉ làm việc trong tin nhắn riêng"


def chat_of(bot: BotUnderTest, user_id: int) -> str | None:
    """Return the chat the bot has on record for a person (None: no contact row)."""
    with bot.session() as s:
        found = find_identity(s, channel="telegram", external_id=str(user_id))
    return found.chat_id if found is not None else None


async def test_help_in_a_group_leaves_the_unit_reminders_private(bot: BotUnderTest) -> None:
    """After an official's /help in a group, /nudge still reminds them in their private chat."""
    with bot.session() as s:
        unit = make_unit(s, "G1", "Xã Nhóm")
        make_contact(s, 6100, units=[unit])
        task = task_for(s, [unit], date(2026, 11, 20), at(date(2026, 11, 2)), "Kế hoạch CĐS")
    bot.user(6100)
    bot.server.send_text(6100, "/start")
    await bot.server.wait_for_message(6100)
    bot.server.add_group(GROUP, "Tổ công tác xã")

    bot.server.send_text(6100, "/help", chat_id=GROUP)
    await bot.server.wait_for_message(GROUP)
    await bot.send(ADMIN_ID, f"/nudge #{task.id}")

    reminder = await bot.server.wait_for_message(6100, lambda m: "Kế hoạch CĐS" in (m.text or ""))
    assert reminder.chat_id == 6100
    assert [PRIVATE_ONLY in (m.text or "") for m in bot.server.messages(GROUP)] == [True]
    assert chat_of(bot, 6100) == "6100"


async def test_whoami_in_a_group_gets_one_line_and_changes_nobody(bot: BotUnderTest) -> None:
    """A coordinator's /whoami in a group is answered by one line and keeps their chat."""
    with bot.session() as s:
        make_contact(s, 6101, role="coordinator")
    bot.user(6101)
    bot.server.add_group(GROUP, "Tổ công tác")

    bot.server.send_text(6101, "/whoami@dondoc_test_bot", chat_id=GROUP)
    line = await bot.server.wait_for_message(GROUP)

    assert PRIVATE_ONLY in (line.text or "")
    assert "@dondoc_test_bot" in (line.text or "")
    assert chat_of(bot, 6101) == "6101"


async def test_mention_in_a_group_is_answered_in_the_senders_language(bot: BotUnderTest) -> None:
    """Mentioning the bot in a group gets the one line, in English for an English user."""
    bot.user(6102, language="en")
    bot.server.add_group(GROUP, "Ward team")

    bot.server.send_text(6102, "@dondoc_test_bot what are our tasks?", chat_id=GROUP)
    line = await bot.server.wait_for_message(GROUP)

    assert "private chats only" in (line.text or "")


async def test_group_chatter_is_ignored_without_a_trace(bot: BotUnderTest) -> None:
    """Group messages not addressed to the bot get no answer and make nobody a contact."""
    bot.user(6103)
    bot.server.add_group(GROUP, "Tổ công tác")

    bot.server.send_text(6103, "họp lúc 14 giờ nhé", chat_id=GROUP)
    update_id = bot.server.send_text(6103, "/help@other_bot", chat_id=GROUP)
    await bot.processed(update_id)
    await bot.send(ADMIN_ID, "/help")  # anything after them proves they were consumed

    assert bot.server.messages(GROUP) == []
    assert chat_of(bot, 6103) is None


async def test_bot_added_to_a_group_leaves_it(bot: BotUnderTest) -> None:
    """When someone adds the bot to a group, the bot leaves it at once."""
    bot.user(6104)

    bot.server.add_bot_to_group(6104, GROUP, "Nhóm mới", supergroup=True)

    await bot.server.wait_until(lambda: not bot.server.bot_is_member(GROUP))
    assert bot.server.messages(GROUP) == []
    assert chat_of(bot, 6104) is None


CUSTOMER = 6199  # someone the official talks to in a chat of theirs, not the bot's


@pytest.mark.parametrize("kind", ["business_message", "guest_message"])
async def test_a_message_in_someone_elses_chat_is_not_the_officials_chat(
    bot: BotUnderTest, kind: str
) -> None:
    """An official's "xong" in their chat with another person, which Telegram hands the bot
    as a business account's message (the bot connected to it) or as a guest's (the bot
    called into that chat), is not said to the bot: no report, and that chat does not
    become where the bot writes to them (their reminders went to the other person)."""
    with bot.session() as s:
        unit = make_unit(s, "G2", "Xã Khách")
        make_contact(s, 6100, units=[unit])
        task = task_for(s, [unit], date(2026, 11, 20), at(date(2026, 11, 2)), "Kế hoạch CĐS")
    bot.user(6100)
    await bot.send(6100, "/start")
    message = {
        "message_id": 77,
        "date": int(time.time()),
        "chat": {"id": CUSTOMER, "type": "private", "first_name": "Khách"},
        "from": {"id": 6100, "is_bot": False, "first_name": "Lan"},
        "text": "xong",
    }
    extra = {"business_connection_id": "bc-1"} if kind == "business_message" else {}
    update_id = bot.server.inject_update({kind: message | extra})
    await bot.processed(update_id)
    await bot.send(ADMIN_ID, f"/nudge #{task.id}")

    reminder = await bot.server.wait_for_message(6100, lambda m: "Kế hoạch CĐS" in (m.text or ""))
    assert reminder.chat_id == 6100
    assert chat_of(bot, 6100) == "6100"
    with bot.session() as s:
        assert s.exec(select(StatusReport)).all() == []
    assert bot.server.messages(CUSTOMER) == []
