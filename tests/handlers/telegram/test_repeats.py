"""A text sent again before the answer to the same text went out is recorded and finished
unanswered, on Telegram as on Zalo (`core.repeats`)."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from core.repeats import AnsweredTexts
from db.models import Inbox, StatusReport
from devtools.fakebotapi import Fault, FaultRule
from tests.factories import make_unit
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.handlers.telegram.test_onboarding import invite_code
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


def test_a_repeat_is_what_came_before_the_answers_first_message_went() -> None:
    """The answer went when its first message was sent, not when its handler ended: a text
    sent once that message was read is no repeat, though the handler still worked on."""
    now = [10.0]
    texts = AnsweredTexts(clock=lambda: now[0])
    texts.begin("u1")
    texts.went("u2")  # another person's message: not this answer's
    now[0] = 11.0
    texts.went("u1")  # the answer's first message
    now[0] = 12.0
    texts.went("u1")  # a second one
    now[0] = 14.0
    texts.answered("u1", "/start abc")  # the handler ends later
    assert texts.repeats("u1", "/start abc", 10.5)  # came before the answer went
    assert not texts.repeats("u1", "/start abc", 11.5)  # came with the answer in hand
    texts.went("u1")  # a reminder later, nothing being answered: no answer's time
    texts.begin("u1")
    now[0] = 20.0
    texts.answered("u1", "xong")  # answered without a message noted: now
    assert texts.repeats("u1", "xong", 19.0)


async def test_a_text_sent_again_once_its_answer_came_is_read_even_while_work_goes_on(
    bot: BotUnderTest,
) -> None:
    """The official who joined with a link taps it again as soon as the welcome comes, while
    the bot still works on (its menu, held here by a slow Bot API): told they are registered.
    The answer went with the welcome; a tap after it is no repeat of the first."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã Tam Xuân")
    code = await invite_code(bot, "X01")
    bot.user(3103)
    bot.server.add_fault(FaultRule(Fault.delay(1.5), methods=["deleteMyCommands"], times=1))
    await bot.send(3103, f"/start {code}")
    again = (await bot.send(3103, f"/start {code}")).text or ""
    assert "đã dùng lời mời này rồi" in again
