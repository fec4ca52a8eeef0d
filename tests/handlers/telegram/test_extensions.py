"""Extension requests: asked by button or text, approved or rejected by a coordinator."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.actor import Actor
from app.extensions import decide
from app.signing import sign
from core.taskdates import due_at
from db.models import ExtensionRequest, Outbox, StatusReport, TaskCount
from db.queries.outbox import EDIT_OF
from db.queries.taskcounts import drift
from devtools.fakebotapi import ChatMessage
from scheduler.delivery import wake
from tests.factories import make_contact
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    DEADLINE,
    OFFICIAL,
    OTHER_OFFICIAL,
    Scene,
    assignment,
    deliver,
    message,
    notices,
    remind,
    scene,
    task_of,
)
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

VN_TZ = "Asia/Ho_Chi_Minh"


def requests(bot: BotUnderTest) -> list[ExtensionRequest]:
    """Return the extension requests recorded."""
    with bot.session() as s:
        return list(s.exec(select(ExtensionRequest)))


async def coordinator_says(bot: BotUnderTest, text: str) -> ChatMessage:
    """Have the coordinator type a command; return the bot's answer to it.

    The request's own message to coordinators goes through the outbox and may reach the chat
    after the command was typed (on a loaded machine): it is not the answer.
    """
    return await bot.send(
        COORDINATOR, text, match=lambda m: not (m.text or "").startswith("📅 Đề nghị gia hạn")
    )


async def test_extension_button_asks_date_and_reason_then_tells_coordinators(
    bot: BotUnderTest,
) -> None:
    """The extension button asks for a date and a reason; the request reaches coordinators."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "extension", aid))
    prompt = await bot.server.wait_for_message(OFFICIAL, lambda m: "gia hạn" in (m.text or ""))
    assert "lý do" in (prompt.text or "")
    reply = await bot.send(OFFICIAL, "15/12/2026 vì chưa bố trí được kinh phí")
    assert "15/12/2026" in (reply.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.status) == (date(2026, 12, 15), "pending")
    assert request.reason == "chưa bố trí được kinh phí"
    [notice] = notices(bot, COORDINATOR, "extension:")
    assert "Xã Tam Xuân" in notice.payload["text"]
    assert [c["data"][:2] for c in notice.payload["choices"][0]] == [["xt", "ok"], ["xt", "no"]]
    assert assignment(bot, aid).deadline == DEADLINE  # nothing moves before a decision


async def test_the_notice_says_a_typed_rejection_takes_its_reason(
    bot: BotUnderTest,
) -> None:
    """The coordinators' notice said "/reject 1" only, not that a reason typed with it goes
    to the unit; it says so now. The button rejects at once, the unit told at once (the
    reason asked after it: test_reject_reason.py)."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    [notice] = notices(bot, COORDINATOR, "extension:")
    said = (
        f"gõ /approve {request.id} hay /reject {request.id} kèm lý do (lý do được gửi cho đơn vị)"
    )
    assert said in notice.payload["text"]
    await bot.server.wait_for_message(COORDINATOR, lambda m: "Đề nghị gia hạn" in (m.text or ""))
    no = sign(bot.services.button_key, str(COORDINATOR), "xt", "no", request.id)
    await bot.press(COORDINATOR, no)
    await bot.server.wait_until(lambda: requests(bot)[0].status == "rejected", timeout=10)
    [told] = notices(bot, OFFICIAL, "extension-decided:")
    assert "không được đồng ý" in told.payload["text"]


async def test_extension_unclear_date_is_asked_again(bot: BotUnderTest) -> None:
    """An answer without a date keeps the question open and sends nothing."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "extension", aid))
    await bot.server.wait_for_message(OFFICIAL, lambda m: "gia hạn" in (m.text or ""))
    reply = await bot.send(OFFICIAL, "càng sớm càng tốt")
    assert "dd/mm/yyyy" in (reply.text or "")
    assert requests(bot) == []


