"""/invites on Zalo: revoking a code's invite or a unit's open invites, as on Telegram,
audited; a name fitting several units answered by number; no sheet, since Zalo sends none."""

from __future__ import annotations

from sqlmodel import col, select

from db.models import AuditLog, Invite
from db.queries.invites import create_invite
from tests.factories import make_contact, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"
LAN = "0c9d2e7a6b514f33"


def province(zbot: ZaloBot) -> list[str]:
    """Communes X01 Xã An Hòa (two open invites) and X02 Xã An Phú (one); Hoa a member of
    X01 on Zalo; return the invite codes, X01's first."""
    now = zbot.tg.clock.now()
    with zbot.session() as s:
        first, second = make_unit(s, "X01", "Xã An Hòa"), make_unit(s, "X02", "Xã An Phú")
        codes = [
            create_invite(
                s,
                unit_id=unit.id or 0,
                role="member",
                function="focal",
                created_by_id=None,
                now=now,
                ttl_days=7,
            )[1]
            for unit in (first, first, second)
        ]
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
        s.commit()
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    return codes


def open_invites(zbot: ZaloBot) -> int:
    """Return how many invites still work: unused and not expired (a revoked one expires)."""
    now = zbot.tg.clock.now()
    with zbot.session() as s:
        invites = s.exec(select(Invite)).all()
        return sum(1 for i in invites if i.used_at is None and i.expires_at > now)


def audited(zbot: ZaloBot) -> list[str]:
    """Return the audit actions, oldest first."""
    with zbot.session() as s:
        return [e.action for e in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


async def test_revoke_one_invite_by_its_code(zbot: ZaloBot) -> None:
    """/invites revoke <code> revokes that invite only; again, it has nothing to revoke."""
    code = province(zbot)[0]
    [answer] = await zbot.say(ZALO_ADMIN, f"/invites revoke {code}")
    assert "Đã thu hồi lời mời này của Xã An Hòa" in answer
    assert "mã mời" in answer  # what a Zalo admin handed out (it said only "liên kết")
    assert open_invites(zbot) == 2
    [again] = await zbot.say(ZALO_ADMIN, f"/invites revoke {code}")
    assert "không có gì để thu hồi" in again
    assert audited(zbot) == ["invite.revoked"]


async def test_revoking_a_used_code_names_who_used_it_and_how_to_undo_it(zbot: ZaloBot) -> None:
    """A code that reached the wrong person and was used: revoking it names that person, the
    day, and /contacts to take them off the unit, not just "nothing to revoke"."""
    code = province(zbot)[2]
    zbot.zalo.add_user(LAN, "Lan")
    await zbot.say(LAN, code)
    [answer] = await zbot.say(ZALO_ADMIN, f"/invites revoke {code}")
    assert "đã được Lan dùng ngày 18/11/2026" in answer
    assert "/contacts" in answer


async def test_revoke_a_units_open_invites(zbot: ZaloBot) -> None:
    """/invites revoke X01 revokes both of its open invites, each audited."""
    province(zbot)
    [answer] = await zbot.say(ZALO_ADMIN, "/invites revoke X01")
    assert "Đã thu hồi 2 lời mời chưa dùng của Xã An Hòa" in answer
    assert "mã mời" in answer
    assert open_invites(zbot) == 1
    assert audited(zbot) == ["invite.revoked", "invite.revoked"]


async def test_a_name_fitting_two_units_is_answered_by_number(zbot: ZaloBot) -> None:
    """ "Xã An" fits two communes, offered numbered; "2" revokes Xã An Phú's invite."""
    province(zbot)
    [offer] = await zbot.say(ZALO_ADMIN, "/invites revoke Xã An")
    assert "2 = Xã An Phú (X02)" in offer.splitlines()
    [answer] = await zbot.say(ZALO_ADMIN, "2")
    assert "Đã thu hồi 1 lời mời chưa dùng của Xã An Phú" in answer
    assert open_invites(zbot) == 2


async def test_invites_without_revoke_or_with_nothing_to_revoke_explain(zbot: ZaloBot) -> None:
    """/invites alone, with no public address to link the sheet at, says what the admin must
    set (the sheet itself: tests/web/test_zalo_alone.py); /invites revoke alone gives its
    usage."""
    province(zbot)
    [unset] = await zbot.say(ZALO_ADMIN, "/invites")
    assert "PUBLIC_BASE_URL" in unset
    [usage] = await zbot.say(ZALO_ADMIN, "/invites revoke")
    assert usage.startswith("Cách dùng: /invites revoke")
    [unknown] = await zbot.say(ZALO_ADMIN, "/invites revoke X99")
    assert "Không tìm thấy đơn vị «X99»" in unknown
    assert open_invites(zbot) == 3


async def test_a_member_is_refused_invites(zbot: ZaloBot) -> None:
    """A unit's member typing /invites revoke is refused and every invite stays open."""
    code = province(zbot)[0]
    [answer] = await zbot.say(HOA, f"/invites revoke {code}")
    assert "không có quyền" in answer
    assert open_invites(zbot) == 3


async def test_an_invite_for_a_deactivated_unit_says_so_and_how_to_follow_it_again(
    zbot: ZaloBot,
) -> None:
    """ "/invite X-OLD" of a deactivated unit names it with /activate, not "no such unit";
    no invite is made."""
    with zbot.session() as s:
        old = make_unit(s, "X-OLD", "Xã Cũ")
        old.active = False
        s.add(old)
        s.commit()
    [said] = await zbot.say(ZALO_ADMIN, "/invite xa cu")
    assert "Xã Cũ (X-OLD), đơn vị đã ngừng theo dõi" in said
    assert "/activate X-OLD" in said
    with zbot.session() as s:
        assert s.exec(select(Invite)).first() is None


async def test_invite_with_a_word_that_is_no_role_names_the_word_and_makes_nothing(
    zbot: ZaloBot,
) -> None:
    """`/invite X01 boss`: "boss" is no role; the bot says so with the roles there are (it
    said there was no unit «X01 boss»), makes no invite, and in English too."""
    province(zbot)
    before = open_invites(zbot)
    [answer] = await zbot.say(ZALO_ADMIN, "/invite X01 boss")
    assert "«boss» không phải vai trò" in answer
    assert "/invite X01 điều phối viên" in answer
    await zbot.say(ZALO_ADMIN, "/lang en")
    [english] = await zbot.say(ZALO_ADMIN, "/invite an hoa chief leader")
    assert '"chief" is neither a role nor a function' in english
    assert open_invites(zbot) == before
