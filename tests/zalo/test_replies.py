"""What officials type on their phones, on Zalo: the scenes of Telegram's test_replies.py.

Zalo has no reply to a message: answering a reminder is writing after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from db.models import Assignment, ExtensionRequest, StatusReport
from tests.factories import make_contact, make_task, make_unit, move_to_a_new_unit, person
from tests.handlers.telegram.test_checkin import KEYBOARD_OFF_NOT_DONE
from tests.handlers.telegram.test_replies import WORDS_NOT_DONE
from tests.scheduler.support import at
from tests.zalo.conftest import ZaloBot
from tests.zalo.test_reminders import HOA, official, remind


def reports(zbot: ZaloBot) -> list[tuple[int, str, int | None]]:
    """Return every status report as (task, state, percent), oldest first."""
    with zbot.session() as s:
        rows = s.exec(
            select(StatusReport, Assignment)
            .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
            .order_by(col(StatusReport.id))
        ).all()
    return [(a.task_id, r.state, r.percent) for r, a in rows]


def requests(zbot: ZaloBot) -> list[tuple[date | None, str]]:
    """Return the extension requests kept, as (date asked, reason)."""
    with zbot.session() as s:
        return [(r.requested_deadline, r.reason) for r in s.exec(select(ExtensionRequest))]


async def test_two_tasks_in_one_message_are_recorded_each(zbot: ZaloBot) -> None:
    """ "#A xong, #B đang làm 50%" records done for A and 50% for B, and confirms both."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    answer = await zbot.say(HOA, f"#{first} xong, #{second} dang lam 50%")
    assert reports(zbot) == [(first, "done", 100), (second, "in_progress", 50)]
    assert sum("Đã ghi nhận" in text for text in answer) == 2


async def test_a_task_named_that_is_not_the_units_is_named_in_the_answer(zbot: ZaloBot) -> None:
    """ "#A xong, #999 xong" records A and says #999 is not the unit's, by its number."""
    [first] = official(zbot)
    answer = await zbot.say(HOA, f"#{first} xong, #999 xong")
    assert any(text.startswith("#999:") for text in answer)
    assert reports(zbot) == [(first, "done", 100)]


async def test_a_thumbs_up_to_a_reminder_records_nothing_and_asks(zbot: ZaloBot) -> None:
    """👍 after the reminder of an unreported task is no report: the bot says so and asks."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "👍")
    assert "chưa ghi nhận" in answer
    assert "1 = Hoàn thành" in answer
    assert reports(zbot) == []
    await zbot.say(HOA, "1")  # the legend shown is the one a typed number takes
    assert [state for _, state, _ in reports(zbot)] == ["done"]


async def test_not_done_typed_with_the_keyboard_off_is_never_done(zbot: ZaloBot) -> None:
    """ "chuaw xong", "chuwa xong", "khoong xong" ("chưa xong" with Telex marks left in the
    words) are negations, "se4 xong", "tua62n sau xong" (VNI: "sẽ xong", "tuần sau xong")
    promises: the bot asks which status, and records nothing."""
    official(zbot)
    await remind(zbot)
    for text in KEYBOARD_OFF_NOT_DONE:
        answer = await zbot.say(HOA, text)
        assert any("1 = Hoàn thành" in line for line in answer), (text, answer)
    assert reports(zbot) == []


async def test_not_done_said_in_the_south_or_in_chat_is_never_done(zbot: ZaloBot) -> None:
    """ "hông xong", "hok xong", "chả xong", "có xong đâu", "còn lâu mới xong" say it is not
    done, as spoken or typed in chat: the bot asks which status, and records nothing."""
    official(zbot)
    await remind(zbot)
    for text in ("hông xong", "hok xong", "chả xong", "có xong đâu", "còn lâu mới xong"):
        answer = await zbot.say(HOA, text)
        assert any("1 = Hoàn thành" in line for line in answer), (text, answer)
    assert reports(zbot) == []


async def test_a_count_typed_first_after_a_reminder_is_no_choices_number(zbot: ZaloBot) -> None:
    """ "3 ngày nữa xong" (in three days) was choice 3, a blocker recorded and sent to the
    coordinators; "2 xã đã xong" (two communes) a status too: each is read as typed, and
    the bot asks which status, recording nothing."""
    official(zbot)
    await remind(zbot)
    for text in ("3 ngày nữa xong", "2 xã đã xong"):
        answer = await zbot.say(HOA, text)
        assert any("1 = " in line and "Hoàn thành" in line for line in answer), (text, answer)
    assert reports(zbot) == []


async def test_done_typed_in_telex_is_recorded_and_not_done_is_not(zbot: ZaloBot) -> None:
    """ "hoanf thanhf" ("hoàn thành" with the Vietnamese keyboard off) records done (it was
    asked about); "chuaw hoanf thanhf" and "khoong hoanf thanhf" stay negations."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    for text in (f"#{first} chuaw hoanf thanhf", f"#{first} khoong hoanf thanhf"):
        answer = await zbot.say(HOA, text)
        assert any("1 = Hoàn thành" in line for line in answer), (text, answer)
    assert reports(zbot) == []
    await zbot.say(HOA, f"#{first} hoanf thanhf")
    await zbot.say(HOA, f"#{second} ddax xong")
    assert reports(zbot) == [(first, "done", 100), (second, "done", 100)]


