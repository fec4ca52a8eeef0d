"""Written explanations: a coordinator asks an overdue unit with one tap, the unit answers."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app.signing import sign
from core.taskdates import due_at
from db.models import Assignment, Explanation
from tests.factories import VN, make_contact, make_task, make_unit
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    OFFICIAL,
    deliver,
    notices,
    reports,
    scene,
)
from tests.handlers.telegram.test_evidence import PNG, saying
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

OVERDUE = date(2026, 11, 10)
UNIT_COORDINATOR = 3102


def explanations(bot: BotUnderTest) -> list[Explanation]:
    """Return the explanations recorded."""
    with bot.session() as s:
        return list(s.exec(select(Explanation)))


async def overdue_list_button(bot: BotUnderTest, assignment_id: int) -> int:
    """Show the coordinator a message with the overdue list's button; return its id."""
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", assignment_id)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yêu cầu giải trình", callback_data=data)]]
    )
    sent = await bot.app.bot.send_message(COORDINATOR, "Quá hạn: Xã Tam Xuân", reply_markup=markup)
    return int(sent.message_id)


async def test_explanation_requested_with_one_tap_and_answered(bot: BotUnderTest) -> None:
    """The overdue list's button asks the unit; its answer is recorded and shown in /mytasks."""
    world = await scene(bot, deadline=OVERDUE)
    aid = world.assignments[0]
    message_id = await overdue_list_button(bot, aid)
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    answer = await bot.press(COORDINATOR, data, message_id)
    assert "Đã gửi yêu cầu giải trình" in answer
    [request] = notices(bot, OFFICIAL, "explain:")
    assert "quá hạn 8 ngày" in request.payload["text"]
    sent = await deliver(bot, request)
    await bot.press(OFFICIAL, button_data(sent, "Giải trình"), sent.message_id)
    await bot.server.wait_for_message(
        OFFICIAL, lambda m: "Xin nhập nội dung" in (m.text or ""), after=sent.message_id
    )
    reply = await bot.send(OFFICIAL, "Do chờ hướng dẫn của Bộ, đơn vị sẽ ban hành trong tuần.")
    assert "Đã ghi nhận giải trình" in (reply.text or "")
    [explanation] = explanations(bot)
    assert explanation.text == "Do chờ hướng dẫn của Bộ, đơn vị sẽ ban hành trong tuần."
    assert explanation.answered_at is not None
    [told] = notices(bot, COORDINATOR, "explained:")
    assert "chờ hướng dẫn của Bộ" in told.payload["text"]
    listing = await bot.send(OFFICIAL, "/viec")
    assert "Đã giải trình: Do chờ hướng dẫn" in (listing.text or "")


async def test_explanation_answered_by_replying_to_the_request(bot: BotUnderTest) -> None:
    """A reply to the request message is the explanation, not a status report."""
    world = await scene(bot, deadline=OVERDUE)
    task = world.tasks[0].id
    reply = await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    assert "Đã gửi yêu cầu giải trình" in (reply.text or "")
    again = await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    assert "đang chờ trả lời" in (again.text or "")
    [request] = notices(bot, OFFICIAL, "explain:")
    sent = await deliver(bot, request)
    answer = await bot.send(OFFICIAL, "Chưa xong vì thiếu kinh phí", reply_to=sent.message_id)
    assert "Đã ghi nhận giải trình" in (answer.text or "")
    assert explanations(bot)[0].text == "Chưa xong vì thiếu kinh phí"


async def test_explanation_of_a_unit_not_overdue_is_refused(bot: BotUnderTest) -> None:
    """A unit still within its deadline is not asked for an explanation."""
    world = await scene(bot)
    reply = await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    assert "chưa quá hạn" in (reply.text or "")
    assert explanations(bot) == []


async def test_explanation_asked_twice_says_when_in_local_time(bot: BotUnderTest) -> None:
    """A second /explain for the same unit says it was asked at 09:00 (Vietnam's time, as the
    coordinator asked it), and asks nothing twice."""
    world = await scene(bot, deadline=OVERDUE)
    first = await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    assert "Đã gửi yêu cầu giải trình" in (first.text or "")
    again = await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    assert "lúc 09:00 18/11/2026" in (again.text or "")
    assert len(explanations(bot)) == 1


async def test_explanation_of_a_unit_done_on_time_says_it_was_on_time(bot: BotUnderTest) -> None:
    """A unit that reported done before its deadline is not "not yet overdue": the answer says
    it completed on time."""
    world = await scene(bot)
    await bot.send(OFFICIAL, "xong")
    reply = await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    assert "đã hoàn thành nhiệm vụ" in (reply.text or "")
    assert "đúng hạn, nên không cần giải trình" in (reply.text or "")
    assert explanations(bot) == []


