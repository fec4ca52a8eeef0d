"""One official, two people: Lan on Telegram, then Lan again on Zalo (Telegram blocked).

Lan is a member of Xã A on Telegram. When Telegram was blocked she registered on the Zalo
side (here the text channel Zalo builds on) with a new invite, as the coordinator leading
Xã B, and reported there. `/link` on Telegram and `/link <code>` on the other chat prove
she holds both: asked first who joins whom, and answering 1 (Gộp), her two people become
one, with both units and the higher role, and she is told so on both chats. Codes that are
wrong, expired or used join nothing and lose nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from db.models import AuditLog, Contact, LinkCode, Outbox, StatusReport, Unit
from db.queries.summary import digest_readers
from scheduler.delivery import dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_task, make_unit, person
from tests.handlers.link_kit import code_of, on_two_channels, typed
from tests.harness import BotUnderTest

LAN, LAN_ZALO, HOA = 3801, "7c2e9a41d0b3f588", "4f0aa9e1c3b2d677"
DEADLINE = date(2026, 11, 19)  # Thursday: Wednesday is a reminder day
TASK = "Báo cáo chuyển đổi số"


@pytest.fixture(autouse=True)
def two_channels(bot: BotUnderTest) -> None:
    """A province on two channels (on one alone, /link has nothing to link)."""
    on_two_channels(bot)
    bot.no_morning_dispatch()  # the tests run it once the people are linked


async def two_lans(bot: BotUnderTest) -> None:
    """Lan of Xã A on Telegram and Lan of Xã B on the other channel, each with a report."""
    with bot.session() as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        make_task(s, TASK, DEADLINE, [a, b])
        make_contact(s, LAN, units=[a], name="Lan")
        make_contact(
            s, 0, units=[b], name="Lan", role="coordinator", function="leader",
            channel="text", external_id=LAN_ZALO,
        )  # fmt: skip
    bot.user(LAN, "Lan")
    await bot.send(LAN, "/start")
    assert "50%" in ((await bot.send(LAN, "đang làm 50%")).text or "")
    assert "Đã ghi nhận" in typed(bot, LAN_ZALO, "xong", 1)


def joined(bot: BotUnderTest, who: str, code: str, n: int) -> str:
    """Type `/link <code>` on the text channel, be asked, answer 1 (Gộp); return the answer."""
    assert "1 = Gộp" in typed(bot, who, f"/link {code}", n)
    return typed(bot, who, "1", n + 100)


def people_named_lan(bot: BotUnderTest) -> list[int]:
    """Return the ids of the people named Lan."""
    with bot.session() as s:
        query = select(Contact.id).where(Contact.display_name == "Lan")
        return [i for i in s.exec(query) if i is not None]


async def test_lan_links_her_zalo_person_and_is_one_person_everywhere(bot: BotUnderTest) -> None:
    """Reports, units, the role, /whoami, /contacts, digests and reminders: one Lan."""
    await two_lans(bot)
    assert len(people_named_lan(bot)) == 2
    answer = joined(bot, LAN_ZALO, await code_of(bot, LAN), 2)
    assert "gộp hai tài khoản" in answer
    assert "Vai trò: điều phối (vai trò cao hơn của hai tài khoản)" in answer
    assert "Đơn vị: Xã A, Xã B" in answer
    assert "Đơn vị gộp vào từ tài khoản kênh văn bản: Xã B" in answer
    [lan] = people_named_lan(bot)
    whoami = (await bot.send(LAN, "/whoami")).text or ""
    assert "Xã A" in whoami
    assert "Xã B" in whoami
    assert f"kênh văn bản (mã {LAN_ZALO})" in whoami
    on_zalo = typed(bot, LAN_ZALO, "/whoami", 3)
    assert all(part in on_zalo for part in ("Xã A", "Xã B", f"Telegram (mã {LAN})"))
    contacts = (await bot.send(bot.settings.admin_ids[0], "/contacts")).text or ""
    assert "Liên hệ đã đăng ký: 2." in contacts
    assert "• Lan: điều phối; XA, XB" in contacts
    with bot.session() as s:
        reports = s.exec(select(StatusReport.contact_id, StatusReport.state)).all()
        readers = [c.id for c, _ in digest_readers(s)]
        merged = s.exec(select(AuditLog).where(AuditLog.action == "contact.merged")).one()
        unit_b = s.exec(select(Unit.id).where(Unit.code == "XB")).one()
    assert sorted(reports) == [(lan, "done"), (lan, "in_progress")]
    assert lan in readers
    assert len(readers) == len(set(readers))
    assert merged.details["role_before"] == "member"
    assert merged.details["role"] == "coordinator"
    assert merged.details["units_added"] == [unit_b]
    # Lan's Telegram chat hears it too, where the code was made.
    wake(bot.app)
    await bot.server.wait_until(
        lambda: any("gộp hai tài khoản" in (m.text or "") for m in bot.server.messages(LAN)),
        timeout=5,
    )
    # Reminded once a day, of both units' task, on the chat she used last.
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    with bot.session() as s:
        query = select(Outbox.chat_id).where(Outbox.kind == "reminder")
        assert s.exec(query.where(col(Outbox.contact_id) == lan)).all() == [LAN_ZALO]
        assert s.exec(query).all() == [LAN_ZALO]


async def test_wrong_expired_and_used_codes_join_nothing(bot: BotUnderTest) -> None:
    """Forged and expired codes leave both Lans as they were; a good one joins them; used,
    it joins no one else; a chat already hers is told so and keeps its code."""
    await two_lans(bot)
    with bot.session() as s:
        make_contact(s, 0, units=[make_unit(s, "XC", "Xã C")], name="Hoa", channel="text",
                     external_id=HOA)  # fmt: skip
    assert "không đúng, đã dùng" in typed(bot, LAN_ZALO, "/link ABCD-EFGH", 2)
    old = await code_of(bot, LAN)
    bot.clock.advance(timedelta(minutes=16))
    assert "hết hạn" in typed(bot, LAN_ZALO, f"/link {old}", 3)
    assert len(people_named_lan(bot)) == 2
    good = await code_of(bot, LAN)
    assert "gộp hai tài khoản" in joined(bot, LAN_ZALO, good, 4)
    assert "không đúng, đã dùng" in typed(bot, HOA, f"/link {good}", 5)
    assert "không đúng, đã dùng" in typed(bot, LAN_ZALO, f"/link {good}", 6)
    fresh = await code_of(bot, LAN)
    assert "đã được liên kết với anh/chị rồi" in typed(bot, LAN_ZALO, f"/link {fresh}", 7)
    with bot.session() as s:
        assert person(s, HOA, channel="text").display_name == "Hoa"
        newest = s.exec(select(LinkCode).order_by(col(LinkCode.id).desc())).first()
        assert newest is not None
        assert newest.used_at is None  # refused: the code is kept
    assert "Xã C" in typed(bot, HOA, "/whoami", 8)
    assert "Telegram" not in typed(bot, HOA, "/whoami", 9)
    assert len(people_named_lan(bot)) == 1


async def test_a_merge_names_the_units_in_vietnamese_order(bot: BotUnderTest) -> None:
    """Units joined read as the alphabet and numbers have them: "Phường 2, Phường 10, Xã
    Đông, Xã Em", not by code point (10 before 2, Đ after every Latin letter)."""
    with bot.session() as s:
        units = [make_unit(s, f"P{i}", name) for i, name in enumerate(
            ("Xã Em", "Phường 10", "Xã Đông", "Phường 2")
        )]  # fmt: skip
        make_contact(s, LAN, units=units[:2], name="Lan")
        make_contact(
            s, 0, units=units[2:], name="Lan", role="coordinator", channel="text",
            external_id=LAN_ZALO,
        )  # fmt: skip
    bot.user(LAN, "Lan")
    await bot.send(LAN, "/start")
    answer = joined(bot, LAN_ZALO, await code_of(bot, LAN), 2)
    assert "Đơn vị: Phường 2, Phường 10, Xã Đông, Xã Em" in answer
