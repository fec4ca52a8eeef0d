"""/unit, /ranking and /digest on Zalo, typed as on Telegram: a unit's tasks and on-time rate,
the units ranked, the digest switched; a name fitting several units answered by number; a
coordinator's scope kept."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from app import unit_reports
from db.models import Assignment, Contact, ContactIdentity, ContactScope, Outbox, UnitGroup
from db.queries.reports import record_report
from db.queries.scope import set_scope
from scheduler.digest import queue_digests
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZaloBot

HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"
DUNG = "5b1e8d2c94a07f61"


def province(zbot: ZaloBot) -> None:
    """Xã An Hòa (X01, in the pilot group) did its task on time; Xã An Phú (X02) did not do
    an overdue one; Hoa is a member of X01, Chi a coordinator, both on Zalo."""
    with zbot.session() as s:
        first = make_unit(s, "X01", "Xã An Hòa", groups=["Xã thí điểm"])
        second = make_unit(s, "X02", "Xã An Phú")
        make_task(s, "Báo cáo quý", date(2026, 12, 1), [first, second])
        make_task(s, "Kiểm tra an toàn", date(2026, 11, 10), [second])
        done = s.exec(select(Assignment).where(Assignment.unit_id == first.id)).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=zbot.tg.clock.now())
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
        s.commit()
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)


async def test_unit_shows_its_tasks_and_on_time_rate(zbot: ZaloBot) -> None:
    """/unit X01 lists its task with its status and its on-time rate."""
    province(zbot)
    [text] = await zbot.say(CHI, "/unit X01")
    assert "Xã An Hòa: 1 nhiệm vụ được giao" in text
    assert "Báo cáo quý, hạn 01/12/2026: Đã hoàn thành đúng hạn" in text
    assert "Tỷ lệ hoàn thành đúng hạn: 1/1 = 100,0%." in text


async def test_unit_without_a_name_or_unknown_explains(zbot: ZaloBot) -> None:
    """/unit alone answers how to type it; a unit that does not exist is named back."""
    province(zbot)
    [usage] = await zbot.say(CHI, "/unit")
    assert "/unit Sở Y tế" in usage
    [unknown] = await zbot.say(CHI, "/unit X99")
    assert "Không tìm thấy đơn vị “X99”" in unknown


async def test_a_name_fitting_two_units_is_answered_by_number(zbot: ZaloBot) -> None:
    """ "Xã An" fits two communes, offered numbered; "2" shows Xã An Phú's tasks."""
    province(zbot)
    [offer] = await zbot.say(CHI, "/unit Xã An")
    lines = offer.splitlines()
    assert "1 = Xã An Hòa" in lines
    assert "2 = Xã An Phú" in lines
    [text] = await zbot.say(CHI, "2")
    assert "Xã An Phú: 2 nhiệm vụ được giao" in text
    assert "Tỷ lệ hoàn thành đúng hạn: 0/1 = 0,0%." in text


async def test_a_number_off_the_list_keeps_it_and_says_which_numbers(zbot: ZaloBot) -> None:
    """ "3", "0" or "1 2" after two units offered ask for 1 to 2, and "2" still takes the
    second: they were answered with how to report a task, and the list was forgotten."""
    province(zbot)
    await zbot.say(CHI, "/unit Xã An")
    for typed in ("3", "0", "1 2"):
        assert await zbot.say(CHI, typed) == [
            "Xin trả lời bằng một số từ 1 đến 2, theo danh sách vừa gửi."
        ]
    [text] = await zbot.say(CHI, "2")
    assert "Xã An Phú: 2 nhiệm vụ được giao" in text


async def test_a_scoped_coordinator_sees_only_the_units_in_scope(zbot: ZaloBot) -> None:
    """A coordinator of the pilot group finds X01, not X02, and ranks only X01."""
    province(zbot)
    with zbot.session() as s:
        group = s.exec(select(UnitGroup)).one()
        ident = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == CHI)).one()
        s.add(ContactScope(contact_id=ident.contact_id, group_id=group.id or 0))
        s.commit()
    [hidden] = await zbot.say(CHI, "/unit X02")
    assert "Không tìm thấy đơn vị" in hidden
    [ranked] = await zbot.say(CHI, "/ranking")
    assert "1. Xã An Hòa: 100,0% (1/1)" in ranked
    assert "Xã An Phú" not in ranked