async def test_a_bare_tick_asks_which_status(zbot: ZaloBot) -> None:
    """ "✅" alone is not thanked for: the bot asks which status, with the typed answers."""
    official(zbot)
    [answer] = await zbot.say(HOA, "✅")
    assert "1 = Hoàn thành" in answer
    assert reports(zbot) == []


async def test_an_extension_to_next_weeks_friday_asks_for_that_day(zbot: ZaloBot) -> None:
    """ "xin gia hạn đến thứ 6 tuần sau" asks for that Friday, not for six weeks more."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến thứ 6 tuần sau vì chờ kinh phí")
    assert "27/11/2026" in answer
    assert requests(zbot) == [(date(2026, 11, 27), "chờ kinh phí")]


@pytest.mark.parametrize(
    ("text", "day", "reason"),
    [
        (
            "extension to friday next week because waiting for the budget",
            27,
            "waiting for the budget",
        ),
        ("more time until next monday because of the flood", 23, "the flood"),
    ],
)
async def test_an_english_extension_to_a_weekday_asks_for_that_day(
    zbot: ZaloBot, text: str, day: int, reason: str
) -> None:
    """On Wednesday 18/11/2026, "extension to friday next week because …" asks for Friday
    27/11 and "more time until next monday" for Monday 23/11, as "xin gia hạn đến thứ 6
    tuần sau vì …" does: the request was sent without a date."""
    official(zbot)
    [answer] = await zbot.say(HOA, text)
    assert f"{day}/11/2026" in answer
    assert requests(zbot) == [(date(2026, 11, day), reason)]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("cho em khất đến thứ 2 tuần sau vì chờ kinh phí", date(2026, 11, 23)),
        ("lùi sang 15/12 vì chờ kinh phí", date(2026, 12, 15)),
    ],
)
async def test_a_delay_said_without_asking_is_an_extension(
    zbot: ZaloBot, text: str, day: date
) -> None:
    """ "cho em khất đến thứ 2", "lùi sang 15/12" ask for that day, as "xin gia hạn đến …"
    does: the bot asked which status, and the day and the reason were lost."""
    official(zbot)
    [answer] = await zbot.say(HOA, text)
    assert day.strftime("%d/%m/%Y") in answer
    assert requests(zbot) == [(day, "chờ kinh phí")]


async def test_a_blocker_said_before_an_extension_is_its_reason(zbot: ZaloBot) -> None:
    """ "vướng kinh phí, xin gia hạn đến 15/12" asks for 15/12 because of "vướng kinh phí":
    the request went to the coordinators with no reason, the official's words lost."""
    official(zbot)
    await zbot.say(HOA, "vướng kinh phí, xin gia hạn đến 15/12")
    assert requests(zbot) == [(date(2026, 12, 15), "vướng kinh phí")]


async def test_an_extension_to_a_date_just_passed_is_asked_again(zbot: ZaloBot) -> None:
    """ "gia hạn đến 10/11" on 18/11 is a slip: nothing is sent, the bot asks the date again."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến 10/11")
    assert "10/11/2026 đã qua" in answer
    assert requests(zbot) == []
    [again] = await zbot.say(HOA, "15.12 vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in again
    assert requests(zbot) == [(date(2026, 12, 15), "chờ kinh phí")]


async def test_typed_answers_for_two_tasks_in_one_message_are_recorded_each(
    zbot: ZaloBot,
) -> None:
    """ "#A 1, #B 2 60%", the reminder's typed answers for two tasks, records each."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    await zbot.say(HOA, f"#{first} 1, #{second} 2 60%")
    assert reports(zbot) == [(first, "done", 100), (second, "in_progress", 60)]


async def test_an_extension_to_a_day_no_calendar_has_says_so(zbot: ZaloBot) -> None:
    """ "đến 31/02" is named as no day, in the request and in the answer to the question."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến 31/02")
    assert answer.startswith("Không có ngày 31/02.")
    [again] = await zbot.say(HOA, "30/02 vì chờ kinh phí")
    assert again.startswith("Không có ngày 30/02.")
    assert requests(zbot) == []
    [last] = await zbot.say(HOA, "15/12/2026 vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in last


async def test_four_with_a_weekday_requests_that_day(zbot: ZaloBot) -> None:
    """ "4 thứ 6 tuần sau vì …" after a reminder asks for next week's Friday, for that reason."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "4 thứ 6 tuần sau vì chờ kinh phí")
    assert requests(zbot) == [(date(2026, 11, 27), "chờ kinh phí")]


async def test_ht_is_confirmed_then_1_records_done(zbot: ZaloBot) -> None:
    """ "HT" alone records nothing until the official confirms it: "1" is Hoàn thành."""
    [first] = official(zbot)
    [question] = await zbot.say(HOA, "HT")
    assert "Xin chọn tình trạng" in question
    assert "1 = ✅ Hoàn thành" in question
    assert reports(zbot) == []
    await zbot.say(HOA, "1")
    assert reports(zbot) == [(first, "done", 100)]


