"""Contacts in chat: /whoami, /contacts, changing a role, removing from a unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app import contact_card
from core.roles import Role
from db.engine import session_scope
from db.models import AuditLog, Contact, ContactIdentity, Outbox, UnitContact
from db.queries.contact_admin import change_role
from devtools.fakebotapi import ChatMessage
from handlers.telegram.contacts import PAGE_SIZE
from tests.factories import make_contact, make_unit, person
from tests.harness import ADMIN_ID, BotUnderTest, button_data


async def test_whoami_shows_role_function_and_units(bot: BotUnderTest) -> None:
    """A leader of two units sees both, with their function."""
    with bot.session() as s:
        units = [make_unit(s, "X1", "Xã Bình Minh"), make_unit(s, "X2", "Xã Bình Triều")]
        make_contact(s, 4401, units=units, function="leader")
    bot.user(4401)
    text = (await bot.send(4401, "/whoami")).text or ""
    assert "Vai trò: thành viên" in text
    assert "Xã Bình Minh (lãnh đạo phụ trách)" in text
    assert "Xã Bình Triều" in text


async def test_contacts_lists_people_and_flags_the_unreachable(bot: BotUnderTest) -> None:
    """Every registered person is listed with role and units; a blocked one is flagged."""
    with bot.session() as s:
        unit = make_unit(s, "X1", "Xã Tam Xuân")
        make_contact(s, 4501, units=[unit], name="Lan")
        make_contact(s, 4502, units=[unit], name="Minh", reachable=False)
    text = (await bot.send(ADMIN_ID, "/contacts tam xuan")).text or ""
    assert "Liên hệ của Xã Tam Xuân" in text
    assert "• Lan: thành viên; X1" in text
    assert "⚠️ Minh" in text


async def test_contacts_of_a_unit_without_contacts_says_how_to_invite(bot: BotUnderTest) -> None:
    """/contacts for a unit nobody is registered in says so (with /invite), by code or by
    name, without buttons and without an error."""
    with bot.session() as s:
        make_unit(s, "X1", "Xã Tam Xuân")
        make_unit(s, "X2", "Xã Tam Bình")
    for typed in ("X1", "tam xuan"):
        reply = await bot.send(ADMIN_ID, f"/contacts {typed}")
        assert "Liên hệ của Xã Tam Xuân: 0" in (reply.text or "")
        assert "(chưa có ai; tạo lời mời bằng /invite)" in (reply.text or "")
        assert reply.reply_markup is None


async def test_admin_changes_a_role_with_buttons(bot: BotUnderTest) -> None:
    """Card, then 'make coordinator': the role changes, is audited and the menu grows."""
    with bot.session() as s:
        make_contact(s, 4601, units=[make_unit(s, "X1")], name="Lan")
    bot.user(4601, "Lan")
    await bot.send(4601, "/start")
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Lan"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "điều phối"), card.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Lan giờ có vai trò điều phối" in (said.text or "")
    with bot.session() as s:
        contact = person(s, "4601")
        audit = s.exec(select(AuditLog).where(AuditLog.action == "role.changed")).one()
    assert contact.role == "coordinator"
    assert audit.details == {"from": "member", "to": "coordinator"}
    await bot.server.wait_until(
        lambda: bool(bot.server.commands(scope={"type": "chat", "chat_id": 4601}))
    )


async def test_demoting_the_last_admin_is_refused_in_the_admins_language(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins demote each other at once: the other's change lands between this press's
    check and its change, so this one would leave no admin. It is refused, changing nothing."""
    with bot.session() as s:
        make_contact(s, 4801, role="admin", name="Bình")
        s.commit()
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Bình"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)

    def demoted_meanwhile(session: Session, **kwargs: Any) -> Any:
        with session_scope(bot.engine) as other:  # Bình's own press, committed first
            me, binh = person(other, str(ADMIN_ID)), person(other, "4801")
            change_role(other, contact_id=me.id or 0, role=Role.MEMBER, actor_id=binh.id)
        return change_role(session, **kwargs)

    monkeypatch.setattr(contact_card, "change_role", demoted_meanwhile)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "thành viên"), card.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert said.text == (
        "Không đổi vai trò: Bình là quản trị viên cuối cùng, tỉnh sẽ không còn ai quản trị. "
        "Hãy đặt một người khác làm quản trị viên trước. Không thay đổi gì."
    )
    with bot.session() as s:
        assert person(s, "4801").role == "admin"
        changes = s.exec(select(AuditLog).where(AuditLog.action == "role.changed")).all()
    assert [c.details for c in changes] == [{"from": "admin", "to": "member"}]  # Bình's alone


