"""What else follows units merged into one, on SQLite and PostgreSQL: their groups, the units
under them, their open invites (revoked), the recurring rules naming them, and the questions
the bot asked about an assignment a join took off. The plan says each before it is made.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.actor import Actor
from app.checkin.choice import choose
from app.checkin.text import answer_text
from app.i18n import load_catalog
from app.services import Services
from app.unit_merge import MergeAsked, merge, plan
from bot.settings import Settings
from core.clock import ManualClock
from core.recurrence import parse_rule
from db.models import Assignment, ContactScope, Invite, RecurringTask, StatusReport, Unit
from db.queries.assignees import resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.invites import create_invite, redeemable_invite
from db.queries.pending import set_pending
from db.queries.recurring import create_rule, generate
from db.queries.scope import scope_of
from db.queries.unit_admin import set_active
from db.queries.units import find_group
from handlers.text.channel import TextChannel
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW

NOW = DEFAULT_NOW
DUE = date(2026, 12, 18)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def services_on(db: Engine, settings: Settings) -> Services:
    """Return the services of a province on this database."""
    return Services(settings, db, load_catalog(), ManualClock(NOW), b"test-key")


def merged(services: Services, old: list[str], into: str) -> tuple[MergeAsked, MergeAsked]:
    """Plan the merge of the units named, then make it; return both, in Vietnamese."""
    asked = plan(services, "vi", old=old, into=into, actor_id=None)
    assert asked.possible, asked.text
    done = merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    return asked, done


def test_the_new_unit_joins_the_old_units_groups_and_a_coordinator_of_one_sees_its_work(
    db: Engine, settings: Settings
) -> None:
    """An Hòa was in "Xã thí điểm", whose coordinator follows only that group: merged into
    Hòa Bình, the group holds Hòa Bình too, so the coordinator still sees the task moved
    (and "xã thí điểm" names Hòa Bình in a new task); the plan and the outcome say so."""
    with Session(db) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa", groups=["Xã thí điểm"])
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình", groups=["Xã ven biển"])
        task_id = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa]).id
        group = find_group(s, text="Xã thí điểm")
        assert group is not None
        group_id = group.id or 0
        coordinator = make_contact(s, 3001, role="coordinator")
        s.add(ContactScope(contact_id=coordinator.id or 0, group_id=group_id))
        s.commit()
        new_id = hoa_binh.id

    asked, done = merged(services_on(db, settings), ["XA-AH"], "XA-HB")
    said = "• Xã Hòa Bình (XA-HB) vào 1 nhóm của đơn vị cũ: Xã thí điểm"
    assert said in asked.text
    assert said in done.text
    with Session(db) as s:
        assert resolve_assignees(s, "xã thí điểm").unit_ids == [new_id]
        assert resolve_assignees(s, "xã ven biển").unit_ids == [new_id]
        seen = scope_of("coordinator", unit_ids=[], group_ids=[group_id])
        query = select(Assignment.unit_id).where(
            Assignment.task_id == task_id,
            col(Assignment.active).is_(True),
            seen.covers(Assignment.unit_id),
        )
        assert s.exec(query).all() == [new_id]


def test_the_units_under_an_old_unit_are_under_the_new_one(db: Engine, settings: Settings) -> None:
    """Two districts merged into a new one: the communes under them are under the new one,
    so "thuộc <new>" names them; the plan and the outcome say which."""
    with Session(db) as s:
        dien_ban = make_unit(s, "H-DB", "Thị xã Điện Bàn", kind="district")
        dai_loc = make_unit(s, "H-DL", "Huyện Đại Lộc", kind="district")
        make_unit(s, "H-DBN", "Thành phố Điện Bàn Bắc", kind="district")
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa", parent=dien_ban)
        ai_nghia = make_unit(s, "XA-AN", "Xã Ái Nghĩa", parent=dai_loc)
        children = sorted([an_hoa.id or 0, ai_nghia.id or 0])

    asked, done = merged(services_on(db, settings), ["H-DB", "H-DL"], "H-DBN")
    said = "• 2 đơn vị trực thuộc đơn vị cũ nay trực thuộc Thành phố Điện Bàn Bắc (H-DBN): "
    assert said + "Xã Ái Nghĩa (XA-AN), Xã An Hòa (XA-AH)" in asked.text
    assert said in done.text
    with Session(db) as s:
        assert sorted(resolve_assignees(s, "thuộc H-DBN").unit_ids) == children


def test_a_unit_merged_into_one_under_it_leaves_that_one_in_its_place(
    db: Engine, settings: Settings
) -> None:
    """Sở Nội vụ merged into its own Phòng Tổ chức, and Sở Tư pháp into a team under its
    office: each unit that took the old one's work takes its place under the province's
    committee, with the old one's other units under it; none is left under a deactivated
    unit, nor under a unit now under it."""
    with Session(db) as s:
        ubnd = make_unit(s, "UB", "UBND tỉnh", kind="department")
        so_nv = make_unit(s, "SNV", "Sở Nội vụ", kind="department", parent=ubnd)
        to_chuc = make_unit(s, "SNV-TC", "Phòng Tổ chức", kind="department", parent=so_nv)
        van_phong = make_unit(s, "SNV-VP", "Văn phòng Sở Nội vụ", kind="department", parent=so_nv)
        so_tp = make_unit(s, "STP", "Sở Tư pháp", kind="department", parent=ubnd)
        vp_tp = make_unit(s, "STP-VP", "Văn phòng Sở Tư pháp", kind="department", parent=so_tp)
        to_1 = make_unit(s, "STP-T1", "Tổ một cửa", kind="department", parent=vp_tp)
        ids = [u.id for u in (ubnd, to_chuc, van_phong, vp_tp, to_1)]
    services = services_on(db, settings)
    merged(services, ["SNV"], "SNV-TC")
    merged(services, ["STP"], "STP-T1")
    with Session(db) as s:
        parent = {u.id: u.parent_id for u in s.exec(select(Unit))}
    ubnd_id, to_chuc_id, van_phong_id, vp_tp_id, to_1_id = ids
    assert (parent[to_chuc_id], parent[van_phong_id]) == (ubnd_id, to_chuc_id)
    assert (parent[to_1_id], parent[vp_tp_id]) == (ubnd_id, to_1_id)


def test_the_old_units_open_invites_are_revoked_and_stay_so_if_one_is_activated_again(
    db: Engine, settings: Settings
) -> None:
    """An invite made for An Hòa and not yet used is revoked by the merge (the plan and the
    outcome count it; a used one is left as it was): a person who types it later is not
    joined to An Hòa, even once an admin follows An Hòa up again."""
    with Session(db) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        unit_id = an_hoa.id or 0
        made = [
            create_invite(s, unit_id=unit_id, role="member", function="focal",
                          created_by_id=None, now=NOW, ttl_days=7)[1]
            for _ in range(2)
        ]  # fmt: skip
        used = create_invite(s, unit_id=unit_id, role="member", function="focal",
                             created_by_id=None, now=NOW, ttl_days=7)[0]  # fmt: skip
        used.used_at = NOW
        s.commit()

    asked, done = merged(services_on(db, settings), ["XA-AH"], "XA-HB")
    said = "• 2 lời mời chưa dùng của đơn vị cũ bị thu hồi"
    assert said in asked.text
    assert said in done.text
    with Session(db) as s:
        set_active(s, unit_id=unit_id, active=True, actor_id=None, now=NOW)
        s.commit()
        assert [redeemable_invite(s, code=code, now=NOW) for code in made] == [None, None]
        expiries = s.exec(select(Invite.expires_at).order_by(col(Invite.id))).all()
        assert expiries[:2] == [NOW, NOW]
        assert expiries[2] > NOW


def test_recurring_rules_naming_an_old_unit_name_the_new_one_once(
    db: Engine, settings: Settings
) -> None:
    """A monthly rule for An Hòa and Bình Minh, one for An Hòa and Hòa Bình, one for the
    communes under Điện Bàn: merged into Hòa Bình (and Điện Bàn into Điện Bàn Bắc), each
    names the new unit, once, and makes its next task for it; a rule for Sở Y tế is left."""
    with Session(db) as s:
        make_unit(s, "H-DB", "Thị xã Điện Bàn", kind="district")
        make_unit(s, "H-DBN", "Thành phố Điện Bàn Bắc", kind="district")
        for code, name in (("XA-AH", "Xã An Hòa"), ("XA-BM", "Xã Bình Minh"),
                           ("XA-HB", "Xã Hòa Bình"), ("SYT", "Sở Y tế")):  # fmt: skip
            make_unit(s, code, name)
        rule = parse_rule("monthly:20")
        assert rule is not None
        ids = [
            create_rule(s, title=title, rule=rule, assignees=spec, actor_id=None).id or 0
            for title, spec in (
                ("Báo cáo tháng", "XA-AH, XA-BM"),
                ("Báo cáo chuyển đổi số", "XA-AH, XA-HB"),
                ("Báo cáo cấp xã", "thuộc H-DB"),
                ("Báo cáo y tế", "SYT"),
            )
        ]
        s.commit()
    services = services_on(db, settings)

    asked, done = merged(services, ["XA-AH", "XA-BM"], "XA-HB")
    said = "• 2 nhiệm vụ định kỳ giao cho đơn vị cũ nay giao cho Xã Hòa Bình (XA-HB) "
    said += f"(số {ids[0]}, {ids[1]}, xem /recurring)"
    assert said in asked.text
    assert said in done.text
    _, done = merged(services, ["H-DB"], "H-DBN")
    assert f"(số {ids[2]}, xem /recurring)" in done.text
    with Session(db) as s:
        specs = s.exec(select(RecurringTask.assignees).order_by(col(RecurringTask.id))).all()
        assert specs == ["XA-HB", "XA-HB", "thuộc H-DBN", "SYT"]
        hoa_binh = s.exec(select(Unit.id).where(Unit.code == "XA-HB")).one()
        assert resolve_assignees(s, specs[0]).unit_ids == [hoa_binh]


def test_a_question_about_an_assignment_taken_off_in_a_join_is_about_the_kept_one(
    db: Engine, settings: Settings
) -> None:
    """Bình Minh's official pressed "Vướng mắc" on a task An Hòa was on too, and was asked
    what blocks it; the two merge into Hòa Bình, An Hòa's 60% kept. Her reason typed after
    the merge is recorded as Hòa Bình's blocker, not refused as a task no longer hers."""
    with Session(db) as s:
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình")
        lan = make_contact(s, 2001, units=[binh_minh], name="Lan")
        task = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh])
        rows = {a.unit_id: a for a in s.exec(select(Assignment))}
        kept = rows[an_hoa.id or 0]
        kept.state, kept.percent, kept.last_report_at = "in_progress", 60, NOW - timedelta(days=1)
        s.add(kept)
        s.commit()
        lan_id, new_id, task_id = lan.id or 0, hoa_binh.id or 0, task.id or 0
        old_id, kept_id = rows[binh_minh.id or 0].id or 0, kept.id or 0
    services = services_on(db, settings)
    before = Actor(lan_id, "2001", "vi", "member", (binh_minh.id or 0,), ())
    choose(services, before, ["st", "blocked", str(old_id)], dedup=lambda k, i: f"{k}:{i}")

    asked, done = merged(services, ["XA-AH", "XA-BM"], "XA-HB")
    said = "• 1 câu hỏi bot đang chờ trả lời về nhiệm vụ gộp nay hỏi về nhiệm vụ của Xã Hòa Bình"
    assert said in asked.text
    assert said in done.text
    after = Actor(lan_id, "2001", "vi", "member", (new_id,), ())
    answer = answer_text(services, after, "chờ kinh phí của tỉnh", key="tg:msg:2001:9")
    assert answer.said[0].text.startswith("Đã ghi nhận: Vướng mắc")
    assert f"#{task_id}" in answer.said[0].text
    with Session(db) as s:
        [report] = s.exec(select(StatusReport).where(StatusReport.reason != None)).all()  # noqa: E711
        assert (report.assignment_id, report.state) == (kept_id, "blocked")
        assert s.get_one(Assignment, kept_id).unit_id == new_id


