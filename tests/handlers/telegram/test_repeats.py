"""A text sent again before the answer to the same text went out is recorded and finished
unanswered, on Telegram as on Zalo (`core.repeats`)."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from core.repeats import AnsweredTexts
from db.models import Inbox, StatusReport
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import BotUnderTest

WHICH_TASK = "nhiệm vụ nào"


async def test_fifteen_identical_texts_at_once_get_one_answer(bot: BotUnderTest) -> None:
    """Lan, with two open tasks, sends "xong" fifteen times at once (a slow network sending
    it again): the first is read and asks which task; the others came before that question,
    so they are recorded, finished (nothing run again at the next start) and not answered.
    Each got its own "which task?" before: fifteen identical questions."""
    await scene(bot, tasks=2)
    after = len(bot.server.messages(OFFICIAL))
    sent = [bot.server.send_text(OFFICIAL, "xong") for _ in range(15)]
    await bot.processed(sent[-1])
    await bot.server.wait_until(lambda: len(bot.server.messages(OFFICIAL)) > after)
    await asyncio.sleep(0.3)  # what the others would have said
    texts = [m.text or "" for m in bot.server.messages(OFFICIAL)][after:]
    assert len([t for t in texts if WHICH_TASK in t]) == 1
    assert len(texts) <= 2  # past the burst, at most one "slow down"

    def finished() -> bool:
        with bot.session() as s:
            rows = s.exec(select(Inbox).where(Inbox.channel == "telegram")).all()
            mine = [r for r in rows if r.update_id in {str(n) for n in sent}]
        return bool(mine) and all(r.processed_at is not None for r in mine)

    await bot.server.wait_until(finished)
    with bot.session() as s:
        assert s.exec(select(StatusReport)).all() == []


async def test_the_same_text_after_its_answer_is_read_again(bot: BotUnderTest) -> None:
    """ "/mytasks" typed again once its answer has come is answered again: only a text that
    came before the answer to the same text is a repeat."""
    await scene(bot, tasks=1)
    first = await bot.send(OFFICIAL, "/mytasks")
    again = await bot.send(OFFICIAL, "/mytasks")
    assert first.text == again.text


def test_the_rule_reads_when_the_text_came_and_when_its_twin_was_answered() -> None:
    """Same person, same text (spaces aside), came before the answer: a repeat; else not."""
    now = [10.0]
    texts = AnsweredTexts(clock=lambda: now[0])
    texts.answered("u1", " xong ")
    assert texts.repeats("u1", "xong", 9.0)
    assert not texts.repeats("u1", "xong", 11.0)  # written after the answer
    assert not texts.repeats("u1", "1", 9.0)
    assert not texts.repeats("u2", "xong", 9.0)
    assert not texts.repeats("u1", "xong", None)  # unknown: recovered after a restart
    assert not texts.repeats("u1", "  ", 9.0)
