"""A rejection's reason on Zalo: "2" under the request's notice rejects at once and asks why;
the decider's next text goes to the unit as the reason (`app.reject_reason`)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from app.reject_reason import reason_of
from core.clock import ManualClock
from db.models import Explanation, ExtensionRequest, Outbox, StatusReport
from handlers.zalo.channel import ZaloChannel
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_evidence import _event

HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"
ASKED = "Lý do từ chối"


def world(zbot: ZaloBot, *, chi_reports: bool = False) -> int:
    """Hoa (Xã A) and Chi (coordinator; with `chi_reports`, also Xã B's contact, the task
    given to both) on Zalo, one task; return the task's id."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        other = make_unit(s, "XB", "Xã B")
        task = make_task(s, "Kế hoạch chuyển đổi số", date(2026, 11, 30), [unit, other])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        chi_units = [other] if chi_reports else []
        make_contact(
            s, 0, role="coordinator", units=chi_units, name="Chi", channel="zalo", external_id=CHI
        )
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    return task.id or 0


async def rejected(zbot: ZaloBot, task: int, day: str = "15/12") -> tuple[int, str]:
    """Have Hoa ask for an extension and Chi type "2" (reject) under its notice; return the
    request's id and Chi's answer, which asks why."""
    seen = len(zbot.zalo.messages(CHI))
    await zbot.say(HOA, f"#{task} xin gia hạn đến {day} vì chờ kinh phí")
    with zbot.session() as s:
        request_id = max(r.id or 0 for r in s.exec(select(ExtensionRequest)))
    [notice] = await zbot.zalo.wait_for_messages(CHI, after=seen, timeout=10)
    assert f"(số {request_id})" in notice.text
    answer = "\n".join(await zbot.say(CHI, "2"))
    assert ASKED in answer
    return request_id, answer


def reason_told(zbot: ZaloBot) -> list[Outbox]:
    """Return the notices of a rejection's reason queued to Hoa."""
    with zbot.session() as s:
        query = select(Outbox).where(
            Outbox.chat_id == HOA, col(Outbox.key).startswith("extension-rejected-reason:")
        )
        return list(s.exec(query))


def kept(zbot: ZaloBot, request_id: int) -> str | None:
    """Return the reason kept on a rejected request."""
    with zbot.session() as s:
        return reason_of(s, request_id=request_id)


