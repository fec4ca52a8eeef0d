"""Check-ins through the fake Bot API: buttons, free text, blockers, duplicates, refusals."""

from __future__ import annotations

import asyncio

from app.signing import sign
from db.models import Task
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    OFFICIAL,
    OTHER_OFFICIAL,
    assignment,
    message,
    notices,
    remind,
    reports,
    scene,
)
from tests.harness import BotUnderTest, button_data, buttons


def data(bot: BotUnderTest, user_id: int, *parts: object) -> str:
    """Return callback data signed for a user."""
    return sign(bot.services.button_key, str(user_id), *parts)


async def no_buttons_left(bot: BotUnderTest, chat_id: int, message_id: int) -> None:
    """Wait until the bot removed every button of a message (it edits after answering)."""
    await bot.server.wait_until(lambda: buttons(message(bot, chat_id, message_id)) == [])


async def test_done_button_records_confirms_and_replaces_the_buttons(bot: BotUnderTest) -> None:
    """One tap on done is recorded, confirmed in one line, and its buttons disappear."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))
    task = world.tasks[0].id
    assert answer == f"Đã ghi nhận: Hoàn thành đúng hạn - #{task} Kế hoạch CĐS 1 - 09:00 18/11"
    [report] = reports(bot)
    assert (report.state, report.source) == ("done", "button")
    assert assignment(bot, aid).state == "done"
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)
    edited = message(bot, OFFICIAL, reminder.message_id)
    assert "Hoàn thành đúng hạn" in (edited.text or "")


async def test_progress_button_then_a_percentage_records_one_report(
    bot: BotUnderTest,
) -> None:
    """In progress is recorded at once; 50% then completes that one report, buttons go."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "progress", aid))
    await bot.server.wait_until(
        lambda: "25%" in str(buttons(message(bot, OFFICIAL, reminder.message_id)))
    )
    offered = [label for label, _ in buttons(message(bot, OFFICIAL, reminder.message_id))]
    assert offered == ["25%", "50%", "75%", "Bỏ qua"]
    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "pc", 50, aid))
    assert "Đang thực hiện 50% (chưa hoàn thành, trong hạn)" in answer
    assert [(r.state, r.percent, r.source) for r in reports(bot)] == [
        ("in_progress", 50, "button")
    ]
    assert assignment(bot, aid).percent == 50
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)


async def test_progress_percentage_can_be_skipped(bot: BotUnderTest) -> None:
    """Skipping the percentage keeps the in-progress report and removes the choice."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "progress", aid))
    skip = data(bot, OFFICIAL, "pc", "skip", aid)
    await bot.server.wait_until(
        lambda: skip in str(buttons(message(bot, OFFICIAL, reminder.message_id)))
    )
    await bot.press(OFFICIAL, skip)
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)
    assert [r.state for r in reports(bot)] == ["in_progress"]


async def test_blocked_button_asks_the_reason_and_forwards_it(bot: BotUnderTest) -> None:
    """Blocked asks for a reason; the next text is that reason, recorded and sent on."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "blocked", aid))
    prompt = await bot.server.wait_for_message(OFFICIAL, lambda m: "vướng mắc" in (m.text or ""))
    assert "hủy" in (prompt.text or "")
    reply = await bot.send(OFFICIAL, "xong phần khảo sát nhưng thiếu kinh phí")
    assert "Vướng mắc (chưa hoàn thành, trong hạn)" in (reply.text or "")
    [report] = reports(bot)
    assert (report.state, report.reason) == ("blocked", "xong phần khảo sát nhưng thiếu kinh phí")
    [notice] = notices(bot, COORDINATOR, "blocker:")
    assert "Xã Tam Xuân" in notice.payload["text"]
    assert "thiếu kinh phí" in notice.payload["text"]
    assert notice.kind == "notice"
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)


