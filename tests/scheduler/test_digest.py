"""The digest: crontab days as APScheduler reads them, fired on a Monday, queued once."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.digest import remember_digest
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment, Outbox, Unit
from db.queries.reports import record_report
from db.queries.taskadmin import end_task, remove_assignees
from scheduler.cron import aps_days, trigger_for
from scheduler.delivery import wake
from scheduler.digest import CATCH_UP_JOB, JOB_NAME, catch_up, queue_digests
from tests.factories import make_contact, make_task, make_unit, person
from tests.handlers.telegram.summary_data import COORDINATOR, MEMBER, VN, make_province
from tests.harness import ADMIN_ID, BotUnderTest

MONDAY_8 = datetime(2026, 11, 23, 8, 0, tzinfo=VN)


def test_default_cron_fires_on_monday_at_eight() -> None:
    """'0 8 * * 1' (1 = Monday in crontab) next fires on Monday 23/11 08:00 after a Wednesday."""
    trigger = trigger_for("0 8 * * 1", VN)
    wednesday = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
    assert trigger.get_next_fire_time(None, wednesday) == MONDAY_8
    assert MONDAY_8.weekday() == 0


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("MON-FRI", "mon,tue,wed,thu,fri"),
        ("*/2", "tue,thu,sat,sun"),
        ("5-7", "fri,sat,sun"),
        ("*", "*"),
        ("0-6", "*"),
    ],
)
def test_crontab_days_translate_to_apscheduler_names(field: str, expected: str) -> None:
    """Crontab numbers (0 or 7 Sunday, 1 Monday), names, ranges and steps become day names."""
    assert aps_days(field) == expected


def test_bad_crontab_day_is_refused() -> None:
    """A day that does not exist is an error, not a silent wrong day."""
    with pytest.raises(ValueError, match="bad day"):
        aps_days("8")


async def coordinators_digest(bot: BotUnderTest) -> str:
    """Start the coordinator's chat, queue the digests and return the coordinator's."""
    await bot.send(COORDINATOR, "/start")
    assert await asyncio.to_thread(queue_digests, bot.services) >= 1
    with bot.session() as s:
        row = s.exec(
            select(Outbox).where(Outbox.kind == "digest", Outbox.chat_id == str(COORDINATOR))
        ).one()
    return str(row.payload["text"])


async def test_digest_fired_on_monday_queues_one_per_coordinator_once(bot: BotUnderTest) -> None:
    """On Monday at 08:00 the job queues each coordinator's digest; a second firing adds none."""
    with bot.session() as s:
        province = make_province(s)
        unit = s.exec(select(Unit)).first()
        assert unit is not None
        make_task(s, "Nộp số liệu tuần", date(2026, 11, 27), [unit])
        assert province.task1 == 1
    await bot.send(ADMIN_ID, "/start")  # only people who wrote to the bot can be written to
    job = bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0]  # type: ignore[union-attr]
    assert job.next_t is not None
    assert job.next_t.astimezone(VN).weekday() == 0
    assert (job.next_t.astimezone(VN).hour, job.next_t.minute) == (8, 0)
    bot.clock.set(MONDAY_8)
    await job.run(bot.app)
    await job.run(bot.app)
    with bot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert sorted(r.chat_id for r in rows) == sorted([str(ADMIN_ID), str(COORDINATOR)])
    text = next(r.payload["text"] for r in rows if r.chat_id == str(COORDINATOR))
    assert "Số liệu tính đến 08:00 ngày 23/11/2026" in text
    assert "Nhiệm vụ có đơn vị quá hạn: 1" in text
    assert "#1 Ban hành Kế hoạch chuyển đổi số: 3 đơn vị quá hạn, 1 chưa báo cáo" in text
    assert "Xã C: #1 Ban hành Kế hoạch chuyển đổi số, quá 13 ngày" in text
    assert (
        "Từ 16/11/2026 đến nay: 1 báo cáo mới về các nhiệm vụ đang theo dõi"
        " (0 hoàn thành, 0 vướng mắc)" in text
    )
    assert "Nhiệm vụ đến hạn trong tuần (23/11/2026 - 29/11/2026): 1" in text
    assert "**#3 Nộp số liệu tuần**, hạn 27/11/2026" in text


