"""Specification of attributing a reply to an assignment, and of reading an extension answer."""

from __future__ import annotations

from datetime import date

import pytest

from core.calendar import WorkingCalendar
from core.checkin import (
    Item,
    Outcome,
    asks_for_help,
    by_task,
    decide,
    impossible_date,
    is_cancel,
    only_number,
    read_extension_answer,
    reply_from_dict,
    reply_to_dict,
    task_numbers,
)
from core.replies.dates import add_months
from core.replies.parse import parse_reply

TODAY = date(2026, 11, 18)  # a Wednesday
DEADLINE = date(2026, 11, 30)
ITEMS = [Item(1, 10), Item(2, 11), Item(3, 12, done=True)]
REPORTED = [Item(1, 10, reported=True), Item(2, 11, reported=True), Item(3, 12, done=True)]


def outcome(
    text: str, items: list[Item] = ITEMS, **kwargs: object
) -> tuple[Outcome, tuple[int, ...]]:
    """Decide a text against the items (ITEMS unless given); return the outcome and candidates."""
    reply = parse_reply(text, today=TODAY)
    decision = decide(reply=reply, items=items, mentioned=task_numbers(text), **kwargs)  # type: ignore[arg-type]
    return decision.outcome, decision.candidates


def test_decide_records_a_clear_reply_to_a_message_about_one_item() -> None:
    """A reply to a message about one open item records for it."""
    assert outcome("xong", replied=[2]) == (Outcome.RECORD, (2,))


def test_decide_asks_which_task_when_several_are_open() -> None:
    """A clear reply with two open items asks which one; the done one is left out."""
    assert outcome("xong") == (Outcome.ASK_TASK, (1, 2))


def test_decide_asks_task_and_status_when_nothing_is_clear() -> None:
    """A negation with two open items asks both."""
    assert outcome("chưa xong") == (Outcome.ASK_BOTH, (1, 2))


@pytest.mark.parametrize("text", ["cảm ơn", "cam on", "ok", "vâng", "dạ", "thanks", "👍"])
def test_decide_answers_thanks_and_acknowledgements_without_asking(text: str) -> None:
    """Thanks or an acknowledgement, once all it may be about was reported, is thanked for."""
    assert outcome(text, REPORTED) == (Outcome.ACKNOWLEDGED, ())
    assert outcome(text, REPORTED, replied=[1]) == (Outcome.ACKNOWLEDGED, ())
    assert outcome(text, replied=[3]) == (Outcome.ACKNOWLEDGED, ())  # done since


@pytest.mark.parametrize("text", ["ok", "👍", "vâng ạ", "cảm ơn"])
def test_decide_asks_the_status_of_an_unreported_item_after_an_acknowledgement(text: str) -> None:
    """A thumbs-up to a reminder of an item never reported is no report: the bot asks."""
    assert outcome(text, replied=[1]) == (Outcome.ASK_STATUS, (1,))
    assert outcome(text) == (Outcome.ASK_BOTH, (1, 2))
    assert outcome(text, [REPORTED[0], ITEMS[1]]) == (Outcome.ASK_STATUS, (2,))


def test_decide_asks_status_for_one_item_and_unclear_text() -> None:
    """A negation about one item is never read as done: the bot asks."""
    assert outcome("chưa xong", replied=[1]) == (Outcome.ASK_STATUS, (1,))


def test_decide_follows_a_named_task_even_when_done() -> None:
    """Naming a done task ("#12 ...") lets the unit correct it."""
    assert outcome("#12 đang làm 80%") == (Outcome.RECORD, (3,))


def test_decide_asks_before_undoing_a_done_task_from_the_message_answered() -> None:
    """Not done in reply to a message about a done task (an old reminder) is asked first;
    done again is recorded, and naming the task corrects it at once."""
    assert outcome("đang làm 50%", replied=[3]) == (Outcome.REOPEN, (3,))
    assert outcome("vướng: thiếu kinh phí", replied=[3]) == (Outcome.REOPEN, (3,))
    assert outcome("xong", replied=[3]) == (Outcome.RECORD, (3,))
    assert outcome("đang làm 50%", replied=[1]) == (Outcome.RECORD, (1,))
    assert outcome("#12 đang làm 50%", replied=[3]) == (Outcome.RECORD, (3,))


