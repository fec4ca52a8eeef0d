"""Changing a task on Zalo, typed as on Telegram: /deadline, /assign, /unassign, /closetask,
/canceltask; each change audited, a title naming several tasks answered by number."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from sqlmodel import col, select

from core.taskdates import due_at
from db.models import Assignment, AuditLog, Outbox, Task
from tests.factories import VN, make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"


def province(zbot: ZaloBot, *titles: str) -> list[int]:
    """Communes X01, X02 and X03, tasks of the titles given to X01 and X02, Hoa a member of
    X01 on Zalo; return the task ids."""
    with zbot.session() as s:
        first, second = make_unit(s, "X01", "Xã An Hòa"), make_unit(s, "X02", "Xã Bình Minh")
        make_unit(s, "X03", "Xã Cẩm Phô")
        ids = [make_task(s, title, date(2026, 12, 1), [first, second]).id or 0 for title in titles]
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    return ids


def assignments(zbot: ZaloBot, task_id: int) -> list[Assignment]:
    """Return a task's assignments, oldest first."""
    with zbot.session() as s:
        query = select(Assignment).where(Assignment.task_id == task_id)
        return list(s.exec(query.order_by(col(Assignment.id))))


def audited(zbot: ZaloBot) -> list[str]:
    """Return the audit actions, oldest first."""
    with zbot.session() as s:
        return [e.action for e in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


def status(zbot: ZaloBot, task_id: int) -> str:
    """Return a task's status."""
    with zbot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task.status


async def test_deadline_moves_every_assignment_and_its_reminders(zbot: ZaloBot) -> None:
    """/deadline #12 dd/mm/yyyy moves the task and its assignments' due times, audited."""
    [task_id] = province(zbot, "Báo cáo quý")
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/12/2026")
    assert f"#{task_id}" in answer
    assert "18/12/2026" in answer
    moved = assignments(zbot, task_id)
    assert [a.deadline for a in moved] == [date(2026, 12, 18)] * 2
    assert all(a.due_at == due_at(date(2026, 12, 18), VN) for a in moved)
    assert "task.deadline_changed" in audited(zbot)


async def test_deadline_to_the_day_it_has_says_nothing_changed(zbot: ZaloBot) -> None:
    """/deadline #12 typed with the day the task has (another spelling of it) says so: it
    said "moved from 01/12/2026 to 01/12/2026", a change that was none."""
    [task_id] = province(zbot, "Báo cáo quý")
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 1-12-2026")
    assert answer.startswith(f"Hạn nhiệm vụ #{task_id} đã là 01/12/2026: không có gì thay đổi")
    assert [a.deadline for a in assignments(zbot, task_id)] == [date(2026, 12, 1)] * 2


async def test_deadline_by_title_after_a_bar(zbot: ZaloBot) -> None:
    """/deadline <title> | <date> names the task by its title."""
    [task_id] = province(zbot, "Báo cáo quý")
    [answer] = await zbot.say(ZALO_ADMIN, "/deadline Báo cáo quý | 17/12/2026")
    assert "17/12/2026" in answer
    assert [a.deadline for a in assignments(zbot, task_id)] == [date(2026, 12, 17)] * 2


async def test_deadline_refuses_an_impossible_or_past_day_and_changes_nothing(
    zbot: ZaloBot,
) -> None:
    """31/02 does not exist and 01/11/2026 is past: each is explained, the deadline stays."""
    [task_id] = province(zbot, "Báo cáo quý")
    [impossible] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 31/02/2027")
    assert "31/02" in impossible
    assert "không tồn tại" in impossible
    [past] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 01/11/2026")
    assert "đã qua" in past
    assert [a.deadline for a in assignments(zbot, task_id)] == [date(2026, 12, 1)] * 2
    assert "task.deadline_changed" not in audited(zbot)


async def test_a_malformed_command_gets_its_usage(zbot: ZaloBot) -> None:
    """Each command without its task (or its date, its units) answers how to type it."""
    province(zbot, "Báo cáo quý")
    for typed in ("/deadline", "/deadline Báo cáo quý", "/assign #1", "/unassign", "/closetask"):
        [answer] = await zbot.say(ZALO_ADMIN, typed)
        assert answer.startswith("Cách dùng:"), typed
    [canceltask] = await zbot.say(ZALO_ADMIN, "/canceltask")
    assert "/canceltask #12" in canceltask


async def test_an_unknown_task_is_named_back(zbot: ZaloBot) -> None:
    """A number or title that names no task says so, and nothing changes."""
    province(zbot, "Báo cáo quý")
    [by_number] = await zbot.say(ZALO_ADMIN, "/closetask #999")
    assert "Không tìm thấy nhiệm vụ «#999»" in by_number
    [by_title] = await zbot.say(ZALO_ADMIN, "/deadline Kiểm tra an toàn | 18/12/2026")
    assert "Không tìm thấy nhiệm vụ «Kiểm tra an toàn»" in by_title
    assert audited(zbot) == []


async def test_assign_and_unassign_units_by_code_keep_history(zbot: ZaloBot) -> None:
    """/assign #12 X03 adds a unit; /unassign #12 X01 deactivates one, its row kept."""
    [task_id] = province(zbot, "Báo cáo quý")
    [added] = await zbot.say(ZALO_ADMIN, f"/assign #{task_id} X03")
    assert "1 đơn vị (tổng 3)" in added
    [removed] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X01")
    assert "còn 2" in removed
    rows = assignments(zbot, task_id)
    assert [a.active for a in rows] == [False, True, True]
    assert {"task.assignees_added", "task.assignees_removed"} <= set(audited(zbot))
    [unknown] = await zbot.say(ZALO_ADMIN, f"/assign #{task_id} X99")
    assert "X99" in unknown


async def test_a_kind_naming_many_units_says_how_many_and_waits_for_1(zbot: ZaloBot) -> None:
    """ "/assign #1 Xã" (every commune) says how many units it would add and adds none until
    "1" confirms; a unit named by its code changes at once."""
    [task_id] = province(zbot, "Báo cáo quý")
    with zbot.session() as s:
        for n in range(4, 16):
            make_unit(s, f"X{n:02}", f"Xã Số {n}")
    [asked] = await zbot.say(ZALO_ADMIN, f"/assign #{task_id} Xã")
    assert f"Giao nhiệm vụ #{task_id} «Báo cáo quý» thêm cho 13 đơn vị" in asked
    assert "1 = Đồng ý" in asked.splitlines()
    assert len(assignments(zbot, task_id)) == 2
    [added] = await zbot.say(ZALO_ADMIN, "1")
    assert "13 đơn vị (tổng 15)" in added
    assert len(assignments(zbot, task_id)) == 15
    [removed] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X03")
    assert "còn 14" in removed


async def test_closetask_and_canceltask_end_a_task_once(zbot: ZaloBot) -> None:
    """/closetask closes one task, /canceltask cancels another; a closed one stays closed."""
    first, second = province(zbot, "Báo cáo quý", "Kiểm tra an toàn")
    [closed] = await zbot.say(ZALO_ADMIN, f"/closetask #{first}")
    # one sentence, title set apart; then who of the units is told
    assert closed.splitlines()[0] == f"Đã đóng nhiệm vụ #{first} Báo cáo quý."
    [cancelled] = await zbot.say(ZALO_ADMIN, "/canceltask kiem tra an toan")
    assert cancelled.splitlines()[0] == f"Đã hủy nhiệm vụ #{second} Kiểm tra an toàn."
    assert (status(zbot, first), status(zbot, second)) == ("closed", "cancelled")
    [again] = await zbot.say(ZALO_ADMIN, f"/deadline #{first} 18/12/2026")
    assert "đã đóng" in again
    assert {"task.closed", "task.cancelled"} <= set(audited(zbot))


async def test_a_task_named_by_part_of_its_title_is_asked_about_before_it_ends(
    zbot: ZaloBot,
) -> None:
    """ "/closetask Kế" (two letters of one task's title) ends nothing until "1" confirms;
    "/canceltask kiem tra" likewise; a number or the whole title ends at once (above)."""
    plan, check = province(zbot, "Kế hoạch phòng chống lụt bão", "Kiểm tra an toàn")
    [asked] = await zbot.say(ZALO_ADMIN, "/closetask Kế")
    assert f"Đóng nhiệm vụ #{plan} «Kế hoạch phòng chống lụt bão»?" in asked
    assert "1 = Đồng ý" in asked.splitlines()
    assert status(zbot, plan) == "open"
    [closed] = await zbot.say(ZALO_ADMIN, "1")
    assert closed.startswith(f"Đã đóng nhiệm vụ #{plan}")
    [asked] = await zbot.say(ZALO_ADMIN, "/canceltask kiem tra")
    assert f"Hủy nhiệm vụ #{check}" in asked
    assert status(zbot, check) == "open"
    await zbot.say(ZALO_ADMIN, "1")
    assert (status(zbot, plan), status(zbot, check)) == ("closed", "cancelled")
    assert audited(zbot) == ["task.closed", "task.cancelled"]


async def test_a_title_naming_two_tasks_is_answered_by_number(zbot: ZaloBot) -> None:
    """Two matching titles are offered numbered; "2" moves the second one's deadline only."""
    november, december = province(zbot, "Báo cáo tháng 11", "Báo cáo tháng 12")
    [offer] = await zbot.say(ZALO_ADMIN, "/deadline Báo cáo tháng | 18/12/2026")
    assert "khớp 2 nhiệm vụ" in offer
    lines = offer.splitlines()
    assert f"1 = #{december} Báo cáo tháng 12" in lines
    assert f"2 = #{november} Báo cáo tháng 11" in lines
    [answer] = await zbot.say(ZALO_ADMIN, "2")
    assert f"#{november}" in answer
    assert "18/12/2026" in answer
    assert [a.deadline for a in assignments(zbot, november)] == [date(2026, 12, 18)] * 2
    assert [a.deadline for a in assignments(zbot, december)] == [date(2026, 12, 1)] * 2


async def test_a_title_naming_two_tasks_closes_the_one_chosen(zbot: ZaloBot) -> None:
    """/closetask with a title fitting two tasks closes the one whose number is typed."""
    november, december = province(zbot, "Báo cáo tháng 11", "Báo cáo tháng 12")
    await zbot.say(ZALO_ADMIN, "/closetask Báo cáo tháng")
    [answer] = await zbot.say(ZALO_ADMIN, "1")
    assert f"Đã đóng nhiệm vụ #{december}" in answer
    assert (status(zbot, november), status(zbot, december)) == ("open", "closed")


async def test_a_title_naming_two_tasks_renames_the_one_chosen(zbot: ZaloBot) -> None:
    """/renametask <old title> | <new title> fitting two tasks renames the one typed by its
    number, audited; the other keeps its title."""
    november, december = province(zbot, "Báo cáo tháng 11", "Báo cáo tháng 12")
    [offer] = await zbot.say(ZALO_ADMIN, "/renametask Báo cáo tháng | Báo cáo tháng 11/2026")
    assert "khớp 2 nhiệm vụ" in offer
    [answer] = await zbot.say(ZALO_ADMIN, "2")
    assert f"#{november}" in answer
    assert "Báo cáo tháng 11/2026" in answer
    with zbot.session() as s:
        titles = [s.get(Task, i).title for i in (november, december)]  # type: ignore[union-attr]
    assert titles == ["Báo cáo tháng 11/2026", "Báo cáo tháng 12"]
    assert audited(zbot) == ["task.renamed"]


async def test_a_member_is_refused_and_nothing_changes(zbot: ZaloBot) -> None:
    """A unit's member typing the admins' task commands is refused each time."""
    [task_id] = province(zbot, "Báo cáo quý")
    for typed in (
        f"/deadline #{task_id} 18/12/2026",
        f"/assign #{task_id} X03",
        f"/unassign #{task_id} X01",
        f"/renametask #{task_id} Tên khác",
        f"/closetask #{task_id}",
        f"/canceltask #{task_id}",
    ):
        [answer] = await zbot.say(HOA, typed)
        assert "không có quyền" in answer, typed
    assert status(zbot, task_id) == "open"
    assert audited(zbot) == []


async def test_english_admin_gets_english_answers(zbot: ZaloBot) -> None:
    """An admin who chose English is answered in English, usage and change alike."""
    [task_id] = province(zbot, "Báo cáo quý")
    await zbot.say(ZALO_ADMIN, "/lang en")
    [usage] = await zbot.say(ZALO_ADMIN, "/deadline")
    assert usage.startswith("Usage:")
    [closed] = await zbot.say(ZALO_ADMIN, f"/closetask #{task_id}")
    assert f"#{task_id}" in closed
    assert "closed" in closed


async def test_deadline_on_a_sunday_moves_to_monday_and_says_why(zbot: ZaloBot) -> None:
    """20/12/2026 is a Sunday: the deadline becomes Monday 21/12, citing art. 148."""
    [task_id] = province(zbot, "Báo cáo quý")
    [answer] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 20/12/2026")
    assert "21/12/2026" in answer
    assert "Điều 148" in answer
    assert [a.deadline for a in assignments(zbot, task_id)] == [date(2026, 12, 21)] * 2


async def test_a_renamed_task_is_found_by_its_new_title_not_its_old_one(zbot: ZaloBot) -> None:
    """After /renametask (typed decomposed, NFD), "/deadline <new title> | <date>" finds the
    task, stored composed; the old title names nothing any more."""
    [task_id] = province(zbot, "Kiểm tra an toàn")
    new_title = unicodedata.normalize("NFD", "Kiểm tra phòng cháy")
    await zbot.say(ZALO_ADMIN, f"/renametask #{task_id} {new_title}")
    [moved] = await zbot.say(ZALO_ADMIN, "/deadline kiem tra phong chay | 18/12/2026")
    assert "18/12/2026" in moved
    [old] = await zbot.say(ZALO_ADMIN, "/deadline Kiểm tra an toàn | 19/12/2026")
    assert "Không tìm thấy nhiệm vụ" in old
    with zbot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert (task.title, task.deadline) == ("Kiểm tra phòng cháy", date(2026, 12, 18))
        assert unicodedata.is_normalized("NFC", task.title)


async def hoa_hears(zbot: ZaloBot, after: int) -> str:
    """Return the one message Hoa receives on Zalo after her first `after` ones."""
    [told] = await zbot.zalo.wait_for_messages(HOA, after=after, count=1, timeout=10)
    return told.text


async def test_units_hear_of_a_new_deadline_a_new_title_and_the_end_once(zbot: ZaloBot) -> None:
    """Hoa, of X01, is told on Zalo when the admin moves the deadline, renames the task
    and closes it, each once, at once in office time; the admin is told she is told."""
    [task_id] = province(zbot, "Báo cáo quý")
    [moved] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/12/2026")
    assert "Đã báo cho 1 người phụ trách" in moved
    told = await hoa_hears(zbot, 0)
    assert f"Nhiệm vụ #{task_id} Báo cáo quý đã được đổi hạn từ 01/12/2026 sang 18/12/2026" in told
    await zbot.say(ZALO_ADMIN, f"/renametask #{task_id} Báo cáo quý IV")
    assert "«Báo cáo quý» → «Báo cáo quý IV»" in await hoa_hears(zbot, 1)
    await zbot.say(ZALO_ADMIN, f"/closetask #{task_id}")
    assert "Báo cáo quý IV đã được đóng" in await hoa_hears(zbot, 2)
    await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 19/12/2026")  # closed: no change, no word
    with zbot.session() as s:
        rows = s.exec(select(Outbox).where(col(Outbox.key).startswith("task-changed:"))).all()
    assert [(r.status, r.chat_id) for r in rows] == [("sent", HOA)] * 3
    assert len(zbot.zalo.messages(HOA)) == 3


async def test_unassigning_a_task_s_last_units_is_refused_with_the_way_out(zbot: ZaloBot) -> None:
    """/unassign of every unit left would leave an open task with none: refused, naming
    /canceltask and /assign; the units stay on it."""
    [task_id] = province(zbot, "Báo cáo quý")
    [refused] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X01, X02")
    assert "sẽ không còn đơn vị nào" in refused
    assert f"/canceltask #{task_id}" in refused
    assert [a.active for a in assignments(zbot, task_id)] == [True, True]
    [one] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X01")
    assert "còn 1" in one
    [last] = await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X02")
    assert "sẽ không còn đơn vị nào" in last
    assert [a.active for a in assignments(zbot, task_id)] == [False, True]


async def test_a_task_closed_by_mistake_is_reopened_and_its_units_told(zbot: ZaloBot) -> None:
    """/closetask of the wrong number could not be undone: /reopentask #12 opens it again
    (audited), Hoa hears that reports are needed again by its deadline, the admin is told;
    an open task is said to be open, a closed one's refusal names /reopentask."""
    [task_id] = province(zbot, "Báo cáo quý")
    await zbot.say(ZALO_ADMIN, f"/closetask #{task_id}")
    [refused] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/12/2026")
    assert f"/reopentask #{task_id}" in refused
    [reopened] = await zbot.say(ZALO_ADMIN, f"/reopentask #{task_id}")
    assert f"Đã mở lại nhiệm vụ #{task_id} Báo cáo quý, hạn 01/12/2026" in reopened
    assert "Đã báo cho 1 người phụ trách" in reopened
    assert status(zbot, task_id) == "open"
    with zbot.session() as s:
        task = s.get(Task, task_id)
        assert task is not None
        assert task.closed_at is None
    assert audited(zbot)[-1] == "task.reopened"
    said = f"Nhiệm vụ #{task_id} Báo cáo quý đã được mở lại"
    await zbot.zalo.wait_until(lambda: any(said in m.text for m in zbot.zalo.messages(HOA)), 10)
    [notice] = [m.text for m in zbot.zalo.messages(HOA) if said in m.text]
    assert "hạn 01/12/2026" in notice
    [moved] = await zbot.say(ZALO_ADMIN, f"/deadline #{task_id} 18/12/2026")
    assert "18/12/2026" in moved
    [again] = await zbot.say(ZALO_ADMIN, f"/reopentask #{task_id}")
    assert f"Nhiệm vụ #{task_id} Báo cáo quý đang mở" in again


async def test_a_task_reopened_past_its_deadline_says_how_to_move_it(zbot: ZaloBot) -> None:
    """Cancelled, then reopened after its deadline, the task is said overdue and /deadline
    named; "/reopentask" alone answers its usage; a member is refused."""
    [task_id] = province(zbot, "Báo cáo quý")
    told = len(zbot.zalo.messages(HOA))
    await zbot.say(ZALO_ADMIN, f"/canceltask #{task_id}")
    # Hoa's unit is told of the cancellation by the sender: had the notice come while she
    # waited for her own answer, it would have been read as a second answer.
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=told)
    assert f"#{task_id}" in notice.text
    zbot.tg.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=VN))
    [refused] = await zbot.say(HOA, f"/reopentask #{task_id}")
    assert "không có quyền" in refused
    [usage] = await zbot.say(ZALO_ADMIN, "/reopentask")
    assert usage.startswith("Cách dùng:")
    [reopened] = await zbot.say(ZALO_ADMIN, "/reopentask Báo cáo quý")
    assert "Hạn này đã qua" in reopened
    assert f"/deadline #{task_id}" in reopened
    assert status(zbot, task_id) == "open"


