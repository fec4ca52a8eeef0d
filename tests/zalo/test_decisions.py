"""Extension requests decided on Zalo: a number answering the notice, or /approve, /reject."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import col, select

from db.models import Assignment, Explanation, ExtensionRequest, Outbox, Task
from db.queries.tasks import assign_units
from tests.factories import VN, make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_evidence import JPEG

HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"
LAN = "5e6f7a8b9c0d1e2f"


def world(zbot: ZaloBot) -> int:
    """Hoa (Xã A) and Chi (coordinator) on Zalo, one task; return the task's id."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Kế hoạch chuyển đổi số", date(2026, 11, 30), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    return task.id or 0


async def test_a_coordinator_approves_by_typing_the_number(zbot: ZaloBot) -> None:
    """The request's notice numbers approve and reject; "1" approves and moves the deadline."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    [notice] = await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    assert "1 = " in notice.text
    assert "2 = " in notice.text
    assert "nút" not in notice.text  # no buttons on Zalo: the numbers below are the choice
    [decided] = await zbot.say(CHI, "1")
    assert "Xã A" in decided
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
        assignment = s.exec(select(Assignment)).one()
    assert (request.status, assignment.deadline) == ("approved", date(2026, 12, 15))
    told = await zbot.zalo.wait_for_messages(HOA, after=1, timeout=10)
    assert "15/12/2026" in told[0].text


async def test_the_offered_number_after_the_task_was_closed_moves_nothing(zbot: ZaloBot) -> None:
    """ "1" (approve) typed after an admin closed the task says the task is closed; the
    request stays pending and the deadline stays."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    await zbot.say(ZALO_ADMIN, f"/closetask #{task}")
    [answer] = await zbot.say(CHI, "1")
    assert f"Nhiệm vụ #{task}" in answer
    assert "đã đóng" in answer
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
        assignment = s.exec(select(Assignment)).one()
    assert (request.status, assignment.deadline) == ("pending", date(2026, 11, 30))


async def test_a_request_of_a_unit_taken_off_the_task_moves_nothing(zbot: ZaloBot) -> None:
    """ "1" (approve) typed after an admin took Xã A off the task says the unit is no longer
    on it: the request stays pending, the deadline stays, and Hoa, told the task needs no
    more report from Xã A, is not told it was extended; /reject likewise."""
    task = world(zbot)
    with zbot.session() as s:
        other = make_unit(s, "XB", "Xã B")
    await zbot.say(ZALO_ADMIN, f"/assign #{task} XB")
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    # The admin may be told of Hoa's request meanwhile (the sender's own pace): read the
    # answer among what came.
    removed = await zbot.say(ZALO_ADMIN, f"/unassign #{task} Xã A")
    assert any("Đã bớt 1 đơn vị" in text for text in removed), removed
    [answer] = await zbot.say(CHI, "1")
    assert f"Xã A không còn được giao nhiệm vụ #{task}" in answer
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
        assignment = s.exec(select(Assignment).where(Assignment.unit_id != other.id)).one()
    assert (request.status, assignment.deadline) == ("pending", date(2026, 11, 30))
    [rejected] = await zbot.say(CHI, f"/reject {request.id} không cần")
    assert "không còn được giao" in rejected
    with zbot.session() as s:
        told = s.exec(select(Outbox).where(Outbox.chat_id == HOA)).all()
    assert not [o for o in told if "15/12/2026" in str(o.payload.get("text", ""))]