async def test_extension_approved_moves_only_that_units_deadline(bot: BotUnderTest) -> None:
    """Approval moves the unit's deadline (original kept), not the other unit's; it is told."""
    world = await scene(bot)
    aid, other = world.assignments[0], world.other_assignment
    reply = await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    assert "15/12/2026" in (reply.text or "")
    [notice] = notices(bot, COORDINATOR, "extension:")
    sent = await deliver(bot, notice)
    answer = await bot.press(COORDINATOR, button_data(sent, "Đồng ý"), sent.message_id)
    assert "hạn mới 15/12/2026" in answer
    moved = assignment(bot, aid)
    assert (moved.deadline, moved.original_deadline) == (date(2026, 12, 15), DEADLINE)
    assert moved.due_at == due_at(date(2026, 12, 15), bot.services.settings.tz)
    assert assignment(bot, other).deadline == DEADLINE
    with bot.session() as s:  # the stored counts moved with it, in the same transaction
        assert drift(s) == []
        dues = set(s.exec(select(TaskCount.due_at).where(TaskCount.task_id == moved.task_id)))
        assert moved.due_at in dues
    # told as the notice of the unit's deadline moved, the new deadline in its recipe
    [told] = notices(bot, OFFICIAL, "task-changed:ext")
    assert "đã được đồng ý" in told.payload["text"]
    assert told.payload["recipe"]["told"] == [{"assignment_id": aid, "deadline": "2026-12-15"}]
    assert notices(bot, OTHER_OFFICIAL, "task-changed:") == []
    await bot.server.wait_until(lambda: buttons(bot.server.messages(COORDINATOR)[-1]) == [])
    again = await coordinator_says(bot, f"/reject {requests(bot)[0].id}")
    assert "đã được duyệt" in (again.text or "")


@pytest.mark.parametrize(
    ("text", "asked", "reason"),
    [
        (
            "extension to friday next week because waiting for the budget",
            date(2026, 12, 4),
            "waiting for the budget",
        ),
        ("more time until next tuesday because of the flood", date(2026, 12, 1), "the flood"),
    ],
)
async def test_an_english_extension_to_a_weekday_asks_for_that_day(
    bot: BotUnderTest, text: str, asked: date, reason: str
) -> None:
    """On Wednesday 25/11/2026 (the deadline 30/11), "extension to friday next week because
    …" asks for Friday 04/12 and "more time until next tuesday" for Tuesday 01/12, as "xin
    gia hạn đến thứ 6 tuần sau vì …" does: the request was sent without a date."""
    await scene(bot)
    bot.clock.advance(timedelta(days=7))  # the harness's Wednesday 18/11, a week on
    reply = await bot.send(OFFICIAL, text)
    assert asked.strftime("%d/%m/%Y") in (reply.text or "")
    assert [(r.requested_deadline, r.reason) for r in requests(bot)] == [(asked, reason)]


async def test_extension_rejected_tells_the_unit(bot: BotUnderTest) -> None:
    """A rejection by typed command leaves the deadline and tells the unit, with the reason
    named as such."""
    world = await scene(bot)
    await bot.send(OFFICIAL, "đề nghị gia hạn thêm 1 tuần vì thiếu nhân lực")
    [request] = requests(bot)
    assert request.requested_deadline == date(2026, 12, 7)
    reply = await coordinator_says(bot, f"/reject {request.id} đề nghị hoàn thành đúng hạn")
    assert "Đã từ chối" in (reply.text or "")
    assert requests(bot)[0].status == "rejected"
    assert assignment(bot, world.assignments[0]).deadline == DEADLINE
    [told] = notices(bot, OFFICIAL, "extension-decided:")
    assert "không được đồng ý" in told.payload["text"]
    # named as the reason: it followed "hạn vẫn như cũ." as a sentence of its own
    assert told.payload["text"].endswith("hạn vẫn như cũ. Lý do: đề nghị hoàn thành đúng hạn")


@pytest.mark.parametrize(
    ("command", "word"), [("/closetask", "đã đóng"), ("/canceltask", "đã bị hủy")]
)
async def test_a_request_of_a_task_closed_since_is_not_decided(
    bot: BotUnderTest, command: str, word: str
) -> None:
    """Once its task is closed or cancelled, a pending request is neither approved nor rejected:
    the coordinator is told why, the deadline stays and the unit is told nothing."""
    world = await scene(bot)
    aid = world.assignments[0]
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    task = task_of(bot, aid)
    await bot.send(ADMIN_ID, f"{command} #{task}")
    for typed in (f"/approve {request.id}", f"/reject {request.id} không cần nữa"):
        reply = await coordinator_says(bot, typed)
        assert f"Nhiệm vụ #{task}" in (reply.text or "")
        assert word in (reply.text or "")
        assert "Không có gì thay đổi" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    assert assignment(bot, aid).deadline == DEADLINE
    assert notices(bot, OFFICIAL, "extension-decided:") == []
    assert notices(bot, OFFICIAL, "task-changed:ext") == []  # an approval's