async def test_explanation_of_a_name_fitting_two_units_names_them_or_takes_the_one_given(
    bot: BotUnderTest,
) -> None:
    """ "Hòa An" fits Xã Hòa An and Phường Hòa An: for a task given to both the answer offers
    one signed button per unit (it listed the names, to be typed again), and pressing one
    asks that unit; for a task given to one only, that one is asked."""
    with bot.session() as s:
        xa, phuong = make_unit(s, "XHA", "Xã Hòa An"), make_unit(s, "PHA", "Phường Hòa An")
        both = make_task(s, "Kế hoạch chuyển đổi số", OVERDUE, [xa, phuong])
        one = make_task(s, "Báo cáo cải cách hành chính", OVERDUE, [xa])
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
    bot.user(COORDINATOR)
    ambiguous = await bot.send(COORDINATOR, f"/explain #{both.id} Hòa An")
    assert "khớp 2 đơn vị được giao việc #" in (ambiguous.text or "")
    assert [label for label, _ in buttons(ambiguous)] == ["Phường Hòa An (PHA)", "Xã Hòa An (XHA)"]
    assert explanations(bot) == []
    answer = await bot.press(
        COORDINATOR, button_data(ambiguous, "Phường Hòa An"), ambiguous.message_id
    )
    assert "yêu cầu giải trình #1 nhưng Phường Hòa An" in answer
    asked = await bot.send(COORDINATOR, f"/explain #{one.id} Hòa An")
    assert "Xã Hòa An" in (asked.text or "")
    first, second = explanations(bot)
    with bot.session() as s:
        chosen = s.get(Assignment, first.assignment_id)
        assignment = s.get(Assignment, second.assignment_id)
    assert chosen is not None
    assert assignment is not None
    assert (chosen.task_id, chosen.unit_id) == (both.id, phuong.id)
    assert (assignment.task_id, assignment.unit_id) == (one.id, xa.id)


async def test_explanation_answered_by_typed_command(bot: BotUnderTest) -> None:
    """An official without buttons answers with /explain and the text."""
    world = await scene(bot, deadline=OVERDUE)
    await bot.send(COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    reply = await bot.send(OFFICIAL, "/giaitrinh Đang chờ thẩm định dự toán")
    assert "Đã ghi nhận giải trình" in (reply.text or "")
    assert explanations(bot)[0].text == "Đang chờ thẩm định dự toán"


async def test_explanation_refused_for_a_coordinator_of_the_overdue_unit(
    bot: BotUnderTest,
) -> None:
    """A coordinator who belongs to the overdue unit cannot ask it for an explanation."""
    world = await scene(bot, deadline=OVERDUE)
    with bot.session() as s:
        make_contact(s, UNIT_COORDINATOR, role="coordinator", units=[world.unit])
    bot.user(UNIT_COORDINATOR, "Phó chủ tịch xã")
    await bot.send(UNIT_COORDINATOR, "/start")
    reply = await bot.send(UNIT_COORDINATOR, f"/explain #{world.tasks[0].id} Tam Xuân")
    assert "không tự yêu cầu đơn vị mình giải trình" in (reply.text or "")
    assert explanations(bot) == []
    assert notices(bot, OFFICIAL, "explain:") == []


async def test_a_one_tap_answer_too_long_for_a_popup_comes_whole_as_a_message(
    bot: BotUnderTest,
) -> None:
    """A unit's long name makes the answer longer than Telegram's 200-character pop-up:
    the press is answered without words and the whole text comes as a message."""
    world = await scene(bot, deadline=OVERDUE)
    long_name = "Xã Tam Xuân thuộc huyện Núi Thành, tỉnh Quảng Nam, đơn vị thí điểm " * 3
    with bot.session() as s:
        unit = s.get(type(world.unit), world.unit.id)
        assert unit is not None
        unit.name = long_name.strip()
        s.add(unit)
        s.commit()
    aid = world.assignments[0]
    message_id = await overdue_list_button(bot, aid)
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    assert await bot.press(COORDINATOR, data, message_id) == ""
    told = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "Đã gửi yêu cầu giải trình" in (m.text or ""), after=message_id
    )
    assert long_name.strip() in (told.text or "")