async def test_reject_by_command_with_a_reason(zbot: ZaloBot) -> None:
    """/reject N <reason> rejects; a member's /approve is refused."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    [refused] = await zbot.say(HOA, f"/approve {request.id}")
    assert "không có quyền" in refused
    await zbot.say(CHI, f"/reject {request.id} cần hoàn thành đúng hạn")
    with zbot.session() as s:
        decided = s.get(ExtensionRequest, request.id)
    assert decided is not None
    assert decided.status == "rejected"


async def test_an_explanation_is_asked_and_answered_on_zalo(zbot: ZaloBot) -> None:
    """/explain #N <unit> asks an overdue unit; "1" then a text answers; both are told."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    [asked] = await zbot.say(CHI, f"/explain #{task.id} XA")
    assert "Xã A" in asked
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=0, timeout=10)
    assert "1 = " in notice.text
    assert "nút" not in notice.text
    await zbot.say(HOA, "1")
    await zbot.say(HOA, "Do chậm kinh phí, sẽ nộp trước 25/11.")
    with zbot.session() as s:
        [explanation] = s.exec(select(Explanation)).all()
    assert explanation.text == "Do chậm kinh phí, sẽ nộp trước 25/11."
    told = await zbot.zalo.wait_for_messages(CHI, after=1, timeout=10)
    assert "chậm kinh phí" in told[0].text


async def test_no_explanation_is_asked_on_zalo_of_a_unit_taken_off_the_task(
    zbot: ZaloBot,
) -> None:
    """/explain #N <unit> after /unassign of the unit says it no longer has the task (it said
    a button was out of date) and asks nothing."""
    with zbot.session() as s:
        # Sở Y tế stays on the task ("XA" typed reads as communes: a second one would match)
        units = [make_unit(s, "XA", "Xã A"), make_unit(s, "SYT", "Sở Y tế", kind="department")]
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), units)
        make_contact(s, 0, units=units[:1], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    [off] = await zbot.say(ZALO_ADMIN, f"/unassign #{task.id} XA")
    assert "còn 1" in off, off
    [answer] = await zbot.say(CHI, f"/explain #{task.id} XA")
    assert answer == (
        f"Xã A không còn được giao nhiệm vụ #{task.id} (đã được rút khỏi nhiệm vụ), "
        "nên không yêu cầu giải trình."
    )
    with zbot.session() as s:
        assert s.exec(select(Explanation)).all() == []


async def test_the_task_a_unit_names_first_is_not_part_of_its_explanation_on_zalo(
    zbot: ZaloBot,
) -> None:
    """On Zalo, "/explain #N chưa xong vì …" typed by the unit records "chưa xong vì …": the
    "#N" that picked the request is not the unit's words; "/explain #N" alone records
    nothing and says how to answer."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    await zbot.say(CHI, f"/explain #{task.id} XA")
    await zbot.zalo.wait_for_messages(HOA, after=0, timeout=10)  # the request
    [bare] = await zbot.say(HOA, f"/explain #{task.id}")
    assert "/explain #12" in bare
    [recorded] = await zbot.say(HOA, f"/explain #{task.id} chưa xong vì thiếu kinh phí")
    assert "Đã ghi nhận giải trình" in recorded
    with zbot.session() as s:
        [explanation] = s.exec(select(Explanation)).all()
    assert explanation.text == "chưa xong vì thiếu kinh phí"


async def test_explain_of_a_name_fitting_two_units_offers_both_by_number_on_zalo(
    zbot: ZaloBot,
) -> None:
    """ "/explain #N Hòa An" for a task given to Xã Hòa An and Phường Hòa An offers both as
    numbered choices and asks nobody; a typed "2" asks the second, as /evidence's choices do."""
    with zbot.session() as s:
        units = [make_unit(s, "XHA", "Xã Hòa An"), make_unit(s, "PHA", "Phường Hòa An")]
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), units)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    [answer] = await zbot.say(CHI, f"/explain #{task.id} Hòa An")
    assert f"khớp 2 đơn vị được giao việc #{task.id}" in answer
    assert "1 = Phường Hòa An (PHA)" in answer
    assert "2 = Xã Hòa An (XHA)" in answer
    with zbot.session() as s:
        assert s.exec(select(Explanation)).all() == []
    [asked] = await zbot.say(CHI, "2")
    assert "Xã Hòa An" in asked
    with zbot.session() as s:
        [explanation] = s.exec(select(Explanation)).all()
        assignment = s.get(Assignment, explanation.assignment_id)
    assert assignment is not None
    assert assignment.unit_id == units[0].id


