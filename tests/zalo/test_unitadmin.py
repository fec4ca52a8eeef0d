"""Deactivating a unit on Zalo, typed as on Telegram: /deactivate <unit code or name>, and
following it again with /activate <unit>; audited, a name fitting several units answered by
number."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select

from db.models import Assignment, AuditLog, Outbox, Unit
from db.queries.taskcounts import drift
from tests.factories import VN, make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"


def province(zbot: ZaloBot) -> None:
    """Communes X01 Xã An Hòa, X02 Xã An Phú, X03 Xã Cẩm Phô; Hoa a member of X01 on Zalo."""
    with zbot.session() as s:
        first = make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã An Phú")
        make_unit(s, "X03", "Xã Cẩm Phô")
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)


def active(zbot: ZaloBot) -> dict[str, bool]:
    """Return whether each unit is active, by code."""
    with zbot.session() as s:
        return {u.code: u.active for u in s.exec(select(Unit))}


def audited(zbot: ZaloBot) -> list[str]:
    """Return the audit actions, oldest first."""
    with zbot.session() as s:
        return [e.action for e in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


async def test_deactivate_by_code_keeps_the_unit_and_audits(zbot: ZaloBot) -> None:
    """/deactivate X03 stops following that commune only, and the change is audited."""
    province(zbot)
    [answer] = await zbot.say(ZALO_ADMIN, "/deactivate X03")
    assert "Đã ngừng theo dõi Xã Cẩm Phô" in answer
    assert active(zbot) == {"X01": True, "X02": True, "X03": False}
    assert audited(zbot) == ["unit.deactivated"]


async def test_deactivate_without_a_unit_or_with_an_unknown_one_explains(zbot: ZaloBot) -> None:
    """No unit gets the usage; a unit that does not exist is named back; nothing changes."""
    province(zbot)
    [usage] = await zbot.say(ZALO_ADMIN, "/deactivate")
    assert usage.startswith("Cách dùng: /deactivate")
    [unknown] = await zbot.say(ZALO_ADMIN, "/deactivate X99")
    assert "Không tìm thấy đơn vị «X99»" in unknown
    assert all(active(zbot).values())


async def test_deactivate_of_a_deactivated_unit_says_so_and_how_to_activate(
    zbot: ZaloBot,
) -> None:
    """/deactivate X03 a second time names X03 as a unit no longer followed and the
    /activate X03 that follows it again, as Telegram does (not "no unit X03")."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/deactivate X03")
    [again] = await zbot.say(ZALO_ADMIN, "/deactivate X03")
    assert "Xã Cẩm Phô (X03), đơn vị đã ngừng theo dõi" in again
    assert "/activate X03" in again
    assert audited(zbot) == ["unit.deactivated"]


async def test_a_name_fitting_two_units_is_answered_by_number(zbot: ZaloBot) -> None:
    """ "Xã An" fits two communes: they are offered numbered, and "2" deactivates the second."""
    province(zbot)
    [offer] = await zbot.say(ZALO_ADMIN, "/deactivate Xã An")
    lines = offer.splitlines()
    assert "1 = Xã An Hòa (X01)" in lines
    assert "2 = Xã An Phú (X02)" in lines
    [answer] = await zbot.say(ZALO_ADMIN, "2")
    assert "Đã ngừng theo dõi Xã An Phú" in answer
    assert active(zbot) == {"X01": True, "X02": False, "X03": True}


async def test_a_member_is_refused_deactivate(zbot: ZaloBot) -> None:
    """A unit's member typing /deactivate is refused and the unit stays."""
    province(zbot)
    [answer] = await zbot.say(HOA, "/deactivate X01")
    assert "không có quyền" in answer
    assert all(active(zbot).values())
    assert audited(zbot) == []