async def test_no_explanation_is_asked_on_a_closed_or_cancelled_task(bot: BotUnderTest) -> None:
    """Closed, a task is no longer followed up (its summary offers no unit to ask): neither
    /explain nor the overdue list's button kept from before asks its overdue unit, and a
    cancelled task's neither (both recorded a request and wrote to the unit)."""
    world = await scene(bot, tasks=2, deadline=OVERDUE)
    task, aid, other = world.tasks[0].id, world.assignments[0], world.tasks[1].id
    message_id = await overdue_list_button(bot, aid)
    await bot.send(ADMIN_ID, f"/closetask #{task}")
    reply = await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    assert reply.text == (
        f"Nhiệm vụ #{task} đã đóng, không còn đôn đốc, nên không yêu cầu Xã Tam Xuân giải trình."
    )
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    assert "đã đóng" in await bot.press(COORDINATOR, data, message_id)
    await bot.send(ADMIN_ID, f"/canceltask #{other}")
    reply = await bot.send(COORDINATOR, f"/explain #{other} Tam Xuân")
    assert "đã bị hủy" in (reply.text or "")
    assert explanations(bot) == []
    assert notices(bot, OFFICIAL, "explain:") == []


async def test_no_explanation_is_asked_of_a_unit_no_longer_followed_up(bot: BotUnderTest) -> None:
    """A deactivated unit is reminded and nudged no more; neither is it asked to explain its
    overdue task, typed or by the overdue list's button (a request went to its contacts)."""
    world = await scene(bot, deadline=OVERDUE)
    task, aid = world.tasks[0].id, world.assignments[0]
    message_id = await overdue_list_button(bot, aid)
    await bot.send(ADMIN_ID, "/deactivate TX")
    reply = await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    assert reply.text == (
        f"Xã Tam Xuân đã ngừng theo dõi, nên không yêu cầu giải trình nhiệm vụ #{task}."
    )
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    assert "đã ngừng theo dõi" in await bot.press(COORDINATOR, data, message_id)
    assert explanations(bot) == []
    assert notices(bot, OFFICIAL, "explain:") == []


async def test_no_explanation_is_asked_of_a_unit_taken_off_the_task(bot: BotUnderTest) -> None:
    """After /unassign of the unit, the overdue list's button kept from before and /explain say
    the unit no longer has the task (the button said only that it was out of date, and the
    typed command spoke of a button), and ask nothing."""
    world = await scene(bot, deadline=OVERDUE)
    task, aid = world.tasks[0].id, world.assignments[0]
    message_id = await overdue_list_button(bot, aid)
    await bot.send(ADMIN_ID, f"/unassign #{task} Xã Tam Xuân")
    said = (
        f"Xã Tam Xuân không còn được giao nhiệm vụ #{task} (đã được rút khỏi nhiệm vụ), "
        "nên không yêu cầu giải trình."
    )
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    assert await bot.press(COORDINATOR, data, message_id) == said
    reply = await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    assert reply.text == said
    assert explanations(bot) == []
    assert notices(bot, OFFICIAL, "explain:") == []


async def test_explanation_request_names_the_deadline_in_force(bot: BotUnderTest) -> None:
    """A deadline given on Sunday 08/11 was due Monday 09/11, the day its 9 days overdue count
    from: the request says that day, the Sunday beside it."""
    world = await scene(bot, deadline=date(2026, 11, 8))
    aid = world.assignments[0]
    with bot.session() as s:
        row = s.get(Assignment, aid)
        assert row is not None
        row.due_at = due_at(date(2026, 11, 9), VN)  # as the day's first sweep leaves it
        s.add(row)
        s.commit()
    message_id = await overdue_list_button(bot, aid)
    data = sign(bot.services.button_key, str(COORDINATOR), "ex", "req", aid)
    await bot.press(COORDINATOR, data, message_id)
    [request] = notices(bot, OFFICIAL, "explain:")
    assert (
        "(hạn 09/11/2026 (hạn ghi 08/11/2026 là ngày nghỉ)) quá hạn 9 ngày"
        in (request.payload["text"])
    )


