"""/tasks and changing a task: deadline, units, close, cancel; each change audited."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import event
from sqlmodel import Session, col, select

from core.taskdates import due_at
from db.models import Assignment, AuditLog, ExtensionRequest, Outbox, StatusReport, Task, Unit
from db.queries.reports import record_report
from db.queries.taskcounts import drift, stored_counts
from devtools.fakebotapi import ChatMessage
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons
from tests.scheduler.support import assigned_at, context, messages_to


def _task(bot: BotUnderTest, title: str = "Báo cáo CĐS", n_units: int = 3) -> int:
    """Create a task for n new communes, the first of them done; return its id."""
    with bot.session() as s:
        units = [make_unit(s, f"{title}-{i}", f"Xã {title} {i}") for i in range(n_units)]
        task = make_task(s, title, date(2026, 12, 15), units)
        first = s.exec(select(Assignment).where(Assignment.task_id == task.id)).first()
        assert first is not None
        record_report(s, assignment_id=first.id or 0, state="done", now=bot.clock.now())
        s.commit()
        assert task.id is not None
        return task.id


@contextmanager
def _loaded_assignments() -> Iterator[list[Assignment]]:
    """Collect every assignment read as an ORM object while the block runs."""
    loaded: list[Assignment] = []

    def count(target: Assignment, _context: object) -> None:
        loaded.append(target)

    event.listen(Assignment, "load", count)
    try:
        yield loaded
    finally:
        event.remove(Assignment, "load", count)


def _audit(bot: BotUnderTest) -> list[str]:
    """Return the audit actions, oldest first."""
    with bot.session() as s:
        return [e.action for e in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


async def test_tasks_lists_number_deadline_and_progress_paged(bot: BotUnderTest) -> None:
    """Open tasks show #id, deadline and done/assigned; a second page is a press away."""
    first = _task(bot)
    with bot.session() as s:
        unit = make_unit(s, "Y1")
        for i in range(11):
            make_task(s, f"Việc phụ {i}", date(2026, 12, 20), [unit])
    reply = await bot.send(ADMIN_ID, "/tasks")
    text = reply.text or ""
    assert f"#{first} Báo cáo CĐS · hạn 15/12/2026 · xong 1/3" in text
    assert "Trang 1/2" in text
    await bot.press(ADMIN_ID, button_data(reply, "Sau"))
    await bot.server.wait_until(
        lambda: "Trang 2/2" in (bot.server.messages(ADMIN_ID)[-1].text or "")
    )


async def test_tasks_with_a_bare_number_shows_that_task_as_summary_does(bot: BotUnderTest) -> None:
    """`/tasks 2` is task #2 (as `/summary 2`, `/deadline 2`, `/closetask 2` read it), not
    page 2; `/tasks trang 2` is page 2."""
    first = _task(bot)
    with bot.session() as s:
        unit = make_unit(s, "Y1")
        for i in range(11):
            make_task(s, f"Việc phụ {i}", date(2026, 12, 20), [unit])
    card = await bot.send(ADMIN_ID, f"/tasks {first}")
    assert "Tình trạng" in (card.text or "")
    assert "Báo cáo CĐS" in (card.text or "")
    assert "Trang" not in (card.text or "")
    page = await bot.send(ADMIN_ID, "/tasks trang 2")
    assert "Trang 2/2" in (page.text or "")


# Created in this order; listed by deadline, then the title in Vietnamese order.
TIED_TASKS = [
    ("Xã Xuân", date(2026, 12, 10)),
    ("Xã Bắc", date(2026, 12, 10)),
    *((title, date(2026, 12, 15)) for title in ("Xã Yên", "Xã Đông", "Xã Bình", "Xã Ân")),
    *((title, date(2026, 12, 15)) for title in ("Xã An", "Xã Dương", "Xã Cam", "Xã Ơn")),
    *((title, date(2026, 12, 15)) for title in ("Xã Ô Loan", "Xã Giang", "Xã Hòa", "Xã Ea")),
    ("Xã Ăn", date(2026, 12, 15)),
]
TIED_ORDER = [  # a page of ten, then the rest
    [
        *("Xã Bắc", "Xã Xuân", "Xã An", "Xã Ăn", "Xã Ân"),
        *("Xã Bình", "Xã Cam", "Xã Dương", "Xã Đông", "Xã Ea"),
    ],
    ["Xã Giang", "Xã Hòa", "Xã Ô Loan", "Xã Ơn", "Xã Yên"],
]
LISTED = re.compile(r"#\d+ (.+?) · hạn")


