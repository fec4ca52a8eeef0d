"""An admin sets a unit's status by hand (`/setstatus`): a "done" tapped by mistake undone.

Before, only the official who tapped it could take it back: the admin and the coordinators
had no way to, the reminders stayed stopped and every summary counted the unit done.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlmodel import col, select

from db.models import Assignment, AuditLog, StatusReport, Unit, UnitGroup, UnitGroupMember
from db.queries.reports import record_report
from db.queries.scope import set_scope
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.handlers.telegram.test_export import exported, rows
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import context, messages_to, start_users

LAN, LINH = 4301, 4302  # officials of X01 and X02
HA, KHOA, MAI = 4311, 4312, 4313  # coordinators: of X01's group, of X02's, of the province
DUE = date(2026, 11, 20)  # two working days after the clock's 18/11/2026: reminded today


def setup(bot: BotUnderTest) -> tuple[int, int]:
    """Communes X01 (Lan) and X02 (Linh) on one task due 20/11, X01 done by mistake (a tap
    on the reminder's button); return the task and X01's assignment."""
    bot.no_morning_dispatch()
    start_users(bot.server, [LAN, LINH])
    with bot.session() as s:
        first, second = make_unit(s, "X01", "Xã An Hòa"), make_unit(s, "X02", "Xã Bình Minh")
        make_contact(s, LAN, units=[first], name="Lan")
        make_contact(s, LINH, units=[second], name="Linh")
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [first, second])
        assignment = s.exec(
            select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == first.id)
        ).one()
        record_report(s, assignment_id=assignment.id or 0, state="done", now=bot.clock.now())
        s.commit()
        return task.id or 0, assignment.id or 0


def reports(bot: BotUnderTest, assignment_id: int) -> list[tuple[str, str, str]]:
    """Return an assignment's reports as (state, source, text), oldest first."""
    with bot.session() as s:
        query = select(StatusReport).where(StatusReport.assignment_id == assignment_id)
        rows = s.exec(query.order_by(col(StatusReport.id))).all()
    return [(r.state, r.source, r.text) for r in rows]


async def test_an_admin_sets_a_done_tapped_by_mistake_back_and_reminders_resume(
    bot: BotUnderTest,
) -> None:
    """`/setstatus #12 X01 | đang thực hiện | bấm nhầm`: the unit is in progress again,
    the history keeps both reports, the change is audited, Lan is told why (today's
    reminders went out before), and the next day's reminder, which the mistaken done had
    stopped, goes to her."""
    task_id, assignment_id = setup(bot)
    await asyncio.to_thread(dispatch, context(bot.engine), bot.clock.now())
    with bot.session() as s:
        assert messages_to(s, LAN) == []  # done: not reminded
        assert len(messages_to(s, LINH)) == 1
    said = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X01 | đang thực hiện | bấm nhầm")
    text = said.text or ""
    assert f"Đã sửa tình trạng của Xã An Hòa ở nhiệm vụ #{task_id}" in text
    assert "Hoàn thành đúng hạn → Đang thực hiện (chưa hoàn thành, trong hạn)" in text
    assert "tiếp tục được nhắc việc" in text
    assert "Đã báo cho 1 người" in text
    with bot.session() as s:
        assignment = s.get(Assignment, assignment_id)
        assert assignment is not None
        assert (assignment.state, assignment.done_at) == ("in_progress", None)
        entry = s.exec(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
        assert entry is not None
        assert entry.action == "assignment.status_set"
        assert entry.details["from"]["state"] == "done"
        assert entry.details["to"]["state"] == "in_progress"
        assert entry.details["reason"] == "bấm nhầm"
        [notice] = messages_to(s, LAN, kind="notice")
    assert reports(bot, assignment_id) == [
        ("done", "button", ""),
        ("in_progress", "admin", "bấm nhầm"),
    ]
    assert "đã sửa tình trạng của Xã An Hòa" in notice.payload["text"]
    assert "Lý do: bấm nhầm" in notice.payload["text"]
    bot.clock.set(datetime(2026, 11, 19, 9, 0, tzinfo=VN))
    await asyncio.to_thread(dispatch, context(bot.engine), bot.clock.now())
    with bot.session() as s:
        assert len(messages_to(s, LAN)) == 1  # reminded again, as the calendar says


async def test_the_coordinators_whose_scope_holds_the_unit_learn_of_the_correction(
    bot: BotUnderTest,
) -> None:
    """A coordinator who reported "X01 done" to the province learns it was set back, and why:
    Hà (X01's group) and Mai (the whole province) are told in office time, Khoa (X02's group
    only) is not, nor the admin who typed it; the admin reads that they were told.

    Before, only X01's contacts were told, and the coordinators' figures went wrong unseen."""
    task_id, _ = setup(bot)
    start_users(bot.server, [HA, KHOA, MAI])
    with bot.session() as s:
        units = {u.code: u.id or 0 for u in s.exec(select(Unit))}
        for name, code, user_id in (("Nhóm An Hòa", "X01", HA), ("Nhóm Bình Minh", "X02", KHOA)):
            group = UnitGroup(name=name, name_folded=name.lower())
            s.add(group)
            s.flush()
            s.add(UnitGroupMember(group_id=group.id or 0, unit_id=units[code]))
            coordinator = make_contact(s, user_id, role="coordinator", name=name)
            set_scope(s, contact_id=coordinator.id or 0, group_ids=[group.id or 0])
        make_contact(s, MAI, role="coordinator", name="Mai")
        s.commit()
    said = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X01 | đang thực hiện | bấm nhầm")
    assert "Đã báo cho 2 điều phối viên, quản trị viên theo dõi đơn vị này" in (said.text or "")
    with bot.session() as s:
        [to_ha] = messages_to(s, HA, kind="notice")
        [to_mai] = messages_to(s, MAI, kind="notice")
        assert messages_to(s, KHOA, kind="notice") == []
        assert messages_to(s, ADMIN_ID, kind="notice") == []
    for notice in (to_ha, to_mai):
        words = notice.payload["text"]
        assert f"đã sửa tình trạng của Xã An Hòa ở nhiệm vụ #{task_id}" in words
        assert "Hoàn thành đúng hạn → Đang thực hiện" in words
        assert "Lý do: bấm nhầm" in words
        assert "số liệu đã gửi trước đó cần điều chỉnh" in words
        assert "tiếp tục nhắc việc" not in words  # the unit's words, not the coordinator's
        assert notice.payload.get("office") is True  # held to office time, as the unit's


async def test_an_admin_sets_a_unit_back_to_no_report_or_done(bot: BotUnderTest) -> None:
    """The wrong unit tapped done: "chưa báo cáo" makes it "Chưa báo cáo" again (as if it
    had never answered); "hoàn thành" records done for another, from now."""
    task_id, assignment_id = setup(bot)
    said = await bot.send(ADMIN_ID, f"/setstatus #{task_id} An Hòa | chưa báo cáo | nhầm đơn vị")
    assert "→ Chưa báo cáo" in (said.text or "")
    with bot.session() as s:
        assignment = s.get(Assignment, assignment_id)
        assert assignment is not None
        assert (assignment.state, assignment.last_report_at, assignment.done_at) == (
            ("none", None, None)
        )
    said = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X02 | xong | báo qua điện thoại")
    assert "→ Hoàn thành đúng hạn" in (said.text or "")
    same = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X02 | done | again")
    assert "Không có gì thay đổi" in (same.text or "")
    book = await exported(bot, ADMIN_ID, f"/export #{task_id}")
    history = [(r[3], r[5], r[-1]) for r in rows(book, "Lịch sử báo cáo") if r[1] == "Xã An Hòa"]
    assert history == [
        ("Hoàn thành", None, "Bấm nút"),
        ("Chưa báo cáo", "nhầm đơn vị", "Quản trị nhập"),
    ]


async def test_setstatus_refuses_what_it_cannot_do_and_changes_nothing(bot: BotUnderTest) -> None:
    """No reason, a status it does not know, a unit not on the task, a member asking, a
    cancelled task: each is answered by name, and nothing is recorded."""
    task_id, assignment_id = setup(bot)
    with bot.session() as s:
        other = make_task(s, "Kế hoạch **năm**", DUE, [make_unit(s, "X03", "Xã Cẩm Phô")])
    cases = {
        "/setstatus Kế hoạch | X01 | xong | lý do": f"#{other.id} Kế hoạch **năm**",
        f"/setstatus #{task_id} X01 | đang thực hiện |": "Cần ghi lý do",
        f"/setstatus #{task_id} X01 | sắp xong | lý do": 'Không hiểu tình trạng "sắp xong"',
        f"/setstatus #{task_id} X01 | hoàn thành 50% | lý do": "Không hiểu tình trạng",
        f"/setstatus #{task_id} X03 | đang thực hiện | lý do": "Xã An Hòa (X01), Xã Bình Minh",
        f"/setstatus #{task_id} Xã | đang thực hiện | lý do": "khớp với nhiều đơn vị",
        "/setstatus": "Cách dùng: /setstatus",
        "/setstatus #999 X01 | xong | lý do": "#999",
    }
    for typed, expected in cases.items():
        said = await bot.send(ADMIN_ID, typed)
        assert expected in (said.text or ""), typed
    refused = await bot.send(LAN, f"/setstatus #{task_id} X01 | đang thực hiện | nhầm")
    assert "quyền" in (refused.text or "")
    await bot.send(ADMIN_ID, f"/canceltask #{task_id}")
    said = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X01 | đang thực hiện | nhầm")
    assert f"Nhiệm vụ #{task_id} đã hủy" in (said.text or "")
    assert [state for state, _, _ in reports(bot, assignment_id)] == ["done"]
    with bot.session() as s:
        notices = [o.payload["text"] for o in messages_to(s, LAN, kind="notice")]
        actions = [e.action for e in s.exec(select(AuditLog))]
    assert not any("sửa tình trạng" in n for n in notices)  # its cancellation's alone
    assert "assignment.status_set" not in actions


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/setstatus #{task} X01 | đang thực hiện", "Cần ghi lý do"),
        ("/setstatus Kế hoạch chuyển đổi số | X01 | xong", "Cần ghi lý do"),
        ("/setstatus #{task} X01 | sắp xong", 'Không hiểu tình trạng "sắp xong"'),
    ],
)
async def test_setstatus_without_its_reason_part_says_what_is_missing(
    bot: BotUnderTest, typed: str, expected: str
) -> None:
    """The reason left out with its "|" (not only left empty) is named, as is a status it does
    not know there: it was the bare usage, which did not say what was wrong."""
    task_id, assignment_id = setup(bot)
    said = await bot.send(ADMIN_ID, typed.format(task=task_id))
    assert expected in (said.text or "")
    assert [state for state, _, _ in reports(bot, assignment_id)] == ["done"]


