"""On Zalo too, a status counts from when it was sent (`app.said`): Zalo dates each message.

"xong" written at 23:50 on the deadline day and handled at 00:10 the next day is done on
time; the same written at 00:10 is done late.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlmodel import select

from db.models import Assignment
from tests.scheduler.support import at
from tests.zalo.conftest import ZaloBot
from tests.zalo.test_evidence import JPEG
from tests.zalo.test_reminders import DEADLINE, HOA, official, remind


async def done_written(zbot: ZaloBot, minutes_before: float) -> tuple[str, date]:
    """Have Hoa write "xong" after her reminder, dated `minutes_before` the bot handles it at
    00:10 after the deadline day; return the answer and the local day it is recorded done."""
    official(zbot)
    await remind(zbot)
    zbot.tg.clock.set(at(DEADLINE + timedelta(days=1), 0, 10))
    after = len(zbot.zalo.messages(HOA))
    written = int((time.time() - minutes_before * 60) * 1000)
    await zbot.handled(zbot.zalo.send_text(HOA, "xong", written_ms=written))
    answer = "\n".join(m.text for m in zbot.zalo.messages(HOA)[after:])
    with zbot.session() as s:
        [done_at] = [a.done_at for a in s.exec(select(Assignment))]
    assert done_at is not None
    return answer, done_at.astimezone(zbot.services.settings.tz).date()


async def test_done_written_before_midnight_and_handled_after_is_on_time(zbot: ZaloBot) -> None:
    """Written 23:50 on the deadline day, handled 00:10: done on time, that day."""
    answer, done_on = await done_written(zbot, minutes_before=20)
    assert "Hoàn thành đúng hạn" in answer
    assert done_on == DEADLINE


async def test_done_written_after_midnight_is_late(zbot: ZaloBot) -> None:
    """Written at 00:10 (handled at once): done late, the next day."""
    answer, done_on = await done_written(zbot, minutes_before=0)
    assert "Hoàn thành quá hạn" in answer
    assert done_on == DEADLINE + timedelta(days=1)


async def test_a_photo_captioned_done_before_midnight_is_on_time(zbot: ZaloBot) -> None:
    """A photo captioned "xong", written 23:50 and handled 00:10: done on time, that day."""
    official(zbot)
    await remind(zbot)
    zbot.tg.clock.set(at(DEADLINE + timedelta(days=1), 0, 10))
    after = len(zbot.zalo.messages(HOA))
    written = int((time.time() - 20 * 60) * 1000)
    await zbot.handled(zbot.zalo.send_photo(HOA, JPEG, "xong", written_ms=written))
    answer = "\n".join(m.text for m in zbot.zalo.messages(HOA)[after:])
    assert "Hoàn thành đúng hạn" in answer
    with zbot.session() as s:
        [done_at] = [a.done_at for a in s.exec(select(Assignment))]
    assert done_at is not None
    assert done_at.astimezone(zbot.services.settings.tz).date() == DEADLINE
