"""A status counts from when it was sent, not from when the bot got to it (`app.said`).

The bot down overnight, or a database outage waited out: "xong" sent at 23:50 on the
deadline day and handled at 00:10 the next day is done on time, as its sender did it. A
message handled at once, or dated by a clock that cannot be right, counts when handled.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from tests.handlers.telegram.checkin_world import (
    DEADLINE,
    OFFICIAL,
    assignment,
    remind,
    scene,
)
from tests.handlers.telegram.test_evidence import PNG
from tests.harness import BotUnderTest
from tests.scheduler.support import at

AFTER_MIDNIGHT = at(DEADLINE + timedelta(days=1), 0, 10)  # handled: 00:10 the next day


async def reply_sent_earlier(bot: BotUnderTest, minutes: float | None) -> tuple[str, date]:
    """Have the official answer the reminder "xong", in a message Telegram dated `minutes`
    before now (None: now), handled at 00:10 after the deadline day; return the answer and
    the local day the assignment is recorded done."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    bot.clock.set(AFTER_MIDNIGHT)
    written = None if minutes is None else int(time.time() - minutes * 60)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_text(OFFICIAL, "xong", reply_to=reminder.message_id, written_at=written)
    answer = await bot.server.wait_for_message(OFFICIAL, after=after)
    done_at = assignment(bot, aid).done_at
    assert done_at is not None
    return answer.text or "", done_at.astimezone(bot.services.settings.tz).date()


async def test_done_sent_before_midnight_and_handled_after_is_on_time(bot: BotUnderTest) -> None:
    """Sent 23:50 on the deadline day, handled 00:10: done on time, on the deadline day."""
    answer, done_on = await reply_sent_earlier(bot, minutes=20)
    assert "Hoàn thành đúng hạn" in answer
    assert done_on == DEADLINE


async def test_done_handled_as_it_comes_counts_when_handled(bot: BotUnderTest) -> None:
    """The same "xong" sent at 00:10 is done late: the deadline day had passed."""
    answer, done_on = await reply_sent_earlier(bot, minutes=None)
    assert "Hoàn thành quá hạn" in answer
    assert done_on == DEADLINE + timedelta(days=1)


async def test_a_date_older_than_telegram_keeps_updates_counts_when_handled(
    bot: BotUnderTest,
) -> None:
    """Dated two days back, longer than Telegram keeps an update: a wrong clock, not a wait."""
    answer, done_on = await reply_sent_earlier(bot, minutes=2 * 24 * 60)
    assert "Hoàn thành quá hạn" in answer
    assert done_on == DEADLINE + timedelta(days=1)


async def test_a_photo_captioned_done_before_midnight_is_on_time(bot: BotUnderTest) -> None:
    """A photo of the minutes captioned "đã xong", sent 23:50 and handled 00:10: the status
    its caption states is done on time, as a typed "xong" is."""
    world = await scene(bot)
    aid = world.assignments[0]
    bot.clock.set(AFTER_MIDNIGHT)
    after = bot.server.last_message_id(OFFICIAL)
    caption = f"#{world.tasks[0].id} đã xong, gửi ảnh biên bản"
    bot.server.send_photo(OFFICIAL, PNG, caption=caption, written_at=int(time.time() - 1200))
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Hoàn thành đúng hạn" in (reply.text or "")
    done_at = assignment(bot, aid).done_at
    assert done_at is not None
    assert done_at.astimezone(bot.services.settings.tz).date() == DEADLINE
