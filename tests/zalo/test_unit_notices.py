"""What a unit's contacts read of their deadlines, on Zalo and on Telegram: the day a deadline
on a day off is due, one message for a deadline moved to today, and a day off that moves it.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from db.models import Assignment, ExtensionRequest, Outbox, Reminder, Unit
from db.queries.reports import record_report
from devtools.fakebotapi.faults import Fault, FaultRule
from scheduler.delivery import dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.scheduler.support import assigned_at
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "5b2e8d1c0a9f4e37"  # on Zalo
LAN, MAI = 7401, 7402  # on Telegram
TODAY = date(2026, 11, 18)  # the harness's Wednesday


def _unit_with_both(zbot: ZaloBot, deadline: date, title: str = "Báo cáo quý") -> int:
    """Xã A has the task, Hoa on Zalo and Lan on Telegram its contacts; return the task."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, title, deadline, [unit])
        assigned_at(s, task, zbot.tg.clock.now() - timedelta(days=10))
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, LAN, units=[unit], name="Lan")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.tg.user(LAN, "Lan")
    return task.id or 0


async def _started(zbot: ZaloBot, *users: tuple[int, str]) -> None:
    """Telegram lets a bot write only to who started it."""
    for user, name in users:
        zbot.tg.user(user, name)
        await zbot.tg.send(user, "/start")


async def _dispatch(zbot: ZaloBot) -> None:
    """Run the reminder dispatch as the bot's job does."""
    services = zbot.services
    await asyncio.to_thread(dispatch, dispatch_context(services), services.clock.now())


def _queued(zbot: ZaloBot, kind: str) -> list[Outbox]:
    """Return the messages of a kind queued to Hoa, oldest first."""
    with zbot.session() as s:
        query = select(Outbox).where(Outbox.chat_id == HOA, Outbox.kind == kind)
        return list(s.exec(query.order_by(col(Outbox.id))))


async def test_a_deadline_on_a_day_off_is_told_as_the_day_it_is_due(zbot: ZaloBot) -> None:
    """A deadline stored on Saturday 21/11 (old data) is due Monday 23/11: the reminder on
    both channels and /viec say so, naming the Saturday, as the days left count (3)."""
    _unit_with_both(zbot, date(2026, 11, 21))
    await _started(zbot, (LAN, "Lan"))
    after = len(zbot.zalo.messages(HOA))
    await _dispatch(zbot)
    [zalo] = await zbot.zalo.wait_for_messages(HOA, after=after)
    said = "Hạn: 23/11/2026 (hạn ghi 21/11/2026 là ngày nghỉ)"
    assert said in zalo.text
    assert "Còn 3 ngày làm việc" in zalo.text
    telegram = await zbot.tg.server.wait_for_message(LAN, lambda m: "Hạn:" in (m.text or ""))
    assert said in (telegram.text or "")
    [listing] = await zbot.say(HOA, "/viec")
    assert said in listing