async def test_a_task_of_two_of_ones_units_is_asked_by_unit(zbot: ZaloBot) -> None:
    """An official of two communes given the same task is asked which commune "xong" is for:
    the choices were "#1 <title>" twice, nothing telling them apart."""
    with zbot.session() as s:
        first, second = make_unit(s, "X1", "Xã Tam Xuân"), make_unit(s, "X2", "Xã Tam Bình")
        task = make_task(s, "Kế hoạch chuyển đổi số năm 2026", date(2026, 11, 30), [first, second])
        make_contact(s, 0, units=[first, second], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    [asked] = await zbot.say(HOA, "xong")
    assert f"1 = #{task.id} Xã Tam Xuân" in asked or f"1 = #{task.id} Xã Tam Bình" in asked
    assert "Xã Tam Xuân" in asked
    assert "Xã Tam Bình" in asked
    await zbot.say(HOA, "2")
    assert reports(zbot) == [(task.id, "done", 100)]


async def test_a_number_alone_after_a_reminder_records_that_share(zbot: ZaloBot) -> None:
    """ "60 ạ" after a reminder is in progress at 60%, as "đang làm 60%" would be."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "60 ạ")
    assert "Đang thực hiện 60%" in answer
    assert reports(zbot) == [(task, "in_progress", 60)]


async def test_a_letter_o_typed_for_a_zero_is_read_as_a_zero(zbot: ZaloBot) -> None:
    """ "đang làm 6O%" (the letter O beside the 0 key) records 60%, not progress without one."""
    [task] = official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "đang làm 6O%")
    assert reports(zbot) == [(task, "in_progress", 60)]


async def test_a_share_typed_with_a_space_in_it_is_asked_not_recorded_as_zero(
    zbot: ZaloBot,
) -> None:
    """ "đang làm 6 0%" (a space typed inside 60) was recorded as 0% done; the bot now asks
    whether it means 60%, records nothing, and the answer typed again is recorded."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "đang làm 6 0%")
    assert "«6 0%» là 60% phải không? Bot chưa ghi nhận gì." in answer
    assert "2 = Đang thực hiện" in answer
    assert reports(zbot) == []
    await zbot.say(HOA, "đang làm 60%")
    assert reports(zbot) == [(task, "in_progress", 60)]


async def test_an_official_who_moved_is_told_whom_to_tell_and_nothing_is_recorded(
    zbot: ZaloBot,
) -> None:
    """ "em đã chuyển sang đơn vị khác rồi" ("đã chuyển" read as a report sent) was offered
    the statuses to confirm as done; the bot now records nothing and says whom to tell."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "em đã chuyển sang đơn vị khác rồi")
    assert "Bot chưa ghi nhận gì. Nếu anh/chị không còn phụ trách việc của đơn vị" in answer
    assert "/whoami" in answer
    assert "2 = Đang thực hiện" in answer
    assert reports(zbot) == []


@pytest.mark.parametrize("titles", [("Kế hoạch A", "Báo cáo B"), ("Kế hoạch A",)])
async def test_a_bare_1_after_moving_to_another_unit_records_nothing(
    zbot: ZaloBot, titles: tuple[str, ...]
) -> None:
    """Hoa was reminded of Xã A's tasks, then moved to Xã B, whose one open task she was
    never shown. Her "1" (done, in answer to Xã A's reminder of two tasks) recorded Xã B's
    task done; now it answers the reminder's tasks, which are not her unit's any more."""
    official(zbot, titles)
    await remind(zbot)
    with zbot.session() as s:
        move_to_a_new_unit(s, person(s, HOA, "zalo"), "XB", "Xã B", "Đề án C", date(2026, 11, 27))
    answer = await zbot.say(HOA, "1")
    assert reports(zbot) == []
    [said] = answer
    assert said.startswith("Nhiệm vụ này không phải của đơn vị anh/chị; không ghi nhận gì.")
    assert "Gõ /mytasks để xem việc của đơn vị mình" in said  # what to do next


async def test_a_share_said_in_words_is_read_as_its_number(zbot: ZaloBot) -> None:
    """Voice typing writes the share in words: "xong tám mươi phần trăm" was recorded done,
    "đang làm sáu mươi phần trăm" in progress without its share."""
    [task] = official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "xong tám mươi phần trăm")
    await zbot.say(HOA, "đang làm sáu mươi lăm phần trăm")
    await zbot.say(HOA, "được bảy lăm phần trăm rồi ạ")
    assert reports(zbot) == [
        (task, "in_progress", 80),
        (task, "in_progress", 65),
        (task, "in_progress", 75),
    ]


async def test_a_share_out_of_range_is_refused_and_nothing_recorded(zbot: ZaloBot) -> None:
    """ "101", "2 150%", "-5%" get the 0-100 rule and the typed answers; nothing is stored."""
    official(zbot)
    await remind(zbot)
    for text in ("101", "2 150%", "-5%"):
        [answer] = await zbot.say(HOA, text)
        assert "từ 0 đến 100%" in answer, text
        assert "2 = Đang thực hiện" in answer, text
    assert reports(zbot) == []


async def test_a_past_holiday_asked_for_is_named_as_typed(zbot: ZaloBot) -> None:
    """ "gia hạn đến 01/01/2026" (a holiday, past) is called past as 01/01, not as 02/01."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến 01/01/2026")
    assert "01/01/2026 đã qua" in answer
    [again] = await zbot.say(HOA, "15/11/2026 vì chờ kinh phí")  # a Sunday, past too
    assert "15/11/2026 đã qua" in again
    assert requests(zbot) == []


async def test_a_correction_after_done_is_told_how_to_name_the_task(zbot: ZaloBot) -> None:
    """ "nhầm, chưa xong, đang làm 80%" after "xong" says how to correct; that then records."""
    [task] = official(zbot)
    await zbot.say(HOA, "xong")
    [answer] = await zbot.say(HOA, "nhầm, chưa xong, đang làm 80%")
    assert f"«#{task} đang làm 80%»" in answer
    assert reports(zbot) == [(task, "done", 100)]
    await zbot.say(HOA, f"#{task} đang làm 80%")
    assert reports(zbot) == [(task, "done", 100), (task, "in_progress", 80)]


async def test_a_command_typed_with_vietnamese_marks_is_the_command(zbot: ZaloBot) -> None:
    """ "/việc" and "/Lang en" (a Vietnamese keyboard adds the marks, a capital) run /viec and
    /lang, not "unknown command"."""
    official(zbot)
    [tasks] = await zbot.say(HOA, "/việc")
    assert "Kế hoạch chuyển đổi số" in tasks
    [lang] = await zbot.say(HOA, "/Lang en")
    assert "English" in lang


async def test_cancel_typed_with_nothing_asked_says_so(zbot: ZaloBot) -> None:
    """ "hủy" when no question is open says there is nothing to cancel, not "report what?"."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "hủy")
    assert answer == "Không có thao tác nào đang làm dở."
    assert reports(zbot) == []


async def test_what_the_bot_asks_on_zalo_never_says_to_press_a_button(zbot: ZaloBot) -> None:
    """Zalo shows no buttons: what the bot asks after "x", "?", "👍", "101" or "😀" never says
    to press one, only to choose what the typed legend offers."""
    official(zbot)
    await remind(zbot)
    for text in ("x", "?", "👍", "101", "😀"):
        answers = await zbot.say(HOA, text)
        assert not any("nút" in answer for answer in answers), (text, answers)


async def test_an_extension_to_a_sunday_says_it_asks_for_the_monday(zbot: ZaloBot) -> None:
    """ "xin gia hạn đến 20/12" (a Sunday) asks for Monday 21/12 and says why."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến 20/12 vì chờ kinh phí")
    assert "20/12/2026 là ngày nghỉ" in answer
    assert "21/12/2026" in answer
    assert requests(zbot) == [(date(2026, 12, 21), "chờ kinh phí")]


