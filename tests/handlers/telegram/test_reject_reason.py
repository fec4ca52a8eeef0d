"""A rejection's reason on Telegram: the ❌ button rejects at once and asks why; the decider's
next text goes to the unit as the reason (`app.reject_reason`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.reject_reason import reason_of
from bot.settings import Settings
from core.clock import ManualClock
from db.models import ExtensionRequest, Outbox, StatusReport, UnitContact
from db.queries.contacts import find_contact
from devtools.fakebotapi import ChatMessage, FakeBotApi
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    OFFICIAL,
    Scene,
    deliver,
    notices,
    remind,
    scene,
)
from tests.handlers.telegram.test_export import exported, rows
from tests.handlers.telegram.test_forms import running
from tests.harness import BotUnderTest, button_data

ASKED_ANY = "Lý do từ chối"
CANCELLED = "Đã hủy."


def asked_on(bot: BotUnderTest, request_id: int) -> str | None:
    """Return the coordinator's notice of a request as it reads now (the answer under it)."""
    shown = [
        m.text for m in bot.server.messages(COORDINATOR) if f"(số {request_id})" in (m.text or "")
    ]
    return shown[-1] if shown else None


async def rejected(bot: BotUnderTest, text: str = "xin gia hạn đến 15/12 vì chờ kinh phí") -> int:
    """Have the official ask for an extension and the coordinator press ❌ on its notice;
    return the request's id, once the notice shows the question."""
    await bot.send(OFFICIAL, text)
    with bot.session() as s:
        request_id = max(r.id or 0 for r in s.exec(select(ExtensionRequest)))
    [notice] = notices(bot, COORDINATOR, f"extension:{request_id}:")
    sent = await deliver(bot, notice)
    await bot.press(COORDINATOR, button_data(sent, "Từ chối"), sent.message_id)
    await bot.server.wait_until(lambda: ASKED_ANY in (asked_on(bot, request_id) or ""))
    return request_id


async def coordinator_says(bot: BotUnderTest, text: str) -> ChatMessage:
    """Have the coordinator type a text; return the bot's answer to it."""
    return await bot.send(
        COORDINATOR, text, match=lambda m: "Đề nghị gia hạn" not in (m.text or "")
    )


def reason_told(bot: BotUnderTest) -> list[Outbox]:
    """Return the notices of a rejection's reason queued to the official."""
    return notices(bot, OFFICIAL, "extension-rejected-reason:")


def kept(bot: BotUnderTest, request_id: int) -> str | None:
    """Return the reason kept on a rejected request."""
    with bot.session() as s:
        return reason_of(s, request_id=request_id)