async def test_blocker_is_not_forwarded_when_forwarding_is_off(bot: BotUnderTest) -> None:
    """With FORWARD_BLOCKERS off the blocker is recorded but no coordinator is told."""
    world = await scene(bot)
    bot.configure(forward_blockers=False)
    await bot.send(OFFICIAL, "vướng: chưa có hướng dẫn của sở")
    assert [r.state for r in reports(bot, world.assignments[0])] == ["blocked"]
    assert notices(bot, COORDINATOR, "blocker:") == []


async def test_reply_to_a_reminder_records_for_its_item(bot: BotUnderTest) -> None:
    """A reply to a reminder about one of two tasks is recorded for that task only."""
    world = await scene(bot, tasks=2)
    first, second = world.assignments
    reminder = await remind(bot, OFFICIAL, [second])
    reply = await bot.send(
        OFFICIAL, "Đã ban hành KH số 15/KH-UBND ngày 10/11/2026", reply_to=reminder.message_id
    )
    assert "Hoàn thành đúng hạn" in (reply.text or "")
    [report] = reports(bot)
    assert report.assignment_id == second
    assert (report.evidence_number, report.source) == ("15/KH-UBND", "text")
    assert assignment(bot, first).state == "none"


async def test_a_task_named_in_reply_to_another_tasks_reminder_is_recorded_for_it(
    bot: BotUnderTest,
) -> None:
    """ "#2 xong" sent in reply to the reminder of #1 (the message at hand) records #2: the
    bot no longer says #2 is not the unit's, and records nothing for #1."""
    world = await scene(bot, tasks=2)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    second = world.tasks[1].id
    answer = await bot.send(OFFICIAL, f"#{second} xong", reply_to=reminder.message_id)
    assert (answer.text or "").startswith("Đã ghi nhận: Hoàn thành")
    assert f"#{second} Kế hoạch CĐS 2" in (answer.text or "")
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[1], "done")]
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_a_task_named_in_words_is_the_one_reported_on(bot: BotUnderTest) -> None:
    """ "nhiệm vụ 2 đã xong" in reply to #1's reminder was recorded done for #1 (only "#2"
    named a task); and "nhiệm vụ 1 xong, nhiệm vụ 2 đang làm 50%" was one report, 50%."""
    world = await scene(bot, tasks=2)
    first, second = (task.id for task in world.tasks)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, f"nhiệm vụ {second} đã xong", reply_to=reminder.message_id)
    assert f"#{second} Kế hoạch CĐS 2" in (answer.text or "")
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[1], "done")]
    await bot.send(OFFICIAL, f"NV{first} xong, NV{second} đang làm 50%")
    await bot.server.wait_until(lambda: len(reports(bot)) == 3)
    assert [(r.assignment_id, r.state, r.percent) for r in reports(bot)][1:] == [
        (world.assignments[0], "done", 100),
        (world.assignments[1], "in_progress", 50),
    ]


async def test_free_message_with_one_open_item_is_recorded(bot: BotUnderTest) -> None:
    """With one open task, "dang thuc hien 60%" is recorded as in progress 60%."""
    world = await scene(bot)
    reply = await bot.send(OFFICIAL, "dang thuc hien 60%")
    assert (reply.text or "").startswith("Đã ghi nhận: Đang thực hiện 60%")
    assert assignment(bot, world.assignments[0]).percent == 60


async def test_free_message_with_several_open_items_asks_which_task(bot: BotUnderTest) -> None:
    """With two open tasks "xong" records nothing until the task is chosen by button."""
    world = await scene(bot, tasks=2)
    question = await bot.send(OFFICIAL, "xong rồi")
    assert "nhiệm vụ nào" in (question.text or "")
    assert reports(bot) == []
    second = world.assignments[1]
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "ck", second), question.message_id)
    await bot.server.wait_for_message(OFFICIAL, lambda m: "Đã ghi nhận" in (m.text or ""))
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(second, "done")]


async def test_which_task_question_accepts_a_typed_number(bot: BotUnderTest) -> None:
    """The "which task?" question can be answered by typing the task number."""
    world = await scene(bot, tasks=2)
    await bot.send(OFFICIAL, "đang làm 40%")
    reply = await bot.send(OFFICIAL, str(world.tasks[0].id))
    assert "Đang thực hiện 40%" in (reply.text or "")
    assert [(r.assignment_id, r.percent) for r in reports(bot)] == [(world.assignments[0], 40)]