async def test_digest_with_nothing_due_yet_says_so_rather_than_0_of_0(bot: BotUnderTest) -> None:
    """A coordinator whose open tasks are all within their deadline reads that nothing is due
    yet, not "đã hoàn thành 0/0 việc đến hạn"."""
    with bot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        make_task(s, "Nộp số liệu tuần", date(2026, 11, 27), [unit])
    bot.user(COORDINATOR)
    text = await coordinators_digest(bot)
    assert (
        "Đang theo dõi 1 nhiệm vụ: chưa có việc nào đến hạn; 1 việc chưa báo cáo lần nào." in text
    )
    assert "0/0" not in text


async def test_no_digest_for_a_coordinator_with_nothing_in_scope(bot: BotUnderTest) -> None:
    """A coordinator limited to a commune given no task is sent nothing, not a digest of
    zeros; the admin, who follows every task, still gets one."""
    from tests.handlers.telegram.test_summary import limit_to

    with bot.session() as s:
        make_province(s)
        make_unit(s, "XE", "Xã E")
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    await bot.send(ADMIN_ID, "/start")
    limit_to(bot, COORDINATOR, "Chưa giao", ["XE"])
    assert await asyncio.to_thread(queue_digests, bot.services) == 1
    with bot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert [r.chat_id for r in rows] == [str(ADMIN_ID)]


async def test_digest_lists_the_longest_overdue_in_vietnamese_order(bot: BotUnderTest) -> None:
    """Units overdue alike are listed in Vietnamese alphabetical order (Ái, Duy, Đại before
    Tam and Yên), and the ten kept are the first in that order, not in the bytes' (Á and Đ
    sort after Y there, and Xã Ái… and Xã Đại… were left out)."""
    names = ["Xã Yên Phú", "Xã Đại Hồng", "Xã Ái Nghĩa", "Xã Duy Phú"]
    names += [f"Xã Tam {n}" for n in range(1, 9)]
    with bot.session() as s:
        units = [make_unit(s, f"U{i}", name) for i, name in enumerate(names)]
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        make_task(s, "Nộp số liệu tuần", date(2026, 11, 13), units)
    bot.user(COORDINATOR)
    listed = [
        line.removeprefix("• ").split(":")[0]
        for line in (await coordinators_digest(bot)).splitlines()
        if "quá 5 ngày" in line
    ]
    expected = ["Xã Ái Nghĩa", "Xã Duy Phú", "Xã Đại Hồng"] + [f"Xã Tam {n}" for n in range(1, 8)]
    assert listed == expected


async def test_digest_names_the_units_nobody_can_be_reminded_at(bot: BotUnderTest) -> None:
    """A unit with open work whose contacts never started the bot (or none at all) gets
    reminders that go nowhere: the digest names such units, in Vietnamese order; a unit
    someone there can be written to, one whose work is done, and a deactivated one are not
    named."""
    with bot.session() as s:
        silent = [make_unit(s, f"S{i}", name) for i, name in enumerate(["Xã Yên", "Xã Đại"])]
        never = make_unit(s, "N1", "Xã Ái")
        make_contact(s, 7001, units=[never], name="Chưa bắt đầu", started=False)
        heard = make_unit(s, "H1", "Xã Có Người")
        make_contact(s, 7002, units=[heard], name="Đầu mối")
        gone = make_unit(s, "G1", "Xã Đã Nhập")
        gone.active = False
        finished = make_unit(s, "F1", "Xã Xong")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        task = make_task(
            s, "Nộp số liệu", date(2026, 11, 27), [*silent, never, heard, gone, finished]
        )
        done = s.exec(
            select(Assignment).where(
                Assignment.task_id == task.id, Assignment.unit_id == finished.id
            )
        ).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=bot.clock.now())
        s.commit()
    bot.user(COORDINATOR)
    lines = (await coordinators_digest(bot)).splitlines()
    start = next(i for i, line in enumerate(lines) if "không ai nhận được nhắc việc: 3" in line)
    assert lines[start + 1 : start + 4] == ["• Xã Ái", "• Xã Đại", "• Xã Yên"]
    assert not lines[start + 4].startswith("•")