async def test_a_long_rejection_note_is_refused_whole_not_cut(bot: BotUnderTest) -> None:
    """A note over 1,000 characters decides nothing and says so; one within reaches the unit
    word for word."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    long_note = "Đề nghị xã hoàn thành đúng hạn vì đây là nhiệm vụ trọng tâm. " * 20
    reply = await coordinator_says(bot, f"/reject {request.id} {long_note}")
    assert "quá dài" in (reply.text or "")
    assert "Chưa quyết định gì" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    note = "Đề nghị xã hoàn thành đúng hạn vì đây là nhiệm vụ trọng tâm. " * 14
    reply = await coordinator_says(bot, f"/reject {request.id} {note}")
    assert "Đã từ chối" in (reply.text or "")
    [told] = notices(bot, OFFICIAL, "extension-decided:")
    assert note.strip() in told.payload["text"]


@pytest.mark.parametrize("more", ["2", "#2, #3", "2 và 3"])
async def test_approve_with_more_request_numbers_decides_none_and_says_one_at_a_time(
    bot: BotUnderTest, more: str
) -> None:
    """/approve N 2 3 names several requests: none is decided and the answer lists one command
    a request. It approved N with "2 3" sent to the unit as the coordinator's note."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    reply = await coordinator_says(bot, f"/approve {request.id} {more}")
    assert "Mỗi lệnh quyết định một đề nghị, nên chưa quyết định đề nghị nào" in (reply.text or "")
    assert f"/approve {request.id}, /approve 2" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    assert notices(bot, OFFICIAL, "extension-decided:") == []


SECOND_COORDINATOR = 3103


