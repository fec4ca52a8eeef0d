"""A merge by `/link <code>` is asked first: who joins whom, Gộp (Join) or Hủy (Cancel).

Hoa, a member on the text channel (what Zalo builds on), asks `/link` and talks Minh, an
admin on Telegram, into typing her code there. Without a question Minh's person would be
merged into Hoa's at once, and Hoa's chats would be an admin's. Minh is told whose the code
is and who his chat is, what role the joined person would have, and nothing happens until
he presses Gộp: Hủy leaves both people and the code as they were; Gộp merges once, and the
other admins are told a role was raised. On the text channel the same question is numbered:
"2" cancels, a "1" after the code expired is refused, "1" in time joins.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.signing import sign
from db.models import AuditLog, Contact, LinkCode, Outbox, UnitGroup
from db.queries.scope import set_scope
from tests.factories import make_contact, make_unit
from tests.handlers.link_kit import code_in, on_two_channels, typed
from tests.harness import BotUnderTest, button_data, buttons

MINH, TUAN, HOA, LAN_TG, LAN = 4101, 4102, "9b1d3e5f7a2c4e60", 4103, "0e2f4a6c8b1d3f57"


@pytest.fixture(autouse=True)
def two_channels(bot: BotUnderTest) -> None:
    """A province on Telegram and Zalo (on one alone, /link has nothing to link)."""
    on_two_channels(bot)


def people(bot: BotUnderTest) -> int:
    """Return how many people the bot knows, besides its bootstrap admin."""
    with bot.session() as s:
        query = select(Contact).where(
            col(Contact.display_name).in_(("Minh", "Tuấn", "Hoa", "Lan"))
        )
        return len(s.exec(query).all())


def codes_used(bot: BotUnderTest) -> list[bool]:
    """Return, per link code made, whether it was spent."""
    with bot.session() as s:
        return [used is not None for used in s.exec(select(LinkCode.used_at))]


def role_raised_notices(bot: BotUnderTest) -> list[str]:
    """Return the chats the admins' notices of a raised role are queued to."""
    with bot.session() as s:
        query = select(Outbox.chat_id).where(col(Outbox.key).startswith("merge-raised:"))
        return list(s.exec(query))


async def press_as_sent(bot: BotUnderTest, user_id: int, data: str, message_id: int) -> str:
    """Press with callback data as a client may send it, not among the buttons the message
    shows (forged, or of a keyboard the bot took away); return the answer to the press."""
    state = bot.server.state
    with state.lock:
        query_id = str(5_000_000_000_000_000 + len(state.callback_queries) + 1)
        query = {
            "id": query_id,
            "from": state.user(user_id).to_api(),
            "message": state.message_api(state.chats[user_id].messages[message_id]),
            "chat_instance": "1",
            "data": data,
        }
        state.callback_queries[query_id] = query
    bot.server.inject_update({"callback_query": query})
    return (await bot.server.wait_for_answer(query_id)).text or ""


async def test_an_admin_typing_someone_s_code_is_asked_and_only_join_merges(
    bot: BotUnderTest,
) -> None:
    with bot.session() as s:
        make_contact(s, MINH, role="admin", units=[make_unit(s, "VP", "Văn phòng")], name="Minh")
        make_contact(s, TUAN, role="admin", name="Tuấn")
        make_contact(s, 0, units=[make_unit(s, "XC", "Xã C")], name="Hoa", channel="text",
                     external_id=HOA)  # fmt: skip
    bot.user(MINH, "Minh")
    code = code_in(typed(bot, HOA, "/link", 1))

    question = await bot.send(MINH, f"/link {code}")
    text = question.text or ""
    assert "Mã liên kết này là của Hoa (thành viên; đơn vị: Xã C)" in text
    assert "Tài khoản Telegram này đang là Minh (quản trị; đơn vị: Văn phòng)" in text
    assert "thành một người: Hoa" in text
    assert "hoạt động với tư cách Hoa, với vai trò quản trị" in text
    assert [label for label, _ in buttons(question)] == ["Gộp", "Hủy"]
    assert (people(bot), codes_used(bot)) == (3, [False])  # asked: nothing joined, code kept

    cancel, join_first = button_data(question, "Hủy"), button_data(question, "Gộp")
    assert "Đã hủy" in await bot.press(MINH, cancel, question.message_id)
    assert (people(bot), codes_used(bot)) == (3, [False])
    assert role_raised_notices(bot) == []

    again = await bot.send(MINH, f"/link {code}")  # the code still works after a cancel
    join = button_data(again, "Gộp")
    forged = sign(b"not the bot's key", str(MINH), *join.split("~")[0].split(":"))
    assert "không hợp lệ" in await press_as_sent(bot, MINH, forged, again.message_id)
    assert people(bot) == 3
    assert "gộp hai tài khoản" in await bot.press(MINH, join, again.message_id)
    assert (people(bot), codes_used(bot)) == (2, [True])
    with bot.session() as s:
        hoa = s.exec(select(Contact).where(Contact.display_name == "Hoa")).one()
        raised = s.exec(select(AuditLog).where(AuditLog.action == "contact.role_raised_by_merge"))
        assert [(e.details["source_role"], e.details["role"]) for e in raised] == [
            ("admin", "admin")
        ]
    assert hoa.role == "admin"  # what the question said
    assert role_raised_notices(bot) == [str(TUAN)]
    # The same Gộp again, or the cancelled question's: the code is spent, nothing more joins.
    assert "Không gộp" in await press_as_sent(bot, MINH, join, again.message_id)
    assert "Không gộp" in await press_as_sent(bot, MINH, join_first, question.message_id)
    assert people(bot) == 2