async def test_digest_gives_the_summarys_completion_rate(bot: BotUnderTest) -> None:
    """The digest's completion rate over what is due is the one /summary gives, percent and
    all (it gave 2/5 without the 40,0%)."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    summary = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert await asyncio.to_thread(queue_digests, bot.services) >= 1
    with bot.session() as s:
        row = s.exec(
            select(Outbox).where(Outbox.kind == "digest", Outbox.chat_id == str(COORDINATOR))
        ).one()
    assert "Tỷ lệ hoàn thành/đến hạn: 2/5 = 40,0%." in summary
    assert "đã hoàn thành 2/5 việc đến hạn = 40,0%;" in row.payload["text"]


async def test_digest_in_english_counts_one_report_and_one_task_right(bot: BotUnderTest) -> None:
    """An English digest of one new report and one new task reads right for one (it said
    "1 new reports", "1 new tasks")."""
    with bot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        make_contact(s, COORDINATOR, role="coordinator", name="Coordinator", language="en")
        task = make_task(s, "Weekly figures", date(2026, 11, 27), [unit])
        task.created_at = bot.clock.now() - timedelta(days=1)  # made within the digest's week
        s.add(task)
        assignment = s.exec(select(Assignment).where(Assignment.task_id == task.id)).one()
        record_report(
            s, assignment_id=assignment.id or 0, state="in_progress", now=bot.clock.now()
        )
        s.commit()
    bot.user(COORDINATOR, language="en")
    digest = await coordinators_digest(bot)
    assert "new reports on the tasks followed 1 (done 0, blocked 0); new tasks 1." in digest


async def test_digest_counts_no_report_on_a_cancelled_task_or_a_unit_taken_off(
    bot: BotUnderTest,
) -> None:
    """Of three reports done this week, one on a task since cancelled and one by a unit since
    taken off its task are not in the digest's count, as /summary shows neither: it said
    3 new reports, 2 done, which no summary the coordinator opened could find."""
    with bot.session() as s:
        xa, xb = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        kept = make_task(s, "Việc còn theo dõi", date(2026, 11, 27), [xa, xb])
        cancelled = make_task(s, "Việc đã hủy", date(2026, 11, 27), [xa])
        for task, unit, state in (
            (kept, xa, "in_progress"),
            (kept, xb, "done"),
            (cancelled, xa, "done"),
        ):
            assignment = s.exec(
                select(Assignment).where(
                    Assignment.task_id == task.id, Assignment.unit_id == unit.id
                )
            ).one()
            record_report(s, assignment_id=assignment.id or 0, state=state, now=bot.clock.now())
        remove_assignees(s, task=kept, unit_ids=[xb.id or 0], actor_id=None)
        end_task(s, task=cancelled, status="cancelled", now=bot.clock.now(), actor_id=None)
        s.commit()
    bot.user(COORDINATOR)
    digest = await coordinators_digest(bot)
    assert "1 báo cáo mới về các nhiệm vụ đang theo dõi (0 hoàn thành, 0 vướng mắc)" in digest


async def test_digest_off_stops_it_for_that_coordinator(bot: BotUnderTest) -> None:
    """/digest off stores the choice; the next digest skips that coordinator."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    await bot.send(ADMIN_ID, "/start")
    assert "Đã tắt" in ((await bot.send(COORDINATOR, "/digest off")).text or "")
    assert "đang tắt" in ((await bot.send(COORDINATOR, "/digest")).text or "")
    with bot.session() as s:
        contact = person(s, str(COORDINATOR))
        assert contact.digest_enabled is False
    bot.clock.set(MONDAY_8)
    await bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0].run(bot.app)  # type: ignore[union-attr]
    with bot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert [r.chat_id for r in rows] == [str(ADMIN_ID)]
    assert "Đã bật" in ((await bot.send(COORDINATOR, "/digest on")).text or "")


async def test_digest_is_refused_to_a_member(bot: BotUnderTest) -> None:
    """A unit's official has no digest command."""
    with bot.session() as s:
        make_province(s)
    bot.user(MEMBER)
    assert "không có quyền" in ((await bot.send(MEMBER, "/digest off")).text or "")