async def test_admin_removes_a_contact_from_a_unit(bot: BotUnderTest) -> None:
    """'Remove from X1' unlinks the person; they and their other unit stay."""
    with bot.session() as s:
        one, two = make_unit(s, "X1"), make_unit(s, "X2")
        make_contact(s, 4701, units=[one, two], name="Hoa")
    listing = await bot.send(ADMIN_ID, "/contacts X1")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Hoa"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "Gỡ khỏi X1"), card.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Đã gỡ Hoa" in (said.text or "")
    with bot.session() as s:
        links = s.exec(select(UnitContact)).all()
        assert s.exec(select(AuditLog).where(AuditLog.action == "contact.removed")).first()
    assert [link.unit_id for link in links] == [two.id]
    stale = await bot.press(ADMIN_ID, button_data(card, "Gỡ khỏi X1"), card.message_id)
    assert "đã cũ" in stale


async def test_admin_cannot_change_their_own_role(bot: BotUnderTest) -> None:
    """An admin demoting themselves is refused (someone must stay admin)."""
    await bot.send(ADMIN_ID, "/start")
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Quản trị"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "thành viên"), card.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "không thể tự đổi" in (said.text or "")


async def test_unreachable_contact_who_writes_again_is_reachable(bot: BotUnderTest) -> None:
    """A contact the sender marked unreachable (403) is no longer flagged once they write."""
    with bot.session() as s:
        unit = make_unit(s, "X1", "Xã Tam Xuân")
        make_contact(s, 4801, units=[unit], reachable=False)
    assert "không liên lạc được" in ((await bot.send(ADMIN_ID, "/units")).text or "")
    bot.user(4801)
    await bot.send(4801, "/whoami")
    text = (await bot.send(ADMIN_ID, "/units")).text or ""
    assert "X1 Xã Tam Xuân: 1 liên hệ" in text
    assert "chưa liên lạc được: 0" in text


async def test_scope_sets_shows_and_clears_a_coordinators_groups(bot: BotUnderTest) -> None:
    """/scope limits a coordinator named as in /contacts; their summary follows; `all` lifts it."""
    from db.models import ContactScope
    from tests.handlers.telegram.summary_data import COORDINATOR, make_province

    with bot.session() as s:
        province = make_province(s)
    bot.user(COORDINATOR, "Điều phối")
    reply = await bot.send(ADMIN_ID, "/scope Điều phối Xã thí điểm")
    assert "Đã giới hạn Điều phối trong các nhóm: Xã thí điểm" in (reply.text or "")
    summary = (await bot.send(COORDINATOR, f"/summary #{province.task1}")).text or ""
    assert "2 đơn vị: Đã hoàn thành 2" in summary
    assert "Xã C" not in summary
    shown = (await bot.send(ADMIN_ID, "/scope dieu phoi")).text or ""
    assert "chỉ theo dõi các nhóm: Xã thí điểm" in shown
    cleared = (await bot.send(ADMIN_ID, f"/scope {COORDINATOR} all")).text or ""
    assert "toàn tỉnh" in cleared
    summary = (await bot.send(COORDINATOR, f"/summary #{province.task1}")).text or ""
    assert "5 đơn vị" in summary
    with bot.session() as s:
        assert s.exec(select(ContactScope)).all() == []
        actions = [a.action for a in s.exec(select(AuditLog))]
    assert actions.count("scope.changed") == 2