async def test_approving_an_earlier_request_after_a_later_one_never_shortens_the_deadline(
    zbot: ZaloBot,
) -> None:
    """Hoa asked for 10/12, then for 20/12; 20/12 approved first, approving 10/12 afterwards is
    refused with the deadline in force, which stays 20/12; nothing is said to Hoa's unit."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 10/12 vì chờ kinh phí")
    await zbot.say(HOA, f"#{task} xin gia hạn đến 18/12 vì chờ họp")
    # Chi is told of each request; both notices are in before Chi types, so that each answer
    # below is the command's alone.
    await zbot.zalo.wait_for_messages(CHI, after=1, timeout=10)
    with zbot.session() as s:
        first, later = s.exec(select(ExtensionRequest).order_by(col(ExtensionRequest.id))).all()
    [approved] = await zbot.say(CHI, f"/approve {later.id}")
    assert "18/12/2026" in approved
    [refused] = await zbot.say(CHI, f"/approve {first.id}")
    assert "18/12/2026" in refused
    with zbot.session() as s:
        assignment = s.exec(select(Assignment)).one()
        kept = s.get(ExtensionRequest, first.id)
    assert assignment.deadline == date(2026, 12, 18)
    assert kept is not None
    assert kept.status == "pending"


async def test_an_officials_coordinator_words_are_not_the_explanation_on_zalo(
    zbot: ZaloBot,
) -> None:
    """Hoa's photo captioned "/explain N XA" (the coordinator's words) is kept as evidence,
    the command not run nor taken as the explanation; typed, it is not recorded either: Hoa is
    told how a unit answers."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    await zbot.say(CHI, f"/explain #{task.id} XA")
    await zbot.zalo.wait_for_messages(HOA, after=0, timeout=10)
    [kept] = await zbot.photo(HOA, JPEG, f"/explain {task.id} XA")
    assert "Đã lưu minh chứng" in kept
    assert "Lệnh «/explain» trong chú thích của tệp không được thực hiện" in kept
    assert "Cách trả lời: /explain #12 <nội dung giải trình>" in kept
    [typed] = await zbot.say(HOA, f"/giaitrinh {task.id} Xã A")
    assert f"«/explain {task.id} Xã A»" in typed
    assert "là cách điều phối viên yêu cầu một đơn vị giải trình" in typed
    with zbot.session() as s:
        [explanation] = s.exec(select(Explanation)).all()
    assert explanation.text is None


async def test_a_reason_sent_after_the_request_goes_to_the_coordinator(zbot: ZaloBot) -> None:
    """ "xin gia hạn đến 15/12" with no reason, then "chờ kinh phí": the coordinator is sent
    the request again with that reason, and "1" answering it approves."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12")
    [notice] = await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    assert "không nêu lý do" in notice.text
    await zbot.say(HOA, "chờ kinh phí")
    [again] = await zbot.zalo.wait_for_messages(CHI, after=1, timeout=10)
    assert "Lý do: chờ kinh phí" in again.text
    assert "1 = " in again.text
    [decided] = await zbot.say(CHI, "1")
    assert "Xã A" in decided
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    assert (request.status, request.reason) == ("approved", "chờ kinh phí")


@pytest.mark.parametrize(
    ("command", "said"), [("/approve", "đã được duyệt"), ("/reject", "đã bị từ chối")]
)
async def test_a_reason_sent_after_the_request_was_decided_is_not_kept(
    zbot: ZaloBot, command: str, said: str
) -> None:
    """ "xin gia hạn đến 15/12" with no reason, decided by Chi, then "chờ kinh phí": Hoa is
    told how it was decided (a rejection with how to ask again), the reason is not attached
    to a request no one will read again, and the coordinator is sent nothing more."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12")
    await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    heard = len(zbot.zalo.messages(HOA))
    await zbot.say(CHI, f"{command} {request.id}")
    await zbot.zalo.wait_for_messages(HOA, after=heard, timeout=10)  # told of the decision
    [answer] = await zbot.say(HOA, "chờ kinh phí")
    assert f"Đề nghị gia hạn #{task}" in answer
    assert said in answer
    assert "(Chi)" in answer
    assert "Đã bổ sung lý do" not in answer
    if command == "/reject":
        assert f"«#{task} xin gia hạn đến 15/12/2026 vì chờ kinh phí»" in answer
    with zbot.session() as s:
        kept = s.get(ExtensionRequest, request.id)
    assert kept is not None
    assert kept.reason == ""
    with zbot.session() as s:
        keys = s.exec(select(Outbox.key).where(col(Outbox.chat_id) == CHI)).all()
    assert not [key for key in keys if key.startswith("extension-reason:")]