async def test_a_sunday_typed_after_4_says_it_asks_for_the_monday(zbot: ZaloBot) -> None:
    """ "4", then "20/12 chờ kinh phí": the question's answer says the day off moved too."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "4")
    [answer] = await zbot.say(HOA, "20/12 chờ kinh phí")
    assert "20/12/2026 là ngày nghỉ" in answer
    assert requests(zbot) == [(date(2026, 12, 21), "chờ kinh phí")]


@pytest.mark.parametrize("text", ["thứ 6 xong", "cuối tháng xong", "15/12 hoàn thành"])
async def test_a_day_to_come_with_done_records_nothing_and_asks(zbot: ZaloBot, text: str) -> None:
    """ "thứ 6 xong" says when the work will be done (Friday): nothing is recorded, it asks."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, text)
    assert "1 = Hoàn thành" in answer
    assert reports(zbot) == []


async def test_done_with_a_hundred_percent_in_words_is_done(zbot: ZaloBot) -> None:
    """ "hoàn thành 100 phần trăm" is done, not "in progress 100%"."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "hoàn thành 100 phần trăm")
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert reports(zbot) == [(task, "done", 100)]


async def test_an_extension_to_day_zero_is_no_day(zbot: ZaloBot) -> None:
    """ "đến 0/3" is named as no day, not sent as a request to the end of March."""
    official(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn đến 0/3")
    assert answer.startswith("Không có ngày 0/3.")
    assert requests(zbot) == []


@pytest.mark.parametrize("text", ["Đã hoàn thành 10/12 xã", "gần như xong", "còn chút nữa xong"])
async def test_part_of_the_work_done_is_in_progress(zbot: ZaloBot, text: str) -> None:
    """ "Đã hoàn thành 10/12 xã" (ten communes of twelve) or "gần như xong" is not done."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, text)
    assert "Hoàn thành" not in answer
    assert reports(zbot) == [(task, "in_progress", None)]