async def test_a_deadline_moved_to_today_is_one_message_that_counts_as_the_reminder(
    zbot: ZaloBot,
) -> None:
    """Moved at 09:00 to today, the deadline is told once, as due today with the answers;
    the sweeps after it (run twice, as after a restart) queue no second "due today"; the
    day's reminder record stays one, and "1" on Zalo reports the task done."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))  # five working days: a reminder
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    assert len(_queued(zbot, "reminder")) == 1
    after = len(zbot.zalo.messages(HOA))
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/11/2026")
    assert "Đã báo cho 2 người phụ trách" in answer
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=after)
    assert "đổi hạn từ 25/11/2026 sang 18/11/2026" in notice.text
    assert "Hạn mới là hôm nay" in notice.text
    assert "1 = Hoàn thành" in notice.text
    told = await zbot.tg.server.wait_for_message(LAN, lambda m: "Hạn mới" in (m.text or ""))
    assert told.reply_markup is not None  # the status buttons, as a reminder's
    for _ in range(2):
        await _dispatch(zbot)
    assert len(_queued(zbot, "reminder")) == 1  # the morning's; no "due today" beside it
    with zbot.session() as s:
        records = s.exec(select(Reminder).where(Reminder.due_on == TODAY)).all()
    assert len(records) == 1  # today's reminder of the task, once
    await zbot.zalo.wait_until(lambda: {o.status for o in _queued(zbot, "notice")} == {"sent"}, 10)
    [done] = await zbot.say(HOA, "1")
    assert "Báo cáo quý" in done
    with zbot.session() as s:
        [row] = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert row.state == "done"


async def test_a_day_off_added_or_removed_tells_the_units_whose_deadline_moved(
    zbot: ZaloBot,
) -> None:
    """/calendar add 27/11 moves the task due that day to 30/11: Lan (of two of its units)
    hears of it once, Mai (of the unit done) not at all; removing the day off moves it back
    and says so; the admin is told who will hear of it."""
    with zbot.session() as s:
        units = [make_unit(s, f"C{i}", f"Xã Lịch {i}") for i in range(3)]
        task = make_task(s, "Báo cáo tháng", date(2026, 11, 27), units)
        make_contact(s, LAN, units=units[:2], name="Lan")
        make_contact(s, MAI, units=units[2:], name="Mai", language="en")
        done = s.exec(select(Assignment).where(Assignment.unit_id == units[2].id)).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=zbot.tg.clock.now())
        s.commit()
    await _started(zbot, (LAN, "Lan"), (MAI, "Mai"))
    [added] = await zbot.say(ZALO_ADMIN, "/calendar add 27/11/2026 Lễ hội tỉnh")
    assert "30/11/2026" in added
    assert "Đã báo cho 1 người phụ trách" in added
    moved = await zbot.tg.server.wait_for_message(LAN, lambda m: "ngày nghỉ" in (m.text or ""))
    assert (
        f"Nhiệm vụ #{task.id} Báo cáo tháng: ngày 27/11/2026 được đặt là ngày nghỉ, "
        "hạn lùi sang 30/11/2026"
    ) in (moved.text or "")
    [removed] = await zbot.say(ZALO_ADMIN, "/calendar remove 27/11/2026")
    assert "Đã báo cho 1 người phụ trách" in removed
    back = await zbot.tg.server.wait_for_message(LAN, lambda m: "không còn" in (m.text or ""))
    assert "hạn trở lại 27/11/2026 (thay vì 30/11/2026)" in (back.text or "")
    with zbot.session() as s:
        notices = s.exec(select(Outbox).where(col(Outbox.key).startswith("task-changed:")))
        chats = [o.chat_id for o in notices]
    assert chats == [str(LAN), str(LAN)]


async def test_a_deadline_moved_last_evening_to_today_is_the_mornings_one_message(
    zbot: ZaloBot,
) -> None:
    """Moved at 19:00 to the next day, the notice is held to its office time and is that
    morning's "due today": the morning's sweep records the reminder and queues no other."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))
    zbot.tg.clock.set(datetime(2026, 11, 17, 19, 0, tzinfo=VN))
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/11/2026")
    assert "Đang ngoài giờ làm việc" in answer
    zbot.tg.clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=VN))
    await _dispatch(zbot)
    assert _queued(zbot, "reminder") == []
    [notice] = _queued(zbot, "notice")
    assert "Hạn mới là hôm nay" in notice.payload["text"]
    with zbot.session() as s:
        [record] = s.exec(select(Reminder).where(Reminder.due_on == TODAY)).all()
    assert record.kind == "due"


async def test_a_deadline_moved_off_a_day_off_says_from_the_day_in_force(zbot: ZaloBot) -> None:
    """A deadline stored on Saturday 21/11 was in force Monday 23/11, the day the units were
    told and counted to: moved to 27/11, it moved "từ 23/11/2026", and the admin reads the
    Saturday beside it."""
    task_id = _unit_with_both(zbot, date(2026, 11, 21))
    after = len(zbot.zalo.messages(HOA))
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 27/11/2026")
    assert "từ 23/11/2026 (hạn ghi 21/11/2026 là ngày nghỉ) sang 27/11/2026" in answer
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=after)
    assert "đổi hạn từ 23/11/2026 sang 27/11/2026" in notice.text