async def test_scope_with_an_unknown_group_changes_nothing(bot: BotUnderTest) -> None:
    """A group nobody has is named in the refusal and no scope is stored."""
    from db.models import ContactScope

    with bot.session() as s:
        make_unit(s, "XA", "Xã A", groups=["Xã thí điểm"])
        make_contact(s, 4601, role="coordinator", name="Lan")
    reply = await bot.send(ADMIN_ID, "/scope Lan Xã thí điểm, Vùng biển")
    assert "Không có nhóm đơn vị “Vùng biển”" in (reply.text or "")
    with bot.session() as s:
        assert s.exec(select(ContactScope)).all() == []


async def test_scope_of_a_member_or_by_a_coordinator_is_refused(bot: BotUnderTest) -> None:
    """Only a coordinator has a scope, and only an admin sets it."""
    with bot.session() as s:
        unit = make_unit(s, "XA", "Xã A", groups=["Xã thí điểm"])
        make_contact(s, 4701, units=[unit], name="Minh")
        make_contact(s, 4702, role="coordinator", name="Lan")
    member = (await bot.send(ADMIN_ID, "/scope Minh Xã thí điểm")).text or ""
    assert "không phải điều phối viên" in member
    bot.user(4702, "Lan")
    refused = (await bot.send(4702, "/scope Lan all")).text or ""
    assert "không có quyền" in refused
    unknown = (await bot.send(ADMIN_ID, "/scope Ai đó Xã thí điểm")).text or ""
    assert "Không tìm thấy ai" in unknown


async def test_contacts_loads_only_the_page_it_shows(bot: BotUnderTest) -> None:
    """Of 46 people the list counts all, shows the second page by name, and loads only it.

    A country registers tens of thousands: loading every person to show ten held the bot's
    GIL for seconds, and every other person's answer waited.
    """
    with bot.session() as s:
        unit = make_unit(s, "X1")
        for n in range(45):
            make_contact(s, 5000 + n, units=[unit], name=f"Cán bộ {n:02d}")
    loaded: list[Contact] = []

    def count(target: Contact, _context: object) -> None:
        loaded.append(target)

    event.listen(Contact, "load", count)
    try:
        listing = await bot.send(ADMIN_ID, "/contacts")
        await bot.press(ADMIN_ID, button_data(listing, "Sau"), listing.message_id)
    finally:
        event.remove(Contact, "load", count)
    edited = bot.server.messages(ADMIN_ID)[-1].text or ""
    assert "đăng ký: 46" in (listing.text or "")  # and the admin
    shown = [n for n in range(45) if f"Cán bộ {n:02d}" in edited]
    assert shown == list(range(10, 20))
    assert "Trang 2/5" in edited
    assert len(loaded) <= 2 * PAGE_SIZE + 1  # the two pages (and the admin)


async def test_contact_card_names_each_channel_with_its_id(bot: BotUnderTest) -> None:
    """A person on Zalo alone is shown with their Zalo id, never as a "Telegram id"."""
    with bot.session() as s:
        unit = make_unit(s, "X1", "Xã Tam Xuân")
        make_contact(
            s, 0, units=[unit], name="Hoa", channel="zalo", external_id="b1b2c3d4e5f6a7b8"
        )
    listing = await bot.send(ADMIN_ID, "/contacts X1")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Hoa"), listing.message_id)
    card = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "Zalo (mã b1b2c3d4e5f6a7b8)" in card
    assert "Telegram" not in card