async def test_a_reason_sent_after_the_task_was_closed_is_not_promised_to_anyone(
    zbot: ZaloBot,
) -> None:
    """A reason sent after an admin closed the task of the request: no coordinator decides it
    any more, so Hoa is told the task is closed, not that the coordinators will see it."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12")
    await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    await zbot.say(ZALO_ADMIN, f"/closetask #{task}")
    answer = await zbot.say(HOA, "chờ kinh phí")
    assert any(f"Nhiệm vụ #{task} đã kết thúc" in line for line in answer), answer
    assert not any("Điều phối viên sẽ thấy" in line for line in answer), answer
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    assert request.reason == ""


async def test_the_vietnamese_names_duyet_and_tuchoi_decide_as_on_telegram(zbot: ZaloBot) -> None:
    """/duyet N approves and /tuchoi N <reason> rejects, as on Telegram: they were "Bot không
    hiểu lệnh /duyet" on Zalo, where a coordinator may have no Telegram at all."""
    task = world(zbot)
    for asked, word, shown in ((15, "/duyet", 0), (20, "/tuchoi", 1)):
        await zbot.say(HOA, f"#{task} xin gia hạn đến {asked}/12 vì chờ kinh phí")
        await zbot.zalo.wait_for_messages(CHI, after=2 * shown, timeout=10)  # the notice
        with zbot.session() as s:
            request = s.exec(
                select(ExtensionRequest).where(ExtensionRequest.status == "pending")
            ).one()
        [decided] = await zbot.say(CHI, f"{word} {request.id} cần hoàn thành đúng hạn")
        assert "Xã A" in decided
    with zbot.session() as s:
        statuses = s.exec(select(ExtensionRequest.status).order_by(col(ExtensionRequest.id))).all()
    assert statuses == ["approved", "rejected"]


async def test_reject_with_more_request_numbers_decides_none_on_zalo(zbot: ZaloBot) -> None:
    """/tuchoi N, 2 names two requests: none is decided, the answer lists /reject N, /reject 2
    (it rejected N with "2" sent to Hoa as the reason); words after the number stay a reason."""
    task = world(zbot)
    await zbot.say(HOA, f"#{task} xin gia hạn đến 15/12 vì chờ kinh phí")
    await zbot.zalo.wait_for_messages(CHI, after=0, timeout=10)
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    [said] = await zbot.say(CHI, f"/tuchoi {request.id}, 2")
    assert said.endswith(f"Xin gõ từng lệnh: /reject {request.id}, /reject 2.")
    with zbot.session() as s:
        assert s.exec(select(ExtensionRequest.status)).all() == ["pending"]
    [decided] = await zbot.say(CHI, f"/reject {request.id} 2 tuần nữa xin lại")
    assert "Xã A" in decided
    with zbot.session() as s:
        assert s.exec(select(ExtensionRequest.status)).all() == ["rejected"]


