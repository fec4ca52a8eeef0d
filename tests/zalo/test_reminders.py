"""Reminders on Zalo: the items numbered, the answers typed ("1", "2 60%", "#12 1", words)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from db.models import Assignment, ExtensionRequest, Outbox, StatusReport, Task
from db.queries.tasks import assign_units
from devtools.fakezalo import FaultRule
from scheduler.delivery import dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import ADMIN_ID
from tests.scheduler.support import assigned_at, at
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"
DEADLINE = date(2026, 11, 20)  # two working days after the harness's Wednesday


def official(zbot: ZaloBot, titles: tuple[str, ...] = ("Kế hoạch chuyển đổi số",)) -> list[int]:
    """Hoa, on Zalo, is the focal point of Xã A, which has the tasks; return their ids."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        tasks = [make_task(s, title, DEADLINE, [unit]) for title in titles]
        for task in tasks:
            assigned_at(s, task, zbot.tg.clock.now() - timedelta(days=3))
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)  # Zalo lets the bot write only after that
    return [t.id or 0 for t in tasks]


async def remind(zbot: ZaloBot, count: int = 1) -> list[str]:
    """Run the morning dispatch and return the reminder texts Hoa received on Zalo."""
    services = zbot.services
    ctx = replace(dispatch_context(services))
    after = len(zbot.zalo.messages(HOA))
    await asyncio.to_thread(dispatch, ctx, services.clock.now())
    sent = await zbot.zalo.wait_for_messages(HOA, after=after, count=count, timeout=10)
    # A person reads a reminder after it is delivered; the bot records the delivery (and the
    # offer a typed number answers) the moment Zalo's server answers, a few ms after the
    # fake server has the text: wait for that record, as any reader's eyes would.
    await zbot.zalo.wait_until(lambda: not being_sent(zbot), 10)
    return [m.text for m in sent]


def being_sent(zbot: ZaloBot) -> bool:
    """Tell whether a Zalo message to Hoa is still between its call and its record."""
    with zbot.session() as s:
        query = select(Outbox.id).where(Outbox.chat_id == HOA, Outbox.status == "sending")
        return s.exec(query).first() is not None


def reports(zbot: ZaloBot) -> list[tuple[str, int | None, str]]:
    """Return every status report as (state, percent, source), oldest first."""
    with zbot.session() as s:
        rows = s.exec(select(StatusReport).order_by(col(StatusReport.id))).all()
    return [(r.state, r.percent, r.source) for r in rows]


async def test_a_reminder_shows_the_typed_answers_and_1_records_done(zbot: ZaloBot) -> None:
    """One item: the reminder spells out 1-4; "1" records done and the bot confirms it."""
    official(zbot)
    [reminder] = await remind(zbot)
    assert "Kế hoạch chuyển đổi số" in reminder
    assert "1 = Hoàn thành" in reminder
    assert "2 60%" in reminder
    assert "nút" not in reminder  # Zalo shows no buttons: the legend is what to answer
    answer = await zbot.say(HOA, "1")
    assert reports(zbot) == [("done", 100, "button")]
    assert "Kế hoạch chuyển đổi số" in answer[0]
    with zbot.session() as s:
        [row] = s.exec(select(Outbox).where(Outbox.channel == "zalo")).all()
    assert row.status == "sent"


async def test_two_with_a_percentage_records_progress(zbot: ZaloBot) -> None:
    """ "2 60%" after a reminder records in progress at 60%."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "2 60%")
    assert reports(zbot) == [("in_progress", 60, "text")]


async def test_three_with_a_reason_records_a_blocker(zbot: ZaloBot) -> None:
    """ "3 <reason>" records blocked with the reason."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "3 thiếu kinh phí")
    with zbot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
    assert (report.state, report.reason) == ("blocked", "thiếu kinh phí")


async def test_four_with_a_date_and_reason_requests_an_extension(zbot: ZaloBot) -> None:
    """ "4 15/12 <reason>" asks for an extension to 15/12 for that reason."""
    official(zbot)
    await remind(zbot)
    await zbot.say(HOA, "4 15/12 chờ kinh phí")
    with zbot.session() as s:
        [request] = s.exec(select(ExtensionRequest)).all()
    assert (request.requested_deadline, request.reason) == (date(2026, 12, 15), "chờ kinh phí")


async def test_a_reminder_answered_after_a_weekend_takes_its_typed_answer(zbot: ZaloBot) -> None:
    """ "3 thiếu kinh phí" typed three days after the reminder (a Friday's, answered on
    Monday) records the blocker with its reason, as Telegram's button on that reminder would:
    the typed answers held a day, and she was asked again which status, her reason dropped."""
    official(zbot)
    await remind(zbot)
    zbot.tg.clock.advance(timedelta(days=3))
    await zbot.say(HOA, "3 thiếu kinh phí")
    with zbot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
    assert (report.state, report.reason) == ("blocked", "thiếu kinh phí")