async def test_digest_reads_every_coordinators_counts_before_writing(bot: BotUnderTest) -> None:
    """No assignment is read once the first digest is queued: the write lock is held short.

    The first write takes SQLite's write lock until the commit; each coordinator's counts
    take a country a fifth of a second, and every person's report waited meanwhile.
    """
    with bot.session() as s:
        make_province(s)
    await bot.send(ADMIN_ID, "/start")
    # Each statement with its thread: the bot's other jobs (the reminder sweep reads the
    # assignments too) may run meanwhile, and the digest is made in one worker call.
    seen_in: list[tuple[int, str]] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen_in.append((threading.get_ident(), " ".join(statement.split())))

    job = bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0]  # type: ignore[union-attr]
    bot.clock.set(MONDAY_8)
    event.listen(bot.engine, "before_cursor_execute", seen)
    try:
        await job.run(bot.app)
    finally:
        event.remove(bot.engine, "before_cursor_execute", seen)
    digest_thread = next(t for t, s in seen_in if s.startswith("INSERT INTO outbox"))
    statements = [s for t, s in seen_in if t == digest_thread]
    first_write = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO outbox"))
    assert any("FROM assignment" in s for s in statements[:first_write])
    assert not [s for s in statements[first_write:] if "FROM assignment" in s]
    with bot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert sorted(r.chat_id for r in rows) == sorted([str(ADMIN_ID), str(COORDINATOR)])


async def test_digest_fired_on_a_monday_holiday_goes_out_on_the_next_working_morning(
    bot: BotUnderTest,
) -> None:
    """On Monday 27/04/2026 (Giỗ Tổ Hùng Vương, observed) the 08:00 digest is counted then and
    held until Tuesday 07:30, the next office moment: nobody is written to on a holiday."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    bot.clock.set(datetime(2026, 4, 27, 8, 0, tzinfo=VN))
    await bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0].run(bot.app)  # type: ignore[union-attr]
    with bot.session() as s:
        row = s.exec(select(Outbox).where(Outbox.chat_id == str(COORDINATOR))).one()
    assert row.kind == "digest"
    assert row.not_before == datetime(2026, 4, 28, 7, 30, tzinfo=VN)
    bot.clock.set(datetime(2026, 4, 28, 7, 30, tzinfo=VN))
    wake(bot.app)
    digest = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "Bản tin" in (m.text or ""), timeout=10
    )
    assert "Số liệu tính đến 08:00 ngày 27/04/2026" in (digest.text or "")


async def test_a_digest_missed_while_the_bot_was_down_is_queued_once_when_it_is_back(
    bot: BotUnderTest,
) -> None:
    """Down over Monday 08:00 (last digest a week before), the bot queues the week's digest
    when it is back, counted since the last one, and only once."""
    with bot.session() as s:
        make_province(s)
        remember_digest(s, MONDAY_8 - timedelta(days=7))
        s.commit()
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    bot.clock.set(MONDAY_8 + timedelta(hours=2))
    catch_up = bot.app.job_queue.get_jobs_by_name(CATCH_UP_JOB)[0]  # type: ignore[union-attr]
    await catch_up.run(bot.app)
    await catch_up.run(bot.app)
    wake(bot.app)
    digest = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "Bản tin" in (m.text or ""), timeout=10
    )
    assert "Số liệu tính đến 10:00 ngày 23/11/2026" in (digest.text or "")
    assert "Từ 16/11/2026 đến nay" in (digest.text or "")
    with bot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.chat_id == str(COORDINATOR))).all()
    assert [r.kind for r in rows if r.kind == "digest"] == ["digest"]


async def test_no_digest_is_caught_up_when_the_last_one_went_at_its_time(
    bot: BotUnderTest,
) -> None:
    """The digest of Monday 08:00 went out: a check at 10:00 queues nothing more."""
    with bot.session() as s:
        make_province(s)
        remember_digest(s, MONDAY_8)
        s.commit()
    bot.clock.set(MONDAY_8 + timedelta(hours=2))
    catch_up = bot.app.job_queue.get_jobs_by_name(CATCH_UP_JOB)[0]  # type: ignore[union-attr]
    await catch_up.run(bot.app)
    with bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.kind == "digest")).all() == []


def test_a_digest_held_over_tet_is_left_to_the_next_one_out_the_same_morning(
    settings: Settings, engine: Engine
) -> None:
    """Monday 16/02/2026 is Tết (off to Friday): its 08:00 digest would go out on Monday 23/02
    at 07:30, half an hour before that day's own. Neither the firing nor the catch-up queue
    it: the coordinator gets one digest, Monday's, counted since the one before Tết."""
    before_tet = datetime(2026, 2, 9, 8, 0, tzinfo=VN)
    clock = ManualClock(before_tet)
    services = Services(settings, engine, load_catalog(), clock)
    with Session(engine) as s:
        make_contact(s, COORDINATOR, role="coordinator")
        make_task(s, "Nộp số liệu quý", date(2026, 3, 31), [make_unit(s, "XA", "Xã A")])
        remember_digest(s, before_tet)
        s.commit()
    for moment, run in [
        (datetime(2026, 2, 16, 8, 0, tzinfo=VN), queue_digests),  # the first day of Tết
        (datetime(2026, 2, 18, 10, 0, tzinfo=VN), catch_up),
        (datetime(2026, 2, 23, 7, 40, tzinfo=VN), catch_up),  # back at work, before 08:00
        (datetime(2026, 2, 23, 8, 0, tzinfo=VN), queue_digests),
    ]:
        clock.set(moment)
        run(services)
    with Session(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert [r.not_before.astimezone(VN) for r in rows] == [datetime(2026, 2, 23, 8, 0, tzinfo=VN)]
    assert "Từ 09/02/2026 đến nay" in rows[0].payload["text"]


async def test_digest_names_a_unit_nobody_can_be_reminded_at_as_it_is_spelled(
    bot: BotUnderTest,
) -> None:
    """A unit's name holding a markup character (a backslash, backquotes) is shown as it is
    spelled in the delivered digest (the backslash vanished, `Hòa` turned to code)."""
    names = ["Phòng GD\\ĐT Hội An", "Xã `Hòa` Tiến"]
    with bot.session() as s:
        units = [make_unit(s, f"S{i}", name) for i, name in enumerate(names)]
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        make_task(s, "Nộp số liệu", date(2026, 11, 27), units)
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    assert await asyncio.to_thread(queue_digests, bot.services) >= 1
    wake(bot.app)
    digest = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "Bản tin" in (m.text or ""), timeout=10
    )
    lines = (digest.text or "").splitlines()
    assert "• Phòng GD\\ĐT Hội An" in lines
    assert "• Xã `Hòa` Tiến" in lines
    assert not [e for e in digest.entities if e.get("type") == "code"]