async def test_setstatus_speaks_english_to_an_english_admin(bot: BotUnderTest) -> None:
    """An admin who chose English is answered in English, the statuses too."""
    task_id, _ = setup(bot)
    await bot.send(ADMIN_ID, "/lang en")
    said = await bot.send(
        ADMIN_ID, f"/setstatus #{task_id} X01 | in progress 40% | tapped by mistake"
    )
    text = said.text or ""
    assert f"Xã An Hòa's status on task #{task_id}" in text
    assert "Completed on time → In progress 40% (not completed, within the deadline)" in text


async def test_an_admin_records_done_on_the_day_the_unit_said_it_was_done(
    bot: BotUnderTest,
) -> None:
    """X02 said by phone it finished on 09/11, before its deadline of 10/11; typed on 18/11
    as plain done it counted 8 days late: "hoàn thành 09/11/2026" is done on time. A day
    still to come, or one that does not exist, changes nothing."""
    setup(bot)
    with bot.session() as s:
        unit = s.exec(select(Unit).where(Unit.code == "X02")).one()
        task = make_task(s, "Báo cáo tháng", date(2026, 11, 10), [unit])
        task_id = task.id or 0
    future = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X02 | xong 20/11/2026 | gọi điện")
    assert "chưa tới" in (future.text or "")
    bad = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X02 | xong 31/02/2026 | gọi điện")
    assert "Không hiểu tình trạng" in (bad.text or "")
    said = await bot.send(
        ADMIN_ID, f"/setstatus #{task_id} X02 | hoàn thành 09/11/2026 | gọi điện"
    )
    assert "→ Hoàn thành đúng hạn" in (said.text or "")
    with bot.session() as s:
        assignment = s.exec(select(Assignment).where(Assignment.task_id == task_id)).one()
    assert assignment.done_at == datetime(2026, 11, 9, 12, 0, tzinfo=VN)
    later = await bot.send(ADMIN_ID, f"/setstatus #{task_id} X02 | xong 12/11/2026 | nhầm ngày")
    assert "Hoàn thành đúng hạn → Hoàn thành quá hạn (2 ngày)" in (later.text or "")