async def test_a_sticker_after_a_reminder_says_nothing_was_recorded_for_its_task(
    zbot: ZaloBot,
) -> None:
    """A 👍 sticker sent to a reminder (Zalo has no reactions to read: a sticker is how an
    official acknowledges) is told nothing was recorded for #N and how to report, as a
    reaction on Telegram is; "1" then still records done. It was told only that the bot
    reads no files, voice messages or videos, and the task stayed "no report"."""
    [task] = official(zbot)
    await remind(zbot)
    after = len(zbot.zalo.messages(HOA))
    await zbot.handled(zbot.zalo.send_sticker(HOA))
    [answer] = [m.text for m in zbot.zalo.messages(HOA)[after:]]
    assert f"chưa ghi nhận báo cáo nào cho #{task}" in answer
    await zbot.say(HOA, "1")
    assert reports(zbot) == [("done", 100, "button")]


async def test_a_sticker_with_nothing_chased_is_thanked_and_a_strangers_told_how_to_join(
    zbot: ZaloBot,
) -> None:
    """A sticker after the report was recorded (how an official says thank you on Zalo) is
    thanked for, as the 👍 typed is; a stranger's first sticker is told how to join. Both
    were told that the bot reads no files, voice messages or videos."""
    official(zbot)
    await zbot.say(HOA, "xong")
    after = len(zbot.zalo.messages(HOA))
    await zbot.handled(zbot.zalo.send_sticker(HOA))
    [thanked] = [m.text for m in zbot.zalo.messages(HOA)[after:]]
    assert thanked == "Dạ, cảm ơn anh/chị."
    stranger = "5e6f7a8b9c0d1e2f"
    zbot.zalo.add_user(stranger, "Người lạ")
    await zbot.handled(zbot.zalo.send_sticker(stranger))
    [told] = [m.text for m in zbot.zalo.messages(stranger)]
    assert "mã mời" in told


async def test_several_items_are_answered_by_task_number(zbot: ZaloBot) -> None:
    """Two items: "#<task> 1" records that task done; a bare "1" asks which task."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    [reminder] = await remind(zbot)
    assert f"#{first}" in reminder
    assert f"#{second}" in reminder
    await zbot.say(HOA, f"#{second} 1")
    with zbot.session() as s:
        done = s.exec(select(Assignment).where(Assignment.task_id == second)).one()
        [report] = s.exec(select(StatusReport)).all()
    assert (report.assignment_id, report.state) == (done.id, "done")
    [which] = await zbot.say(HOA, "2")
    assert "Kế hoạch A" in which
    assert len(reports(zbot)) == 1


async def test_a_number_past_the_legend_of_several_items_records_no_hidden_choice(
    zbot: ZaloBot,
) -> None:
    """Three items are answered "#<task> 1", never by a number alone: "10" or "9" are the
    official's own words, asked about, not the third task's in progress or done (its hidden
    tenth and ninth choices)."""
    official(zbot, ("Kế hoạch A", "Báo cáo B", "Đề án C"))
    [reminder] = await remind(zbot)
    assert "9 =" not in reminder
    assert "10 =" not in reminder
    for typed in ("10", "9"):
        await zbot.say(HOA, typed)
        assert reports(zbot) == []


async def test_free_text_goes_through_the_same_parser(zbot: ZaloBot) -> None:
    """Words work as on Telegram: "đang làm 40%" records in progress at 40%."""
    official(zbot)
    await zbot.say(HOA, "đang làm 40%")
    assert reports(zbot) == [("in_progress", 40, "text")]


async def test_a_redelivered_event_records_nothing_twice(zbot: ZaloBot) -> None:
    """The same message_id delivered twice is one report and one answer."""
    official(zbot)
    after = len(zbot.zalo.messages(HOA))
    message_id = zbot.zalo.send_text(HOA, "xong")
    await zbot.handled(message_id)
    zbot.zalo.redeliver(message_id)
    await zbot.zalo.wait_until(lambda: zbot.zalo.pending_events() == 0)
    await asyncio.sleep(0.3)
    assert reports(zbot) == [("done", 100, "text")]
    assert len(zbot.zalo.messages(HOA)) == after + 1


async def test_polling_backs_off_on_server_errors_and_goes_on(zbot: ZaloBot) -> None:
    """Two 502s from getUpdates delay the answer; nothing is lost."""
    official(zbot)
    zbot.zalo.add_fault(FaultRule("server_error", methods=("getUpdates",), times=2))
    [answer] = await zbot.say(HOA, "xong", timeout=15)
    assert "Kế hoạch chuyển đổi số" in answer
    assert reports(zbot) == [("done", 100, "text")]


async def test_english_says_one_working_day_and_one_day_overdue(zbot: ZaloBot) -> None:
    """English has a singular: "1 working day left", "1 day overdue", on both channels."""
    lan = 3801
    with zbot.session() as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        thursday, tuesday = date(2026, 11, 19), date(2026, 11, 17)  # the harness is Wednesday
        for task in (
            make_task(s, "Plan one day ahead", thursday, [a, b]),
            make_task(s, "Report one day late", tuesday, [a, b]),
        ):
            assigned_at(s, task, zbot.tg.clock.now() - timedelta(days=9))
        make_contact(s, 0, units=[a], name="Hoa", channel="zalo", external_id=HOA, language="en")
        make_contact(s, lan, units=[b], name="Lan", language="en")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.tg.user(lan, "Lan", language="en")
    await zbot.tg.send(lan, "/start")
    [on_zalo] = await remind(zbot)
    wake(zbot.tg.app)
    reminder = await zbot.tg.server.wait_for_message(
        lan, lambda m: "Reminder" in (m.text or ""), timeout=10
    )
    on_telegram = reminder.text or ""
    for text in (on_zalo, on_telegram):
        assert "1 working day left." in text
        assert "1 day overdue" in text
        assert "days" not in text


@pytest.mark.parametrize("change", ["/closetask #{task}", "/deadline #{task} 31/12/2026"])
async def test_a_reminder_held_over_lunch_goes_without_the_task_closed_meanwhile(
    zbot: ZaloBot, change: str
) -> None:
    """Queued at 11:29 with two tasks, one closed (or its deadline moved, which the held
    text would give wrong) over lunch: at 13:31 Hoa gets the other alone, and a typed "1"
    answers it (the offer kept is the message as sent)."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    wednesday = zbot.tg.clock.now().astimezone(zbot.services.settings.tz).date()
    zbot.tg.clock.set(at(wednesday, 12, 0))  # lunch: the sender holds reminders
    await asyncio.to_thread(dispatch, dispatch_context(zbot.services), at(wednesday, 11, 29))
    await zbot.tg.send(ADMIN_ID, "/start")
    await zbot.tg.send(ADMIN_ID, change.format(task=first))
    zbot.tg.clock.set(at(wednesday, 13, 31))
    # Hoa is also told of the admin's change (a notice of its own, held over lunch too).
    sent = await zbot.zalo.wait_for_messages(HOA, after=0, count=2, timeout=10)
    await zbot.zalo.wait_until(lambda: not being_sent(zbot), 10)
    [reminder] = [m for m in sent if "Báo cáo B" in m.text]
    [told] = [m for m in sent if m is not reminder]
    assert f"Nhiệm vụ #{first} Kế hoạch A đã được" in told.text
    assert f"#{second} Báo cáo B" in reminder.text
    assert "Kế hoạch A" not in reminder.text
    assert f"#{first}" not in reminder.text
    await zbot.say(HOA, "1")
    with zbot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
        done = s.exec(select(Assignment).where(Assignment.task_id == second)).one()
    assert (report.assignment_id, report.state) == (done.id, "done")