async def test_a_scoped_digest_counts_no_new_task_taken_off_their_units(bot: BotUnderTest) -> None:
    """A coordinator limited to the pilot communes (Xã A, Xã B) is told of the new tasks that
    are theirs: one given to Xã A and Xã C, then taken off Xã A, is not among them (it was
    counted, though /summary names no such task for them)."""
    from tests.handlers.telegram.test_summary import limit_to

    with bot.session() as s:
        make_province(s)
        xa = s.exec(select(Unit).where(Unit.code == "XA")).one()
        xc = s.exec(select(Unit).where(Unit.code == "XC")).one()
        task = make_task(s, "Việc mới của Xã C", date(2026, 11, 27), [xa, xc])
        task.created_at = bot.clock.now() - timedelta(days=1)
        s.add(task)
        remove_assignees(s, task=task, unit_ids=[xa.id or 0], actor_id=None)
        s.commit()
    bot.user(COORDINATOR)
    await bot.send(COORDINATOR, "/start")
    limit_to(bot, COORDINATOR, "Thí điểm", ["XA", "XB"])
    assert "Việc mới" not in ((await bot.send(COORDINATOR, "/summary")).text or "")
    assert await asyncio.to_thread(queue_digests, bot.services) >= 1
    with bot.session() as s:
        row = s.exec(
            select(Outbox).where(Outbox.kind == "digest", Outbox.chat_id == str(COORDINATOR))
        ).one()
    assert "; 0 nhiệm vụ mới." in row.payload["text"]


async def test_digest_lists_the_week_by_the_deadline_in_force(bot: BotUnderTest) -> None:
    """On Wednesday 18/11 a task given Sunday 15/11 is due Monday 16/11, this week, and is
    listed so, with the Sunday beside it; one given Saturday 21/11 is due Monday 23/11, next
    week's, and is not."""
    with bot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        make_task(s, "Nộp số liệu chủ nhật", date(2026, 11, 15), [unit])
        make_task(s, "Nộp số liệu thứ bảy", date(2026, 11, 21), [unit])
    bot.user(COORDINATOR)
    week = (
        (await coordinators_digest(bot))
        .split("**Nhiệm vụ đến hạn trong tuần", 1)[1]
        .split("\n\n")[0]
    )
    assert "(16/11/2026 - 22/11/2026): 1**" in week
    assert "Nộp số liệu chủ nhật**, hạn 16/11/2026 (hạn ghi 15/11/2026 là ngày nghỉ)" in week
    assert "thứ bảy" not in week