@pytest.mark.parametrize("text", ["Đã hoàn thành 3/3 nội dung", "xong 2/2 hồ sơ"])
async def test_all_of_the_items_done_is_done(zbot: ZaloBot, text: str) -> None:
    """ "Đã hoàn thành 3/3 nội dung" (three parts of three) is done, as "12/12 xã" is."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, text)
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert reports(zbot) == [(task, "done", 100)]


async def test_in_progress_at_a_hundred_percent_is_asked_then_done(zbot: ZaloBot) -> None:
    """ "2 100%" is not kept as "in progress 100%": the bot asks, and "1" records done."""
    [task] = official(zbot)
    await remind(zbot)
    [asked] = await zbot.say(HOA, "2 100%")
    assert "1 = ✅ Hoàn thành" in asked
    assert reports(zbot) == []
    await zbot.say(HOA, "1")
    assert reports(zbot) == [(task, "done", 100)]


@pytest.mark.parametrize("text", ["nếu xong em báo", "xong thì em báo ạ", "qua tết xong"])
async def test_done_on_a_condition_records_nothing_and_asks(zbot: ZaloBot, text: str) -> None:
    """ "nếu xong em báo" (if it is done I will say) is no report that it is done."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, text)
    assert "1 = Hoàn thành" in answer
    assert reports(zbot) == []


async def test_asking_for_time_with_khat_sends_the_request(zbot: ZaloBot) -> None:
    """ "em xin khất đến thứ 6 tuần sau vì …" asks for more time, to that Friday."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "em xin khất đến thứ 6 tuần sau vì chờ số liệu")
    assert "Đã gửi đề nghị gia hạn" in answer
    assert requests(zbot) == [(date(2026, 11, 27), "chờ số liệu")]


async def test_asking_for_a_few_more_days_asks_for_the_date(zbot: ZaloBot) -> None:
    """ "cho em thêm ít ngày" is a request for time: the bot asks to which date."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "cho em thêm ít ngày")
    assert "ngày đề nghị gia hạn" in answer
    assert reports(zbot) == []


@pytest.mark.parametrize("typed", ["1 ạ", "dạ 1", "1."])
async def test_a_choice_typed_politely_is_taken(zbot: ZaloBot, typed: str) -> None:
    """ "1 ạ" answering "is it done?" (after "100") takes choice 1, as "1" does."""
    [task] = official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "100")
    [answer] = await zbot.say(HOA, typed)
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert reports(zbot) == [(task, "done", 100)]


async def test_a_month_more_asks_for_the_same_day_next_month(zbot: ZaloBot) -> None:
    """ "xin gia hạn thêm 1 tháng" on a task due 20/11 asks for 20/12, a Sunday: 21/12."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "xin gia hạn thêm 1 tháng vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in answer
    assert requests(zbot) == [(date(2026, 12, 21), "chờ kinh phí")]


async def test_no_funds_is_a_blocker_with_its_reason(zbot: ZaloBot) -> None:
    """ "không có kinh phí" after a reminder is recorded as blocked, not asked about."""
    [task] = official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "không có kinh phí")
    assert reports(zbot) == [(task, "blocked", None)]


async def test_an_extension_until_tomorrow_asks_for_the_next_working_day(zbot: ZaloBot) -> None:
    """ "xin gia hạn đến mai" at 02:00 on Friday 20/11 in Vietnam (still Thursday in UTC) asks
    for Saturday 21/11, rolled to Monday 23/11, not for a date."""
    official(zbot)
    zbot.tg.clock.set(datetime(2026, 11, 19, 19, 0, tzinfo=UTC))
    [answer] = await zbot.say(HOA, "xin gia hạn đến mai vì chờ ký")
    assert "Đã gửi đề nghị gia hạn" in answer
    assert "23/11/2026" in answer
    assert requests(zbot) == [(date(2026, 11, 23), "chờ ký")]


async def test_the_day_after_tomorrow_answers_which_date(zbot: ZaloBot) -> None:
    """ "ngày mốt" typed to "which date?" on Friday 20/11, the deadline, asks for Sunday 22/11,
    rolled to Monday 23/11."""
    official(zbot)
    zbot.tg.clock.set(at(date(2026, 11, 20), 9, 0))
    [question] = await zbot.say(HOA, "xin gia hạn")
    assert "ngày đề nghị gia hạn" in question
    [answer] = await zbot.say(HOA, "ngày mốt vì chờ ký")
    assert "Đã gửi đề nghị gia hạn" in answer
    assert requests(zbot) == [(date(2026, 11, 23), "chờ ký")]


async def test_a_pair_that_reads_as_a_date_and_a_count_is_asked(zbot: ZaloBot) -> None:
    """ "xong 8/10" on 18/11 (done on 8 October, or 8 of 10?) records nothing and says why it
    asks; "2" records in progress. It was read as done."""
    [task] = official(zbot)
    await remind(zbot)
    [asked] = await zbot.say(HOA, "xong 8/10")
    assert "«8/10» là ngày 8/10 hay 8 trên 10 phần việc?" in asked
    assert "2 = Đang thực hiện" in asked
    assert reports(zbot) == []
    await zbot.say(HOA, "2")
    assert reports(zbot) == [(task, "in_progress", None)]


@pytest.mark.parametrize(
    "text", ["hôm nay xong", "tuần này xong", "xin hoan thanh som", "hoàn thành 12/12 báo cáo"]
)
async def test_done_today_or_this_week_records_nothing_and_asks(zbot: ZaloBot, text: str) -> None:
    """ "hôm nay xong" says when the work will be done, as "thứ 6 xong" does: it was recorded
    as done; now the bot asks."""
    official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, text)
    assert "1 = Hoàn thành" in answer
    assert reports(zbot) == []


@pytest.mark.parametrize(
    ("text", "state", "percent"),
    [
        ("hôm nay đã xong", "done", 100),
        ("đã hoàn thành 3/3 nội dung, còn 2 việc", "in_progress", None),
        ("dang lam 50%", "in_progress", 50),
        ("vuong thieu kinh phi", "blocked", None),
        ("xong 50", "in_progress", 50),
        ("xong rồi, chỉ còn ký", "in_progress", None),
    ],
)
async def test_what_a_reply_says_is_what_is_recorded(
    zbot: ZaloBot, text: str, state: str, percent: int | None
) -> None:
    """ "hôm nay đã xong" is done; "…, còn 2 việc" (two things left), "chỉ còn ký" (only the
    signature left) and "xong 50" (50 %) are in progress, not done; a reply typed without
    diacritics reads as with them."""
    [task] = official(zbot)
    await remind(zbot)
    await zbot.say(HOA, text)
    assert reports(zbot) == [(task, state, percent)]


async def test_guidance_given_as_the_blocker_is_its_reason(zbot: ZaloBot) -> None:
    """ "hướng dẫn" typed when "vướng" was asked its reason is the blocker (the guidance is
    missing): it showed the help and recorded nothing. Alone, it is still the help."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "vướng")
    [answer] = await zbot.say(HOA, "hướng dẫn")
    assert "Vướng mắc" in answer
    with zbot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
    assert (report.state, report.reason) == ("blocked", "hướng dẫn")
    [shown] = await zbot.say(HOA, "hướng dẫn")
    assert shown.startswith("Các lệnh dùng được trên Zalo")


