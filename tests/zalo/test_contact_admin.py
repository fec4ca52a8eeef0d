"""An admin on Zalo alone changes a person's role and takes them off a unit, by typing
what a person's card's buttons do on Telegram (`/contacts role`, `/contacts remove`)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.models import Contact, StatusReport
from db.queries.contacts import unit_ids_of
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "b1b2b3b4b5b6b7b8"
CHI = "c1c2c3c4c5c6c7c8"


def arrange(zbot: ZaloBot) -> tuple[int, int]:
    """Hoa, a member of Xã A and Xã B; Chi, a coordinator; return Hoa's id and task #."""
    with zbot.session() as s:
        a = make_unit(s, "XA", "Xã A")
        b = make_unit(s, "XB", "Xã B")
        task = make_task(s, "Kế hoạch CĐS", date(2026, 12, 15), [a])
        hoa = make_contact(s, 0, units=[a, b], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
        assert hoa.id is not None
        assert task.id is not None
        ids = hoa.id, task.id
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    return ids


def role_of(zbot: ZaloBot, contact_id: int) -> str:
    """Return the person's role as stored."""
    with zbot.session() as s:
        contact = s.get(Contact, contact_id)
        assert contact is not None
        return contact.role


async def test_an_admin_on_zalo_removes_a_person_from_a_unit(zbot: ZaloBot) -> None:
    """`/contacts remove Hoa XA` takes Hoa off Xã A only; a unit she is not in is answered
    with hers; a coordinator is refused; Hoa, off Xã A, reports nothing for its task."""
    hoa, task = arrange(zbot)
    [refused] = await zbot.say(CHI, "/contacts remove Hoa XA")
    assert "không có quyền" in refused
    [wrong] = await zbot.say(ZALO_ADMIN, "/contacts remove Hoa Xã C")
    assert "XA: Xã A" in wrong
    assert "XB: Xã B" in wrong
    [which] = await zbot.say(ZALO_ADMIN, "/contacts remove Hoa")
    assert which.startswith("Gỡ Hoa khỏi đơn vị nào?")
    assert "XB: Xã B" in which
    with zbot.session() as s:
        assert len(unit_ids_of(s, contact_id=hoa)) == 2
    [done] = await zbot.say(ZALO_ADMIN, "/contacts gỡ Hoa XA")
    assert done == "Đã gỡ Hoa khỏi Xã A."
    with zbot.session() as s:
        [left] = unit_ids_of(s, contact_id=hoa)
    [listing] = await zbot.say(ZALO_ADMIN, "/contacts XA")
    assert "Hoa" not in listing
    await zbot.say(HOA, f"#{task} xong")
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).first() is None
        assert unit_ids_of(s, contact_id=hoa) == [left]


async def test_an_admin_on_zalo_changes_a_role_but_not_their_own(zbot: ZaloBot) -> None:
    """`/contacts role Hoa coordinator` makes Hoa a coordinator (her /help then lists
    /summary); the admin cannot change their own role; an unknown role gets the usage."""
    hoa, _ = arrange(zbot)
    [usage] = await zbot.say(ZALO_ADMIN, "/contacts role Hoa chủ tịch")
    assert "/contacts role <người>" in usage
    [bare] = await zbot.say(ZALO_ADMIN, "/contacts role")
    assert bare.startswith("Đổi vai trò: /contacts role <người>")
    [done] = await zbot.say(ZALO_ADMIN, "/contacts role Hoa điều phối")
    assert done == "Hoa giờ có vai trò điều phối."
    assert role_of(zbot, hoa) == "coordinator"
    help_pages = await zbot.say(HOA, "/help")
    assert "/summary" in "\n".join(help_pages)
    [own] = await zbot.say(ZALO_ADMIN, f"/contacts role {ZALO_ADMIN} member")
    assert "không thể tự đổi vai trò" in own
    [nobody] = await zbot.say(ZALO_ADMIN, "/contacts role Lan admin")
    assert "Không tìm thấy ai" in nobody


async def test_an_admins_help_on_zalo_names_the_invite_sheet_and_contact_changes(
    zbot: ZaloBot,
) -> None:
    """README promises `/invites [all] [csv]`, the contact changes and a coordinator's or
    leader's invite on Zalo: /help says so."""
    shown = "\n".join(await zbot.say(ZALO_ADMIN, "/help"))
    assert "/invites [all] [csv]" in shown
    assert "/contacts role" in shown
    assert "/contacts remove" in shown
    assert (
        "/invite <đơn vị> [điều phối viên|quản trị viên] [lãnh đạo]" in shown
    )  # how a coordinator joins


async def test_roles_are_read_as_the_bot_itself_names_them(zbot: ZaloBot) -> None:
    """ "điều phối viên", "quản trị viên", "lãnh đạo phụ trách" (the bot's own words, with or
    without marks) name the role and function, in /contacts role as in /invite; they were
    refused with the usage, or read as part of the unit's name."""
    hoa, _ = arrange(zbot)
    [done] = await zbot.say(ZALO_ADMIN, "/contacts role Hoa điều phối viên")
    assert done == "Hoa giờ có vai trò điều phối."
    assert role_of(zbot, hoa) == "coordinator"
    await zbot.say(ZALO_ADMIN, "/contacts role Hoa quan tri vien")
    assert role_of(zbot, hoa) == "admin"
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA điều phối viên lãnh đạo phụ trách")
    assert invite.startswith("Lời mời cho Xã A (điều phối, lãnh đạo phụ trách)")


async def test_the_usages_name_the_roles_in_vietnamese(zbot: ZaloBot) -> None:
    """/invite's and /contacts role's usage name the roles as a Vietnamese admin types them,
    not "coordinator|admin", "focal|leader"."""
    arrange(zbot)
    usages = [
        *await zbot.say(ZALO_ADMIN, "/invite"),
        *await zbot.say(ZALO_ADMIN, "/contacts role"),
    ]
    for usage in usages:
        assert "điều phối viên" in usage
        assert "coordinator" not in usage
        assert "leader" not in usage