async def test_a_reason_typed_after_the_reject_button_reaches_the_unit(bot: BotUnderTest) -> None:
    """❌ rejects at once (the unit told) and asks why; the next text is sent to the unit as
    the reason and kept on the request."""
    await scene(bot)
    request_id = await rejected(bot)
    [told] = notices(bot, OFFICIAL, "extension-decided:")  # at once, not held for the reason
    assert "không được đồng ý" in told.payload["text"]
    answer = await coordinator_says(bot, "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (answer.text or "")
    [why] = reason_told(bot)
    assert "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn" in why.payload["text"]
    assert kept(bot, request_id) == "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn"


async def test_skip_sends_no_reason(bot: BotUnderTest) -> None:
    """ "bỏ qua" answers the question: nothing more goes to the unit, nothing is asked."""
    await scene(bot)
    request_id = await rejected(bot)
    answer = await coordinator_says(bot, "bỏ qua")
    assert "Đã bỏ qua" in (answer.text or "")
    assert reason_told(bot) == []
    assert kept(bot, request_id) is None
    after = await coordinator_says(bot, "chưa đủ căn cứ")
    assert "Đã gửi lý do" not in (after.text or "")
    assert reason_told(bot) == []


@pytest.mark.parametrize("bare", ["vướng", "xong", "ok"])
async def test_a_bare_word_is_no_reason_and_the_question_stays(
    bot: BotUnderTest, bare: str
) -> None:
    """ "vướng", "xong" or "ok" typed by a coordinator with no unit reads as no reason: asked
    again, nothing goes to the unit, and the words after it are the reason."""
    await scene(bot)
    request_id = await rejected(bot)
    answer = await coordinator_says(bot, bare)
    assert f"chưa phải lý do từ chối đề nghị số {request_id}" in (answer.text or "")
    assert (reason_told(bot), kept(bot, request_id)) == ([], None)
    sent = await coordinator_says(bot, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (sent.text or "")
    assert kept(bot, request_id) == "Chưa đủ căn cứ"


async def test_a_text_31_minutes_later_is_no_reason(bot: BotUnderTest) -> None:
    """Past 30 minutes the question is over: the text is read as what it says."""
    await scene(bot)
    request_id = await rejected(bot)
    bot.clock.advance(timedelta(minutes=31))
    answer = await coordinator_says(bot, "chưa đủ căn cứ")
    assert "Đã gửi lý do" not in (answer.text or "")
    assert reason_told(bot) == []
    assert kept(bot, request_id) is None


async def test_a_command_ends_the_question(bot: BotUnderTest) -> None:
    """A command typed after the question ends it: the next words are not the reason."""
    await scene(bot)
    await rejected(bot)
    await coordinator_says(bot, "/mytasks")
    await coordinator_says(bot, "chưa đủ căn cứ")
    assert reason_told(bot) == []


async def test_a_second_rejection_takes_the_reason(bot: BotUnderTest) -> None:
    """Two rejections before a reason: the second asks, says the first is no longer asked
    about, and the reason goes to the second request only."""
    await scene(bot)
    first = await rejected(bot)
    second = await rejected(bot, "xin gia hạn đến 20/12 vì chờ kinh phí")
    assert f"Đề nghị số {first} không còn được hỏi lý do" in (asked_on(bot, second) or "")
    answer = await coordinator_says(bot, "đã gia hạn một lần rồi")
    assert f"đề nghị số {second}" in (answer.text or "")
    assert (kept(bot, first), kept(bot, second)) == (None, "đã gia hạn một lần rồi")
    [why] = reason_told(bot)
    assert why.key.startswith(f"extension-rejected-reason:{second}:")


async def test_a_restart_between_keeps_the_question(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    """The question is in the database: a reason typed after a restart reaches the unit."""
    async with running(bot_settings, fake_api, engine, clock) as first:
        await scene(first)
        request_id = await rejected(first)
    async with running(bot_settings, fake_api, engine, clock) as second:
        answer = await coordinator_says(second, "chưa đủ căn cứ")
        assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (answer.text or "")
        assert kept(second, request_id) == "chưa đủ căn cứ"
        with second.session() as s:
            assert list(s.exec(select(StatusReport))) == []


async def test_cancel_ends_the_question_and_says_so(bot: BotUnderTest) -> None:
    """/cancel after the question cancels it (not "nothing to cancel"): no reason is sent."""
    await scene(bot)
    await rejected(bot)
    answer = await coordinator_says(bot, "/cancel")
    assert CANCELLED in (answer.text or "")
    await coordinator_says(bot, "chưa đủ căn cứ")
    assert reason_told(bot) == []


async def test_a_status_of_a_decider_with_a_unit_is_no_reason(bot: BotUnderTest) -> None:
    """The coordinator is also Xã Tam Bình's contact: "#N xong" after the question is Tam
    Bình's report, recorded, never swallowed as the reason of Tam Xuân's rejection."""
    world = await scene(bot)
    with bot.session() as s:
        coordinator = find_contact(s, channel="telegram", external_id=str(COORDINATOR))
        assert coordinator is not None
        s.add(UnitContact(unit_id=world.other_unit.id or 0, contact_id=coordinator.id or 0))
        s.commit()
    request_id = await rejected(bot)
    task = world.tasks[0].id
    answer = await coordinator_says(bot, f"#{task} xong")
    assert "Đã gửi lý do" not in (answer.text or "")
    assert (reason_told(bot), kept(bot, request_id)) == ([], None)
    with bot.session() as s:
        done = s.exec(select(StatusReport.assignment_id, StatusReport.state)).all()
    assert done == [(world.other_assignment, "done")]


async def requested(bot: BotUnderTest, text: str = "xin gia hạn đến 15/12 vì chờ kinh phí") -> int:
    """Have the official ask for an extension; return the request's id."""
    await bot.send(OFFICIAL, text)
    with bot.session() as s:
        return max(r.id or 0 for r in s.exec(select(ExtensionRequest)))


async def test_reject_typed_alone_asks_why_as_the_button_does(bot: BotUnderTest) -> None:
    """ "/reject N" with no reason rejects at once and asks why, as ❌ does; the next text
    goes to the unit as the reason and is kept on the request."""
    await scene(bot)
    request_id = await requested(bot)
    answer = await coordinator_says(bot, f"/reject {request_id}")
    assert "Đã từ chối" in (answer.text or "")
    assert ASKED_ANY in (answer.text or "")
    [told] = notices(bot, OFFICIAL, "extension-decided:")  # at once, not held for the reason
    assert "không được đồng ý" in told.payload["text"]
    sent = await coordinator_says(bot, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (sent.text or "")
    [why] = reason_told(bot)
    assert "Chưa đủ căn cứ" in why.payload["text"]
    assert kept(bot, request_id) == "Chưa đủ căn cứ"


async def test_reject_typed_with_its_reason_sends_it_in_one_go(bot: BotUnderTest) -> None:
    """ "/reject N <reason>" tells the unit the reason with the decision and asks nothing: the
    next text is read as what it says."""
    await scene(bot)
    request_id = await requested(bot)
    answer = await coordinator_says(bot, f"/reject {request_id} Chưa đủ căn cứ")
    assert ASKED_ANY not in (answer.text or "")
    [told] = notices(bot, OFFICIAL, "extension-decided:")
    assert "Chưa đủ căn cứ" in told.payload["text"]
    after = await coordinator_says(bot, "cảm ơn")
    assert "Đã gửi lý do" not in (after.text or "")
    assert reason_told(bot) == []


async def decider_of(bot: BotUnderTest, world: Scene) -> ChatMessage:
    """Make the coordinator also Xã Tam Bình's contact; return a reminder of its task to them."""
    with bot.session() as s:
        coordinator = find_contact(s, channel="telegram", external_id=str(COORDINATOR))
        assert coordinator is not None
        s.add(UnitContact(unit_id=world.other_unit.id or 0, contact_id=coordinator.id or 0))
        s.commit()
    return await remind(bot, COORDINATOR, [world.other_assignment])


async def asked_what_blocks(bot: BotUnderTest, reminder: ChatMessage) -> None:
    """Have the coordinator press "Vướng mắc" on their unit's reminder a minute on, and be
    asked why."""
    bot.clock.advance(timedelta(minutes=1))
    await bot.press(COORDINATOR, button_data(reminder, "Vướng mắc"), reminder.message_id)
    await bot.server.wait_for_message(
        COORDINATOR, lambda m: "nội dung vướng mắc" in (m.text or "")
    )


def blocker(bot: BotUnderTest, assignment_id: int) -> list[tuple[str, str | None]]:
    """Return the reports of an assignment as (state, reason)."""
    with bot.session() as s:
        query = select(StatusReport.state, StatusReport.reason)
        return list(s.exec(query.where(StatusReport.assignment_id == assignment_id)).all())


async def test_a_blocker_asked_after_the_rejection_takes_the_next_words(
    bot: BotUnderTest,
) -> None:
    """The coordinator, also Xã Tam Bình's contact, rejects (asked why), then presses
    "Vướng mắc" on Tam Bình's reminder (asked what blocks): the next words answer the question
    asked last, the blocker; the words after them are the rejection's reason. They went to
    Xã Tam Xuân as the reason, and the blocker was left unanswered."""
    world = await scene(bot)
    reminder = await decider_of(bot, world)
    request_id = await rejected(bot)
    await asked_what_blocks(bot, reminder)
    answer = await coordinator_says(bot, "Thiếu kinh phí")
    assert "Đã gửi lý do" not in (answer.text or "")
    assert reason_told(bot) == []
    assert blocker(bot, world.other_assignment) == [("blocked", "Thiếu kinh phí")]
    sent = await coordinator_says(bot, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (sent.text or "")
    assert kept(bot, request_id) == "Chưa đủ căn cứ"


async def test_a_blocker_asked_after_the_rejection_says_the_rejection_waits(
    bot: BotUnderTest,
) -> None:
    """Rejecting, then pressing "Vướng mắc" on Xã Tam Bình's reminder: the blocker's question,
    asked last, says the rejection's reason still waits, for the text after its answer (the
    other order says the same of the blocker)."""
    world = await scene(bot)
    reminder = await decider_of(bot, world)
    request_id = await rejected(bot)
    bot.clock.advance(timedelta(minutes=1))
    await bot.press(COORDINATOR, button_data(reminder, "Vướng mắc"), reminder.message_id)
    asked = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "nội dung vướng mắc" in (m.text or "")
    )
    assert f"Lý do từ chối đề nghị số {request_id} vẫn chờ" in (asked.text or "")


async def test_a_bare_blocker_of_a_decider_with_a_unit_is_their_blocker(
    bot: BotUnderTest,
) -> None:
    """The coordinator, also Xã Tam Bình's contact, types "vướng" after the question: it is
    their unit's blocker (what blocks it is asked, saying the rejection's reason waits), never
    the reason of Xã Tam Xuân's rejection."""
    world = await scene(bot)
    await decider_of(bot, world)
    request_id = await rejected(bot)
    bot.clock.advance(timedelta(minutes=1))
    asked = await coordinator_says(bot, "vướng")
    assert "vướng mắc" in (asked.text or "")
    assert f"Lý do từ chối đề nghị số {request_id} vẫn chờ" in (asked.text or "")
    assert (reason_told(bot), kept(bot, request_id)) == ([], None)
    await coordinator_says(bot, "Thiếu kinh phí")
    assert blocker(bot, world.other_assignment) == [("blocked", "Thiếu kinh phí")]
    sent = await coordinator_says(bot, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (sent.text or "")


async def test_a_rejection_after_a_blocker_asked_says_the_blocker_waits(
    bot: BotUnderTest,
) -> None:
    """Asked what blocks Xã Tam Bình, then rejecting: the rejection's question, asked last,
    takes the next words and says the earlier question waits; the words after them are the
    blocker."""
    world = await scene(bot)
    reminder = await decider_of(bot, world)
    await asked_what_blocks(bot, reminder)
    bot.clock.advance(timedelta(minutes=1))
    request_id = await rejected(bot)
    assert "câu hỏi bot hỏi anh/chị trước đó vẫn chờ" in (asked_on(bot, request_id) or "")
    sent = await coordinator_says(bot, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in (sent.text or "")
    assert kept(bot, request_id) == "Chưa đủ căn cứ"
    assert blocker(bot, world.other_assignment) == []
    await coordinator_says(bot, "Thiếu kinh phí")
    assert blocker(bot, world.other_assignment) == [("blocked", "Thiếu kinh phí")]
    assert len(reason_told(bot)) == 1


async def test_the_export_notes_a_rejection_with_its_reason(bot: BotUnderTest) -> None:
    """The workbook's appendix notes, on the unit's row, the extension refused and the reason
    typed after the rejection (it said nothing of it)."""
    world = await scene(bot)
    request_id = await requested(bot)
    await coordinator_says(bot, f"/reject {request_id}")
    await coordinator_says(bot, "Chưa đủ căn cứ")
    book = await exported(bot, COORDINATOR, f"/export #{world.tasks[0].id}")
    notes = {r[1]: r[9] for r in rows(book, "Phụ lục")}
    assert notes["Xã Tam Xuân"] == "Không đồng ý gia hạn đến 15/12/2026 (lý do: Chưa đủ căn cứ)"
    assert notes["Xã Tam Bình"] == "Chưa báo cáo"
