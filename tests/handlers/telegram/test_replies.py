"""What officials type on their phones, through the fake Bot API: what is kept, what is asked.

The same scenes run on Zalo in tests/zalo/test_replies.py: both channels answer alike.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import select
from telegram import Message

from db.models import Explanation, ExtensionRequest
from devtools.fakebotapi import ChatMessage
from tests.factories import move_to_a_new_unit, person
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    OFFICIAL,
    assignment,
    deliver,
    notices,
    remind,
    reports,
    scene,
)
from tests.harness import BotUnderTest, button_data, buttons


def requests(bot: BotUnderTest) -> list[ExtensionRequest]:
    """Return the extension requests kept."""
    with bot.session() as s:
        return list(s.exec(select(ExtensionRequest)))


async def test_two_tasks_in_one_message_are_recorded_each(bot: BotUnderTest) -> None:
    """ "#A xong, #B đang làm 50%" records done for A and 50% for B, and confirms both."""
    world = await scene(bot, tasks=2)
    first, second = (t.id for t in world.tasks)
    await bot.send(OFFICIAL, f"#{first} xong, #{second} dang lam 50%")
    await bot.server.wait_until(lambda: len(reports(bot)) == 2)
    got = [(r.assignment_id, r.state, r.percent) for r in reports(bot)]
    assert got == [
        (world.assignments[0], "done", 100),
        (world.assignments[1], "in_progress", 50),
    ]
    await bot.server.wait_until(
        lambda: sum("Đã ghi nhận" in (m.text or "") for m in bot.server.messages(OFFICIAL)) == 2
    )


async def test_a_task_named_that_is_not_the_units_is_named_in_the_answer(
    bot: BotUnderTest,
) -> None:
    """ "#A xong, #999 xong" records A and says #999 is not the unit's, by its number."""
    world = await scene(bot, tasks=1)
    await bot.send(OFFICIAL, f"#{world.tasks[0].id} xong, #999 xong")
    await bot.server.wait_for_message(OFFICIAL, lambda m: (m.text or "").startswith("#999:"))
    assert [r.state for r in reports(bot)] == ["done"]


async def test_a_thumbs_up_to_a_reminder_records_nothing_and_asks(bot: BotUnderTest) -> None:
    """👍 to the reminder of an unreported task is no report: the bot says so and asks."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, "👍", reply_to=reminder.message_id)
    assert "chưa ghi nhận" in (answer.text or "")
    assert len(buttons(answer)) == 4
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_not_done_in_reply_to_an_old_reminder_of_a_done_task_is_asked(
    bot: BotUnderTest,
) -> None:
    """ "đang làm 50%" in reply to last week's reminder of a task since reported done (a
    reply to the wrong message, most likely) reopened it at once; the bot now says it is
    done, records nothing, and the button records the change with its share."""
    world = await scene(bot)
    done = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [done])
    await bot.send(OFFICIAL, "xong")
    asked = await bot.send(OFFICIAL, "đang làm 50%", reply_to=reminder.message_id)
    assert "đã được ghi nhận hoàn thành; tin này chưa được ghi nhận" in (asked.text or "")
    assert [r.state for r in reports(bot)] == ["done"]
    assert assignment(bot, done).state == "done"
    await bot.press(OFFICIAL, button_data(asked, "Đang thực hiện"), asked.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 2)
    assert [(r.state, r.percent) for r in reports(bot)] == [("done", 100), ("in_progress", 50)]
    named = await bot.send(OFFICIAL, f"#{world.tasks[0].id} xong", reply_to=reminder.message_id)
    assert "Đã ghi nhận" in (named.text or "")


async def test_a_bare_tick_asks_which_status(bot: BotUnderTest) -> None:
    """ "✅" alone is not thanked for: the bot asks which status, with its buttons."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "✅")
    assert len(buttons(answer)) == 4
    assert reports(bot) == []


