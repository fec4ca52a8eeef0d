"""Pairing on Zalo: an admin's /invite gives a code; the official sends it and is registered."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.cli import main
from db.models import AuditLog, Contact, ContactIdentity, Invite, InviteFailure, UnitContact
from db.queries import invites
from tests.bot.conftest import EXAMPLES
from tests.factories import make_contact, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_hostile import queue_raw

HOA, LAN = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"


def identity(session: Session, external_id: str) -> ContactIdentity:
    """Return the chat identity with this id (on any channel)."""
    query = select(ContactIdentity).where(ContactIdentity.external_id == external_id)
    return session.exec(query).one()


def code_of(answer: str) -> str:
    """Return the pairing code an /invite answer shows (the word after `/start`)."""
    return answer.split("/start ", 1)[1].split()[0]


async def telegram_link_code(zbot: ZaloBot, user_id: int, name: str, unit_name: str) -> str:
    """Register `name` on Telegram for a new unit; return the code her /link shows."""
    with zbot.session() as s:
        unit = make_unit(s, f"U{user_id}", unit_name)
        make_contact(s, user_id, units=[unit], name=name)
    zbot.tg.user(user_id, name)
    await zbot.tg.send(user_id, "/start")
    asked = (await zbot.tg.send(user_id, "/link")).text or ""
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", asked)
    assert code is not None, asked
    return code.group(0)


async def test_an_official_pairs_with_start_and_the_code(zbot: ZaloBot) -> None:
    """A Zalo admin's /invite shows a code; /start <code> registers Hoa, greeted by unit."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    zbot.zalo.add_user(HOA, "Hoa")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA")
    assert "Xã Điện Bàn Tây" in invite
    assert "Trên Zalo" in invite
    [welcome] = await zbot.say(HOA, f"/start {code_of(invite)}")
    assert "Chào mừng Hoa" in welcome
    assert "Xã Điện Bàn Tây" in welcome
    with zbot.session() as s:
        hoa = identity(s, HOA)
        links = s.exec(select(UnitContact).where(UnitContact.contact_id == hoa.contact_id)).all()
    assert (hoa.channel, hoa.chat_id, len(links)) == ("zalo", HOA, 1)
    notice = await zbot.zalo.wait_for_messages(ZALO_ADMIN, after=1)
    assert "Hoa" in notice[0].text


async def test_a_name_given_as_first_name_names_the_official(zbot: ZaloBot) -> None:
    """A sender named by `first_name`, as Zalo's documented getUpdates answer names one, not
    `display_name`, is welcomed and kept by that name: she was "Chào mừng ," and listed by
    her Zalo id."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA")
    message = {
        "message_id": "first-name-1",
        "date": 1_700_000_000_000,
        "chat": {"id": HOA, "chat_type": "PRIVATE"},
        "from": {"id": HOA, "first_name": "Nguyễn Thị Hoa"},
        "text": f"/start {code_of(invite)}",
    }
    queue_raw(zbot, message)
    await zbot.handled("first-name-1")
    [welcome] = [m.text for m in zbot.zalo.messages(HOA)]
    assert "Chào mừng Nguyễn Thị Hoa" in welcome
    with zbot.session() as s:
        contact = s.get(Contact, identity(s, HOA).contact_id)
    assert contact is not None
    assert contact.display_name == "Nguyễn Thị Hoa"


async def test_the_code_alone_pairs_and_a_used_code_is_refused(zbot: ZaloBot) -> None:
    """Sending just the code works; the same code again, from someone else, is refused."""
    with zbot.session() as s:
        make_unit(s, "XB", "Xã B")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XB")
    code = code_of(invite)
    [welcome] = await zbot.say(HOA, code)
    assert "Xã B" in welcome
    [refused] = await zbot.say(LAN, f"/start {code}")
    assert "không dùng được" in refused
    with zbot.session() as s:
        assert (
            s.exec(select(ContactIdentity).where(ContactIdentity.external_id == LAN)).first()
            is None
        )


async def test_the_one_who_used_a_code_sending_it_again_is_told_they_are_registered(
    zbot: ZaloBot,
) -> None:
    """Hoa sends her used code again: told she is the focal point of Xã B already, not to
    ask for a new code, and no wrong try is counted; Lan, with the same code, is refused."""
    with zbot.session() as s:
        make_unit(s, "XB", "Xã B")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XB")
    code = code_of(invite)
    await zbot.say(HOA, code)
    [again] = await zbot.say(HOA, f"/start {code}")
    assert "Anh/chị đã dùng lời mời này rồi: anh/chị đang là đầu mối của Xã B" in again
    assert "mã mời mới" not in again
    [refused] = await zbot.say(LAN, code)
    assert "không dùng được" in refused
    with zbot.session() as s:
        assert [f.external_id for f in s.exec(select(InviteFailure))] == [LAN]


async def test_a_stranger_is_told_how_to_join_and_cannot_invite(zbot: ZaloBot) -> None:
    """Someone unknown gets how to join on Zalo; a member's /invite is refused."""
    [hello] = await zbot.say(LAN, "xin chào")
    assert "mã mời" in hello
    with zbot.session() as s:
        make_unit(s, "XC", "Xã C")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XC")
    await zbot.say(HOA, code_of(invite))
    [refused] = await zbot.say(HOA, "/invite XC")
    assert "không có quyền" in refused