def make_tied_tasks(s: Session) -> None:
    """Make TIED_TASKS, each for one commune, in the order written."""
    unit = make_unit(s, "T1", "Xã Thử")
    for title, deadline in TIED_TASKS:
        make_task(s, title, deadline, [unit])


async def test_tasks_of_one_deadline_are_listed_by_title_across_pages(bot: BotUnderTest) -> None:
    """Tasks due the same day are listed by title in Vietnamese order, as every other list
    does (`in_force_order`), not by number; the second page goes on where the first ended."""
    with bot.session() as s:
        make_tied_tasks(s)
    reply = await bot.send(ADMIN_ID, "/tasks")
    first = LISTED.findall(reply.text or "")
    await bot.press(ADMIN_ID, button_data(reply, "Sau"))
    await bot.server.wait_until(
        lambda: "Trang 2/2" in (bot.server.messages(ADMIN_ID)[-1].text or "")
    )
    second = LISTED.findall(bot.server.messages(ADMIN_ID)[-1].text or "")
    assert [first, second] == TIED_ORDER


async def test_deadline_change_moves_assignments_but_not_a_later_extension(
    bot: BotUnderTest,
) -> None:
    """Every assignment gets the new deadline and due time, except one extended beyond it."""
    task_id = _task(bot)
    with bot.session() as s:
        extended = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()[1]
        extended.deadline = date(2027, 1, 15)
        s.add(extended)
        s.add(
            ExtensionRequest(
                assignment_id=extended.id or 0,
                requested_deadline=date(2027, 1, 15),
                status="approved",
            )
        )
        s.commit()
    reply = await bot.send(ADMIN_ID, f"/deadline #{task_id} 5/1/2027")
    assert "05/01/2027" in (reply.text or "")
    assert "gia hạn" in (reply.text or "")
    with bot.session() as s:
        task = s.get(Task, task_id)
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert task is not None
    assert task.deadline == date(2027, 1, 5)
    deadlines = sorted(a.deadline for a in rows)
    assert deadlines == [date(2027, 1, 5), date(2027, 1, 5), date(2027, 1, 15)]
    assert all(a.due_at == due_at(a.deadline, VN) for a in rows)
    assert "task.deadline_changed" in _audit(bot)


async def test_deadline_change_on_holiday_moves_and_bad_date_is_explained(
    bot: BotUnderTest,
) -> None:
    """A new deadline on a holiday moves to the next working day; 31/02 is refused."""
    task_id = _task(bot)
    assert "31/02" in ((await bot.send(ADMIN_ID, f"/deadline {task_id} 31/02/2027")).text or "")
    reply = await bot.send(ADMIN_ID, "/deadline Báo cáo CĐS | 1/1/2027")
    assert "04/01/2027" in (reply.text or "")  # 1/1 is New Year, then a weekend
    assert "Điều 148" in (reply.text or "")


async def test_assign_and_unassign_keep_history(bot: BotUnderTest) -> None:
    """Units are added by name; a removed unit's assignment stays, inactive."""
    task_id = _task(bot)
    with bot.session() as s:
        make_unit(s, "NEW", "Xã Mới")
    added = await bot.send(ADMIN_ID, f"/assign #{task_id} Xã Mới")
    assert "1 đơn vị (tổng 4)" in (added.text or "")
    removed = await bot.send(ADMIN_ID, f"/unassign #{task_id} Xã Báo cáo CĐS 0")
    assert "còn 3" in (removed.text or "")
    with bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert len(rows) == 4
    assert sum(not a.active for a in rows) == 1
    assert "task.assignees_added" in _audit(bot)
    assert "task.assignees_removed" in _audit(bot)
    unknown = await bot.send(ADMIN_ID, f"/assign #{task_id} Xã Không Có")
    assert "Xã Không Có" in (unknown.text or "")