async def test_a_reminder_sent_back_whole_is_not_read_as_a_request(zbot: ZaloBot) -> None:
    """Hoa forwards (on Zalo: pastes) the bot's own reminder back to it: its footer's
    examples are not her words. It filed an extension request to 15/12 for the coordinator
    to decide; now she is told it is the reminder, and nothing is recorded."""
    official(zbot)
    [reminder] = await remind(zbot)
    [answer] = await zbot.say(HOA, reminder)
    assert "nhắc việc" in answer
    assert requests(zbot) == []
    assert reports(zbot) == []


async def test_a_reason_sent_after_an_extension_is_its_reason_not_a_status(
    zbot: ZaloBot,
) -> None:
    """ "xin gia hạn đến 15/12" then "chờ kinh phí": the request is sent at once, and the
    next message is its reason, not a report of "in progress" (which it was recorded as)."""
    official(zbot)
    [sent] = await zbot.say(HOA, "xin gia hạn đến 15/12")
    assert "Đã gửi đề nghị gia hạn" in sent
    assert "gửi lý do trong tin tiếp theo" in sent
    assert requests(zbot) == [(date(2026, 12, 15), "")]
    [answer] = await zbot.say(HOA, "chờ kinh phí")
    assert "Đã bổ sung lý do" in answer
    assert reports(zbot) == []
    assert requests(zbot) == [(date(2026, 12, 15), "chờ kinh phí")]


async def test_a_status_sent_after_an_extension_without_reason_is_a_status(
    zbot: ZaloBot,
) -> None:
    """After "xin gia hạn đến 15/12", "đang làm 50%" is a report, not the request's reason;
    and only the next message may be the reason: a later "chờ kinh phí" is what it says."""
    official(zbot)
    [sent] = await zbot.say(HOA, "xin gia hạn đến 15/12")
    assert "gửi lý do trong tin tiếp theo" in sent
    await zbot.say(HOA, "đang làm 50%")
    assert reports(zbot)[-1][1:] == ("in_progress", 50)
    await zbot.say(HOA, "thiếu nhân lực")
    assert requests(zbot) == [(date(2026, 12, 15), "")]