async def test_an_extension_to_next_weeks_friday_asks_for_that_day(bot: BotUnderTest) -> None:
    """ "xin gia hạn đến thứ 6 tuần sau" asks for that Friday, not for six weeks more."""
    await scene(bot, deadline=date(2026, 11, 20))
    answer = await bot.send(OFFICIAL, "xin gia hạn đến thứ 6 tuần sau vì chờ kinh phí")
    assert "27/11/2026" in (answer.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (date(2026, 11, 27), "chờ kinh phí")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("cho em khất đến thứ 2 tuần sau vì chờ kinh phí", date(2026, 11, 23)),
        ("lùi sang 15/12 vì chờ kinh phí", date(2026, 12, 15)),
    ],
)
async def test_a_delay_said_without_asking_is_an_extension(
    bot: BotUnderTest, text: str, day: date
) -> None:
    """ "cho em khất đến thứ 2", "lùi sang 15/12" ask for that day, as "xin gia hạn đến …"
    does: the bot asked which status, and the day and the reason were lost."""
    await scene(bot, deadline=date(2026, 11, 20))
    answer = await bot.send(OFFICIAL, text)
    assert day.strftime("%d/%m/%Y") in (answer.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (day, "chờ kinh phí")


async def test_an_extension_not_after_the_deadline_says_how_to_ask_again(
    bot: BotUnderTest,
) -> None:
    """A date before the deadline sends nothing and shows how to ask with a later one."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "xin gia hạn đến 25/11")
    assert "Xin gửi lại với ngày sau hạn đó" in (answer.text or "")
    assert requests(bot) == []


async def test_an_extension_to_a_date_just_passed_is_asked_again(bot: BotUnderTest) -> None:
    """ "gia hạn đến 10/11" on 18/11 is a slip: nothing is sent, the bot asks the date again."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "xin gia hạn đến 10/11")
    assert "10/11/2026 đã qua" in (answer.text or "")
    assert requests(bot) == []
    again = await bot.send(OFFICIAL, "15.12 vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in (again.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (date(2026, 12, 15), "chờ kinh phí")


async def test_an_extension_to_a_day_no_calendar_has_says_so(bot: BotUnderTest) -> None:
    """ "đến 31/02" is named as no day, in the request and in the answer to the question."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "xin gia hạn đến 31/02")
    assert (answer.text or "").startswith("Không có ngày 31/02.")
    again = await bot.send(OFFICIAL, "30/02 vì chờ kinh phí")
    assert (again.text or "").startswith("Không có ngày 30/02.")
    assert requests(bot) == []
    last = await bot.send(OFFICIAL, "15/12/2026 vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in (last.text or "")


async def test_an_explanation_naming_two_tasks_stays_an_explanation(bot: BotUnderTest) -> None:
    """A reply to an explanation request is the explanation, even when it names two tasks."""
    world = await scene(bot, tasks=2, deadline=date(2026, 11, 10))
    first, second = (t.id for t in world.tasks)
    await bot.send(COORDINATOR, f"/explain #{first} Tam Xuân")
    [request] = notices(bot, OFFICIAL, "explain:")
    sent = await deliver(bot, request)
    text = f"#{first} chậm vì chờ #{second} xong trước"
    answer = await bot.send(OFFICIAL, text, reply_to=sent.message_id)
    assert "Đã ghi nhận giải trình" in (answer.text or "")
    with bot.session() as s:
        assert [e.text for e in s.exec(select(Explanation))] == [text]
    assert reports(bot) == []


async def test_ht_is_confirmed_then_one_tap_records_done(bot: BotUnderTest) -> None:
    """ "HT" alone records nothing until the official confirms it with the done button."""
    world = await scene(bot)
    question = await bot.send(OFFICIAL, "HT")
    assert "Xin chọn tình trạng" in (question.text or "")
    assert reports(bot) == []
    await bot.press(OFFICIAL, button_data(question, "Hoàn thành"), question.message_id)
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]


async def edit_last(bot: BotUnderTest, user_id: int, text: str) -> tuple[int, ChatMessage]:
    """Have the user edit their last message into `text`; return its id and the answer."""
    mine = max(m.message_id for m in bot.server.history(user_id) if not m.from_bot)
    after = bot.server.last_message_id(user_id)
    bot.server.edit_text(user_id, mine, text)
    return mine, await bot.server.wait_for_message(user_id, after=after)


async def test_an_edited_report_is_answered_to_send_it_again(bot: BotUnderTest) -> None:
    """ "xong" edited into "đang làm 50%" is not read again, and the official is told to send
    the correction as a new message: it was silently ignored, "xong" standing."""
    world = await scene(bot)
    await bot.send(OFFICIAL, "xong")
    mine, answer = await edit_last(bot, OFFICIAL, "đang làm 50%")
    assert "tin nhắn mới" in (answer.text or "")
    assert answer.reply_to_message_id == mine
    assert [r.state for r in reports(bot)] == ["done"]
    assert assignment(bot, world.assignments[0]).state == "done"


async def test_an_edited_command_is_not_said_to_be_unknown(bot: BotUnderTest) -> None:
    """ "/help" edited into "/whoami" is answered as an edit: an edited command ran again (an
    edited /nudge nudged twice), or was said unknown when the fake kept the old entities."""
    await scene(bot)
    await bot.send(COORDINATOR, "/help")
    _, answer = await edit_last(bot, COORDINATOR, "/whoami")
    assert "tin nhắn mới" in (answer.text or "")


async def test_a_forwarded_report_is_confirmed_before_it_is_recorded(bot: BotUnderTest) -> None:
    """ "xong" forwarded from someone else (a colleague's chat, a group) is another's words:
    it was recorded as the official's own report; now the status is asked first."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    forwarded = {
        "message_id": 9001,
        "date": int(time.time()),
        "chat": {"id": OFFICIAL, "type": "private", "first_name": "Lan"},
        "from": {"id": OFFICIAL, "is_bot": False, "first_name": "Lan"},
        "text": "xong",
        "forward_origin": {
            "type": "user",
            "date": int(time.time()) - 600,
            "sender_user": {"id": 5555, "is_bot": False, "first_name": "Đồng nghiệp"},
        },
    }
    bot.server.inject_update({"message": forwarded})
    asked = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "Xin chọn tình trạng" in (asked.text or "")
    assert reports(bot) == []
    await bot.press(OFFICIAL, button_data(asked, "Hoàn thành"), asked.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 1)
    assert assignment(bot, world.assignments[0]).state == "done"


async def test_a_button_on_a_message_that_cannot_be_edited_still_records(
    bot: BotUnderTest,
) -> None:
    """A status button pressed on a reminder older than 48 hours, which Telegram no longer lets
    the bot edit (400 "message can't be edited"), records the status and says so in the
    pop-up."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    bot.server.spoil(OFFICIAL, reminder.message_id)
    toast = await bot.press(OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id)
    assert "Đã ghi nhận" in toast
    assert [r.state for r in reports(bot)] == ["done"]
    assert assignment(bot, world.assignments[0]).state == "done"
    [after] = [
        m
        for m in bot.server.messages(OFFICIAL, include_deleted=True)
        if m.message_id == reminder.message_id
    ]
    assert after.edits == 0


async def test_a_day_to_come_with_done_records_nothing_and_asks(bot: BotUnderTest) -> None:
    """ "thứ 6 xong" to a reminder says when the work will be done: nothing is recorded."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, "thứ 6 xong", reply_to=reminder.message_id)
    assert len(buttons(answer)) == 4
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_some_of_the_communes_done_is_in_progress(bot: BotUnderTest) -> None:
    """ "Đã hoàn thành 10/12 xã" to a reminder is work under way, not the task done."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(OFFICIAL, "Đã hoàn thành 10/12 xã", reply_to=reminder.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 1)
    assert [r.state for r in reports(bot)] == ["in_progress"]


async def test_in_progress_at_a_hundred_percent_is_asked(bot: BotUnderTest) -> None:
    """ "đang làm 100%" is not kept as "in progress 100%": the bot asks which status."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, "đang làm 100%", reply_to=reminder.message_id)
    assert buttons(answer)
    assert reports(bot) == []


async def test_done_on_a_condition_records_nothing_and_asks(bot: BotUnderTest) -> None:
    """ "xong thì em báo ạ" to a reminder promises a report: nothing is recorded, it asks."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, "xong thì em báo ạ", reply_to=reminder.message_id)
    assert len(buttons(answer)) == 4
    assert reports(bot) == []


async def test_a_month_more_asks_for_the_same_day_next_month(bot: BotUnderTest) -> None:
    """ "xin gia hạn thêm 1 tháng" on a task due 30/11 asks for 30/12, not for a date."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "xin gia hạn thêm 1 tháng vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in (answer.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (date(2026, 12, 30), "chờ kinh phí")


async def test_half_a_month_more_asks_for_fifteen_days_after_the_deadline(
    bot: BotUnderTest,
) -> None:
    """ "xin thêm nửa tháng" on a task due 30/11 asks for 15/12, as "thêm 15 ngày" would."""
    await scene(bot)
    answer = await bot.send(OFFICIAL, "xin thêm nửa tháng vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in (answer.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (date(2026, 12, 15), "chờ kinh phí")


async def test_an_extension_until_tomorrow_asks_for_the_next_day(bot: BotUnderTest) -> None:
    """ "xin gia hạn đến ngày mai" on Wednesday 18/11, the deadline, asks for Thursday 19/11."""
    await scene(bot, deadline=date(2026, 11, 18))
    answer = await bot.send(OFFICIAL, "xin gia hạn đến ngày mai vì chờ ký")
    assert "Đã gửi đề nghị gia hạn" in (answer.text or "")
    [request] = requests(bot)
    assert (request.requested_deadline, request.reason) == (date(2026, 11, 19), "chờ ký")


async def test_a_pair_that_reads_as_a_date_and_a_count_is_asked(bot: BotUnderTest) -> None:
    """ "xong 8/10" on 18/11 (done on 8 October, or 8 of 10?) records nothing and says why it
    asks; one tap of "Đang thực hiện" records in progress. It was read as done."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    asked = await bot.send(OFFICIAL, "xong 8/10", reply_to=reminder.message_id)
    assert "«8/10» là ngày 8/10 hay 8 trên 10 phần việc?" in (asked.text or "")
    assert len(buttons(asked)) == 4
    assert reports(bot) == []
    await bot.press(OFFICIAL, button_data(asked, "Đang thực hiện"), asked.message_id)
    assert [r.state for r in reports(bot)] == ["in_progress"]


@pytest.mark.parametrize(
    "text", ["hôm nay xong", "tuần này xong", "xin hoan thanh som", "hoàn thành 12/12 báo cáo"]
)
async def test_done_today_or_this_week_records_nothing_and_asks(
    bot: BotUnderTest, text: str
) -> None:
    """ "hôm nay xong" says when the work will be done, as "thứ 6 xong" does: it was recorded
    as done; now the bot asks."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, text, reply_to=reminder.message_id)
    assert len(buttons(answer)) == 4
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("hôm nay đã xong", "done"),
        ("đã hoàn thành 3/3 nội dung, còn 2 việc", "in_progress"),
        ("dang lam 50%", "in_progress"),
        ("vuong thieu kinh phi", "blocked"),
        ("xong 50", "in_progress"),
        ("xong rồi, chỉ còn ký", "in_progress"),
    ],
)
async def test_what_a_reply_says_is_what_is_recorded(
    bot: BotUnderTest, text: str, state: str
) -> None:
    """ "hôm nay đã xong" is done; "…, còn 2 việc" (two things left), "chỉ còn ký" (only the
    signature left) and "xong 50" (50 %) are in progress, not done; a reply typed without
    diacritics reads as with them."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(OFFICIAL, text, reply_to=reminder.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 1)
    assert [r.state for r in reports(bot)] == [state]


async def test_guidance_given_as_the_blocker_is_its_reason(bot: BotUnderTest) -> None:
    """ "hướng dẫn" typed after "Vướng mắc" asked for the reason is the blocker (the guidance
    is missing): it showed the help and recorded nothing. Alone, it is still the help."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.press(OFFICIAL, button_data(reminder, "Vướng mắc"), reminder.message_id)
    await bot.server.wait_for_message(OFFICIAL, lambda m: "vướng mắc" in (m.text or ""))
    answer = await bot.send(OFFICIAL, "hướng dẫn")
    assert "Vướng mắc (chưa hoàn thành, trong hạn)" in (answer.text or "")
    [report] = reports(bot)
    assert (report.state, report.reason) == ("blocked", "hướng dẫn")
    shown = await bot.send(OFFICIAL, "hướng dẫn")
    assert "/lang" in (shown.text or "")


async def test_a_forwarded_reminder_is_not_read_as_a_request(bot: BotUnderTest) -> None:
    """The bot's reminder forwarded back to it: the examples of its footer ("xin gia hạn đến
    15/12 vì …") are not the official's words. It was read as a request for an extension;
    now the official is told it is the reminder, and nothing is recorded."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    footer = bot.services.catalog.plain("vi", "reminders.footer", day="27/11")
    text = f"🔔 Nhắc việc ngày 18/11/2026\n\n1. #{world.tasks[0].id} Kế hoạch\n\n{footer}"
    forwarded = {
        "message_id": 9002,
        "date": int(time.time()),
        "chat": {"id": OFFICIAL, "type": "private", "first_name": "Lan"},
        "from": {"id": OFFICIAL, "is_bot": False, "first_name": "Lan"},
        "text": text,
        "forward_origin": {
            "type": "user",
            "date": int(time.time()) - 600,
            "sender_user": {"id": 12345, "is_bot": True, "first_name": "dondoc"},
        },
    }
    bot.server.inject_update({"message": forwarded})
    answer = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "tin nhắc việc của bot" in (answer.text or "")
    assert reports(bot) == []
    with bot.session() as s:
        assert s.exec(select(ExtensionRequest)).all() == []


async def test_a_status_reply_is_answered_without_reading_the_answer_back(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check-in's answer is sent, and python-telegram-bot does not build a `Message` of
    what Telegram sends back (issue 20: a tenth of the event loop's work on a reply)."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    built: list[object] = []
    de_json = Message.de_json

    def spy(data: dict[str, object], bot: object = None) -> Message:
        built.append(data.get("message_id"))
        return de_json(data, bot)  # type: ignore[arg-type]

    monkeypatch.setattr(Message, "de_json", spy)
    answer = await bot.send(OFFICIAL, "xong", reply_to=reminder.message_id)
    assert "Đã ghi nhận" in (answer.text or "")
    # The same person's next update runs once the first one's handler has ended.
    await bot.send(OFFICIAL, "✅")
    assert reminder.message_id in built  # the reply's quote is read, as before
    assert answer.message_id not in built
    assert [r.state for r in reports(bot)] == ["done"]


@pytest.mark.parametrize(
    ("text", "state"),
    [("hoanf thanhf", "done"), ("ddax hoanf taats", "done"), ("sawps xong", "in_progress")],
)
async def test_done_typed_in_telex_is_recorded_as_it_says(
    bot: BotUnderTest, text: str, state: str
) -> None:
    """ "hoanf thanhf" ("hoàn thành" typed with the Vietnamese keyboard off) is done: it was
    asked about; "sawps xong" ("sắp xong", nearly done) is in progress: it was recorded done."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(OFFICIAL, text, reply_to=reminder.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 1)
    assert [r.state for r in reports(bot)] == [state]


async def test_not_done_typed_in_telex_records_nothing(bot: BotUnderTest) -> None:
    """ "chuaw hoanf thanhf" ("chưa hoàn thành") is a negation: the bot asks, records nothing."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    answer = await bot.send(OFFICIAL, "chuaw hoanf thanhf", reply_to=reminder.message_id)
    assert len(buttons(answer)) == 4
    assert reports(bot) == []


async def test_a_bare_1_after_moving_to_another_unit_asks_and_records_nothing(
    bot: BotUnderTest,
) -> None:
    """Lan was reminded of Xã Tam Xuân's two tasks, then moved to a unit with one open task
    she was never shown: her "1" is no status on Telegram (no choice is typed there), so the
    bot asks about that task, with its buttons, and records nothing (as on Zalo, where "1"
    answers the reminder's own tasks: tests/zalo/test_replies.py)."""
    world = await scene(bot, tasks=2)
    await remind(bot, OFFICIAL, world.assignments)
    with bot.session() as s:
        move_to_a_new_unit(
            s, person(s, OFFICIAL), "TH", "Xã Tam Hòa", "Đề án mới", date(2026, 12, 4)
        )
    answer = await bot.send(OFFICIAL, "1")
    assert reports(bot) == []
    assert "Đề án mới" in (answer.text or "")
    assert buttons(answer)


# Not done, in an official's own words (tests/core/test_officials_words.py): asked back,
# cannot be, thought done, a duty, at once, after something else, the reminder read,
# acknowledged, no blocker, not done, a slip.
WORDS_NOT_DONE = (
    "xong rồi à",
    "đã xong rồi hả anh",
    "xong không nổi",
    "tưởng xong rồi",
    "phải xong",
    "xong ngay",
    "họp xong em gửi",
    "em đọc xong rồi ạ",
    "đã nhận",
    "em nhận rồi ạ",
    "không có vướng mắc",
    "chưa xong",
    "k xong kịp",
    "xong rồi chứ",  # asked back
    "xong em báo",  # will report once done
    "trước hạn 15/12 xong",  # a promise
    "xông",  # a slip, or another word
    "ch xong",  # "chưa xong" in chat
)


async def test_an_officials_words_that_are_not_done_are_asked(bot: BotUnderTest) -> None:
    """ "xong rồi à" asks back, "xong không nổi" says it cannot be, "tưởng xong rồi" it was
    thought done, "phải xong" it must be, "họp xong em gửi" it comes after a meeting, "em
    đọc xong rồi ạ" the reminder was read: each was recorded as done. None is: the bot asks
    with the status buttons, and records nothing."""
    world = await scene(bot)
    for text in WORDS_NOT_DONE:
        question = await bot.send(OFFICIAL, text)
        assert len(buttons(question)) == 4, text
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"


async def test_an_officials_words_are_recorded_as_they_read(bot: BotUnderTest) -> None:
    """ "chưa làm được vì thiếu người" is a blocker with its reason (it was asked, the reason
    lost), "xong, còn xã B" work left (it was done); then a share, then done."""
    world = await scene(bot)
    for text in ("chưa làm được vì thiếu người", "xong, còn xã B", "dang lam 60 phan tram"):
        await bot.send(OFFICIAL, text)
    await bot.send(OFFICIAL, "xong r")
    assert [(r.state, r.percent, r.reason) for r in reports(bot)] == [
        ("blocked", None, "thiếu người"),
        ("in_progress", None, None),
        ("in_progress", 60, None),
        ("done", 100, None),
    ]
    assert assignment(bot, world.assignments[0]).state == "done"


async def test_a_share_with_a_fraction_is_kept_whole_and_the_official_is_told(
    bot: BotUnderTest,
) -> None:
    """ "đang làm 60,5%" records 60 % (a report keeps whole percents) and says so, where it
    was rounded without a word."""
    world = await scene(bot)
    answer = await bot.send(OFFICIAL, "đang làm 60,5%")
    assert "Đã ghi nhận: Đang thực hiện 60%" in (answer.text or "")
    assert "60,5% ghi là 60%" in (answer.text or "")
    assert [(r.state, r.percent) for r in reports(bot)] == [("in_progress", 60)]
    plain = await bot.send(OFFICIAL, f"#{world.tasks[0].id} đang làm 70%")
    assert "số nguyên" not in (plain.text or "")