async def test_ranking_orders_units_by_on_time_rate(zbot: ZaloBot) -> None:
    """/ranking puts Xã An Hòa first, Xã An Phú at 0%; a period it does not know is explained."""
    province(zbot)
    [text] = await zbot.say(CHI, "/ranking")
    assert "1. Xã An Hòa: 100,0% (1/1)" in text
    assert "2. Xã An Phú: 0,0% (0/1)" in text
    assert "từ 01/01/2026 đến 31/12/2026" in text
    [month] = await zbot.say(CHI, "/ranking tháng")
    assert "từ 01/11/2026 đến 30/11/2026" in month
    [usage] = await zbot.say(CHI, "/ranking tuần")
    assert "/ranking năm" in usage


async def test_ranking_is_worked_out_in_the_heavy_lane_not_the_update_pool(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A heavy command's answer (/ranking, as `app.heavy` lists it) is worked out on one of
    Zalo's heavy threads; a light one (/unit) stays in the update pool.

    Both ran in the update pool, whose threads every official's reply and Telegram's taps
    queue for: fifty Zalo coordinators' `/ranking year` at once held those taps 509 ms at p99
    against 68 ms idle (bench.stall, "Zalo 50")."""
    province(zbot)
    threads: dict[str, list[str]] = {"ranking": [], "unit": []}
    ranking, unit = unit_reports.ranking, unit_reports.unit

    def ranked(*args: Any) -> Any:
        threads["ranking"].append(threading.current_thread().name)
        return ranking(*args)

    def one_unit(*args: Any) -> Any:
        threads["unit"].append(threading.current_thread().name)
        return unit(*args)

    monkeypatch.setattr(unit_reports, "ranking", ranked)
    monkeypatch.setattr(unit_reports, "unit", one_unit)
    [text] = await zbot.say(CHI, "/ranking")
    assert "1. Xã An Hòa: 100,0% (1/1)" in text
    [text] = await zbot.say(CHI, "/unit X01")
    assert "Xã An Hòa: 1 nhiệm vụ được giao" in text
    assert threads["ranking"]
    assert threads["unit"]
    assert all(name.startswith("dondoc-heavy-zalo") for name in threads["ranking"]), threads
    assert all(name.startswith("dondoc-update") for name in threads["unit"]), threads


async def test_ranking_over_a_typed_period_and_a_wrong_one_explained(zbot: ZaloBot) -> None:
    """/ranking 01/11/2026-15/11/2026 ranks the tasks due then (Xã An Phú's overdue one
    alone); a date that does not exist, a single date or dates the wrong way round are
    said so, with /ranking's own example."""
    province(zbot)
    [text] = await zbot.say(CHI, "/ranking 01/11/2026-15/11/2026")
    assert "từ 01/11/2026 đến 15/11/2026" in text
    assert "1. Xã An Phú: 0,0% (0/1)" in text
    assert "Xã An Hòa" not in text
    [december] = await zbot.say(CHI, "/ranking 01/12/2026 - 31/12/2026")
    assert "từ 01/12/2026 đến 31/12/2026" in december
    assert "1. Xã An Hòa: 100,0% (1/1)" in december
    [bad] = await zbot.say(CHI, "/ranking 31/02/2026-30/06/2026")
    assert "“31/02/2026” không phải là ngày hợp lệ" in bad
    assert "/ranking 01/01/2026-30/06/2026" in bad
    [one] = await zbot.say(CHI, "/ranking 01/01/2026")
    assert "chỉ là một ngày" in one
    [reversed_] = await zbot.say(CHI, "/ranking 30/06/2026-01/01/2026")
    assert "Ngày bắt đầu ở sau ngày kết thúc" in reversed_
    assert "/ranking 01/01/2026-30/06/2026" in reversed_


async def test_a_member_is_refused_unit_and_ranking(zbot: ZaloBot) -> None:
    """A unit's member typing /unit or /ranking is refused."""
    province(zbot)
    for typed in ("/unit X01", "/ranking"):
        [answer] = await zbot.say(HOA, typed)
        assert "không có quyền" in answer, typed


def digest_enabled(zbot: ZaloBot) -> bool:
    """Return whether Chi takes the scheduled digest."""
    with zbot.session() as s:
        ident = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == CHI)).one()
        contact = s.get(Contact, ident.contact_id)
        assert contact is not None
        return contact.digest_enabled