async def test_all_done_with_two_open_tasks_is_confirmed_for_both(zbot: ZaloBot) -> None:
    """ "cả 2 việc đã xong" with two open tasks lists them and offers to confirm both;
    "1" records both done (it asked which one, with no way to say both)."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    [asked] = await zbot.say(HOA, "cả 2 việc đã xong")
    assert "Xác nhận cả 2 nhiệm vụ" in asked
    assert "1 = ✅ Xác nhận cả 2 nhiệm vụ đã xong" in asked
    assert f"#{first} Kế hoạch A" in asked
    assert f"#{second} Báo cáo B" in asked
    assert reports(zbot) == []
    answer = await zbot.say(HOA, "1")
    assert sorted(reports(zbot)) == [(first, "done", 100), (second, "done", 100)]
    assert sum(text.count("Đã ghi nhận") for text in answer) == 2


async def test_all_done_with_25_open_tasks_lists_twenty_and_counts_the_others(
    zbot: ZaloBot,
) -> None:
    """ "tất cả đã xong" with 25 open tasks lists the first 20 (as "which task?" offers them)
    and counts the other 5, and "1" confirms all 25: it listed all 25, then 20 again as
    choices, and said the other 5 were "not in the list above"."""
    tasks = official(zbot, tuple(f"Nhiệm vụ số {n:02d} về chuyển đổi số" for n in range(25)))
    asked = "\n".join(await zbot.say(HOA, "tất cả đã xong"))
    listed = [line for line in asked.splitlines() if line.startswith("• #")]
    assert listed == [
        f"• #{task} Nhiệm vụ số {n:02d} về chuyển đổi số" for n, task in enumerate(tasks[:20])
    ]
    assert "Đơn vị có 25 nhiệm vụ đang mở" in asked
    assert (
        f"… và 5 nhiệm vụ khác không có trong danh sách trên: gõ số nhiệm vụ, ví dụ «#{tasks[20]}»"
        in asked
    )
    assert "1 = ✅ Xác nhận cả 25 nhiệm vụ đã xong" in asked
    await zbot.say(HOA, "1")
    assert sorted(reports(zbot)) == [(task, "done", 100) for task in sorted(tasks)]


async def test_all_done_may_still_be_said_of_one_task(zbot: ZaloBot) -> None:
    """ "tất cả đã hoàn thành" offers both, and the choice of one records that one alone."""
    _, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    [asked] = await zbot.say(HOA, "tất cả đã hoàn thành")
    assert "Xác nhận cả 2 nhiệm vụ" in asked
    await zbot.say(HOA, "3")
    assert reports(zbot) == [(second, "done", 100)]


@pytest.mark.parametrize("text", ["xong hết rồi", "xong cả rồi", "đã xong hết"])
async def test_done_with_every_one_is_confirmed_for_all(zbot: ZaloBot, text: str) -> None:
    """ "xong hết rồi" with two open tasks says all of them, as "tất cả đã xong": both
    listed, one number confirms both."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    [asked] = await zbot.say(HOA, text)
    assert "1 = ✅ Xác nhận cả 2 nhiệm vụ đã xong" in asked
    assert reports(zbot) == []
    await zbot.say(HOA, "1")
    assert sorted(reports(zbot)) == [(first, "done", 100), (second, "done", 100)]


async def test_done_with_every_one_of_a_single_task_records_it(zbot: ZaloBot) -> None:
    """ "xong hết rồi" with one open task is that task done: recorded, nothing asked."""
    [task] = official(zbot)
    [answer] = await zbot.say(HOA, "xong hết rồi")
    assert "Đã ghi nhận" in answer
    assert reports(zbot) == [(task, "done", 100)]


async def test_a_message_naming_too_many_tasks_is_refused_whole(zbot: ZaloBot) -> None:
    """A list pasted with 21 tasks' answers records nothing and says to split it, in one
    message: each task was answered in a message of its own (300 numbers, 300 messages, a
    person's Zalo busy for minutes) and every part recorded."""
    first, second, third = official(zbot, ("Kế hoạch A", "Báo cáo B", "Đề án C"))
    listed = ", ".join(f"#{(first, second, third)[i % 3]} xong" for i in range(21))
    [refused] = await zbot.say(HOA, listed)
    assert "tối đa 20" in refused
    assert reports(zbot) == []
    twenty = ", ".join(f"#{(first, second, third)[i % 3]} xong" for i in range(20))
    assert len(await zbot.say(HOA, twenty)) == 20


async def test_the_task_numbers_not_the_units_are_named_in_one_message(zbot: ZaloBot) -> None:
    """ "#A xong, #901 xong, #902 xong, #901 1" records A and names #901 and #902 once, in one
    message: each unknown number had a message of its own, one of them twice."""
    [first] = official(zbot)
    answer = await zbot.say(HOA, f"#{first} xong, #901 xong, #902 xong, #901 1")
    assert reports(zbot) == [(first, "done", 100)]
    assert len(answer) == 2
    assert answer[1].startswith("#901, #902:")


async def test_a_task_and_4_alone_asks_the_date_of_the_extension(zbot: ZaloBot) -> None:
    """ "#1 4" after a reminder of two tasks asks the date for #1's extension, as "#1 3" asks
    the blocker; the date typed then asks it. It asked the status again, 4 among the
    choices, and the date typed after that was read as no answer."""
    first, _ = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    [asked] = await zbot.say(HOA, f"#{first} 4")
    assert "ngày đề nghị gia hạn" in asked
    assert "1 = Hoàn thành" not in asked
    await zbot.say(HOA, "15/12 chờ kinh phí")
    assert requests(zbot) == [(date(2026, 12, 15), "chờ kinh phí")]


async def test_a_report_typed_where_a_blocker_was_asked_is_that_report(zbot: ZaloBot) -> None:
    """After "#B 3" (what blocks B?): "#A xong" records A done, and "xong" after "#B 3" again
    records B done; "đang chờ kinh phí" after a third "#B 3" is B's blocker. The first two
    were kept as B's blocker ("#A xong", "xong" its reason), A never recorded."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    await zbot.say(HOA, f"#{second} 3")
    await zbot.say(HOA, f"#{first} xong")
    assert reports(zbot) == [(first, "done", 100)]
    await zbot.say(HOA, f"#{second} 3")
    await zbot.say(HOA, "xong")
    assert reports(zbot)[1:] == [(second, "done", 100)]
    await zbot.say(HOA, f"#{second} 3")
    await zbot.say(HOA, "đang chờ kinh phí")
    assert reports(zbot)[2:] == [(second, "blocked", None)]
    await zbot.say(HOA, f"#{second} 3")
    await zbot.say(HOA, f"chờ #{first} xong trước")  # a task named in the reason: a reason
    assert reports(zbot)[3:] == [(second, "blocked", None)]


async def test_a_report_typed_where_a_new_date_was_asked_is_that_report(zbot: ZaloBot) -> None:
    """After "#B 4" (to which date?): "#A xong" records A done, and B's question is gone; it
    was refused as no date, A never recorded."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    await zbot.say(HOA, f"#{second} 4")
    [answer] = await zbot.say(HOA, f"#{first} xong")
    assert "Đã ghi nhận" in answer
    assert reports(zbot) == [(first, "done", 100)]
    assert requests(zbot) == []