async def test_free_message_naming_a_task_needs_no_question(bot: BotUnderTest) -> None:
    """ "#N xong" picks the task named even when several are open."""
    world = await scene(bot, tasks=2)
    reply = await bot.send(OFFICIAL, f"#{world.tasks[1].id} xong")
    assert "Hoàn thành đúng hạn" in (reply.text or "")
    assert [r.assignment_id for r in reports(bot)] == [world.assignments[1]]


async def test_unclear_message_asks_which_status(bot: BotUnderTest) -> None:
    """A promise, a question or a negation is never recorded: the bot asks with buttons."""
    world = await scene(bot)
    for text in ("sẽ hoàn thành trước 15/12", "xong chưa ạ?", "chưa xong"):
        question = await bot.send(OFFICIAL, text)
        assert len(buttons(question)) == 4, text
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


# "chưa xong" typed in Telex with its marks left in the words, and VNI promises ("sẽ xong",
# "tuần sau xong"): never done, on any channel.
KEYBOARD_OFF_NOT_DONE = (
    "chuaw xong",
    "chuwa xong",
    "khoong xong",
    "kh xong",
    "se4 xong",
    "tua62n sau xong",
)


async def test_not_done_typed_with_the_keyboard_off_is_never_done(bot: BotUnderTest) -> None:
    """ "chuaw xong", "chuwa xong", "khoong xong" ("chưa xong" with Telex marks left in the
    words) are negations, "se4 xong", "tua62n sau xong" (VNI: "sẽ xong", "tuần sau xong")
    promises: the bot asks, and records nothing."""
    world = await scene(bot)
    for text in KEYBOARD_OFF_NOT_DONE:
        question = await bot.send(OFFICIAL, text)
        assert len(buttons(question)) == 4, text
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_not_done_said_in_the_south_or_in_chat_is_never_done(bot: BotUnderTest) -> None:
    """ "hông xong", "hok xong", "chả xong", "có xong đâu", "còn lâu mới xong" say it is not
    done, as spoken or typed in chat: the bot asks, and records nothing."""
    world = await scene(bot)
    for text in ("hông xong", "hok xong", "chả xong", "có xong đâu", "còn lâu mới xong"):
        question = await bot.send(OFFICIAL, text)
        assert len(buttons(question)) == 4, text
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_thanks_after_a_confirmation_gets_a_short_answer_and_no_buttons(
    bot: BotUnderTest,
) -> None:
    """ "cảm ơn", "ok", "vâng", "dạ", "thanks" after a report get a friendly line, no buttons."""
    world = await scene(bot)
    await bot.send(OFFICIAL, "xong")
    for text in ("cảm ơn", "ok ạ", "vâng", "dạ", "thanks"):
        answer = await bot.send(OFFICIAL, text)
        assert answer.text == "Dạ, cảm ơn anh/chị.", text
        assert buttons(answer) == [], text
    assert len(reports(bot)) == 1
    assert assignment(bot, world.assignments[0]).state == "done"


async def test_correction_counts_and_history_keeps_both(bot: BotUnderTest) -> None:
    """A unit that said done and then in progress is in progress; both reports stay."""
    world = await scene(bot)
    await bot.send(OFFICIAL, "hoàn thành")
    reply = await bot.send(OFFICIAL, f"#{world.tasks[0].id} chưa xong, đang làm 80%")
    assert "Đang thực hiện 80%" in (reply.text or "")
    assert [r.state for r in reports(bot)] == ["done", "in_progress"]
    assert assignment(bot, world.assignments[0]).state == "in_progress"