async def test_an_official_of_two_units_asked_twice_picks_which_one_explains(
    zbot: ZaloBot,
) -> None:
    """Hoa is the contact of Xã A and Xã B, both overdue on #N and both asked to explain:
    "/explain #N <text>" offers the two requests by number, and "2" records the text for
    that unit's, the other still waiting (it answered with the usage, the very form she typed,
    and kept nothing)."""
    with zbot.session() as s:
        first, second = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [first, second])
        make_contact(s, 0, units=[first, second], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    await zbot.say(CHI, f"/explain #{task.id} XA")
    await zbot.say(CHI, f"/explain #{task.id} XB")
    await zbot.zalo.wait_for_messages(HOA, after=0, count=2, timeout=10)
    [which] = await zbot.say(HOA, f"/explain #{task.id} Do chậm kinh phí.")
    assert f"1 = #{task.id} Xã A" in which
    assert f"2 = #{task.id} Xã B" in which
    [recorded] = await zbot.say(HOA, "2")
    assert "Đã ghi nhận" in recorded
    with zbot.session() as s:
        rows = s.exec(
            select(Explanation, Assignment)
            .join(Assignment, col(Assignment.id) == col(Explanation.assignment_id))
            .order_by(col(Assignment.unit_id))
        ).all()
    assert [(e.text, a.unit_id) for e, a in rows] == [
        (None, first.id),
        ("Do chậm kinh phí.", second.id),
    ]


async def test_a_number_typed_before_a_newer_notice_came_decides_nothing(zbot: ZaloBot) -> None:
    """Chi read request 1's notice and typed "1"; request 2's notice reached her before Zalo
    handed the "1" over (a slow link, a restarted bot): the number was typed against choices
    she had not seen, so nothing is decided and she is asked to type it again (it approved
    request 2, which she never read). A "1" typed after it approves request 2."""
    task_id = world(zbot)
    with zbot.session() as s:
        other = make_unit(s, "XB", "Xã B")
        task = s.get_one(Task, task_id)
        assign_units(s, task=task, unit_ids=[other.id or 0], tz=VN)
        s.commit()
        make_contact(s, 0, units=[other], name="Lan", channel="zalo", external_id=LAN)
    zbot.zalo.add_user(LAN, "Lan", wrote=True)
    await zbot.say(HOA, "xin gia hạn đến 15/12/2026 vì chờ kinh phí")
    await zbot.zalo.wait_for_messages(CHI, after=0, count=1, timeout=10)
    typed_at = int(time.time() * 1000)  # Chi types "1" for request 1, by Zalo's clock
    await zbot.say(LAN, "xin gia hạn đến 16/12/2026 vì thiếu người")
    [second] = await zbot.zalo.wait_for_messages(CHI, after=1, count=1, timeout=10)
    assert "(số 2)" in second.text
    await zbot.zalo.wait_until(lambda: offered_to_chi(zbot), 10)
    after = len(zbot.zalo.messages(CHI))
    late = zbot.zalo.send_text(CHI, "1", written_ms=typed_at - 5_000)
    await zbot.handled(late)
    [said] = [m.text for m in zbot.zalo.messages(CHI)[after:]]
    assert said.startswith("Các lựa chọn đã đổi sau khi anh/chị gõ số này")
    assert statuses(zbot) == ["pending", "pending"]
    [approved] = await zbot.say(CHI, "1")
    assert approved.startswith("✅ Đã duyệt gia hạn cho Xã B")
    assert statuses(zbot) == ["pending", "approved"]


def offered_to_chi(zbot: ZaloBot) -> bool:
    """Tell whether the notice sent to Chi last is recorded as delivered (its offer kept)."""
    with zbot.session() as s:
        query = select(Outbox.id).where(Outbox.chat_id == CHI, Outbox.status == "sending")
        return s.exec(query).first() is None


def statuses(zbot: ZaloBot) -> list[str]:
    """Return each extension request's status, oldest first."""
    with zbot.session() as s:
        rows = s.exec(select(ExtensionRequest).order_by(col(ExtensionRequest.id))).all()
    return [r.status for r in rows]


async def test_explain_of_a_unit_name_with_a_typo_names_the_unit_not_found(zbot: ZaloBot) -> None:
    """ "/explain #N Xa Aa" (the task right, the unit mistyped) says the task is there and the
    unit «Xa Aa» is not, with what to type; it said it could not tell the task or the unit."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Báo cáo quý III", date(2026, 11, 10), [unit])
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    [said] = await zbot.say(CHI, f"/explain #{task.id} Xa Aa")
    assert said.startswith(f"Có nhiệm vụ #{task.id}, nhưng không có đơn vị nào tên «Xa Aa»")
    assert f"/summary #{task.id}" in said
    with zbot.session() as s:
        assert s.exec(select(Explanation)).first() is None