async def test_a_due_today_notice_held_past_a_new_day_off_leaves_the_day_to_the_sweep(
    zbot: ZaloBot,
) -> None:
    """Moved at 19:00 to Wednesday, the notice waits for Wednesday's office time saying the
    deadline is today; Wednesday then made a day off moves the deadline and the notice to
    Thursday. Thursday the notice of the move to Wednesday no longer says "today" nor stands
    in for the reminder: Hoa reads "due today" once, with the day off's move to Thursday
    (or the sweep's reminder), and the day's reminder is recorded once."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))
    zbot.tg.clock.set(datetime(2026, 11, 17, 19, 0, tzinfo=VN))
    await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/11/2026")
    [held] = _queued(zbot, "notice")
    assert "Hạn mới là hôm nay" in held.payload["text"]
    zbot.tg.clock.set(datetime(2026, 11, 17, 19, 30, tzinfo=VN))
    [added] = await zbot.say(ZALO_ADMIN, "/calendar add 18/11/2026 Lễ hội tỉnh")
    assert "19/11/2026" in added
    zbot.tg.clock.set(datetime(2026, 11, 19, 9, 0, tzinfo=VN))
    for _ in range(2):  # as after a restart
        await _dispatch(zbot)
    moved, day_off = _queued(zbot, "notice")
    assert "sang **18/11/2026**" in moved.payload["text"]
    assert "hôm nay" not in moved.payload["text"]
    assert "choices" not in moved.payload
    told = [o.payload["text"] for o in (day_off, *_queued(zbot, "reminder"))]
    assert sum("hôm nay" in text for text in told) == 1, told
    with zbot.session() as s:
        [record] = s.exec(select(Reminder).where(Reminder.due_on == date(2026, 11, 19))).all()
    assert record.kind == "due"
    await zbot.zalo.wait_until(lambda: {o.status for o in _queued(zbot, "notice")} == {"sent"}, 10)
    texts = [m.text for m in zbot.zalo.messages(HOA)]
    assert sum("hôm nay" in text for text in texts) == 1, texts


def _reminders_to(zbot: ZaloBot, chat: str) -> list[str]:
    """Return the texts of the reminders queued to a chat, oldest first."""
    with zbot.session() as s:
        query = select(Outbox).where(Outbox.chat_id == chat, Outbox.kind == "reminder")
        return [o.payload["text"] for o in s.exec(query.order_by(col(Outbox.id)))]


async def _all_sent(zbot: ZaloBot, kind: str) -> None:
    """Wait until every message of a kind, to Hoa and Lan, was delivered."""

    def sent() -> bool:
        with zbot.session() as s:
            rows = s.exec(select(Outbox).where(Outbox.kind == kind)).all()
        return {o.chat_id for o in rows} == {HOA, str(LAN)} and {o.status for o in rows} == {
            "sent"
        }

    await zbot.zalo.wait_until(sent, 10)


def _given_up(zbot: ZaloBot, chat: str) -> None:
    """Record the chat's notice as given up on (failed): its reader was never told."""
    with zbot.session() as s:
        [row] = s.exec(select(Outbox).where(Outbox.chat_id == chat, Outbox.kind == "notice"))
        row.status = "failed"
        s.add(row)
        s.commit()