async def test_contact_card_title_is_the_name_alone_without_a_username(
    bot: BotUnderTest,
) -> None:
    """A person without a Telegram username (on Zalo alone) is titled by their name alone,
    without a stray dash; one with a username has it after their name."""
    with bot.session() as s:
        unit = make_unit(s, "X1", "Xã Tam Xuân")
        make_contact(
            s, 0, units=[unit], name="Phạm Thu Hà", channel="zalo", external_id="c1c2c3d4e5f6"
        )
        nam = make_contact(s, 7001, units=[unit], name="Lê Văn Nam")
        identity = s.exec(select(ContactIdentity).where(ContactIdentity.contact_id == nam.id))
        identity.one().username = "lenam"
        s.commit()
    listing = await bot.send(ADMIN_ID, "/contacts X1")
    titles = []
    for name in ("Phạm Thu Hà", "Lê Văn Nam"):
        after = bot.server.last_message_id(ADMIN_ID)
        await bot.press(ADMIN_ID, button_data(listing, name), listing.message_id)
        card = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
        titles.append(card.splitlines()[0])
    assert titles == ["Phạm Thu Hà", "Lê Văn Nam @lenam"]


async def test_contacts_pages_of_people_in_dozens_of_units_fit_and_turn(
    bot: BotUnderTest,
) -> None:
    """People in 60 units of long codes and names: each page is one message under Telegram's
    4,096 characters, a person's units cut with "… và N đơn vị khác", and Next and Previous
    edit it in place."""
    with bot.session() as s:
        units = [
            make_unit(s, f"XA-{i:02}-" + "K" * 34, f"Xã số {i:02} " + "Tam Xuân " * 21)
            for i in range(60)
        ]
        for n in range(PAGE_SIZE + 2):
            make_contact(s, 4900 + n, units=units, name=f"Người {n:02} " + "Nguyễn Văn " * 18)
    first = await bot.send(ADMIN_ID, "/contacts")
    text = first.text or ""
    assert len(text) <= 4096
    assert "Trang 1/2" in text  # the whole page, in one message
    assert "XA-00-" in text
    assert "… và 57 đơn vị khác" in text
    await bot.press(ADMIN_ID, button_data(first, "Sau"), first.message_id)
    await bot.server.wait_until(lambda: "Trang 2/2" in (current(bot, first.message_id).text or ""))
    second = current(bot, first.message_id)
    assert len(second.text or "") <= 4096
    assert f"Người {PAGE_SIZE:02}" in (second.text or "")
    await bot.press(ADMIN_ID, button_data(second, "Trước"), first.message_id)
    await bot.server.wait_until(lambda: "Trang 1/2" in (current(bot, first.message_id).text or ""))


def current(bot: BotUnderTest, message_id: int) -> ChatMessage:
    """Return a bot message as it stands now (after edits)."""
    return next(m for m in bot.server.messages(ADMIN_ID) if m.message_id == message_id)


async def test_an_admin_takes_a_zalo_account_off_a_person_by_typing_unlink(
    bot: BotUnderTest,
) -> None:
    """`/contacts unlink Lan zalo` typed on Telegram, as on Zalo: Lan's Zalo account (a
    /link code typed by someone else) becomes a person of its own, of no unit; her Telegram
    keeps her unit; what was queued for her there goes to her Telegram chat instead."""
    with bot.session() as s:
        lan = make_contact(s, 3801, units=[make_unit(s, "X1", "Xã Một")], name="Lan")
        s.add(ContactIdentity(contact_id=lan.id or 0, channel="zalo", external_id="ab12",
                              chat_id="ab12", last_seen_at=bot.clock.now()))  # fmt: skip
        s.add(Outbox(key="r:1", channel="zalo", chat_id="ab12", contact_id=lan.id,
                     kind="reminder", payload={"text": "Nhắc việc"}))  # fmt: skip
        s.commit()
    said = (await bot.send(ADMIN_ID, "/contacts unlink Lan zalo")).text or ""
    assert "Đã gỡ tài khoản Zalo ab12 khỏi Lan" in said
    with bot.session() as s:
        zalo = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == "ab12")).one()
        assert zalo.contact_id != lan.id
        assert (
            s.exec(select(UnitContact).where(UnitContact.contact_id == zalo.contact_id)).all()
            == []
        )
        assert person(s, 3801).id == lan.id
        queued = s.exec(select(Outbox).where(Outbox.key == "r:1")).one()
    assert (queued.channel, queued.chat_id) == ("telegram", "3801")