async def test_close_from_card_and_cancel_by_title(bot: BotUnderTest) -> None:
    """A task closes from its card after a confirmation; another is cancelled by title."""
    first = _task(bot)
    second = _task(bot, "Kiểm tra an toàn")
    listing = await bot.send(ADMIN_ID, "/tasks")
    await bot.press(ADMIN_ID, button_data(listing, f"#{first}"))
    card = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Tình trạng" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(card, "Đóng nhiệm vụ"))
    ask = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đóng nhiệm vụ" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(ask, "Đồng ý"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã đóng" in (m.text or ""))
    cancelled = await bot.send(ADMIN_ID, "/canceltask kiem tra an toan")
    assert f"Đã hủy nhiệm vụ #{second}" in (cancelled.text or "")
    with bot.session() as s:
        statuses = [s.get(Task, i).status for i in (first, second)]  # type: ignore[union-attr]
    assert statuses == ["closed", "cancelled"]
    refused = await bot.send(ADMIN_ID, f"/deadline #{first} 20/12/2026")
    assert "đã đóng" in (refused.text or "")
    assert {"task.closed", "task.cancelled"} <= set(_audit(bot))


async def test_a_task_named_by_part_of_its_title_is_asked_about_before_it_ends(
    bot: BotUnderTest,
) -> None:
    """ "/closetask Kế" (two letters of one task's title) asks with the card's confirm
    button and ends nothing until it is pressed; /canceltask likewise."""
    plan = _task(bot, "Kế hoạch phòng chống lụt bão")
    check = _task(bot, "Kiểm tra an toàn")
    asked = await bot.send(ADMIN_ID, "/closetask Kế")
    assert f"Đóng nhiệm vụ #{plan}" in (asked.text or "")
    asked_cancel = await bot.send(ADMIN_ID, "/canceltask kiem tra")
    assert f"Hủy nhiệm vụ #{check}" in (asked_cancel.text or "")
    with bot.session() as s:
        statuses = [s.get(Task, i).status for i in (plan, check)]  # type: ignore[union-attr]
    assert statuses == ["open", "open"]
    await bot.press(ADMIN_ID, button_data(asked, "Đồng ý"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã đóng" in (m.text or ""))
    with bot.session() as s:
        statuses = [s.get(Task, i).status for i in (plan, check)]  # type: ignore[union-attr]
    assert statuses == ["closed", "open"]


async def test_a_kind_naming_many_units_is_confirmed_by_a_button(bot: BotUnderTest) -> None:
    """ "/assign #1 xã" (every commune) says how many units it would add, adds none until
    "Đồng ý" is pressed, and only once."""
    task_id = _task(bot, n_units=3)
    with bot.session() as s:
        for n in range(12):
            make_unit(s, f"XM{n:02}", f"Xã Mới {n}")
    asked = await bot.send(ADMIN_ID, f"/assign #{task_id} xã")
    assert "thêm cho 12 đơn vị" in (asked.text or "")
    with bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert len(rows) == 3
    await bot.press(ADMIN_ID, button_data(asked, "Đồng ý"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "12 đơn vị (tổng 15)" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(asked, "Đồng ý"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Nút này đã cũ" in (m.text or ""))
    with bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert len(rows) == 15


async def test_ambiguous_title_offers_buttons(bot: BotUnderTest) -> None:
    """A title part that fits several tasks is answered with one button per task."""
    _task(bot, "Báo cáo tháng 11")
    _task(bot, "Báo cáo tháng 12")
    reply = await bot.send(ADMIN_ID, "/closetask Báo cáo tháng")
    assert "2 nhiệm vụ" in (reply.text or "")
    assert button_data(reply, "Báo cáo tháng 12")


async def test_deadline_change_moves_many_units_without_loading_each(bot: BotUnderTest) -> None:
    """A task of 40 units moves in statements: no assignment is read as an object.

    A task of a whole country is thousands of assignments; moved one object at a time, the
    database's write lock was held most of a second while every tap waited for it.
    """
    task_id = _task(bot, n_units=40)
    with _loaded_assignments() as loaded:
        reply = await bot.send(ADMIN_ID, f"/deadline #{task_id} 5/1/2027")
    assert "40" in (reply.text or "")
    assert loaded == []
    with bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert {a.deadline for a in rows} == {date(2027, 1, 5)}
    assert all(a.due_at == due_at(a.deadline, VN) for a in rows)


async def _confirmed(bot: BotUnderTest, command: str) -> ChatMessage:
    """Send a command that asks first, press its "Đồng ý", return the answer to that."""
    asked = await bot.send(ADMIN_ID, command)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(asked, "Đồng ý"))
    return await bot.server.wait_for_message(ADMIN_ID, after=after)


async def test_assign_and_unassign_many_units_without_loading_each(bot: BotUnderTest) -> None:
    """Forty units are added, taken off and brought back in statements: no assignment is
    read as an object, and every row keeps its deadlines and due time.

    A task of a whole country is thousands of assignments; added or removed one object at a
    time, the database's write lock was held most of a second while every tap waited for it.
    """
    task_id = _task(bot)
    with bot.session() as s:
        for i in range(40):
            make_unit(s, f"NHOM-{i}", f"Xã Nhóm {i}", groups=["Vùng cao"])
    with _loaded_assignments() as loaded:  # each asked first: a group of 40 units
        added = await _confirmed(bot, f"/assign #{task_id} Vùng cao")
        removed = await _confirmed(bot, f"/unassign #{task_id} Vùng cao")
        back = await _confirmed(bot, f"/assign #{task_id} Vùng cao")
    assert "40 đơn vị (tổng 43)" in (added.text or "")
    assert "còn 3" in (removed.text or "")
    assert "40 đơn vị (tổng 43)" in (back.text or "")
    assert loaded == []
    with bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
    assert len(rows) == 43
    assert all(a.active for a in rows)
    assert {(a.original_deadline, a.deadline) for a in rows} == {(date(2026, 12, 15),) * 2}
    assert all(a.due_at == due_at(a.deadline, VN) for a in rows)


async def test_tasks_number_shows_that_task_closed_or_cancelled_too(bot: BotUnderTest) -> None:
    """`/tasks #N` shows task N's card, as on Zalo: an open one with its buttons, a closed
    or cancelled one with its status and the one to reopen it; a title naming two offers
    both."""
    open_id, closed_id = _task(bot, "Kế hoạch CĐS"), _task(bot, "Kế hoạch số hóa")
    done = await bot.send(ADMIN_ID, f"/closetask #{closed_id}")
    assert "Đã đóng" in (done.text or "")
    shown = await bot.send(ADMIN_ID, f"/tasks #{open_id}")
    assert f"#{open_id} Kế hoạch CĐS" in (shown.text or "")
    assert button_data(shown, "Đóng")
    closed = await bot.send(ADMIN_ID, f"/tasks #{closed_id}")
    assert "Tình trạng: đóng" in (closed.text or "")
    assert [label for label, _ in buttons(closed)] == ["↺ Mở lại nhiệm vụ"]
    unknown = await bot.send(ADMIN_ID, "/tasks #999")
    assert "Không tìm thấy nhiệm vụ «#999»" in (unknown.text or "")
    both = await bot.send(ADMIN_ID, "/tasks Kế hoạch")
    assert "khớp 2 nhiệm vụ" in (both.text or "")
    assert button_data(both, f"#{closed_id}")


async def test_rename_gives_a_new_title_and_keeps_the_reports(bot: BotUnderTest) -> None:
    """/renametask #12 <title> renames an open task (audited); its reports stay with it, and
    /tasks and the summary read the new title."""
    task_id = _task(bot, "Báo cáo CĐS quý IV")  # one of its three units reported done
    renamed = await bot.send(ADMIN_ID, f"/renametask #{task_id}   Báo cáo chuyển đổi số  quý IV")
    assert f"#{task_id}" in (renamed.text or "")
    assert "Báo cáo chuyển đổi số quý IV" in (renamed.text or "")
    with bot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert task.title == "Báo cáo chuyển đổi số quý IV"
        reports = s.exec(
            select(StatusReport).join(Assignment).where(Assignment.task_id == task_id)
        )
        assert len(list(reports)) == 1
    assert "task.renamed" in _audit(bot)
    listing = await bot.send(ADMIN_ID, "/tasks")
    assert "Báo cáo chuyển đổi số quý IV" in (listing.text or "")
    summary = await bot.send(ADMIN_ID, f"/summary #{task_id}")
    assert "Báo cáo chuyển đổi số quý IV" in (summary.text or "")
    assert "Đã hoàn thành 1 (đúng hạn 1" in (summary.text or "")


async def test_rename_by_old_title_and_refusals(bot: BotUnderTest) -> None:
    """The old title before a bar names the task; a title with no words, the same title and a
    closed task are each refused with the reason, and nothing changes."""
    task_id = _task(bot, "Kiểm tra an toàn")
    renamed = await bot.send(ADMIN_ID, "/renametask kiem tra an toan | Kiểm tra an toàn PCCC")
    assert "Kiểm tra an toàn PCCC" in (renamed.text or "")
    no_words = await bot.send(ADMIN_ID, f"/renametask #{task_id} 🔥🔥")
    same = await bot.send(ADMIN_ID, f"/renametask #{task_id} Kiểm tra an toàn PCCC")
    assert "không có gì thay đổi" in (same.text or "")
    usage = await bot.send(ADMIN_ID, "/renametask")
    assert "/renametask #12" in (usage.text or "")
    await bot.send(ADMIN_ID, f"/closetask #{task_id}")
    closed = await bot.send(ADMIN_ID, f"/renametask #{task_id} Tên khác")
    assert "đã đóng" in (closed.text or "")
    with bot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert task.title == "Kiểm tra an toàn PCCC"
    assert no_words.text != renamed.text
    assert _audit(bot).count("task.renamed") == 1


async def test_a_renamed_task_is_named_by_its_new_title(bot: BotUnderTest) -> None:
    """After /renametask, "/closetask <new title>" closes it (the old title named it before)."""
    task_id = _task(bot, "Kiểm tra an toàn")
    await bot.send(ADMIN_ID, f"/renametask #{task_id} Kiểm tra phòng cháy")
    closed = await bot.send(ADMIN_ID, "/closetask kiem tra phong chay")
    assert f"#{task_id}" in (closed.text or "")
    with bot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert task.status == "closed"


async def test_a_unit_put_back_by_assign_gets_the_newly_assigned_reminder(
    bot: BotUnderTest,
) -> None:
    """/assign of a unit taken off a month ago starts its assignment afresh at the clock's
    time: the next reminder queued for its contact on Telegram says it is newly assigned."""
    bot.no_morning_dispatch()  # run below, once the unit is back
    with bot.session() as s:
        unit = make_unit(s, "BACK", "Xã Trở Lại")
        other = make_unit(s, "STAY", "Xã Ở Lại")  # a task keeps at least one unit
        make_contact(s, 4242, units=[unit])
        task = make_task(s, "Báo cáo trở lại", date(2026, 11, 20), [unit, other])
        assigned_at(s, task, bot.clock.now() - timedelta(days=30))
        task_id = task.id or 0
    # Told it was taken off: a chat that refused the notice would be left unreachable.
    bot.user(4242)
    await bot.send(4242, "/start")
    await bot.send(ADMIN_ID, f"/unassign #{task_id} Xã Trở Lại")
    await bot.send(ADMIN_ID, f"/assign #{task_id} Xã Trở Lại")
    with bot.session() as s:
        [row] = s.exec(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.unit_id == unit.id)
        ).all()
    assert row.active
    assert row.created_at == bot.clock.now()
    await asyncio.to_thread(dispatch, context(bot.engine), bot.clock.now())
    with bot.session() as s:
        [message] = messages_to(s, 4242)
    assert "Nhiệm vụ mới được giao" in message.payload["text"]


async def test_a_new_unit_assigned_is_stamped_with_the_applications_clock(
    bot: BotUnderTest,
) -> None:
    """/assign of a unit new to the task records its assignment at the clock's time."""
    task_id = _task(bot)
    with bot.session() as s:
        make_unit(s, "NEW", "Xã Mới")
    await bot.send(ADMIN_ID, f"/assign #{task_id} Xã Mới")
    with bot.session() as s:
        newest = s.exec(select(Assignment).order_by(col(Assignment.id).desc())).first()
    assert newest is not None
    assert newest.created_at == bot.clock.now()


OFFICIAL, OFFICIAL_EN = 7301, 7302


def _told(bot: BotUnderTest) -> list[Outbox]:
    """Return the notices of task changes queued, oldest first."""
    with bot.session() as s:
        query = select(Outbox).where(col(Outbox.key).startswith("task-changed:"))
        return list(s.exec(query.order_by(col(Outbox.id))))


async def test_units_hear_of_a_new_deadline_a_new_title_and_the_end(bot: BotUnderTest) -> None:
    """The contacts of the units on the task are told on Telegram (each in their language)
    of a deadline moved, a new title, a task cancelled; the unit done hears of no deadline."""
    task_id = _task(bot)
    with bot.session() as s:
        units = s.exec(select(Assignment.unit_id).where(Assignment.task_id == task_id)).all()
        done, pending = (s.get_one(Unit, u) for u in units[:2])
        make_contact(s, OFFICIAL, units=[pending], name="Lan")
        make_contact(s, OFFICIAL_EN, units=[done], name="Mai", language="en")
    for user, name in ((OFFICIAL, "Lan"), (OFFICIAL_EN, "Mai")):
        bot.user(user, name)
        await bot.send(user, "/start")  # Telegram lets a bot write only to who started it
    moved = (await bot.send(ADMIN_ID, f"/deadline #{task_id} 18/12/2026")).text or ""
    assert "Đã báo cho 1 người phụ trách" in moved
    told = await bot.server.wait_for_message(OFFICIAL, lambda m: "18/12/2026" in (m.text or ""))
    assert f"#{task_id} Báo cáo CĐS đã được đổi hạn từ 15/12/2026 sang" in (told.text or "")
    await bot.send(ADMIN_ID, f"/renametask #{task_id} Báo cáo CĐS 2026")
    renamed = await bot.server.wait_for_message(OFFICIAL_EN, lambda m: "renamed" in (m.text or ""))
    assert '"Báo cáo CĐS" → "Báo cáo CĐS 2026"' in (renamed.text or "")
    await bot.send(ADMIN_ID, f"/canceltask #{task_id}")
    await bot.server.wait_for_message(OFFICIAL, lambda m: "đã bị hủy" in (m.text or ""))
    await bot.server.wait_for_message(OFFICIAL_EN, lambda m: "cancelled" in (m.text or ""))
    await bot.server.wait_until(lambda: {o.status for o in _told(bot)} == {"sent"})
    expected = (OFFICIAL, *[OFFICIAL, OFFICIAL_EN] * 2)  # the unit done hears no new deadline
    assert [o.chat_id for o in _told(bot)] == [str(u) for u in expected]


async def test_a_change_after_hours_is_told_to_the_units_next_morning(bot: BotUnderTest) -> None:
    """A deadline moved at 19:00 is told at 07:30 the next working day, and the admin knows."""
    task_id = _task(bot)
    with bot.session() as s:
        unit = s.exec(select(Assignment.unit_id).where(Assignment.task_id == task_id)).all()[1]
        make_contact(s, OFFICIAL, units=[s.get_one(Unit, unit)], name="Lan")
    bot.user(OFFICIAL, "Lan")
    bot.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    moved = (await bot.send(ADMIN_ID, f"/deadline #{task_id} 18/12/2026")).text or ""
    assert "Đang ngoài giờ làm việc" in moved
    [row] = _told(bot)
    assert row.not_before.astimezone(VN).date() == date(2026, 11, 19)
    assert row.status == "pending"


async def test_unassign_of_the_last_unit_is_refused(bot: BotUnderTest) -> None:
    """Taking every unit left off an open task is refused with /canceltask and /assign named."""
    task_id = _task(bot, n_units=1)
    refused = (await bot.send(ADMIN_ID, f"/unassign #{task_id} Báo cáo CĐS-0")).text or ""
    assert "sẽ không còn đơn vị nào" in refused
    assert f"/canceltask #{task_id}" in refused
    with bot.session() as s:
        assert s.exec(select(Assignment.active).where(Assignment.task_id == task_id)).all() == [
            True
        ]


async def test_a_closed_task_is_reopened_by_its_number(bot: BotUnderTest) -> None:
    """/reopentask #12 opens a task closed by mistake again, naming its deadline; the
    refusal to change a closed task points to it."""
    task_id = _task(bot)
    await bot.send(ADMIN_ID, f"/closetask #{task_id}")
    refused = await bot.send(ADMIN_ID, f"/assign #{task_id} X1")
    assert f"/reopentask #{task_id}" in (refused.text or "")
    reopened = await bot.send(ADMIN_ID, f"/reopentask #{task_id}")
    assert f"Đã mở lại nhiệm vụ #{task_id}" in (reopened.text or "")
    with bot.session() as s:
        assert s.get(Task, task_id).status == "open"  # type: ignore[union-attr]


async def test_a_task_reopened_leaves_off_a_unit_deactivated_while_it_was_closed(
    bot: BotUnderTest,
) -> None:
    """A commune deactivated (merged away) while its task was closed is not brought back by
    /reopentask: it was overdue and "not reported" again in the summary and the digest for
    good, its reports refused; the admin is told it was taken off, its row kept."""
    with bot.session() as s:
        merged, kept = make_unit(s, "X1", "Xã Tam Xuân"), make_unit(s, "X2", "Xã Tam Anh")
        task_id = make_task(s, "Kế hoạch CĐS", date(2026, 11, 10), [merged, kept]).id or 0
        ids = {merged.id: False, kept.id: True}
    await bot.send(ADMIN_ID, f"/closetask #{task_id}")
    assert "Đã ngừng theo dõi" in ((await bot.send(ADMIN_ID, "/deactivate X1")).text or "")
    reopened = (await bot.send(ADMIN_ID, f"/reopentask #{task_id}")).text or ""
    assert "Đã bớt 1 đơn vị đã ngừng theo dõi khỏi nhiệm vụ (Xã Tam Xuân)" in reopened
    summary = (await bot.send(ADMIN_ID, f"/summary #{task_id}")).text or ""
    assert "Xã Tam Xuân" not in summary
    assert "Xã Tam Anh" in summary
    with bot.session() as s:
        assert drift(s) == []
        [counts] = stored_counts(s, now=bot.clock.now(), tasks=[task_id]).values()
        assert (counts.overdue, counts.no_report) == (1, 1)  # Xã Tam Anh alone
        rows = select(Assignment.unit_id, Assignment.active).where(Assignment.task_id == task_id)
        assert dict(s.exec(rows).all()) == ids


async def test_a_cancelled_tasks_card_reopens_it(bot: BotUnderTest) -> None:
    """The card of a cancelled task offers to reopen it; the press reopens it once, and a
    second press of the old button says it is open."""
    task_id = _task(bot)
    await bot.send(ADMIN_ID, f"/canceltask #{task_id}")
    card = await bot.send(ADMIN_ID, f"/tasks #{task_id}")
    data = button_data(card, "Mở lại")
    await bot.press(ADMIN_ID, data)
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã mở lại" in (m.text or ""))
    with bot.session() as s:
        assert s.get(Task, task_id).status == "open"  # type: ignore[union-attr]
    await bot.press(ADMIN_ID, data)
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "đang mở" in (m.text or ""))