async def test_a_deadline_moved_during_the_day_is_told_by_its_notice_not_a_third_message(
    zbot: ZaloBot,
) -> None:
    """Reminded this morning of 25/11, Xã A's deadline is moved to tomorrow, whose plan has a
    reminder today: Hoa reads the morning's reminder and the notice of the new deadline, and
    the sweeps after it (run twice, as after a restart) send her no third message. Lan, whose
    notice was given up on (failed), and Mai, made a contact of the unit after the notice,
    were not told: each gets the reminder with the new deadline, once."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))  # five working days: a reminder
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    await _all_sent(zbot, "reminder")
    after = len(zbot.zalo.messages(HOA))
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 19/11/2026")
    assert "Đã báo cho 2 người phụ trách" in answer
    await _all_sent(zbot, "notice")
    _given_up(zbot, str(LAN))
    with zbot.session() as s:
        [unit] = s.exec(select(Unit).where(Unit.code == "XA")).all()
        make_contact(s, MAI, units=[unit], name="Mai")
    await _started(zbot, (MAI, "Mai"))
    for _ in range(2):  # as after a restart
        await _dispatch(zbot)
    assert len(_reminders_to(zbot, HOA)) == 1, _reminders_to(zbot, HOA)  # the morning's only
    for chat in (str(LAN), str(MAI)):
        again = [t for t in _reminders_to(zbot, chat) if "Hạn: 19/11/2026" in t]
        assert len(again) == 1, _reminders_to(zbot, chat)
    await zbot.zalo.wait_until(lambda: {o.status for o in _queued(zbot, "reminder")} == {"sent"})
    [notice] = zbot.zalo.messages(HOA)[after:]  # no reminder beside it
    assert "sang 19/11/2026" in notice.text


async def test_a_due_today_notice_given_up_on_leaves_the_reminder_to_the_sweep(
    zbot: ZaloBot,
) -> None:
    """Moved at 09:00 to today, the notice stands in for the "due today" reminder: Lan's,
    given up on (failed), told her nothing, and the sweep reminds her of today's deadline
    once; Hoa, who read hers, gets no reminder beside it."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    await _all_sent(zbot, "reminder")
    await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/11/2026")
    await _all_sent(zbot, "notice")
    _given_up(zbot, str(LAN))
    for _ in range(2):  # as after a restart
        await _dispatch(zbot)
    assert len(_reminders_to(zbot, HOA)) == 1  # the morning's
    again = [t for t in _reminders_to(zbot, str(LAN)) if "Hạn: 18/11/2026" in t]
    assert len(again) == 1, _reminders_to(zbot, str(LAN))


def _request_id(zbot: ZaloBot) -> int:
    """Return the one extension request recorded."""
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    return request.id or 0


async def test_an_extension_approved_during_the_day_is_told_once_with_its_deadline(
    zbot: ZaloBot,
) -> None:
    """Reminded this morning of 20/11, Xã A asks until 26/11, whose plan has a reminder today,
    and the admin approves it: Hoa reads the morning's reminder and the approval, which gives
    the new deadline, and the sweeps after it (twice, as after a restart) send her no third
    message. Lan, whose approval notice was given up on, gets the reminder of 26/11, once."""
    task_id = _unit_with_both(zbot, date(2026, 11, 20))  # two working days: a reminder
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    await _all_sent(zbot, "reminder")
    after = len(zbot.zalo.messages(HOA))
    [asked] = await zbot.say(HOA, "xin gia hạn đến 26/11 vì chờ ý kiến của sở")
    assert "26/11/2026" in asked
    [answer] = await zbot.say(ZALO_ADMIN, f"/approve {_request_id(zbot)}")
    assert "hạn mới 26/11/2026" in answer
    await _all_sent(zbot, "notice")
    _given_up(zbot, str(LAN))
    for _ in range(2):  # as after a restart
        await _dispatch(zbot)
    assert len(_reminders_to(zbot, HOA)) == 1, _reminders_to(zbot, HOA)  # the morning's only
    again = [t for t in _reminders_to(zbot, str(LAN)) if "Hạn: 26/11/2026" in t]
    assert len(again) == 1, _reminders_to(zbot, str(LAN))
    [notice] = zbot.zalo.messages(HOA)[after + 1 :]  # after the request's answer: no reminder
    assert "đã được đồng ý: hạn mới 26/11/2026" in notice.text
    with zbot.session() as s:
        [row] = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert row.deadline == date(2026, 11, 26)


