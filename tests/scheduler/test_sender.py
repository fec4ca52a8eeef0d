"""The sender end to end, through the fake Bot API server: limits, faults, blocked users."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.choices import Choice, rows_to_json
from app.signing import sign
from db.models import Assignment, ContactIdentity, Outbox, OutboxItem, Unit
from db.queries.contact_admin import remove_from_unit
from db.queries.merging import merge_people
from db.queries.outbox import EDIT_OF, enqueue
from db.queries.reports import record_report
from devtools.fakebotapi import CallRecord, ChatMessage, Fault, FaultRule
from scheduler.delivery import DISPATCH_JOB, SENDER_JOB, dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.factories import identity, make_contact, make_unit, person
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import at, province, start_users, task_for

WED = date(2026, 11, 18)
FRI, MON = date(2026, 11, 20), date(2026, 11, 23)
COORDINATOR = 7000
FIRST_USER = 5000


def delivered(bot: BotUnderTest) -> list[CallRecord]:
    """Return the sendMessage calls that reached a fan-out user's chat."""
    return [
        c
        for c in bot.server.calls("sendMessage")
        if c.applied and int(c.params.get("chat_id", 0)) >= FIRST_USER
    ]


async def fan_out(bot: BotUnderTest, count: int) -> None:
    """Create `count` started units due today, queue their reminders and start the sender.

    The bot's own dispatcher is stopped first: on a busy machine its first run (a second
    after start) read the units half created and queued their reminders itself.
    """
    assert bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name(DISPATCH_JOB):
        job.schedule_removal()
    await bot.server.wait_until(lambda: not bot.app.bot_data.dispatching, 60)  # one under way
    with bot.session() as session:
        units = province(session, count, first_user=FIRST_USER)
        task_for(session, units, WED, at(WED, 7))
    start_users(bot.server, [FIRST_USER + i for i in range(count)])
    result = await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    assert result is not None
    assert result.messages == count
    wake(bot.app)