async def test_activate_follows_a_deactivated_unit_again_and_audits(zbot: ZaloBot) -> None:
    """/activate X03 after /deactivate X03: the commune is followed again, both audited."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/deactivate X03")
    [answer] = await zbot.say(ZALO_ADMIN, "/activate X03")
    assert "Đã kích hoạt lại Xã Cẩm Phô" in answer
    assert all(active(zbot).values())
    assert audited(zbot) == ["unit.deactivated", "unit.activated"]


async def test_activate_of_an_active_unknown_or_no_unit_explains(zbot: ZaloBot) -> None:
    """An active unit is said to be active; an unknown one named back; none: the usage."""
    province(zbot)
    [usage] = await zbot.say(ZALO_ADMIN, "/activate")
    assert usage.startswith("Cách dùng: /activate")
    [already] = await zbot.say(ZALO_ADMIN, "/activate X01")
    assert "Xã An Hòa đang được theo dõi" in already
    [unknown] = await zbot.say(ZALO_ADMIN, "/activate X99")
    assert "Không tìm thấy đơn vị «X99»" in unknown
    assert audited(zbot) == []


async def test_activate_offers_only_the_deactivated_units_a_name_fits(zbot: ZaloBot) -> None:
    """Both "Xã An" communes off, then /activate Xã An: they are offered numbered, and "1"
    follows the first again; an active unit of that name is not offered."""
    province(zbot)
    for code in ("X01", "X02"):
        await zbot.say(ZALO_ADMIN, f"/deactivate {code}")
    [offer] = await zbot.say(ZALO_ADMIN, "/activate Xã An")
    assert "1 = Xã An Hòa (X01)" in offer.splitlines()
    [answer] = await zbot.say(ZALO_ADMIN, "1")
    assert "Đã kích hoạt lại Xã An Hòa" in answer
    assert active(zbot) == {"X01": True, "X02": False, "X03": True}
    [single] = await zbot.say(ZALO_ADMIN, "/activate Xã An")  # X02 is the only one left off
    assert "Đã kích hoạt lại Xã An Phú" in single


async def test_a_member_is_refused_activate(zbot: ZaloBot) -> None:
    """A unit's member typing /activate is refused and nothing changes."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/deactivate X03")
    [answer] = await zbot.say(HOA, "/activate X03")
    assert "không có quyền" in answer
    assert active(zbot)["X03"] is False


def on_tasks(zbot: ZaloBot) -> list[int]:
    """X01 and X02 on an overdue task, X01 alone on a second, X01 on a closed third; return
    their ids."""
    with zbot.session() as s:
        first, second = (s.exec(select(Unit).where(Unit.code == c)).one() for c in ("X01", "X02"))
        both = make_task(s, "Kế hoạch CĐS", date(2026, 11, 10), [first, second])
        alone = make_task(s, "Đề án đô thị", date(2026, 12, 10), [first])
        closed = make_task(s, "Báo cáo quý", date(2026, 11, 1), [first])
        closed.status = "closed"
        s.add(closed)
        s.commit()
        return [t.id or 0 for t in (both, alone, closed)]


def on_task(zbot: ZaloBot, task_id: int) -> list[str]:
    """Return the codes of the units on a task now, and check the stored counts follow."""
    with zbot.session() as s:
        assert drift(s) == []
        query = (
            select(Unit.code)
            .join(Assignment, col(Assignment.unit_id) == col(Unit.id))
            .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        )
        return sorted(s.exec(query))