def test_a_status_typed_by_number_after_the_merge_counts_for_the_kept_assignment(
    db: Engine, settings: Settings
) -> None:
    """A reminder about Bình Minh's row of a task An Hòa was on too reached its official on
    a channel without buttons, its statuses numbered; the units merge into Hòa Bình, An
    Hòa's 60% kept. Her "1" (done) typed after the merge is recorded for Hòa Bình's task,
    not refused as a task no longer her unit's."""
    with Session(db) as s:
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        lan = make_contact(s, 2001, units=[binh_minh], channel="text", external_id="z2001")
        task = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh])
        rows = {a.unit_id: a for a in s.exec(select(Assignment))}
        kept = rows[an_hoa.id or 0]
        kept.state, kept.percent, kept.last_report_at = "in_progress", 60, NOW - timedelta(days=1)
        s.add(kept)
        old_id, kept_id, task_id = rows[binh_minh.id or 0].id or 0, kept.id or 0, task.id or 0
        offered = [["st", action, old_id] for action in ("done", "progress", "blocked")]
        set_pending(s, contact_id=lan.id or 0, data={"offer": "outbox:1", "choices": offered},
                    now=NOW, kind="choices")  # fmt: skip
        s.commit()
    services = services_on(db, settings)

    asked, _ = merged(services, ["XA-AH", "XA-BM"], "XA-HB")
    assert "• 1 câu hỏi bot đang chờ trả lời về nhiệm vụ gộp" in asked.text
    [answer] = TextChannel(services).receive("z2001", "1", "9")
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert f"#{task_id}" in answer
    with Session(db) as s:
        [report] = s.exec(select(StatusReport).where(StatusReport.state == "done")).all()
        assert report.assignment_id == kept_id