async def test_digest_off_and_on_for_oneself(zbot: ZaloBot) -> None:
    """/digest tells its state; /digest off stops it, /digest bat (on) takes it again."""
    province(zbot)
    [state] = await zbot.say(CHI, "/digest")
    assert "đang bật" in state
    [off] = await zbot.say(CHI, "/digest off")
    assert "Đã tắt bản tin" in off
    assert digest_enabled(zbot) is False
    [on] = await zbot.say(CHI, "/digest bat")
    assert "Đã bật bản tin" in on
    assert digest_enabled(zbot) is True


async def test_digest_with_a_word_not_on_or_off_says_it_changed_nothing(zbot: ZaloBot) -> None:
    """/digest tuần (no switch) says the word is neither on nor off and nothing changed, then
    the state and how to change it; it read as a bare /digest, as if the word was taken."""
    province(zbot)
    [said] = await zbot.say(CHI, "/digest tuần")
    assert said.startswith("“tuần” không phải «on» (bật) hay «off» (tắt), nên không thay đổi gì.")
    assert "đang bật. Gõ /digest off để tắt" in said
    assert digest_enabled(zbot) is True


async def test_no_digest_for_a_coordinator_with_nothing_in_scope(zbot: ZaloBot) -> None:
    """Chi, limited to a commune given no task, is sent no digest of zeros; Dung, who follows
    the whole province, gets hers."""
    province(zbot)
    with zbot.session() as s:
        make_unit(s, "X03", "Xã Không Việc", groups=["Xã chưa giao"])
        group = s.exec(select(UnitGroup).where(UnitGroup.name == "Xã chưa giao")).one()
        chi = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == CHI)).one()
        set_scope(s, contact_id=chi.contact_id, group_ids=[group.id or 0])
        make_contact(s, 0, role="coordinator", name="Dung", channel="zalo", external_id=DUNG)
        s.commit()
    zbot.zalo.add_user(DUNG, "Dung", wrote=True)
    await asyncio.to_thread(queue_digests, zbot.services)
    with zbot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert [r.chat_id for r in rows if r.channel == "zalo"] == [DUNG]


async def test_a_member_is_refused_digest(zbot: ZaloBot) -> None:
    """A unit's member typing /digest off is refused."""
    province(zbot)
    [answer] = await zbot.say(HOA, "/digest off")
    assert "không có quyền" in answer


async def test_a_name_fitting_many_units_offers_the_first_in_vietnamese_order_and_says_so(
    zbot: ZaloBot,
) -> None:
    """ "Xã" fits 25 communes: the first eight in Vietnamese order are offered (Xã Ái Nghĩa
    first, not cut for sorting after Xã Yên as bytes do), with a word that more fit."""
    province(zbot)
    with zbot.session() as s:
        make_unit(s, "X90", "Xã Ái Nghĩa")
        make_unit(s, "X91", "Xã Ân Thạnh")
        for i in range(21):
            make_unit(s, f"Y{i:02d}", f"Xã Yên {i:02d}")
    [offer] = await zbot.say(CHI, "/unit Xã")
    lines = offer.splitlines()
    assert "1 = Xã Ái Nghĩa" in lines
    assert "2 = Xã An Hòa" in lines
    assert "8 = Xã Yên 03" in lines
    assert "9 = " not in offer
    assert "Chỉ liệt kê 8 đơn vị đầu" in offer
    [few] = await zbot.say(CHI, "/unit Xã An")
    assert "Chỉ liệt kê" not in few


async def test_english_counts_read_right_for_one(zbot: ZaloBot) -> None:
    """In English a count of one reads right: no "1 assigned tasks" nor "1 units"."""
    province(zbot)
    await zbot.say(CHI, "/lang en")
    [unit] = await zbot.say(CHI, "/unit X01")
    assert "Xã An Hòa, assigned tasks: 1" in unit
    [task] = await zbot.say(CHI, "/summary #2")
    assert "Units: 1. Completed 0" in task
    assert "• Xã An Phú: 8 days overdue" in task
    for text in (unit, task):
        assert " 1 units" not in text
        assert " 1 tasks" not in text