def test_decide_refuses_a_task_number_that_is_not_the_senders() -> None:
    """A named task outside the sender's items is not silently replaced by another."""
    assert outcome("#99 xong")[0] == Outcome.UNKNOWN_TASK


def test_decide_follows_a_named_task_over_the_message_answered() -> None:
    """ "#11 xong" in reply to the reminder of #10 is about #11 (officials answer whatever
    message is at hand); a task the message is about keeps its unit, named or not."""
    assert outcome("#11 xong", replied=[1]) == (Outcome.RECORD, (2,))
    two_units = [Item(1, 10), Item(4, 10), Item(2, 11)]
    assert outcome("#10 xong", two_units, replied=[4]) == (Outcome.RECORD, (4,))
    assert outcome("#10 xong", two_units, replied=[2]) == (Outcome.ASK_TASK, (1, 4))
    assert outcome("#99 xong", replied=[1])[0] == Outcome.UNKNOWN_TASK
    assert outcome("#10 xong", replied=[42])[0] == Outcome.RECORD  # the named one is open
    assert outcome("#99 xong", replied=[42])[0] == Outcome.CLOSED


def test_decide_says_closed_when_the_answered_message_has_no_open_item() -> None:
    """A reply to a reminder of a task closed since records nothing."""
    assert outcome("xong", replied=[42])[0] == Outcome.CLOSED


def test_decide_with_only_done_items_names_them_for_a_correction() -> None:
    """A unit with only done items has nothing to report on without naming one: the bot is
    told which, to say how to correct one; with no item at all there is nothing open."""
    decision = decide(reply=parse_reply("xong", today=TODAY), items=[Item(3, 12, done=True)])
    assert (decision.outcome, decision.candidates) == (Outcome.ALL_DONE, (3,))
    assert decide(reply=parse_reply("xong", today=TODAY), items=[]).outcome == Outcome.NO_OPEN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/12 vì chưa có kinh phí", (date(2026, 12, 15), "chưa có kinh phí")),
        ("đến ngày 10/12/2026, chờ ý kiến sở", (date(2026, 12, 10), "chờ ý kiến sở")),
        ("thêm 1 tuần vì thiếu nhân lực", (date(2026, 12, 7), "thiếu nhân lực")),
        ("20/12/2026", (date(2026, 12, 21), "")),  # a Sunday rolls to Monday
        ("càng sớm càng tốt", (None, "")),
        ("thứ 6 tuần sau vì chờ kinh phí", (date(2026, 11, 27), "chờ kinh phí")),
        ("31/02 vì chờ", (None, "chờ")),  # no such day
        ("mai vì chờ ký", (date(2026, 11, 19), "chờ ký")),  # tomorrow, from today
        ("ngày mốt", (date(2026, 11, 20), "")),
        ("nửa tháng vì chờ kinh phí", (date(2026, 12, 15), "chờ kinh phí")),  # 30/11 + 15
        # Past the ten-year horizon: as asked, never rolled (the caller refuses it).
        ("31/12/9999 vì chờ", (date(9999, 12, 31), "chờ")),
        ("15/6/2999 vì chờ", (date(2999, 6, 15), "chờ")),  # a Saturday
        # The hour given with the day is no reason (it was sent to coordinators as "17h").
        ("17h ngày 10/12/2026", (date(2026, 12, 10), "")),
        ("17 giờ ngày 10/12/2026, do chờ sở", (date(2026, 12, 10), "chờ sở")),
        ("10/12/2026 lúc 8h sáng vì bận họp", (date(2026, 12, 10), "bận họp")),
        ("17 gio 30 ngay 10/12 vi cho ky", (date(2026, 12, 10), "cho ky")),
        ("10/12 vì họp lúc 8h", (date(2026, 12, 10), "họp lúc 8h")),  # a reason's own hour
    ],
)
def test_read_extension_answer(text: str, expected: tuple[date | None, str]) -> None:
    """The answer to "which date and why?" gives a working day and the reason as typed."""
    got = read_extension_answer(text, deadline=DEADLINE, today=TODAY, calendar=WorkingCalendar())
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#12 xong, #13 đang làm 50%", [(12, "xong"), (13, "đang làm 50%")]),
        ("#12 xong #13 dang lam", [(12, "xong"), (13, "dang lam")]),
        ("#12: xong\n#13: vướng: thiếu kinh phí", [(12, "xong"), (13, "vướng: thiếu kinh phí")]),
        ("#12, #13 xong", [(12, "xong"), (13, "xong")]),
        ("#12 và #13: đã hoàn thành", [(12, "đã hoàn thành"), (13, "đã hoàn thành")]),
        ("Báo cáo: #12 xong; #13 chưa", [(12, "xong"), (13, "chưa")]),
        ("đã xong #12 và #13", []),  # one status before both: asked as one reply
        ("#12 xong", []),
        ("#12 xong, #12 xong", []),
        # A task named in words, as officials also write it.
        ("nhiệm vụ 12 xong, nhiệm vụ 13 đang làm 50%", [(12, "xong"), (13, "đang làm 50%")]),
        ("NV12 xong; nv số 13: vướng", [(12, "xong"), (13, "vướng")]),
        ("có 3 nhiệm vụ xong, 2 nhiệm vụ đang làm", []),  # counts, not tasks
        (
            "nhiệm vụ số ba đã xong nhiệm vụ số năm đang làm năm mươi phần trăm",  # by voice
            [(3, "đã xong"), (5, "đang làm năm mươi phần trăm")],
        ),
        ("các nhiệm vụ năm 2026 xong, #13 xong", []),  # a year, then one task
        ("nhiệm vụ 15/12 xong, #13 xong", []),  # a date, then one task
    ],
)
def test_by_task_splits_a_message_about_several_tasks(
    text: str, expected: list[tuple[int, str]]
) -> None:
    """Each task named gets the words after it; tasks named in a row share the next words."""
    assert by_task(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xin gia hạn đến 31/02", "31/02"),
        ("đến 29/02/2027 vì chờ", "29/02/2027"),
        ("15/13", "15/13"),
        ("31.4.2026", "31.4.2026"),
        ("29/02", None),  # a day of leap years
        ("15/12/2026 vì chờ", None),
        ("KH 15/KH-UBND", None),
        ("đang làm 60%", None),
    ],
)
def test_impossible_date_names_a_date_no_calendar_has(text: str, expected: str | None) -> None:
    """A day past its month's end or a month past 12 is named, to say so to the official."""
    assert impossible_date(text) == expected