async def test_an_extension_approved_to_today_is_one_message_with_the_answers(
    zbot: ZaloBot,
) -> None:
    """Overdue since yesterday, Xã A asks until today and the admin approves it at 09:00: the
    approval says the new deadline is today and offers the answers, and the sweeps after it
    queue no "due today" beside it; "1" reports the task done."""
    task_id = _unit_with_both(zbot, date(2026, 11, 17))
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    await _all_sent(zbot, "reminder")
    reminders = len(_reminders_to(zbot, HOA))
    await zbot.say(HOA, "xin gia hạn đến 18/11 vì chờ ý kiến của sở")
    after = len(zbot.zalo.messages(HOA))
    await zbot.say(ZALO_ADMIN, f"/approve {_request_id(zbot)}")
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=after)
    assert "hạn mới 18/11/2026" in notice.text
    assert "Hạn mới là hôm nay" in notice.text
    assert "1 = Hoàn thành" in notice.text
    told = await zbot.tg.server.wait_for_message(LAN, lambda m: "hôm nay" in (m.text or ""))
    assert told.reply_markup is not None  # the status buttons, as a reminder's
    for _ in range(2):
        await _dispatch(zbot)
    assert len(_reminders_to(zbot, HOA)) == reminders  # no "due today" beside the approval
    [done] = await zbot.say(HOA, "1")
    assert "Báo cáo quý" in done
    with zbot.session() as s:
        [row] = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert row.state == "done"


async def test_a_notice_given_up_on_after_the_replan_leaves_the_reminder_to_the_next_sweep(
    zbot: ZaloBot,
) -> None:
    """Moved at noon to 19/11 (a reminder today in its plan), the notices wait for 13:30; the
    sweep runs just before they go, and counts them as telling. Telegram refuses Lan's for
    good at 13:30: it is given up on. The next sweeps (twice, as after a restart) remind her of
    19/11 once; Hoa, who read hers, gets no reminder beside it."""
    task_id = _unit_with_both(zbot, date(2026, 11, 25))
    await _started(zbot, (LAN, "Lan"))
    await _dispatch(zbot)
    await _all_sent(zbot, "reminder")
    zbot.tg.clock.set(datetime(2026, 11, 18, 12, 0, tzinfo=VN))
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 19/11/2026")
    assert "13:30" in answer
    services = zbot.services
    replan = datetime(2026, 11, 18, 13, 30, tzinfo=VN)  # the sweep first, the senders after
    await asyncio.to_thread(dispatch, dispatch_context(services), replan)
    assert [_reminders_to(zbot, chat) for chat in (HOA, str(LAN))] == [
        _reminders_to(zbot, HOA)[:1],
        _reminders_to(zbot, str(LAN))[:1],
    ]  # the morning's only: the notices, still waiting, tell it
    refused = Fault.server_error(400, "Bad Request: can't parse entities")  # for good
    zbot.tg.server.add_fault(
        FaultRule(refused, methods=("sendMessage",), chat_ids=(LAN,), times=1)
    )
    zbot.tg.clock.set(replan + timedelta(minutes=1))
    wake(zbot.tg.app)

    def lan_given_up() -> bool:
        with zbot.session() as s:
            query = select(Outbox).where(Outbox.chat_id == str(LAN), Outbox.kind == "notice")
            return [o.status for o in s.exec(query)] == ["failed"]

    await zbot.tg.server.wait_until(lan_given_up, 10)
    for _ in range(2):  # as after a restart
        await _dispatch(zbot)
    again = [t for t in _reminders_to(zbot, str(LAN)) if "Hạn: 19/11/2026" in t]
    assert len(again) == 1, _reminders_to(zbot, str(LAN))
    assert len(_reminders_to(zbot, HOA)) == 1, _reminders_to(zbot, HOA)  # the morning's