async def test_deactivate_takes_the_unit_off_its_open_tasks_and_names_them(zbot: ZaloBot) -> None:
    """A commune merged away and deactivated leaves its open tasks (its history kept): the
    summary no longer counts it overdue, the ranking leaves it out with a note, the task
    left with no unit is named with /canceltask; /activate gives none back and says how."""
    province(zbot)
    both, alone, closed = on_tasks(zbot)
    [before] = await zbot.say(ZALO_ADMIN, f"/summary #{both}")
    assert "Xã An Hòa" in before
    [ranked] = await zbot.say(ZALO_ADMIN, "/ranking")
    assert "Xã An Hòa" in ranked
    [answer] = await zbot.say(ZALO_ADMIN, "/deactivate X01")
    assert f"Đã bớt đơn vị khỏi 2 nhiệm vụ đang mở (#{both}, #{alone})" in answer
    assert f"Không còn đơn vị nào ở nhiệm vụ #{alone}" in answer
    assert (on_task(zbot, both), on_task(zbot, alone), on_task(zbot, closed)) == (
        ["X02"],
        [],
        ["X01"],
    )
    [after] = await zbot.say(ZALO_ADMIN, f"/summary #{both}")
    assert "Xã An Hòa" not in after
    assert "Xã An Phú" in after
    [ranked] = await zbot.say(ZALO_ADMIN, "/ranking")  # its closed task's history aside
    assert "Xã An Hòa" not in ranked
    assert "Không xếp hạng 1 đơn vị đã ngừng theo dõi" in ranked
    [again] = await zbot.say(ZALO_ADMIN, "/activate X01")
    assert f"bớt khỏi 2 nhiệm vụ đang mở khi ngừng theo dõi (#{both}, #{alone})" in again
    assert f"/assign #{both} X01 (mỗi lệnh một nhiệm vụ)" in again  # not "#12", no task
    assert on_task(zbot, both) == ["X02"]
    assert audited(zbot).count("task.assignees_removed") == 2


async def test_a_deactivated_units_people_are_told_its_tasks_need_no_more_report(
    zbot: ZaloBot,
) -> None:
    """/deactivate X01 tells Hoa, its contact, that Xã An Hòa is no longer followed and its
    two open tasks need no more report (its closed one is not named); the admin is told who
    will hear of it. A unit on no open task tells nobody."""
    province(zbot)
    both, alone, _closed = on_tasks(zbot)
    after = len(zbot.zalo.messages(HOA))
    [answer] = await zbot.say(ZALO_ADMIN, "/deactivate X01")
    assert "Đã báo cho 1 người phụ trách" in answer
    [notice] = await zbot.zalo.wait_for_messages(HOA, after=after)
    assert notice.text.startswith("📭 Xã An Hòa không còn được theo dõi")
    assert f"không cần báo cáo 2 nhiệm vụ đang mở của đơn vị (#{both}, #{alone}) nữa" in (
        notice.text
    )
    [quiet] = await zbot.say(ZALO_ADMIN, "/deactivate X03")
    assert "Đã báo cho" not in quiet


async def test_a_unit_followed_again_before_its_people_heard_it_was_not_hears_neither(
    zbot: ZaloBot,
) -> None:
    """/deactivate X01 at 19:00 (Hoa's notice held for the morning), /activate X01 at 19:05:
    the notice is withdrawn and the admin told so; Hoa would have heard the next morning
    that a unit followed again was no longer followed."""
    province(zbot)
    on_tasks(zbot)
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    [off] = await zbot.say(ZALO_ADMIN, "/deactivate X01")
    assert "Đã báo cho 1 người phụ trách" in off
    zbot.tg.clock.set(datetime(2026, 11, 18, 19, 5, tzinfo=VN))
    [back] = await zbot.say(ZALO_ADMIN, "/activate X01")
    assert "Thông báo ngừng theo dõi đơn vị chưa kịp gửi đến 1 người" in back
    with zbot.session() as s:
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert [(o.chat_id, o.status) for o in notices] == [(HOA, "cancelled")]


async def test_units_with_words_lists_the_units_they_fit(zbot: ZaloBot) -> None:
    """`/units an` lists Xã An Hòa and Xã An Phú, not Xã Cẩm Phô (it listed every unit
    whatever was typed); words that fit none say so, in English too."""
    province(zbot)
    [found] = await zbot.say(ZALO_ADMIN, "/units an")
    assert "Đơn vị khớp «an»: 2" in found
    assert "Xã An Hòa" in found
    assert "Xã An Phú" in found
    assert "Cẩm Phô" not in found
    [by_code] = await zbot.say(ZALO_ADMIN, "/units x03")
    assert "Xã Cẩm Phô" in by_code
    assert "An Hòa" not in by_code
    await zbot.say(ZALO_ADMIN, "/lang en")
    [none] = await zbot.say(ZALO_ADMIN, "/units xyz")
    assert 'No unit matches "xyz"' in none