async def test_duplicated_update_records_one_report(bot: BotUnderTest) -> None:
    """The same message delivered twice by Telegram is recorded once."""
    await scene(bot)
    update_id = bot.server.send_text(OFFICIAL, "xong")
    await bot.server.wait_for_message(OFFICIAL, lambda m: "Đã ghi nhận" in (m.text or ""))
    bot.server.redeliver(update_id)
    await bot.processed(update_id)
    await bot.send(OFFICIAL, "/start")
    assert len(reports(bot)) == 1


async def test_double_tap_records_one_report(bot: BotUnderTest) -> None:
    """Two presses of done on the same message before it changes record one report."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    done = data(bot, OFFICIAL, "st", "done", aid)
    first = bot.server.press_button(OFFICIAL, done, reminder.message_id)
    second = bot.server.press_button(OFFICIAL, done, reminder.message_id)
    answers = await asyncio.gather(
        bot.server.wait_for_answer(bot.server.callback_id(first)),
        bot.server.wait_for_answer(bot.server.callback_id(second)),
    )
    assert all("Hoàn thành đúng hạn" in (a.text or "") for a in answers)
    assert len(reports(bot)) == 1


async def test_button_of_a_closed_task_records_nothing(bot: BotUnderTest) -> None:
    """A press on a task closed since the reminder gets a clear answer and no report."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    with bot.session() as s:
        task = s.get(Task, world.tasks[0].id)
        assert task is not None
        task.status = "closed"
        s.add(task)
        s.commit()
    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))
    assert "đã kết thúc hoặc bị hủy" in answer  # no admin named yet: no one to ask
    assert reports(bot) == []


async def test_callback_for_another_units_assignment_is_refused(bot: BotUnderTest) -> None:
    """Validly signed data for another unit's assignment is refused by the domain check."""
    world = await scene(bot)
    foreign = world.other_assignment
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    forged = data(bot, OFFICIAL, "st", "done", foreign)
    bot.server.state.chats[OFFICIAL].messages[reminder.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": forged}]]
    }
    answer = await bot.press(OFFICIAL, forged, reminder.message_id)
    assert "không phải của đơn vị" in answer
    stolen = data(bot, OTHER_OFFICIAL, "st", "done", foreign)
    bot.server.state.chats[OFFICIAL].messages[reminder.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": stolen}]]
    }
    assert "không hợp lệ" in await bot.press(OFFICIAL, stolen, reminder.message_id)
    assert reports(bot) == []


async def test_question_can_be_cancelled_and_the_next_text_is_a_report(bot: BotUnderTest) -> None:
    """/cancel forgets the blocker question; the next text is read as a report again."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "blocked", aid))
    await bot.server.wait_for_message(OFFICIAL, lambda m: "vướng mắc" in (m.text or ""))
    assert "Đã hủy" in ((await bot.send(OFFICIAL, "/cancel")).text or "")
    assert "Không có thao tác" in ((await bot.send(OFFICIAL, "/cancel")).text or "")
    reply = await bot.send(OFFICIAL, "xong")
    assert "Hoàn thành đúng hạn" in (reply.text or "")
    assert [r.state for r in reports(bot)] == ["done"]


async def test_a_number_alone_replying_to_a_reminder_records_that_share(bot: BotUnderTest) -> None:
    """ "60" in reply to the reminder records in progress at 60% and says so."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)
    answer = await bot.send(OFFICIAL, "60", reply_to=reminder.message_id)
    assert "Đang thực hiện 60%" in (answer.text or "")
    assert [(r.state, r.percent) for r in reports(bot)] == [("in_progress", 60)]


async def test_a_bare_share_in_english_is_refused_in_english(bot: BotUnderTest) -> None:
    """After /lang en, "150" gets the 0-100 rule in English with the status buttons."""
    await scene(bot)
    await bot.send(OFFICIAL, "/lang en")
    answer = await bot.send(OFFICIAL, "150")
    assert "from 0 to 100%" in (answer.text or "")
    assert len(buttons(answer)) == 4
    assert reports(bot) == []