def test_twin_rules_of_two_old_units_leave_the_new_unit_one_task_an_occurrence(
    db: Engine, settings: Settings
) -> None:
    """ "Báo cáo tháng" on the 20th, one rule for An Hòa and one for Bình Minh: merged into
    Hòa Bình, the first names Hòa Bình and the second is stopped (said in the plan and the
    outcome), so each month makes Hòa Bình one task, not two."""
    with Session(db) as s:
        for code, name in (("XA-AH", "Xã An Hòa"), ("XA-BM", "Xã Bình Minh"),
                           ("XA-HB", "Xã Hòa Bình")):  # fmt: skip
            make_unit(s, code, name)
        rule = parse_rule("monthly:20")
        assert rule is not None
        ids = [
            create_rule(s, title="Báo cáo tháng", rule=rule, assignees=code, actor_id=None).id
            for code in ("XA-AH", "XA-BM")
        ]
        s.commit()
    services = services_on(db, settings)

    asked, done = merged(services, ["XA-AH", "XA-BM"], "XA-HB")
    said = "• 1 nhiệm vụ định kỳ của đơn vị cũ dừng: một nhiệm vụ định kỳ cùng tên, cùng lịch "
    said += (
        f"đã giao cho Xã Hòa Bình (XA-HB), nên Xã Hòa Bình (XA-HB) không nhận hai lần (số {ids[1]}"
    )
    assert said in asked.text
    assert said in done.text
    with Session(db) as s:
        rows = s.exec(select(RecurringTask).order_by(col(RecurringTask.id))).all()
        assert [(r.assignees, r.active) for r in rows] == [("XA-HB", True), ("XA-BM", False)]
        made = generate(s, today=NOW.date(), tz=settings.tz, calendar=working_calendar(s))
        s.commit()
        assert len(made) == 1
        assert s.exec(
            select(Assignment.unit_id).where(Assignment.task_id == made[0].id)
        ).all() == [s.exec(select(Unit.id).where(Unit.code == "XA-HB")).one()]