def test_small_readers() -> None:
    """Task numbers, a bare number, and cancel words are recognised."""
    assert task_numbers("#12 xong, # 13 đang làm") == {12, 13}
    assert (only_number(" #12 "), only_number("12 xong")) == (12, None)
    assert is_cancel("Hủy")
    assert is_cancel("cancel")
    assert not is_cancel("huy bo ke hoach")


def test_reply_survives_a_round_trip() -> None:
    """A reply kept while the bot asks comes back identical."""
    reply = parse_reply("Đã ban hành KH số 15/KH-UBND ngày 10/3/2025", today=TODAY)
    assert reply_from_dict(reply_to_dict(reply)) == reply


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    """A month after 31/01 is 28/02 (29/02 in a leap year); after 15/11, 15/12."""
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert add_months(date(9999, 12, 1), 1) is None


@pytest.mark.parametrize(
    ("text", "reason_asked", "help_wanted"),
    [
        ("hướng dẫn", False, True),
        ("Hướng dẫn!", True, False),  # answering "what blocks the work?": the guidance
        ("huong dan", True, False),
        ("trợ giúp", True, True),
        ("hướng dẫn sử dụng", True, True),  # the user guide: the help
        ("chưa có hướng dẫn", False, False),
    ],
)
def test_asks_for_help_leaves_guidance_to_a_reason_asked(
    text: str, reason_asked: bool, help_wanted: bool
) -> None:
    """ "hướng dẫn" is the help, unless the bot waits for a reason, which it may be."""
    assert asks_for_help(text, reason_asked=reason_asked) is help_wanted