async def test_an_admin_code_from_the_command_line_makes_a_zalo_admin(
    zbot: ZaloBot,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`dondoc admin invite` prints a code; sent to the Zalo bot, it makes an admin, once."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert main(["admin", "invite"]) == 0
    code = capsys.readouterr().out.split("/start ", 1)[1].split()[0]
    [welcome] = await zbot.say(HOA, f"/start {code}")
    assert "quản trị viên" in welcome
    [again] = await zbot.say(LAN, code)
    assert "không dùng được" in again
    with zbot.session() as s:
        hoa = identity(s, HOA)
        person = s.get(Contact, hoa.contact_id)
    assert person is not None
    assert (hoa.channel, person.role) == ("zalo", "admin")


async def test_the_invites_sheet_has_a_zalo_column(
    workdir_zalo_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Zalo-only province's sheet has no Telegram link and a `/start <code>` line per unit."""
    assert main(["units", "import", str(EXAMPLES / "units_two_tier_province.csv")]) == 0
    assert main(["invites", "export", "--out", "moi.csv"]) == 0
    content = (workdir_zalo_only / "moi.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert "Liên kết mời" not in rows[0]  # no column left empty on every row
    assert rows[0][7] == "Gửi cho bot Zalo"
    # A code starting with "-" is written as '-... (no formula in a spreadsheet).
    assert all(r[7] == f"/start {r[5].lstrip(chr(39))}" for r in rows[1:])
    assert len(rows) > 10
    capsys.readouterr()


@pytest.fixture
def workdir_zalo_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the command line in an empty directory, configured for Zalo only."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("ZALO_BOT_TOKEN", "2718281828:fake-zalo-token-for-tests")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return tmp_path


async def test_an_admin_code_works_on_telegram_too(
    zbot: ZaloBot,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same kind of code, sent as /start <code> on Telegram, makes a Telegram admin."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert main(["admin", "invite"]) == 0
    code = capsys.readouterr().out.split("/start ", 1)[1].split()[0]
    zbot.tg.user(7007, "Minh")
    welcome = await zbot.tg.send(7007, f"/start {code}")
    assert "quản trị viên" in (welcome.text or "")
    with zbot.session() as s:
        minh = identity(s, "7007")
        person = s.get(Contact, minh.contact_id)
    assert person is not None
    assert (minh.channel, person.role) == ("telegram", "admin")


async def test_a_telegram_official_links_zalo_with_a_code(zbot: ZaloBot) -> None:
    """Lan, on Telegram, asks /link; sending /link <code> on Zalo makes that chat hers."""
    code = await telegram_link_code(zbot, 3701, "Lan", "Xã Liên")
    await zbot.say(HOA, f"/link {code}")
    [who] = await zbot.say(HOA, "/whoami")
    assert "Xã Liên" in who
    with zbot.session() as s:
        zalo_chat = identity(s, HOA)
        telegram = identity(s, "3701")
    assert zalo_chat.contact_id == telegram.contact_id


async def test_a_zalo_chat_that_is_someone_is_asked_before_it_joins(zbot: ZaloBot) -> None:
    """Hoa, registered on Zalo, sends Lan's code: she is asked whom she would join; 2 (Hủy)
    changes nothing and keeps the code, 1 (Gộp) makes Hoa's person Lan's."""
    code = await telegram_link_code(zbot, 3703, "Lan", "Xã Liên")
    with zbot.session() as s:
        make_contact(s, 0, units=[make_unit(s, "XH", "Xã Hòa")], name="Hoa", channel="zalo",
                     external_id=HOA)  # fmt: skip
    zbot.zalo.add_user(HOA, "Hoa")
    [question] = await zbot.say(HOA, f"/link {code}")
    assert "Mã liên kết này là của Lan (thành viên; đơn vị: Xã Liên)" in question
    assert "1 = Gộp\n2 = Hủy" in question
    assert "Đã hủy" in (await zbot.say(HOA, "2"))[0]
    with zbot.session() as s:
        assert identity(s, HOA).contact_id != identity(s, "3703").contact_id
    await zbot.say(HOA, f"/link {code}")
    assert "gộp hai tài khoản" in (await zbot.say(HOA, "1"))[0]
    with zbot.session() as s:
        assert identity(s, HOA).contact_id == identity(s, "3703").contact_id


async def test_the_one_who_loses_a_race_for_a_code_is_refused_and_not_registered(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lan's code is spent by Hoa between Lan's look-up and Lan's write: Lan is refused and
    left unknown, as with any used code; the code stays Hoa's."""
    with zbot.session() as s:
        make_unit(s, "XD", "Xã D")
        hoa = make_contact(s, 0, name="Hoa", channel="zalo", external_id=HOA)
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XD")
    look_up = invites.redeemable_invite

    def spent_after_the_look_up(session: Session, **kwargs: Any) -> Invite | None:
        found = look_up(session, **kwargs)  # unused when Lan's code is looked up...
        if found is not None:  # ...and Hoa's use is written before Lan's
            used = {"used_at": kwargs["now"], "used_by_id": hoa.id}
            session.execute(update(Invite).where(col(Invite.id) == found.id).values(**used))
        return found

    monkeypatch.setattr(invites, "redeemable_invite", spent_after_the_look_up)
    [refused] = await zbot.say(LAN, code_of(invite))
    assert "không dùng được" in refused
    with zbot.session() as s:
        assert (
            s.exec(select(ContactIdentity).where(ContactIdentity.external_id == LAN)).first()
            is None
        )
        assert s.exec(select(UnitContact)).all() == []
        assert s.exec(select(Invite)).one().used_by_id == hoa.id


async def test_a_link_code_sent_alone_links_as_with_link(zbot: ZaloBot) -> None:
    """A stranger on Zalo who pastes only the code Telegram's /link showed (even typed in lower
    case) is linked, not told to ask for an invite code."""
    code = await telegram_link_code(zbot, 3702, "Mai", "Xã Mỹ")
    [linked] = await zbot.say(HOA, code.lower())
    assert "mã mời" not in linked
    with zbot.session() as s:
        assert identity(s, HOA).contact_id == identity(s, "3702").contact_id


async def test_a_registered_zalo_person_sending_a_link_code_alone_is_asked_to_join(
    zbot: ZaloBot,
) -> None:
    """Hoa, registered on Zalo, pastes Lan's code without /link: the merge question, as
    with /link, not a status report's "no open task"; a text of that shape that is no code
    is read as before and counted as no wrong try."""
    code = await telegram_link_code(zbot, 3704, "Lan", "Xã Liên")
    with zbot.session() as s:
        make_contact(s, 0, units=[make_unit(s, "XH", "Xã Hòa")], name="Hoa", channel="zalo",
                     external_id=HOA)  # fmt: skip
    zbot.zalo.add_user(HOA, "Hoa")
    [question] = await zbot.say(HOA, code.lower())
    assert "Mã liên kết này là của Lan" in question
    assert "1 = Gộp\n2 = Hủy" in question
    await zbot.say(HOA, "2")
    [other] = await zbot.say(HOA, "ABCD-EFGH")
    assert "Mã liên kết" not in other
    with zbot.session() as s:
        assert s.exec(select(InviteFailure)).first() is None


async def test_a_zalo_link_code_sent_alone_on_telegram_links_that_account(
    zbot: ZaloBot,
) -> None:
    """Lan, on Zalo, asks /link; a new Telegram account sending only the code becomes hers,
    not told it is not registered."""
    with zbot.session() as s:
        make_contact(s, 0, units=[make_unit(s, "XL", "Xã Liên")], name="Lan", channel="zalo",
                     external_id=LAN)  # fmt: skip
    zbot.zalo.add_user(LAN, "Lan")
    [asked] = await zbot.say(LAN, "/link")
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", asked)
    assert code is not None
    zbot.tg.user(3705, "Lan")
    linked = await zbot.tg.send(3705, code.group(0))
    assert "chưa được đăng ký" not in (linked.text or "")
    with zbot.session() as s:
        assert identity(s, "3705").contact_id == identity(s, LAN).contact_id


async def test_a_cut_short_code_after_start_is_called_unusable(zbot: ZaloBot) -> None:
    """/start with half a code (cut when copied) is told the code cannot be used, as a wrong
    code is, and counted as a wrong try; not greeted as if no code had been sent."""
    with zbot.session() as s:
        make_unit(s, "XE", "Xã E")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XE")
    [refused] = await zbot.say(LAN, f"/start {code_of(invite)[:12]}")
    assert "không dùng được" in refused
    with zbot.session() as s:
        assert s.exec(select(InviteFailure)).one().external_id == LAN


@pytest.mark.parametrize(
    "paste",
    ["«{code}».", "`{code}`", "https://t.me/dondoc_test_bot?start={code}"],
    ids=["quoted", "backticks", "telegram-link"],
)
async def test_a_code_pasted_with_what_was_around_it_pairs(zbot: ZaloBot, paste: str) -> None:
    """The code pasted in its quotes, with a full stop, or as the invite link registers Hoa."""
    with zbot.session() as s:
        make_unit(s, "XD", "Xã D")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XD")
    [welcome] = await zbot.say(HOA, paste.format(code=code_of(invite)))
    assert "Xã D" in welcome
    with zbot.session() as s:
        assert identity(s, HOA).channel == "zalo"


@pytest.mark.parametrize(
    "written",
    ["mã của em là {code} ạ", "/start {code} ạ", "start {code}"],
    ids=["in-a-sentence", "start-then-words", "start-without-slash"],
)
async def test_a_code_written_among_words_pairs(zbot: ZaloBot, written: str) -> None:
    """The code in a sentence, after /start with a word of politeness, or after "start" with
    no slash registers Hoa. The first was told how to join (the code it held not read), the
    others that the code cannot be used, each counted as a wrong try."""
    with zbot.session() as s:
        make_unit(s, "XG", "Xã G")
    zbot.zalo.add_user(HOA, "Hoa")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XG")
    [welcome] = await zbot.say(HOA, written.format(code=code_of(invite)))
    assert "Chào mừng Hoa" in welcome
    with zbot.session() as s:
        assert identity(s, HOA).channel == "zalo"
        assert s.exec(select(InviteFailure)).first() is None


async def test_a_code_split_where_its_message_wrapped_pairs_once(zbot: ZaloBot) -> None:
    """The code pasted in two pieces (the message it came from wrapped) registers Hoa; it
    was refused. The same pieces from Lan afterwards are refused as a used code is."""
    with zbot.session() as s:
        make_unit(s, "XF", "Xã F")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XF")
    code = code_of(invite)
    [welcome] = await zbot.say(HOA, f"{code[:14]} {code[14:]}")
    assert "Xã F" in welcome
    [refused] = await zbot.say(LAN, f"/start {code[:14]} {code[14:]}")
    assert "không dùng được" in refused


async def test_a_used_code_on_zalo_is_called_a_code_not_a_link(zbot: ZaloBot) -> None:
    """Lan sends the code Hoa already used: Zalo's answer speaks of an invite code and asks
    for a new code; it spoke of Telegram's invite link, which nobody on Zalo was given."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    zbot.zalo.add_user(HOA, "Hoa")
    zbot.zalo.add_user(LAN, "Lan")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA")
    await zbot.say(HOA, f"/start {code_of(invite)}")
    [refused] = await zbot.say(LAN, f"/start {code_of(invite)}")
    assert refused.startswith("Mã mời này không dùng được")
    assert "liên kết" not in refused.lower()


async def test_no_admin_yet_points_a_zalo_only_province_to_an_admin_code(
    workdir_zalo_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dondoc admin list` with no admin named only `admin add <telegram-user-id>`, which a
    Zalo-only province cannot use: it names `dondoc admin invite` and ZALO_ADMIN_IDS."""
    assert main(["admin", "list"]) == 0
    out = capsys.readouterr().out
    assert "dondoc admin invite" in out
    assert "ZALO_ADMIN_IDS" in out


async def test_a_second_invite_of_her_own_unit_is_left_for_its_invitee(zbot: ZaloBot) -> None:
    """Hoa, on point for Xã H, sends a fresh invite of Xã H meant for Lan: she is told she
    holds that place already and the code is not spent; Lan then registers with it. Hoa was
    welcomed as if new, and Lan's code refused as used."""
    with zbot.session() as s:
        make_unit(s, "XH", "Xã H")
    zbot.zalo.add_user(HOA, "Hoa")
    zbot.zalo.add_user(LAN, "Lan")
    [first] = await zbot.say(ZALO_ADMIN, "/invite XH")
    await zbot.say(HOA, code_of(first))
    second = (await zbot.say(ZALO_ADMIN, "/invite XH"))[-1]
    [held] = await zbot.say(HOA, code_of(second))
    assert "đã là đầu mối của Xã H" in held
    assert "Chào mừng" not in held
    [welcome] = await zbot.say(LAN, code_of(second))
    assert "Chào mừng Lan" in welcome


@pytest.mark.parametrize(
    "written",
    ["Mã liên kết của anh/chị: {code}", "{code} ạ", "/link {code} ạ"],
    ids=["links-line-copied", "code-then-a-word", "link-then-words"],
)
async def test_a_link_code_written_among_words_links(zbot: ZaloBot, written: str) -> None:
    """Lan's Telegram /link code sent on Zalo in the line it came in, or with a word after
    it, links the chat to her. The first two were told how to join with an invite, the last
    that the code was wrong."""
    code = await telegram_link_code(zbot, 3701, "Lan", "Xã Liên")
    [linked] = await zbot.say(HOA, written.format(code=code))
    assert "Đã liên kết" in linked
    with zbot.session() as s:
        assert identity(s, HOA).contact_id == identity(s, "3701").contact_id


async def test_a_chat_linked_by_the_wrong_person_is_taken_off_again_by_an_admin(
    zbot: ZaloBot,
) -> None:
    """Lan's /link code typed on Zalo by Hoa, who is nobody yet, made Hoa's chat Lan's: her
    unit's reminders went there and Hoa could report for it, with no way back. An admin's
    `/contacts unlink Lan zalo` makes that chat a person of its own, of no unit; Lan keeps
    her unit on Telegram, audited; a second time, and her only account, are refused."""
    code = await telegram_link_code(zbot, 3701, "Lan", "Xã Liên")
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    await zbot.say(HOA, code)
    assert "Xã Liên" in (await zbot.say(HOA, "/whoami"))[0]
    [usage] = await zbot.say(ZALO_ADMIN, "/contacts unlink 3701")
    assert "/contacts unlink <người> zalo|telegram" in usage
    # named by her Telegram id: her name is the one her chat wrote last (Hoa's, on Zalo)
    [done] = await zbot.say(ZALO_ADMIN, "/contacts unlink 3701 zalo")
    assert f"Đã gỡ tài khoản Zalo {HOA} khỏi" in done
    [who] = await zbot.say(HOA, "/whoami")
    assert "Xã Liên" not in who
    assert "Xã Liên" in ((await zbot.tg.send(3701, "/whoami")).text or "")
    with zbot.session() as s:
        assert identity(s, HOA).contact_id != identity(s, "3701").contact_id
        [entry] = s.exec(select(AuditLog).where(AuditLog.action == "contact.unlinked")).all()
    assert entry.details["channel"] == "zalo"
    for again in ("/contacts unlink 3701 zalo", "/contacts gỡ liên kết 3701 telegram"):
        [refused] = await zbot.say(ZALO_ADMIN, again)
        assert "Không có gì thay đổi" in refused