async def test_cancel_typed_as_a_command_in_vietnamese_cancels(zbot: ZaloBot) -> None:
    """ "/hủy" (the bot says «hủy» cancels, a person adds the slash) drops the question asked:
    it was an unknown command, and the blocker's question stayed open."""
    _, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    await zbot.say(HOA, f"#{second} 3")
    [cancelled] = await zbot.say(HOA, "/hủy")
    assert cancelled == "Đã hủy."
    [nothing] = await zbot.say(HOA, "/huỷ")
    assert "Không có thao tác nào" in nothing


async def test_the_reason_given_with_an_extension_asked_without_its_date_is_kept(
    zbot: ZaloBot,
) -> None:
    """ "#B xin gia hạn vì thiếu người" (no date): the bot asks the date; "15/12" sends the
    request with "thiếu người" as its reason. The reason was dropped, and Hoa asked to send
    it again in the next message."""
    _, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    await remind(zbot)
    await zbot.say(HOA, f"#{second} xin gia hạn vì thiếu người")
    [sent] = await zbot.say(HOA, "15/12")
    assert "chưa có lý do" not in sent
    assert requests(zbot) == [(date(2026, 12, 15), "thiếu người")]


async def test_a_reply_about_no_task_lists_eight_tasks_and_counts_the_rest(zbot: ZaloBot) -> None:
    """ "x" to a unit with 14 open tasks lists eight, says six more are to be typed (the
    first of them as the example), in one message; "#14 1" (unlisted) still records. All 14
    were listed, with a long title each, one message after another."""
    ids = official(
        zbot, tuple(f"Nhiệm vụ {n} " + "triển khai chuyển đổi số " * 6 for n in range(14))
    )
    [asked] = await zbot.say(HOA, "x")
    assert asked.count("• #") == 8
    more = "… và 6 nhiệm vụ khác không có trong danh sách trên: gõ số nhiệm vụ và tình trạng"
    assert f"{more}, ví dụ «#{ids[8]} xong»" in asked
    await zbot.say(HOA, f"#{ids[-1]} 1")
    assert reports(zbot) == [(ids[-1], "done", 100)]


async def test_an_officials_words_that_are_not_done_are_asked(zbot: ZaloBot) -> None:
    """ "xong rồi à" asks back, "xong không nổi" says it cannot be, "tưởng xong rồi" it was
    thought done, "phải xong" it must be, "họp xong em gửi" it comes after a meeting, "em
    đọc xong rồi ạ" the reminder was read: each was recorded as done. None is: the bot asks
    which status, and records nothing."""
    official(zbot)
    await remind(zbot)
    for text in WORDS_NOT_DONE:
        answer = await zbot.say(HOA, text)
        assert any("1 = Hoàn thành" in line for line in answer), (text, answer)
    assert reports(zbot) == []


async def test_an_officials_words_are_recorded_as_they_read(zbot: ZaloBot) -> None:
    """ "chưa làm được vì thiếu người" is a blocker with its reason (it was asked, the reason
    lost), "xong, còn xã B" work left (it was done); then a share, then done."""
    [task] = official(zbot)
    await remind(zbot)
    for text in ("chưa làm được vì thiếu người", "xong, còn xã B", "dang lam 60 phan tram"):
        await zbot.say(HOA, text)
    await zbot.say(HOA, "xong r")
    assert reports(zbot) == [
        (task, "blocked", None),
        (task, "in_progress", None),
        (task, "in_progress", 60),
        (task, "done", 100),
    ]
    with zbot.session() as s:
        reasons = [r.reason for r in s.exec(select(StatusReport).order_by(col(StatusReport.id)))]
    assert reasons[0] == "thiếu người"


async def test_a_share_with_a_fraction_is_kept_whole_and_the_official_is_told(
    zbot: ZaloBot,
) -> None:
    """ "60,5%" after a reminder records 60 % (a report keeps whole percents) and says so, in
    English too, where it was rounded without a word."""
    [task] = official(zbot)
    await remind(zbot)
    [answer] = await zbot.say(HOA, "60,5%")
    assert "Đang thực hiện 60%" in answer
    assert "60,5% ghi là 60%" in answer
    await zbot.say(HOA, "/lang en")
    [english] = await zbot.say(HOA, f"#{task} 70.25%")
    assert "70.25% was recorded as 70%" in english
    assert reports(zbot) == [(task, "in_progress", 60), (task, "in_progress", 70)]