async def test_all_done_with_several_open_items_is_confirmed_for_all(bot: BotUnderTest) -> None:
    """ "cả 2 việc đã xong" with two open tasks lists both with a button that confirms both
    (it asked which one, with no way to say both); the press records both done and takes
    the question's buttons off (they stayed, a second press told it had expired)."""
    world = await scene(bot, tasks=2)
    other = await bot.send(OFFICIAL, "cả 3 việc đã xong")  # not these two: which one?
    assert "nhiệm vụ nào" in (other.text or "")
    assert not any("Xác nhận cả" in label for label, _ in buttons(other))
    question = await bot.send(OFFICIAL, "cả 2 việc đã xong")
    text = question.text or ""
    assert "Xác nhận cả 2 nhiệm vụ đã hoàn thành?" in text
    assert all(f"#{task.id} " in text for task in world.tasks)
    assert reports(bot) == []
    every = button_data(question, "Xác nhận cả 2")
    await bot.press(OFFICIAL, every, question.message_id)
    await bot.server.wait_for_message(OFFICIAL, lambda m: "Đã ghi nhận" in (m.text or ""))
    assert sorted((r.assignment_id, r.state) for r in reports(bot)) == [
        (world.assignments[0], "done"),
        (world.assignments[1], "done"),
    ]
    await no_buttons_left(bot, OFFICIAL, question.message_id)  # settled: no second press
    assert len(reports(bot)) == 2


async def test_all_done_with_25_open_tasks_lists_twenty_and_counts_the_others(
    bot: BotUnderTest,
) -> None:
    """ "tất cả đã xong" with 25 open tasks lists the first 20, as many as it offers buttons
    for, counts the other 5, and its first button confirms all 25 (it listed all 25)."""
    world = await scene(bot, tasks=25)
    question = await bot.send(OFFICIAL, "tất cả đã xong")
    text = question.text or ""
    listed = [line for line in text.splitlines() if line.startswith("• #")]
    assert listed == [f"• #{task.id} {task.title}" for task in world.tasks[:20]]
    assert "… và 5 nhiệm vụ khác không có trong danh sách trên" in text
    assert "Xác nhận cả 25 nhiệm vụ đã hoàn thành?" in text
    assert len(buttons(question)) == 21
    every = button_data(question, "Xác nhận cả 25")
    await bot.press(OFFICIAL, every, question.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 25)
    assert sorted(r.assignment_id for r in reports(bot)) == sorted(world.assignments)


async def test_done_pressed_after_blocked_drops_the_question_of_the_reason(
    bot: BotUnderTest,
) -> None:
    """Blocked, then (a change of mind) done on the same reminder: the task is done, and the
    next text is not taken as the blocker's reason, turning done back into blocked."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "blocked", aid))
    await bot.server.wait_for_message(OFFICIAL, lambda m: "vướng mắc" in (m.text or ""))
    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))
    assert "Hoàn thành đúng hạn" in answer
    reply = await bot.send(OFFICIAL, "chờ số liệu của huyện")
    assert "Vướng mắc" not in (reply.text or "")
    assert [r.state for r in reports(bot)] == ["done"]
    assert assignment(bot, aid).state == "done"


async def test_a_reply_to_two_tasks_reminder_after_one_ended_is_confirmed_first(
    bot: BotUnderTest,
) -> None:
    """ "xong" in reply to a reminder of two tasks, one closed since, is asked about (the
    task left named, with the status buttons), never recorded unnamed for the other."""
    world = await scene(bot, tasks=2)
    first, second = world.assignments
    reminder = await remind(bot, OFFICIAL, [first, second])
    with bot.session() as s:
        task = s.get_one(Task, world.tasks[0].id)
        task.status = "closed"
        s.add(task)
        s.commit()
    asked = await bot.send(OFFICIAL, "xong", reply_to=reminder.message_id)
    assert reports(bot) == []
    assert f"#{world.tasks[1].id} Kế hoạch CĐS 2" in (asked.text or "")
    await bot.press(OFFICIAL, button_data(asked, "Hoàn thành"))
    [report] = reports(bot)
    assert (report.assignment_id, report.state) == (second, "done")