async def test_on_the_text_channel_the_question_is_numbered_and_expires_with_the_code(
    bot: BotUnderTest,
) -> None:
    with bot.session() as s:
        make_contact(s, TUAN, role="admin", name="Tuấn")
        make_contact(s, LAN_TG, units=[make_unit(s, "XA", "Xã A")], name="Lan")
        make_contact(s, 0, units=[make_unit(s, "XB", "Xã B")], name="Lan", role="coordinator",
                     channel="text", external_id=LAN)  # fmt: skip
    bot.user(LAN_TG, "Lan")
    code = code_in((await bot.send(LAN_TG, "/link")).text or "")

    question = typed(bot, LAN, f"/link {code}", 1)
    assert "Mã liên kết này là của Lan (thành viên; đơn vị: Xã A)" in question
    assert "Tài khoản kênh văn bản này đang là Lan (điều phối; đơn vị: Xã B)" in question
    assert "với vai trò điều phối" in question
    assert "1 = Gộp\n2 = Hủy" in question
    assert (people(bot), codes_used(bot)) == (3, [False])

    assert "Đã hủy" in typed(bot, LAN, "2", 2)
    assert (people(bot), codes_used(bot)) == (3, [False])

    assert "1 = Gộp" in typed(bot, LAN, f"/link {code}", 3)  # the code still works
    bot.clock.advance(timedelta(minutes=16))  # past the code's 15 minutes
    assert "Không gộp: mã liên kết đã được dùng hoặc đã hết hạn" in typed(bot, LAN, "1", 4)
    assert (people(bot), codes_used(bot)) == (3, [False])

    fresh = code_in((await bot.send(LAN_TG, "/link")).text or "")
    assert "1 = Gộp" in typed(bot, LAN, f"/link {fresh}", 5)
    assert "gộp hai tài khoản" in typed(bot, LAN, "1", 6)
    assert (people(bot), codes_used(bot)) == (2, [False, True])
    assert role_raised_notices(bot) == [str(TUAN)]  # Lan of Telegram is a coordinator now


async def test_a_chat_that_is_nobody_yet_links_in_one_step(bot: BotUnderTest) -> None:
    with bot.session() as s:
        make_contact(s, LAN_TG, units=[make_unit(s, "XA", "Xã A")], name="Lan")
    bot.user(LAN_TG, "Lan")
    code = code_in((await bot.send(LAN_TG, "/link")).text or "")
    assert "Đã liên kết" in typed(bot, LAN, f"/link {code}", 1)
    assert (people(bot), codes_used(bot)) == (1, [True])


async def test_a_coordinator_s_scope_widened_by_a_join_is_told_to_the_admins(
    bot: BotUnderTest,
) -> None:
    """Lan follows the coastal communes on Telegram and, registered again on the text
    channel, the mountain ones: both coordinators, so joining raises no role, yet the joined
    Lan follows both groups. The other admins are told, and it is audited, as a raised role
    is."""
    with bot.session() as s:
        make_contact(s, TUAN, role="admin", name="Tuấn")
        coast = make_unit(s, "XA", "Xã A", groups=["Ven biển"])
        hills = make_unit(s, "XB", "Xã B", groups=["Miền núi"])
        groups = {g.name: g.id or 0 for g in s.exec(select(UnitGroup))}
        lan_tg = make_contact(s, LAN_TG, units=[coast], name="Lan", role="coordinator")
        lan = make_contact(s, 0, units=[hills], name="Lan", role="coordinator",
                           channel="text", external_id=LAN)  # fmt: skip
        set_scope(s, contact_id=lan_tg.id or 0, group_ids=[groups["Ven biển"]])
        set_scope(s, contact_id=lan.id or 0, group_ids=[groups["Miền núi"]])
        s.commit()
    bot.user(LAN_TG, "Lan")
    code = code_in((await bot.send(LAN_TG, "/link")).text or "")
    assert "với vai trò điều phối" in typed(bot, LAN, f"/link {code}", 1)
    assert "gộp hai tài khoản" in typed(bot, LAN, "1", 2)

    with bot.session() as s:
        notices = s.exec(select(Outbox).where(col(Outbox.key).startswith("merge-"))).all()
        audited = s.exec(
            select(AuditLog).where(AuditLog.action == "contact.scope_widened_by_merge")
        ).all()
    assert [(n.key.split(":")[0], n.chat_id) for n in notices] == [("merge-widened", str(TUAN))]
    said = notices[0].payload["text"]
    assert "tài khoản kênh văn bản, phạm vi các nhóm Miền núi" in said
    assert "trước đó phạm vi các nhóm Ven biển" in said
    assert "Vai trò vẫn là điều phối" in said
    assert "phạm vi theo dõi nay là **các nhóm Miền núi, Ven biển**" in said
    [entry] = audited
    assert (entry.details["scope_before"], entry.details["source_scope"]) == (
        [groups["Ven biển"]],
        [groups["Miền núi"]],
    )
    assert sorted(entry.details["scope"]) == sorted(groups.values())