async def test_units_taken_off_a_task_are_told_no_report_is_needed(zbot: ZaloBot) -> None:
    """/unassign of Xã A tells its contacts, each once on the chat they use (Hoa on Zalo,
    Lan on Telegram), that the task needs no more report from Xã A; Lan, also of Xã B still
    on the task, is told it stays with Xã B, not that reminders end; Mai, of Xã B only, hears
    nothing; the admin is told who will hear of it."""
    with zbot.session() as s:
        first, second = make_unit(s, "A01", "Xã A"), make_unit(s, "B01", "Xã B")
        task = make_task(s, "Báo cáo quý", date(2026, 11, 25), [first, second])
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, LAN, units=[first, second], name="Lan")
        make_contact(s, MAI, units=[second], name="Mai", language="en")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    await _started(zbot, (LAN, "Lan"), (MAI, "Mai"))
    after = len(zbot.zalo.messages(HOA))
    [answer] = await zbot.say(ZALO_ADMIN, f"/unassign #{task.id} A01")
    assert "Đã bớt 1 đơn vị khỏi nhiệm vụ" in answer
    assert "Đã báo cho 2 người phụ trách" in answer
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=after)
    said = f"Nhiệm vụ #{task.id} Báo cáo quý không còn giao cho Xã A: không cần báo cáo"
    assert said in notice.text
    told = await zbot.tg.server.wait_for_message(LAN, lambda m: "không còn giao" in (m.text or ""))
    assert "không cần báo cáo nhiệm vụ này cho Xã A nữa" in (told.text or "")
    assert "Nhiệm vụ vẫn giao cho Xã B: tiếp tục báo cáo" in (told.text or "")
    assert "sẽ không còn nhắc việc" not in (told.text or "")
    with zbot.session() as s:
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert sorted(o.chat_id for o in notices) == sorted([HOA, str(LAN)])


async def test_a_unit_taken_off_while_the_office_is_closed_hears_of_it_in_office_time(
    zbot: ZaloBot,
) -> None:
    """Taken off at 19:00, Xã A's contact is told the next morning, and the admin is told
    when, in English when the contact reads English."""
    with zbot.session() as s:
        first, second = make_unit(s, "A01", "Xã A"), make_unit(s, "B01", "Xã B")
        task = make_task(s, "Báo cáo quý", date(2026, 11, 25), [first, second])
        make_contact(s, MAI, units=[first], name="Mai", language="en")
    await _started(zbot, (MAI, "Mai"))
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    [answer] = await zbot.say(ZALO_ADMIN, f"/unassign #{task.id} A01")
    assert "Đã báo cho 1 người phụ trách" in answer
    assert "Đang ngoài giờ làm việc" in answer
    assert "19/11/2026" in answer
    with zbot.session() as s:
        [notice] = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert notice.status == "pending"
    assert (
        f"Task #{task.id} **Báo cáo quý** is no longer assigned to Xã A" in notice.payload["text"]
    )


async def test_a_unit_put_back_before_it_heard_it_was_taken_off_hears_neither(
    zbot: ZaloBot,
) -> None:
    """Xã A and Xã B taken off at 19:00 (the notices held for the morning), Xã A put back at
    19:05: Hoa's notice (Xã A) is withdrawn, the admin told so; Lan's (Xã B, still off)
    stays."""
    with zbot.session() as s:
        units = [
            make_unit(s, c, n) for c, n in (("A01", "Xã A"), ("B01", "Xã B"), ("C01", "Xã C"))
        ]
        task = make_task(s, "Báo cáo quý", date(2026, 11, 25), units)
        make_contact(s, 0, units=units[:1], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, LAN, units=units[1:2], name="Lan")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    await _started(zbot, (LAN, "Lan"))
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    [off] = await zbot.say(ZALO_ADMIN, f"/unassign #{task.id} A01, B01")
    assert "Đã báo cho 2 người phụ trách" in off
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 5, tzinfo=VN))
    [back] = await zbot.say(ZALO_ADMIN, f"/assign #{task.id} A01")
    assert "chưa kịp gửi đến 1 người nên đã được rút lại" in back
    with zbot.session() as s:
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert sorted((o.chat_id, o.status) for o in notices) == sorted(
        [(HOA, "cancelled"), (str(LAN), "pending")]
    )
