"""A person blocking the bot, and unblocking it, as Telegram tells it (my_chat_member)."""

from __future__ import annotations

from db.queries.contacts import find_identity
from tests.factories import make_contact, make_unit
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import ADMIN_ID, BotUnderTest


def reachable(bot: BotUnderTest, user_id: int) -> bool:
    """Tell whether the bot may write to a person's Telegram chat, as stored."""
    with bot.session() as s:
        found = find_identity(s, channel="telegram", external_id=str(user_id))
    assert found is not None
    return found.reachable


async def test_blocking_the_bot_is_seen_at_once_and_unblocking_it_undoes_it(
    bot: BotUnderTest,
) -> None:
    """Telegram tells the bot at once that a person blocked it: their chat was read as "seen"
    (reachable, the one their messages go to), so the admins learnt it only when a reminder
    was refused. Now it is unreachable at once; unblocking it makes it reachable again, and
    their reminders go to it."""
    world = await scene(bot)

    bot.server.block(OFFICIAL)
    await bot.server.wait_until(lambda: not reachable(bot, OFFICIAL))
    listed = await bot.send(ADMIN_ID, "/contacts")
    assert "Lan" in (listed.text or "")
    assert "không liên lạc được" in (listed.text or "")

    bot.server.unblock(OFFICIAL, notify=True)
    await bot.server.wait_until(lambda: reachable(bot, OFFICIAL))
    await bot.send(ADMIN_ID, f"/nudge #{world.tasks[0].id}")
    reminder = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "Kế hoạch CĐS 1" in (m.text or "")
    )
    assert reminder.chat_id == OFFICIAL


async def test_blocking_as_the_first_word_since_the_start_keeps_a_contacts_budget(
    bot: BotUnderTest,
) -> None:
    """A block that is the person's first update since the bot started, then an unblock: the
    unblock is read (the block is no word of a stranger's, whose budget is one a minute)."""
    with bot.session() as s:
        make_contact(s, OFFICIAL, units=[make_unit(s, "TX", "Xã Tam Xuân")], name="Lan")
    bot.user(OFFICIAL, "Lan")

    bot.server.block(OFFICIAL)
    await bot.server.wait_until(lambda: not reachable(bot, OFFICIAL))
    bot.server.unblock(OFFICIAL, notify=True)
    await bot.server.wait_until(lambda: reachable(bot, OFFICIAL))