async def test_a_unit_put_back_on_a_task_is_told_it_is_assigned_again(zbot: ZaloBot) -> None:
    """/unassign then /assign of a unit: its assignment starts afresh at the clock's time and
    the next reminder is the "newly assigned" one, as for a unit new to the task."""
    [task_id] = official(zbot)
    with zbot.session() as s:
        task = s.get_one(Task, task_id)
        stays = make_unit(s, "SYT", "Sở Y tế", kind="department")  # "XA" reads as communes
        assign_units(s, task=task, unit_ids=[stays.id or 0], tz=VN)
        s.commit()  # a task keeps at least one unit: Sở Y tế stays while XA is taken off
    [off] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} XA")
    assert "còn 1" in off, off
    # Hoa hears it was taken off before the reminder below, not in its place.
    await zbot.zalo.wait_until(
        lambda: any("không còn giao" in m.text for m in zbot.zalo.messages(HOA)), 10
    )
    [back] = await zbot.say(ZALO_ADMIN, f"/assign #{task_id} XA")
    assert "1 đơn vị" in back
    with zbot.session() as s:
        [row, _] = s.exec(
            select(Assignment).where(Assignment.task_id == task_id).order_by(col(Assignment.id))
        ).all()
    assert row.active
    assert row.created_at == zbot.tg.clock.now()  # the application's clock, not the wall's
    [reminder] = await remind(zbot)
    assert "Nhiệm vụ mới được giao" in reminder


async def test_a_number_typed_after_one_of_two_reminded_tasks_ended_is_confirmed_first(
    zbot: ZaloBot,
) -> None:
    """Hoa's reminder lists #1 and #2 ("#12 1" to answer each); #1 is closed, then she types
    "1" as the reminder's first line: nothing is recorded for #2 until she confirms that the
    report is #2's (it was: "1" alone recorded #2 done, a task she never named)."""
    first, second = official(zbot, ("Kế hoạch A", "Báo cáo B"))
    [reminder] = await remind(zbot)
    assert f"#{first} Kế hoạch A" in reminder
    assert f"#{second} Báo cáo B" in reminder
    await zbot.say(ZALO_ADMIN, f"/closetask #{first}")
    said = "\n".join(await zbot.say(HOA, "1"))
    assert reports(zbot) == []
    assert f"#{second} Báo cáo B" in said
    assert "1 = ✅ Hoàn thành" in said
    await zbot.say(HOA, "1")
    with zbot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
        done = s.exec(select(Assignment).where(Assignment.task_id == second)).one()
    assert (report.assignment_id, report.state) == (done.id, "done")