async def test_a_reason_typed_after_rejecting_by_number_reaches_the_unit(zbot: ZaloBot) -> None:
    """ "2" rejects at once and asks why; the next text is sent to Hoa and kept."""
    task = world(zbot)
    request_id, answer = await rejected(zbot, task)
    assert "Đã từ chối" in answer
    with zbot.session() as s:
        assert s.get(ExtensionRequest, request_id).status == "rejected"  # type: ignore[union-attr]
    [sent] = await zbot.say(CHI, "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id} cho Xã A" in sent
    [why] = reason_told(zbot)
    assert "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn" in why.payload["text"]
    assert kept(zbot, request_id) == "Chưa đủ căn cứ, đề nghị hoàn thành đúng hạn"


async def test_bo_qua_sends_no_reason(zbot: ZaloBot) -> None:
    """ "bỏ qua" ends the question: nothing more goes to Hoa."""
    task = world(zbot)
    request_id, _ = await rejected(zbot, task)
    [skipped] = await zbot.say(CHI, "bỏ qua")
    assert "Đã bỏ qua" in skipped
    await zbot.say(CHI, "chưa đủ căn cứ")
    assert reason_told(zbot) == []
    assert kept(zbot, request_id) is None


async def test_a_text_31_minutes_later_is_no_reason(zbot: ZaloBot, clock: ManualClock) -> None:
    """Past 30 minutes the question is over: the text is read as what it says."""
    task = world(zbot)
    request_id, _ = await rejected(zbot, task)
    clock.advance(timedelta(minutes=31))
    said = await zbot.say(CHI, "chưa đủ căn cứ")
    assert not any("Đã gửi lý do" in text for text in said)
    assert reason_told(zbot) == []
    assert kept(zbot, request_id) is None


async def test_a_restart_between_keeps_the_question(zbot: ZaloBot) -> None:
    """The question is in the database: a new channel takes the reason typed after it."""
    task = world(zbot)
    request_id, _ = await rejected(zbot, task)
    fresh = ZaloChannel(zbot.services)
    [said] = await asyncio.to_thread(fresh.answer, _event(CHI, "m-restart", "chưa đủ căn cứ"))
    assert isinstance(said, str)
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in said
    assert kept(zbot, request_id) == "chưa đủ căn cứ"


async def test_a_second_rejection_takes_the_reason(zbot: ZaloBot) -> None:
    """Two rejections before a reason: the second question says the first is no longer
    asked about, and the reason goes to the second request only."""
    task = world(zbot)
    first, _ = await rejected(zbot, task)
    second, answer = await rejected(zbot, task, "20/12")
    assert f"Đề nghị số {first} không còn được hỏi lý do" in answer
    [sent] = await zbot.say(CHI, "đã gia hạn một lần rồi")
    assert f"đề nghị số {second}" in sent
    assert (kept(zbot, first), kept(zbot, second)) == (None, "đã gia hạn một lần rồi")


async def test_a_status_of_a_decider_with_a_unit_is_no_reason(zbot: ZaloBot) -> None:
    """Chi is also Xã B's contact: "#N xong" after the question is Xã B's report, recorded,
    never swallowed as the reason of Xã A's rejection."""
    task = world(zbot, chi_reports=True)
    request_id, _ = await rejected(zbot, task)
    said = await zbot.say(CHI, f"#{task} xong")
    assert not any("Đã gửi lý do" in text for text in said)
    assert reason_told(zbot) == []
    assert kept(zbot, request_id) is None
    with zbot.session() as s:
        assert [r.state for r in s.exec(select(StatusReport))] == ["done"]


@pytest.mark.parametrize("bare", ["vướng", "xong", "ok"])
async def test_a_bare_word_is_no_reason_and_the_question_stays(zbot: ZaloBot, bare: str) -> None:
    """ "vướng", "xong" or "ok" typed by Chi, a coordinator with no unit, reads as no reason:
    asked again, nothing goes to Xã A, and the words after it are the reason."""
    task = world(zbot)
    request_id, _ = await rejected(zbot, task)
    said = "\n".join(await zbot.say(CHI, bare))
    assert f"chưa phải lý do từ chối đề nghị số {request_id}" in said
    assert (reason_told(zbot), kept(zbot, request_id)) == ([], None)
    [sent] = await zbot.say(CHI, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in sent
    assert kept(zbot, request_id) == "Chưa đủ căn cứ"


async def test_a_bare_blocker_of_a_decider_with_a_unit_is_their_blocker(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """Chi, also Xã B's contact: a bare "vướng" after the question is Xã B's blocker (what
    blocks it is asked), never the reason of Xã A's rejection."""
    task = world(zbot, chi_reports=True)
    request_id, _ = await rejected(zbot, task)
    clock.advance(timedelta(minutes=1))
    asked = "\n".join(await zbot.say(CHI, "vướng"))
    assert "vướng mắc" in asked
    assert (reason_told(zbot), kept(zbot, request_id)) == ([], None)
    await zbot.say(CHI, "Thiếu kinh phí")
    assert blockers(zbot) == [("blocked", "Thiếu kinh phí")]
    sent = "\n".join(await zbot.say(CHI, "Chưa đủ căn cứ"))
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in sent


async def test_huy_typed_as_a_command_cancels_the_question(zbot: ZaloBot) -> None:
    """ "/hủy" after the question cancels it, and says so; no reason is sent."""
    task = world(zbot)
    await rejected(zbot, task)
    [cancelled] = await zbot.say(CHI, "/hủy")
    assert "Đã hủy." in cancelled
    await zbot.say(CHI, "chưa đủ căn cứ")
    assert reason_told(zbot) == []


async def requested(zbot: ZaloBot, task: int) -> int:
    """Have Hoa ask for an extension, and its notice reach Chi; return the request's id."""
    seen = len(zbot.zalo.messages(CHI))
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    await zbot.zalo.wait_for_messages(CHI, after=seen, timeout=10)
    with zbot.session() as s:
        return max(r.id or 0 for r in s.exec(select(ExtensionRequest)))


@pytest.mark.parametrize("command", ["/reject", "/tuchoi"])
async def test_reject_typed_alone_asks_why_as_the_number_does(zbot: ZaloBot, command: str) -> None:
    """ "/reject N" (or "/tuchoi N") with no reason rejects and asks why, as "2" does; the
    next text goes to Hoa as the reason."""
    task = world(zbot)
    request_id = await requested(zbot, task)
    answer = "\n".join(await zbot.say(CHI, f"{command} {request_id}"))
    assert "Đã từ chối" in answer
    assert ASKED in answer
    [sent] = await zbot.say(CHI, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id} cho Xã A" in sent
    [why] = reason_told(zbot)
    assert "Chưa đủ căn cứ" in why.payload["text"]
    assert kept(zbot, request_id) == "Chưa đủ căn cứ"


async def test_reject_typed_with_its_reason_sends_it_in_one_go(zbot: ZaloBot) -> None:
    """ "/reject N <reason>" tells Hoa the reason with the decision and asks nothing."""
    task = world(zbot)
    request_id = await requested(zbot, task)
    answer = "\n".join(await zbot.say(CHI, f"/reject {request_id} Chưa đủ căn cứ"))
    assert ASKED not in answer
    with zbot.session() as s:
        query = select(Outbox).where(
            Outbox.chat_id == HOA, col(Outbox.key).startswith("extension-decided:")
        )
        [told] = s.exec(query).all()
    assert "Chưa đủ căn cứ" in told.payload["text"]
    said = await zbot.say(CHI, "cảm ơn")
    assert not any("Đã gửi lý do" in text for text in said)
    assert reason_told(zbot) == []


def blockers(zbot: ZaloBot) -> list[tuple[str, str | None]]:
    """Return the reports recorded, as (state, reason)."""
    with zbot.session() as s:
        return list(s.exec(select(StatusReport.state, StatusReport.reason)).all())


async def test_a_rejection_after_a_blocker_asked_says_the_blocker_waits(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """Chi, also Xã B's contact, is asked what blocks Xã B, then rejects Xã A's request by
    /reject: that question, asked last, takes the next words and says the earlier one waits;
    the words after them are Xã B's blocker."""
    task = world(zbot, chi_reports=True)
    [asked] = await zbot.say(CHI, f"#{task} vướng")
    assert "vướng mắc" in asked
    clock.advance(timedelta(minutes=1))
    request_id = await requested(zbot, task)
    answer = "\n".join(await zbot.say(CHI, f"/reject {request_id}"))
    assert "câu hỏi bot hỏi anh/chị trước đó vẫn chờ" in answer
    [sent] = await zbot.say(CHI, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in sent
    assert blockers(zbot) == []
    await zbot.say(CHI, "Thiếu kinh phí")
    assert blockers(zbot) == [("blocked", "Thiếu kinh phí")]
    assert kept(zbot, request_id) == "Chưa đủ căn cứ"


async def test_an_explanation_asked_after_the_rejection_takes_the_next_words(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """Chi, also Xã B's contact, rejects (asked why), then answers "1" to the admin's request
    that Xã B explain an overdue task (asked for it): the next words are the explanation, the
    question asked last, which says the reason waits; the words after them are the
    rejection's reason. They went to Xã A as the reason, and the explanation was left
    unanswered."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        other = make_unit(s, "XB", "Xã B")
        task = make_task(s, "Kế hoạch chuyển đổi số", date(2026, 11, 30), [unit])
        late = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [other])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(
            s, 0, role="coordinator", units=[other], name="Chi", channel="zalo", external_id=CHI
        )
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    request_id = await requested(zbot, task.id or 0)
    assert ASKED in "\n".join(await zbot.say(CHI, f"/reject {request_id}"))
    clock.advance(timedelta(minutes=1))
    seen = len(zbot.zalo.messages(CHI))
    await zbot.say(ZALO_ADMIN, f"/explain #{late.id} XB")
    [notice] = await zbot.zalo.wait_for_messages(CHI, after=seen, timeout=10)
    assert "1 = " in notice.text
    [answer] = await zbot.say(CHI, "1")
    assert f"Lý do từ chối đề nghị số {request_id} vẫn chờ" in answer  # for the text after
    said = await zbot.say(CHI, "Do chậm kinh phí")
    assert not any("Đã gửi lý do" in text for text in said)
    with zbot.session() as s:
        [explanation] = s.exec(select(Explanation)).all()
    assert explanation.text == "Do chậm kinh phí"
    assert reason_told(zbot) == []
    [sent] = await zbot.say(CHI, "Chưa đủ căn cứ")
    assert f"Đã gửi lý do từ chối đề nghị số {request_id}" in sent
    assert kept(zbot, request_id) == "Chưa đủ căn cứ"