async def test_an_officials_coordinator_words_are_not_recorded_as_the_explanation(
    bot: BotUnderTest,
) -> None:
    """An official who types the coordinator's `/explain <task> <unit>`, or sends a photo
    captioned with it (or with any command: a caption is read as a report, never run), has
    no explanation recorded of those words nor a status of the caption's: they are told how
    to answer; their own `/explain #task <text>` is then recorded."""
    world = await scene(bot, deadline=OVERDUE)
    task = world.tasks[0].id
    await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"/explain #{task} chưa xong vì thiếu kinh phí")
    kept = await bot.server.wait_for_message(OFFICIAL, saying("minh chứng"), after=after)
    assert "Lệnh «/explain» trong chú thích của tệp không được thực hiện" in (kept.text or "")
    assert "Cách trả lời: /explain #12 <nội dung giải trình>" in (kept.text or "")
    typed = await bot.send(OFFICIAL, f"/explain {task} TX")
    assert "là cách điều phối viên yêu cầu một đơn vị giải trình" in (typed.text or "")
    assert "Cách trả lời: /explain #12" in (typed.text or "")
    assert [e.text for e in explanations(bot)] == [None]
    assert reports(bot) == []
    answered = await bot.send(OFFICIAL, f"/explain #{task} Chờ kinh phí")
    assert "Đã ghi nhận giải trình" in (answered.text or "")
    assert [e.text for e in explanations(bot)] == ["Chờ kinh phí"]


async def test_the_task_an_official_names_first_is_not_part_of_their_explanation(
    bot: BotUnderTest,
) -> None:
    """ "/explain #12 chưa xong vì …" records "chưa xong vì …": the "#12" that picked the
    request is not the unit's words, nor in what the coordinator is told; "/explain #12"
    with nothing after it records nothing and says how to answer."""
    world = await scene(bot, deadline=OVERDUE)
    task = world.tasks[0].id
    await bot.send(COORDINATOR, f"/explain #{task} Tam Xuân")
    bare = await bot.send(OFFICIAL, f"/explain #{task}")
    assert "Cách trả lời: /explain #12" in (bare.text or "")
    assert [e.text for e in explanations(bot)] == [None]
    answered = await bot.send(OFFICIAL, f"/explain #{task}: chưa xong vì chờ #7 của Sở")
    assert "Đã ghi nhận giải trình" in (answered.text or "")
    assert [e.text for e in explanations(bot)] == ["chưa xong vì chờ #7 của Sở"]
    [told] = notices(bot, COORDINATOR, "explained:")
    assert told.payload["text"].endswith(":\nchưa xong vì chờ #7 của Sở")


async def test_an_official_of_two_units_asked_twice_picks_the_request_by_button(
    bot: BotUnderTest,
) -> None:
    """The official of Xã A and Xã B, both overdue on #N and asked to explain, types
    "/explain #N <text>": a button per request is offered, and pressing Xã B's records the
    text for it alone (it was the usage, the form just typed, and nothing was kept)."""
    official = 3301
    bot.no_morning_dispatch()
    with bot.session() as s:
        first, second = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        task = make_task(s, "Báo cáo quý III", OVERDUE, [first, second])
        make_contact(s, official, units=[first, second], name="Hoa")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
    bot.user(official, "Hoa")
    bot.user(COORDINATOR, "Điều phối")
    for code in ("XA", "XB"):
        asked = await bot.send(COORDINATOR, f"/explain #{task.id} {code}")
        assert "Đã gửi yêu cầu giải trình" in (asked.text or "")
    which = await bot.send(
        official,
        f"/explain #{task.id} Do chậm kinh phí.",
        match=lambda m: "giải trình cho yêu cầu nào" in (m.text or ""),  # not the requests
    )
    assert [label for label, _ in buttons(which)] == [f"#{task.id} Xã A", f"#{task.id} Xã B"]
    assert explanations(bot)[0].text is None
    answer = await bot.press(official, button_data(which, "Xã B"), which.message_id)
    recorded = await bot.server.wait_for_message(
        official, lambda m: "Đã ghi nhận giải trình" in (m.text or ""), after=which.message_id
    )
    assert answer == ""
    assert f"#{task.id} Báo cáo quý III" in (recorded.text or "")
    with bot.session() as s:
        given = {e.id: s.get_one(Assignment, e.assignment_id).unit_id for e in explanations(bot)}
    texts = {given[e.id]: e.text for e in explanations(bot)}
    assert texts == {first.id: None, second.id: "Do chậm kinh phí."}


async def test_explain_and_evidence_of_a_mistyped_unit_name_the_unit_not_found(
    bot: BotUnderTest,
) -> None:
    """The task right and the unit mistyped ("Tam Xuann"): /explain and /evidence say the
    task is there and the unit is not, quoting it (they said they could tell neither)."""
    world = await scene(bot, deadline=OVERDUE)
    task = world.tasks[0].id
    for command in ("/explain", "/evidence"):
        said = await bot.send(COORDINATOR, f"{command} #{task} Tam Xuann")
        text = said.text or ""
        assert text.startswith(f"Có nhiệm vụ #{task}, nhưng không có đơn vị nào tên «Tam Xuann»")
        assert f"{command} #{task} Tam Xuân" in text
    assert explanations(bot) == []