async def test_a_task_reopened_before_its_closing_was_told_is_told_neither(
    zbot: ZaloBot,
) -> None:
    """Closed at 19:00 (its notice held for the morning) and reopened at 19:05: the notice
    of its end is withdrawn, none of its reopening is queued, and the admin is told so."""
    [task_id] = province(zbot, "Báo cáo quý")
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    [closed] = await zbot.say(ZALO_ADMIN, f"/closetask #{task_id}")
    assert "Đang ngoài giờ làm việc" in closed
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 5, tzinfo=VN))
    [reopened] = await zbot.say(ZALO_ADMIN, f"/reopentask #{task_id}")
    assert "chưa kịp gửi đến 1 người nên đã được rút lại" in reopened
    assert "Đã báo cho" not in reopened
    with zbot.session() as s:
        notices = s.exec(select(Outbox).where(Outbox.chat_id == HOA)).all()
    assert [(o.status, o.error) for o in notices] == [("cancelled", "undone")]


async def test_a_done_typed_by_mistake_is_set_back_by_an_admin_on_zalo(zbot: ZaloBot) -> None:
    """Hoa typed "xong" on the wrong task: `/setstatus` (through the use case Telegram's
    command runs) sets X01 back to in progress, Hoa hears why, the history keeps both."""
    [task_id] = province(zbot, "Báo cáo quý")
    [recorded] = await zbot.say(HOA, f"#{task_id} xong")
    assert "Đã ghi nhận" in recorded
    told = len(zbot.zalo.messages(HOA))
    [said] = await zbot.say(ZALO_ADMIN, f"/setstatus #{task_id} X01 | đang làm 30% | nhầm việc")
    assert "Hoàn thành đúng hạn → Đang thực hiện 30%" in said
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=told)
    assert "Lý do: nhầm việc" in notice.text
    [first, _] = assignments(zbot, task_id)
    assert (first.state, first.percent, first.done_at) == ("in_progress", 30, None)
    assert audited(zbot)[-1] == "assignment.status_set"
    [refused] = await zbot.say(HOA, f"/setstatus #{task_id} X01 | xong | tự sửa")
    assert "không có quyền" in refused
    await zbot.say(ZALO_ADMIN, f"/unassign #{task_id} X02")
    [off] = await zbot.say(ZALO_ADMIN, "/setstatus Báo cáo quý | Bình Minh | xong | nhầm")
    assert f"Xã Bình Minh đã được rút khỏi nhiệm vụ #{task_id}" in off
    assert f"/assign #{task_id}" in off
    await zbot.say(ZALO_ADMIN, "/deactivate X01")
    [idle] = await zbot.say(ZALO_ADMIN, f"/setstatus #{task_id} X01 | xong | nhầm")
    assert "Xã An Hòa đã ngừng theo dõi" in idle


async def test_setstatus_typed_without_its_reason_asks_for_the_reason_on_zalo(
    zbot: ZaloBot,
) -> None:
    """ "/setstatus #12 X01 | hoàn thành", the reason and its "|" left out, is told that a
    reason is needed (it was the bare usage), and nothing is set."""
    [task_id] = province(zbot, "Báo cáo quý")
    [said] = await zbot.say(ZALO_ADMIN, f"/setstatus #{task_id} X01 | hoàn thành")
    assert said.startswith("Cần ghi lý do sửa")
    [first, _] = assignments(zbot, task_id)
    assert first.state == "none"