async def test_fan_out_stays_under_the_limits_and_replies_jump_ahead(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """200 reminders, 30/s and 1/s a chat enforced: no 429, each once; /help goes first.

    How fast is measured in bench/fanout.py; here, that the reply did not queue behind the
    reminders: it was answered while most of them were still waiting, and the sender says
    the rate it held.
    """
    caplog.set_level(logging.INFO, logger="scheduler.sender")
    count = 200
    bot.server.set_rate_limits("enforce")
    await fan_out(bot, count)
    await bot.server.wait_until(lambda: len(delivered(bot)) >= count // 4, timeout=60)
    reply = await bot.send(ADMIN_ID, "/help", timeout=30)
    assert reply.text
    answered_after = len([c for c in delivered(bot) if c.at <= reply.sent_at])
    assert answered_after < count, "the reply waited for the whole fan-out"
    await bot.server.wait_until(lambda: len(delivered(bot)) >= count, timeout=120)
    calls = delivered(bot)
    assert all(c.status != 429 for c in bot.server.calls("sendMessage"))
    assert bot.server.rate_limit_stats().violations == 0
    assert Counter(c.params["chat_id"] for c in calls) == {FIRST_USER + i: 1 for i in range(count)}

    def reminder_rows() -> list[Outbox]:
        with bot.session() as session:
            return list(session.exec(select(Outbox).where(Outbox.kind == "reminder")))

    # The server has them all; the bot marks each row sent just after Telegram answers.
    await bot.server.wait_until(lambda: {r.status for r in reminder_rows()} == {"sent"}, 10)
    assert all(r.channel_message_id for r in reminder_rows())
    await bot.server.wait_until(lambda: "; held " in caplog.text, 10)


async def test_a_flaky_server_still_gets_every_reminder_exactly_once(bot: BotUnderTest) -> None:
    """With some 429s and 502s the sender waits, retries, and delivers each reminder once."""
    count = 40
    bot.server.add_fault(FaultRule(Fault.flood(1), methods=("sendMessage",), probability=0.08))
    bot.server.add_fault(
        FaultRule(Fault.server_error(), methods=("sendMessage",), probability=0.15)
    )
    await fan_out(bot, count)
    await bot.server.wait_until(lambda: len(delivered(bot)) >= count, timeout=60)
    await asyncio.sleep(0.5)  # a duplicate would show up here
    faults = Counter(c.fault for c in bot.server.calls("sendMessage") if c.fault)
    assert faults["flood"] > 0
    assert faults["server_error"] > 0
    sent = Counter(c.params["chat_id"] for c in delivered(bot))
    assert sent == {FIRST_USER + i: 1 for i in range(count)}


async def test_a_blocked_contact_is_marked_unreachable_until_they_write(
    bot: BotUnderTest,
) -> None:
    """403 marks the contact unreachable and the others still get theirs; writing restores it."""
    await fan_out_with_blocked(bot, blocked=FIRST_USER + 1)
    with bot.session() as session:
        blocked = identity(session, FIRST_USER + 1)
        failed = session.exec(select(Outbox).where(Outbox.status == "failed")).one()
    assert blocked.reachable is False
    assert failed.contact_id == blocked.contact_id
    assert {c.params["chat_id"] for c in delivered(bot)} == {FIRST_USER, FIRST_USER + 2}
    await bot.send(FIRST_USER + 1, "/start")
    with bot.session() as session:
        again = session.get(ContactIdentity, blocked.id)
    assert again is not None
    assert again.reachable is True


async def fan_out_with_blocked(bot: BotUnderTest, *, blocked: int) -> None:
    """Queue three reminders, one to a user who blocked the bot, and wait for the sender."""
    with bot.session() as session:
        units = province(session, 3, first_user=FIRST_USER)
        task_for(session, units, WED, at(WED, 7))
    start_users(bot.server, [FIRST_USER + i for i in range(3)])
    bot.server.block(blocked, notify=False)
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    wake(bot.app)

    def settled() -> bool:
        with bot.session() as session:
            query = select(Outbox).where(col(Outbox.status).in_(("pending", "sending")))
            return not session.exec(query).all()

    await bot.server.wait_until(settled, timeout=15)


async def test_a_reminder_queued_before_the_unit_reported_done_is_dropped(
    bot: BotUnderTest,
) -> None:
    """A unit that reports done while its reminder waits in the queue is not chased."""
    with bot.session() as session:
        units = province(session, 2, first_user=FIRST_USER)
        task_for(session, units, WED, at(WED, 7))
    start_users(bot.server, [FIRST_USER, FIRST_USER + 1])
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    with bot.session() as session:
        done = session.exec(select(Assignment).where(Assignment.unit_id == units[0].id)).one()
        record_report(session, assignment_id=done.id or 0, state="done", now=bot.clock.now())
        session.commit()
    wake(bot.app)
    await bot.server.wait_for_message(FIRST_USER + 1, timeout=5)

    def dropped() -> Outbox | None:
        with bot.session() as session:
            row = session.exec(select(Outbox).where(Outbox.chat_id == str(FIRST_USER))).one()
        return row if row.status not in ("pending", "sending") else None

    assert (await bot.server.wait_for(dropped, timeout=5)).status == "cancelled"
    assert bot.server.messages(FIRST_USER) == []


async def held_over_lunch(
    bot: BotUnderTest, act: Callable[[list[Unit]], Awaitable[object]]
) -> ChatMessage:
    """Queue two units' reminders at 11:29, `act` over lunch, and send at 13:31: the first
    unit's reminder is about task #1 alone, the second's about #1 and "Kế hoạch khác".
    Return the second's as delivered."""
    stop_jobs(bot, DISPATCH_JOB)
    with bot.session() as session:
        units = province(session, 2, first_user=FIRST_USER)
        task_for(session, units, date(2026, 11, 20), at(WED, 7))
        task_for(session, units[1:], date(2026, 11, 20), at(WED, 7), "Kế hoạch khác")
    start_users(bot.server, [FIRST_USER, FIRST_USER + 1])
    bot.clock.set(at(WED, 11, 29))
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    bot.clock.set(at(WED, 12, 0))  # lunch: reminders wait
    await act(units)
    bot.clock.set(at(WED, 13, 31))
    wake(bot.app)
    # The admin's change is also told to the units (a notice of its own): the reminder is
    # the one about "Kế hoạch khác".
    still = await bot.server.wait_for_message(
        FIRST_USER + 1, lambda m: "Kế hoạch khác" in (m.text or ""), timeout=10
    )

    def dropped() -> Outbox | None:
        with bot.session() as session:
            row = session.exec(reminder_to(FIRST_USER)).one()
        return row if row.status not in ("pending", "sending") else None

    assert (await bot.server.wait_for(dropped, timeout=10)).status == "cancelled"
    assert [m for m in bot.server.messages(FIRST_USER) if (m.text or "").startswith("🔔")] == []
    return still


@pytest.mark.parametrize(
    "command",
    ["/closetask #1", "/canceltask #1", "/deactivate P0000", "/deadline #1 31/12/2026"],
)
async def test_a_reminder_held_over_lunch_is_dropped_once_nothing_it_chases_is_followed(
    bot: BotUnderTest, command: str
) -> None:
    """Queued at 11:29 and held over lunch, a reminder of a task closed or cancelled, or of a
    unit deactivated, meanwhile is not sent at 13:30; nor one whose deadline was moved (it
    would give the old one); the others still go."""

    async def admin(units: list[Unit]) -> None:
        await bot.send(ADMIN_ID, "/start")
        await bot.send(ADMIN_ID, command)

    await held_over_lunch(bot, admin)


async def test_a_reminder_held_over_lunch_is_dropped_once_its_reader_left_the_unit(
    bot: BotUnderTest,
) -> None:
    """A focal point removed from their unit over lunch is not sent its reminder at 13:30."""

    def remove(units: list[Unit]) -> None:
        with bot.session() as session:
            contact = person(session, str(FIRST_USER))
            assert remove_from_unit(
                session, contact_id=contact.id or 0, unit_id=units[0].id or 0, actor_id=None
            )
            session.commit()

    await held_over_lunch(bot, lambda units: asyncio.to_thread(remove, units))


@pytest.mark.parametrize("command", ["/closetask #1", "/canceltask #1", "/deadline #1 31/12/2026"])
async def test_a_reminder_of_two_tasks_held_over_lunch_goes_without_the_one_closed(
    bot: BotUnderTest, command: str
) -> None:
    """The second unit's reminder lists #1 and #2; #1 closed (or its deadline moved) over
    lunch, it goes at 13:30 composed again with #2 alone: its text, its buttons and what a
    reply is about."""

    async def admin(units: list[Unit]) -> None:
        await bot.send(ADMIN_ID, "/start")
        await bot.send(ADMIN_ID, command)

    still = await held_over_lunch(bot, admin)
    text = still.text or ""
    assert "#2 Kế hoạch khác" in text
    assert "#1" not in text
    assert "Báo cáo chuyển đổi số" not in text
    assert still.reply_markup is not None
    pressed = [b for row in still.reply_markup["inline_keyboard"] for b in row]

    def sent() -> Outbox | None:
        with bot.session() as session:
            row = session.exec(reminder_to(FIRST_USER + 1)).one()
        return row if row.status == "sent" else None

    row = await bot.server.wait_for(sent, timeout=10)
    with bot.session() as session:
        items = session.exec(
            select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == row.id)
        )
        [kept] = list(items)
        assert session.get(Assignment, kept).task_id == 2  # type: ignore[union-attr]
    assert len(pressed) == 4  # one item's four status buttons
    assert row.payload["text"].startswith("🔔")  # the stored text is the one sent


def reminder_to(user_id: int) -> SelectOfScalar[Outbox]:
    """Return the query of the reminders queued for a user (not the notices of changes)."""
    return select(Outbox).where(Outbox.chat_id == str(user_id), Outbox.kind == "reminder")


def stop_jobs(bot: BotUnderTest, *names: str) -> None:
    """Take the bot's own periodic jobs off, to run them by hand at a chosen moment."""
    assert bot.app.job_queue is not None
    for name in names:
        for job in bot.app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()


async def weekend_after_late_queue(bot: BotUnderTest, deadline: date) -> None:
    """Queue Friday 16:59's reminders and lists; nothing goes out before 17:00; on Monday
    at 07:30 the sender wakes before the dispatcher's first run of the day."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    with bot.session() as session:
        units = province(session, 1, first_user=FIRST_USER)
        make_contact(session, COORDINATOR, role="coordinator")
        task_for(session, units, deadline, at(date(2026, 11, 2), 9))
    start_users(bot.server, [FIRST_USER, COORDINATOR])
    bot.clock.set(at(FRI, 16, 59))
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    bot.clock.set(at(MON, 7, 30))
    wake(bot.app)

    def settled() -> bool:
        with bot.session() as session:
            query = select(Outbox).where(col(Outbox.status).in_(("pending", "sending")))
            return not session.exec(query).all()

    await bot.server.wait_until(settled, timeout=10)
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    wake(bot.app)
    await bot.server.wait_until(settled, timeout=10)


async def test_fridays_unsent_reminder_is_not_sent_on_monday_beside_mondays(
    bot: BotUnderTest,
) -> None:
    """A reminder left unsent at 17:00 on Friday is cancelled when the sender meets it on
    Monday morning: the unit gets Monday's reminder alone, counted from Monday."""
    await weekend_after_late_queue(bot, date(2026, 11, 24))  # a holiday: due on the 25th
    [reminder] = bot.server.messages(FIRST_USER)
    assert "Nhắc việc ngày 23/11/2026" in (reminder.text or "")
    assert "Còn 1 ngày làm việc" in (reminder.text or "")


async def test_fridays_unsent_coordinator_lists_are_not_sent_on_monday(
    bot: BotUnderTest,
) -> None:
    """The coordinator's lists of Friday (escalated, missed) left unsent are cancelled on
    Monday: they get Monday's lists only, not last week's besides."""
    await weekend_after_late_queue(bot, date(2026, 11, 6))
    texts = [m.text or "" for m in bot.server.messages(COORDINATOR)]
    assert texts
    assert all("23/11/2026" in text for text in texts), texts
    assert not any("20/11/2026)" in text for text in texts)


async def test_sender_signs_choices_for_the_recipient_and_still_sends_old_keyboards(
    bot: BotUnderTest,
) -> None:
    """Queued choices become buttons signed for their chat; a row queued before keeps its own."""
    start_users(bot.server, [FIRST_USER, FIRST_USER + 1])
    legacy = {"inline_keyboard": [[{"text": "OK", "callback_data": "old~data"}]]}
    with bot.session() as session:
        enqueue(
            session,
            key="choices",
            chat_id=str(FIRST_USER),
            kind="notice",
            text="mới",
            now=bot.clock.now(),
            choices=rows_to_json([[Choice("Xong", ("st", "done", 7))]]),
        )
        old = enqueue(
            session,
            key="legacy",
            chat_id=str(FIRST_USER + 1),
            kind="notice",
            text="cũ",
            now=bot.clock.now(),
        )
        assert old is not None
        old.payload = {"text": "cũ", "reply_markup": legacy}
        session.commit()
    wake(bot.app)
    new = await bot.server.wait_for_message(FIRST_USER, timeout=10)
    signed = sign(bot.services.button_key, str(FIRST_USER), "st", "done", 7)
    assert new.reply_markup == {"inline_keyboard": [[{"text": "Xong", "callback_data": signed}]]}
    kept = await bot.server.wait_for_message(FIRST_USER + 1, timeout=10)
    assert kept.reply_markup == legacy


async def test_an_unexpected_delivery_error_is_logged_and_retried_later(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """A message whose document is gone fails with a logged traceback and goes back in line."""
    start_users(bot.server, [FIRST_USER])
    with bot.session() as session:
        row = enqueue(
            session,
            key="gone:1",
            chat_id=str(FIRST_USER),
            kind="notice",
            text="Báo cáo đính kèm",
            now=bot.clock.now(),
            extra={"document": {"path": "/nonexistent/report.xlsx", "file_name": "r.xlsx"}},
        )
        session.commit()
    assert row is not None
    wake(bot.app)

    def pending_again() -> bool:
        with bot.session() as session:
            again = session.get(Outbox, row.id)
        return again is not None and again.status == "pending" and again.error is not None

    await bot.server.wait_until(pending_again, timeout=10)
    [logged] = [r for r in caplog.records if f"delivering outbox {row.id}" in r.getMessage()]
    assert logged.levelno == logging.ERROR
    assert logged.exc_info is not None
    with bot.session() as session:
        again = session.get(Outbox, row.id)
    assert again is not None
    assert again.not_before > bot.clock.now()
    assert "FileNotFoundError" in (again.error or "")


LONG_LINES = [f"**{n}**. Xã Thử {n:04d}: chưa báo cáo, quá hạn 3 ngày" for n in range(250)]
SHOWN_LINES = [f"{n}. Xã Thử {n:04d}: chưa báo cáo, quá hạn 3 ngày" for n in range(250)]


async def send_long_notice(bot: BotUnderTest) -> None:
    """Queue a 13,000-character notice with a keyboard and wait until it is marked sent."""
    start_users(bot.server, [FIRST_USER])
    choices = rows_to_json([[Choice("Xem", ("x",))]])
    with bot.session() as session:
        row = enqueue(
            session,
            key="long:1",
            chat_id=str(FIRST_USER),
            kind="notice",
            text="\n".join(LONG_LINES),
            now=bot.clock.now(),
            choices=choices,
        )
        session.commit()
    assert row is not None
    wake(bot.app)

    def status() -> str:
        with bot.session() as session:
            again = session.get(Outbox, row.id)
        return again.status if again is not None else ""

    await bot.server.wait_until(lambda: status() == "sent", timeout=15)


async def test_a_message_too_long_for_telegram_goes_in_parts_at_line_boundaries(
    bot: BotUnderTest,
) -> None:
    """A 13,000-character notice arrives in whole-line parts, its keyboard on the last."""
    await send_long_notice(bot)
    parts = bot.server.messages(FIRST_USER)
    assert len(parts) > 1
    assert all(len(p.text or "") <= 4096 for p in parts)
    assert [line for p in parts for line in (p.text or "").split("\n")] == SHOWN_LINES
    assert [p.reply_markup is not None for p in parts] == [False] * (len(parts) - 1) + [True]


async def test_a_part_that_fails_is_retried_without_repeating_the_parts_before(
    bot: BotUnderTest,
) -> None:
    """A 502 on the second part: it is sent again, the first part is not."""
    bot.server.add_fault(
        FaultRule(Fault.server_error(), methods=("sendMessage",), skip=1, times=1)
    )
    await send_long_notice(bot)
    parts = bot.server.messages(FIRST_USER)
    assert [line for p in parts for line in (p.text or "").split("\n")] == SHOWN_LINES


async def test_a_blocked_chat_hands_the_reminder_to_the_persons_other_chat(
    bot: BotUnderTest,
) -> None:
    """403 on Telegram for someone also on the text channel: the row goes there, once."""
    blocked = FIRST_USER + 1
    with bot.session() as session:
        units = province(session, 3, first_user=FIRST_USER)
        on_telegram = identity(session, blocked)
        on_telegram.last_seen_at = at(WED, 8)  # used last: the reminder goes there first
        contact_id = on_telegram.contact_id
        session.add(
            ContactIdentity(
                contact_id=contact_id,
                channel="text",
                external_id="e0e0e0e0",
                chat_id="e0e0e0e0",
                started=True,
            )
        )
        session.commit()
        task_for(session, units, WED, at(WED, 7))
    start_users(bot.server, [FIRST_USER + i for i in range(3)])
    bot.server.block(blocked, notify=False)
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    wake(bot.app)

    def moved() -> list[tuple[str, str, str]]:
        with bot.session() as session:
            rows = session.exec(select(Outbox).where(Outbox.contact_id == contact_id)).all()
        return [(r.channel, r.chat_id, r.status) for r in rows]

    await bot.server.wait_until(lambda: moved() == [("text", "e0e0e0e0", "pending")], timeout=15)
    with bot.session() as session:
        assert identity(session, blocked).reachable is False
        assert identity(session, "e0e0e0e0", "text").reachable is True
    others = {FIRST_USER, FIRST_USER + 2}
    await bot.server.wait_until(lambda: len(delivered(bot)) >= len(others), timeout=15)
    assert {c.params["chat_id"] for c in delivered(bot)} == others


async def test_a_reminder_queued_to_both_people_merged_goes_once(bot: BotUnderTest) -> None:
    """Lan on Telegram follows Xã A and Xã B; Lan on the text channel, registered again,
    Xã A. Each was queued today's reminder; then she joined the two (`/link`). The text
    channel, the chat she used last, keeps Xã A's copy: Telegram's reminder goes composed
    again with Xã B alone, its text, its buttons and what a reply is about."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    with bot.session() as session:
        a, b = make_unit(session, "XA", "Xã A"), make_unit(session, "XB", "Xã B")
        lan = make_contact(session, FIRST_USER, units=[a, b], name="Lan").id or 0
        lan_z = make_contact(session, 0, units=[a], name="Lan", channel="text",
                             external_id="e1e1e1e1").id or 0  # fmt: skip
        identity(session, "e1e1e1e1", "text").last_seen_at = at(WED, 8)
        session.commit()
        task_for(session, [a, b], date(2026, 11, 20), at(WED, 7))
        on_b = session.exec(select(Assignment.id).where(Assignment.unit_id == b.id)).one()
    start_users(bot.server, [FIRST_USER])
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    with bot.session() as session:
        merge_people(session, source_id=lan, target_id=lan_z, now=bot.clock.now())
        session.commit()
    wake(bot.app)
    [sent] = [await bot.server.wait_for_message(FIRST_USER, timeout=10)]
    text = sent.text or ""
    assert "Đơn vị: Xã B\n" in text
    assert "Xã A" not in text
    assert sent.reply_markup is not None
    assert len([b for row in sent.reply_markup["inline_keyboard"] for b in row]) == 4

    def settled() -> Outbox | None:
        with bot.session() as session:
            row = session.exec(select(Outbox).where(Outbox.chat_id == str(FIRST_USER))).one()
        return row if row.status == "sent" else None

    row = await bot.server.wait_for(settled, timeout=10)
    with bot.session() as session:
        items = session.exec(
            select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == row.id)
        )
        assert list(items) == [on_b]
        text_copy = session.exec(select(Outbox).where(Outbox.channel == "text")).one()
    assert (text_copy.status, text_copy.contact_id) == ("pending", lan_z)  # its copy, kept
    assert bot.server.messages(FIRST_USER) == [sent]


async def drained(bot: BotUnderTest) -> None:
    """Run the sender once, to its end."""
    wake(bot.app)
    sender = bot.app.bot_data.sender_task
    assert sender is not None
    await asyncio.wait_for(sender, 10)


def queue_edited(bot: BotUnderTest, not_before_notice: timedelta) -> tuple[int, int]:
    """Queue a notice with a button (going after `not_before_notice`) and an edit of it; return
    both rows' ids."""
    now = bot.clock.now()
    with bot.session() as session:
        notice = enqueue(
            session,
            key="notice",
            chat_id=str(FIRST_USER),
            kind="notice",
            text="Đề nghị",
            now=now,
            choices=rows_to_json([[Choice("Đồng ý", ("xt", "ok", 1))]]),
            not_before=now + not_before_notice,
        )
        assert notice is not None
        edit = enqueue(
            session,
            key="notice-shown",
            chat_id=str(FIRST_USER),
            kind="notice",
            text="Đề nghị\n\nĐã duyệt",
            now=now,
            extra={EDIT_OF: notice.id},
        )
        assert edit is not None
        session.commit()
        return notice.id or 0, edit.id or 0


def status_of(bot: BotUnderTest, outbox_id: int) -> str:
    """Return an outbox row's status."""
    with bot.session() as session:
        row = session.get(Outbox, outbox_id)
        assert row is not None
        return row.status


async def test_an_edit_waits_for_its_notice_then_drops_its_buttons(bot: BotUnderTest) -> None:
    """An edit queued while its notice waits for later is not made (nothing to edit yet);
    once the notice went, the edit replaces its text and drops its buttons, made once."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    start_users(bot.server, [FIRST_USER])
    notice, edit = queue_edited(bot, timedelta(hours=1))
    await drained(bot)
    assert (status_of(bot, notice), status_of(bot, edit)) == ("pending", "pending")
    assert bot.server.messages(FIRST_USER) == []
    bot.clock.advance(timedelta(hours=1))
    await drained(bot)
    if status_of(bot, edit) == "pending":  # put off while the notice was still to go
        bot.clock.advance(timedelta(minutes=1))
        await drained(bot)
    assert (status_of(bot, notice), status_of(bot, edit)) == ("sent", "sent")
    [shown] = bot.server.messages(FIRST_USER)
    assert (shown.text, shown.reply_markup) == ("Đề nghị\n\nĐã duyệt", None)
    assert len(bot.server.calls("editMessageText")) == 1


async def test_the_edit_of_a_notice_that_never_went_is_dropped(bot: BotUnderTest) -> None:
    """A notice given up (failed): its edit is cancelled, never sent as a message."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    start_users(bot.server, [FIRST_USER])
    notice, edit = queue_edited(bot, timedelta(hours=1))
    with bot.session() as session:
        row = session.get(Outbox, notice)
        assert row is not None
        row.status = "failed"
        session.add(row)
        session.commit()
    await drained(bot)
    assert status_of(bot, edit) == "cancelled"
    assert bot.server.messages(FIRST_USER) == []