async def test_an_approval_and_a_rejection_at_once_decide_the_request_once(
    bot: BotUnderTest,
) -> None:
    """A second coordinator rejects while the first's approval is being decided (its request
    read, nothing written yet): the rejection stands, the approval moves nothing and says who
    decided, and the unit is told once, of the rejection."""
    armed, seen_request = [False], threading.local()
    rejected: list[str] = []

    def reject_meanwhile(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """Once the approval has read the request, let the rival reject it, to the end."""
        if not armed[0]:
            return
        if "FROM extension_request" in statement:
            seen_request.yes = True
        elif getattr(seen_request, "yes", False) and "FROM task" in statement:
            armed[0] = False
            rival = Actor(second.id or 0, str(SECOND_COORDINATOR), "vi", "coordinator", (), ())
            note = "hoàn thành đúng hạn"
            worker = threading.Thread(
                target=lambda: rejected.append(decide(bot.services, rival, number, False, note))
            )
            worker.start()
            worker.join()

    # Listened to before anything runs: adding a listener while other threads run statements
    # would change the list they go through.
    event.listen(bot.engine, "before_cursor_execute", reject_meanwhile)
    world = await scene(bot)
    aid = world.assignments[0]
    with bot.session() as s:
        second = make_contact(s, SECOND_COORDINATOR, role="coordinator", name="Điều phối hai")
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    number = request.id or 0
    armed[0] = True
    reply = await coordinator_says(bot, f"/approve {number}")
    [rival_answer] = rejected
    assert "Đã từ chối" in rival_answer
    assert "đã bị từ chối trước đó (Điều phối hai)" in (reply.text or "")
    assert requests(bot)[0].status == "rejected"
    assert assignment(bot, aid).deadline == DEADLINE
    [told] = notices(bot, OFFICIAL, "extension-decided:")
    assert "không được đồng ý" in told.payload["text"]


async def test_members_cannot_decide_extensions(bot: BotUnderTest) -> None:
    """An official cannot approve their own request by typing the command."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến")
    reply = await bot.send(OFFICIAL, f"/approve {requests(bot)[0].id}")
    assert "không có quyền" in (reply.text or "")
    assert requests(bot)[0].status == "pending"


UNIT_COORDINATOR = 3102


async def own_unit_coordinator(bot: BotUnderTest, world: Scene) -> None:
    """Make a coordinator who is also a leader of the first commune, and have them start."""
    with bot.session() as s:
        make_contact(
            s, UNIT_COORDINATOR, role="coordinator", units=[world.unit], function="leader"
        )
    bot.user(UNIT_COORDINATOR, "Phó chủ tịch xã")
    await bot.send(UNIT_COORDINATOR, "/start")


async def test_approve_refused_for_a_coordinator_of_the_requesting_unit(
    bot: BotUnderTest,
) -> None:
    """A coordinator who belongs to the unit cannot approve its request; nothing changes."""
    world = await scene(bot)
    await own_unit_coordinator(bot, world)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [request] = requests(bot)
    assert notices(bot, UNIT_COORDINATOR, "extension:") == []  # no buttons to press
    reply = await bot.send(UNIT_COORDINATOR, f"/approve {request.id}")
    assert "không tự quyết định" in (reply.text or "")
    assert "Xã Tam Xuân" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    assert assignment(bot, world.assignments[0]).deadline == DEADLINE
    assert notices(bot, OFFICIAL, "extension-decided:") == []
    assert notices(bot, OFFICIAL, "task-changed:ext") == []  # an approval's


async def test_reject_refused_for_the_coordinator_who_made_the_request(
    bot: BotUnderTest,
) -> None:
    """A coordinator who asked for an extension for their unit cannot reject it either."""
    world = await scene(bot)
    await own_unit_coordinator(bot, world)
    await bot.send(UNIT_COORDINATOR, "xin gia hạn đến 15/12 vì chờ kinh phí")
    [request] = requests(bot)
    assert request.contact_id is not None
    reply = await bot.send(UNIT_COORDINATOR, f"/reject {request.id}")
    assert "không tự quyết định" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    other = await coordinator_says(bot, f"/approve {request.id}")
    assert "hạn mới 15/12/2026" in (other.text or "")


@pytest.mark.parametrize(
    "text",
    [
        "xin gia hạn đến 31/12/9999 vì chờ kinh phí",
        "xin gia hạn đến 15/6/2999 vì chờ kinh phí",
        "xin gia hạn đến 01/01/2037",
        "xin gia hạn thêm 999 tuần vì chờ kinh phí",
    ],
)
async def test_extension_request_past_ten_years_is_refused(bot: BotUnderTest, text: str) -> None:
    """A date past the ten-year horizon of new deadlines is refused and nothing is sent."""
    await scene(bot)
    reply = await bot.send(OFFICIAL, text)
    assert "quá xa" in (reply.text or "")
    assert "31/12/2036" in (reply.text or "")
    assert requests(bot) == []
    assert notices(bot, COORDINATOR, "extension:") == []


async def test_extension_answer_past_ten_years_is_refused(bot: BotUnderTest) -> None:
    """The date typed after the extension button is held to the same horizon."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "extension", aid))
    await bot.server.wait_for_message(OFFICIAL, lambda m: "gia hạn" in (m.text or ""))
    reply = await bot.send(OFFICIAL, "31/12/9999 vì chưa có kinh phí")
    assert "quá xa" in (reply.text or "")
    assert requests(bot) == []


async def test_approving_a_request_past_ten_years_is_refused(bot: BotUnderTest) -> None:
    """A stored request for year 9999 cannot be approved (no overflow); it stays pending."""
    world = await scene(bot)
    aid = world.assignments[0]
    with bot.session() as s:
        stored = ExtensionRequest(
            assignment_id=aid,
            requested_deadline=date(9999, 12, 31),
            reason="",
            created_at=bot.clock.now(),
        )
        s.add(stored)
        s.commit()
        request_id = stored.id
    reply = await coordinator_says(bot, f"/approve {request_id}")
    assert "Không thể duyệt" in (reply.text or "")
    assert f"/reject {request_id}" in (reply.text or "")
    assert requests(bot)[0].status == "pending"
    assert assignment(bot, aid).deadline == DEADLINE


async def test_a_reason_sent_after_the_request_is_its_reason(bot: BotUnderTest) -> None:
    """ "xin gia hạn đến 15/12" with no reason is sent at once; "chờ kinh phí" sent next is
    its reason, sent to the coordinators, not a report of "in progress" (as it was)."""
    await scene(bot)
    sent = await bot.send(OFFICIAL, "xin gia hạn đến 15/12")
    assert "gửi lý do trong tin tiếp theo" in (sent.text or "")
    [request] = requests(bot)
    assert request.reason == ""
    answer = await bot.send(OFFICIAL, "chờ kinh phí")
    assert "Đã bổ sung lý do" in (answer.text or "")
    with bot.session() as s:
        assert list(s.exec(select(StatusReport))) == []
    [request] = requests(bot)
    assert request.reason == "chờ kinh phí"
    [again] = notices(bot, COORDINATOR, "extension-reason:")
    assert "Lý do: chờ kinh phí" in again.payload["text"]
    assert [c["data"][:2] for c in again.payload["choices"][0]] == [["xt", "ok"], ["xt", "no"]]


async def test_a_reason_sent_long_after_the_request_is_read_as_it_says(
    bot: BotUnderTest,
) -> None:
    """Only a reason sent within the while the answer names is the request's (it named
    none, and a reason sent later was recorded as a status unwarned): "thiếu nhân lực" an
    hour later is a blocker reported, and the request keeps no reason."""
    await scene(bot)
    sent = await bot.send(OFFICIAL, "xin gia hạn đến 15/12")
    assert "gửi lý do trong tin tiếp theo, trong vòng 30 phút" in (sent.text or "")
    bot.clock.advance(timedelta(hours=1))
    await bot.send(OFFICIAL, "thiếu nhân lực")
    [request] = requests(bot)
    assert request.reason == ""
    with bot.session() as s:
        assert [r.state for r in s.exec(select(StatusReport))] == ["blocked"]


async def test_an_approval_to_a_day_declared_off_since_says_the_day_in_force(
    bot: BotUnderTest,
) -> None:
    """Asked for Monday 14/12, declared a day off before the approval: the coordinator and the
    unit are told the deadline in force, Tuesday 15/12, and why; they were told 14/12 alone,
    a day nobody works, while every summary said 15/12."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 14/12 vì chờ kinh phí")
    [request] = requests(bot)
    assert "Đã đặt" in ((await bot.send(ADMIN_ID, "/calendar add 14/12/2026 Lễ hội")).text or "")
    reply = await coordinator_says(bot, f"/approve {request.id}")
    said = "hạn mới 15/12/2026 (hạn ghi 14/12/2026 là ngày nghỉ)"
    assert said in (reply.text or "")
    [told] = notices(bot, OFFICIAL, "task-changed:ext")
    assert said in told.payload["text"]


def sent_as(bot: BotUnderTest, outbox_id: int | None) -> int | None:
    """Return the message id an outbox row was sent as (None: not sent yet)."""
    with bot.session() as s:
        row = s.get(Outbox, outbox_id)
        sent = row is not None and row.status == "sent" and row.channel_message_id
        return int(row.channel_message_id or 0) if sent and row is not None else None


@pytest.mark.parametrize(
    ("command", "word"), [("/approve", "Đã duyệt"), ("/reject", "Đã từ chối")]
)
async def test_a_notice_decided_by_command_shows_it_without_buttons(
    bot: BotUnderTest, command: str, word: str
) -> None:
    """A request decided by a typed command: the coordinator's notice of it, sent with its
    ✅/❌ buttons, is edited through the outbox to say how and by whom, its buttons gone;
    the edit is queued once, however often the decision is tried again."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [notice] = notices(bot, COORDINATOR, "extension:")
    wake(bot.app)
    await bot.server.wait_until(lambda: sent_as(bot, notice.id) is not None)
    message_id = sent_as(bot, notice.id)
    assert message_id is not None
    assert buttons(message(bot, COORDINATOR, message_id)) != []
    request_id = requests(bot)[0].id
    await coordinator_says(bot, f"{command} {request_id} đã xem xét")
    await coordinator_says(bot, f"{command} {request_id}")  # decided already: nothing queued
    [edit] = notices(bot, COORDINATOR, "extension-shown:")
    assert edit.payload[EDIT_OF] == notice.id
    wake(bot.app)
    await bot.server.wait_until(lambda: word in (message(bot, COORDINATOR, message_id).text or ""))
    shown = message(bot, COORDINATOR, message_id)
    assert "Đề nghị gia hạn" in (shown.text or "")  # the request, as it read
    assert buttons(shown) == []
