"""/start, /help, /lang, menus, strangers and the refusals every flow relies on."""

from __future__ import annotations

from functools import partial

import pytest
from sqlmodel import select

from app import people
from app.actor import Actor
from app.signing import sign
from bot.app import MENUS_JOB
from core.roles import Access, Role
from db.models import Inbox
from db.queries.contact_admin import change_role
from db.queries.contacts import ensure_admin, find_contact
from handlers.telegram.menus import menu, refresh_marked
from handlers.zalo import everyone as zalo_everyone
from tests.factories import identity, make_contact, make_unit, person
from tests.harness import ADMIN_ID, BotUnderTest, button_data


async def test_start_tells_a_stranger_how_to_join(bot: BotUnderTest) -> None:
    """Someone with no unit and no role learns that they need an invite link."""
    bot.user(2001, "Lan")
    reply = await bot.send(2001, "/start")
    assert "liên kết mời" in (reply.text or "")


async def test_start_greets_a_member_by_unit(bot: BotUnderTest) -> None:
    """A registered official is greeted with their unit's name."""
    with bot.session() as s:
        unit = make_unit(s, "X01", "Xã Tam Xuân")
        make_contact(s, 2002, units=[unit])
    bot.user(2002, "Minh")
    reply = await bot.send(2002, "/start")
    assert "Xã Tam Xuân" in (reply.text or "")


async def test_help_lists_only_the_commands_of_the_role(bot: BotUnderTest) -> None:
    """A member's /help has no admin command; an admin's has its own and the member's."""
    with bot.session() as s:
        make_contact(s, 2003, units=[make_unit(s, "X02")])
    bot.user(2003)
    member_help = (await bot.send(2003, "/help")).text or ""
    admin_help = (await bot.send(ADMIN_ID, "/help")).text or ""
    assert "/lang" in member_help
    assert "/help" in admin_help
    assert "quản trị" in admin_help
    assert "thành viên" in member_help


async def test_help_typed_without_the_slash_is_the_help(bot: BotUnderTest) -> None:
    """An official typing "trợ giúp" or "Menu" alone gets the help; within a reply, a word
    of it leaves the reply a reply."""
    with bot.session() as s:
        make_contact(s, 2004, units=[make_unit(s, "X03")])
    bot.user(2004)
    for typed in ("trợ giúp", "Menu", "tro giup!"):
        answer = (await bot.send(2004, typed)).text or ""
        assert "/lang" in answer, typed
        assert "thành viên" in answer, typed
    reply = (await bot.send(2004, "xong, cảm ơn hướng dẫn")).text or ""
    assert "/lang" not in reply


async def test_help_descriptions_all_start_with_a_capital_letter(bot: BotUnderTest) -> None:
    """Every command line of an admin's /help, in both languages, reads the same way."""
    with bot.session() as s:
        make_contact(s, 2005, role="admin", language="en")
    bot.user(2005, language="en")
    for user_id in (ADMIN_ID, 2005):
        text = (await bot.send(user_id, "/help")).text or ""
        lines = [ln for ln in text.splitlines() if ln.startswith("/") and " - " in ln]
        assert len(lines) > 20
        assert [ln for ln in lines if not ln.split(" - ", 1)[1][0].isupper()] == []


async def test_stranger_writing_free_text_is_told_politely(bot: BotUnderTest) -> None:
    """Free text from a stranger gets the invite explanation, not silence or an error."""
    bot.user(2004)
    reply = await bot.send(2004, "xin chào, tôi muốn báo cáo")
    assert "liên kết mời" in (reply.text or "")


async def test_lang_switches_to_english_and_back(bot: BotUnderTest) -> None:
    """/lang en answers in English and is remembered; /lang vi switches back."""
    with bot.session() as s:
        make_contact(s, 2005, units=[make_unit(s, "X05", "Xã Tam Lộc")])
    bot.user(2005)
    assert "English" in ((await bot.send(2005, "/lang en")).text or "")
    assert "Xã Tam Lộc" in ((await bot.send(2005, "/start")).text or "")
    assert "You are a member" in (bot.server.messages(2005)[-1].text or "")
    assert "tiếng Việt" in ((await bot.send(2005, "/lang vi")).text or "")
    with bot.session() as s:
        contact = person(s, "2005")
    assert contact.language == "vi"


async def test_lang_takes_the_language_named(bot: BotUnderTest) -> None:
    """ "/lang tiếng Anh" switches as "/lang en" does: it got the usage."""
    with bot.session() as s:
        make_contact(s, 2006, units=[make_unit(s, "X06", "Xã Tam Phú")])
    bot.user(2006)
    assert (await bot.send(2006, "/lang tiếng Anh")).text == "Language set to English."


async def test_lang_from_a_stranger_explains_how_to_join_in_that_language(
    bot: BotUnderTest,
) -> None:
    """A stranger's /lang en is answered with how to join, in English, and stores nothing."""
    bot.user(2011)
    reply = await bot.send(2011, "/lang en")
    assert "invite link" in (reply.text or "")
    with bot.session() as s:
        assert find_contact(s, channel="telegram", external_id="2011") is None


async def test_strangers_writing_get_no_contact_row(bot: BotUnderTest) -> None:
    """A stranger's commands, texts and /start are answered, and leave no contact row."""
    bot.user(2012)
    for text in ("/start", "/help", "/whoami", "xin chào", "/mytasks", "/cancel"):
        await bot.send(2012, text)
    with bot.session() as s:
        assert find_contact(s, channel="telegram", external_id="2012") is None


async def test_admin_of_admin_ids_is_served_from_the_first_message(bot: BotUnderTest) -> None:
    """An ADMIN_IDS admin's very first message gets an admin's answer; their chat is kept."""
    reply = await bot.send(ADMIN_ID, "/units")
    assert "không có quyền" not in (reply.text or "")
    assert "liên kết mời" not in (reply.text or "")
    with bot.session() as s:
        admin = person(s, str(ADMIN_ID))
        chat = identity(s, ADMIN_ID)
    assert (admin.role, chat.chat_id, chat.started) == ("admin", str(ADMIN_ID), True)


async def test_lang_without_choice_explains_usage(bot: BotUnderTest) -> None:
    """A malformed /lang gets the usage line."""
    bot.user(2006)
    assert "/lang vi" in ((await bot.send(2006, "/lang fr")).text or "")


async def test_first_contact_uses_telegram_language(bot: BotUnderTest) -> None:
    """A user whose Telegram is in English is answered in English from the start."""
    bot.user(2007, language="en")
    assert "invite link" in ((await bot.send(2007, "/start")).text or "")


async def test_unknown_command_gets_a_pointer_to_help(bot: BotUnderTest) -> None:
    """A command that does not exist is answered with where to find the list."""
    bot.user(2008)
    reply = await bot.send(2008, "/frobnicate now")
    assert "/frobnicate" in (reply.text or "")
    assert "/help" in (reply.text or "")


async def test_menus_are_set_per_role_in_both_languages(bot: BotUnderTest) -> None:
    """Every private chat gets the member menu in vi and en; the admin gets a bigger one."""
    default_vi = bot.server.commands(scope={"type": "all_private_chats"}, language_code="vi")
    default_en = bot.server.commands(scope={"type": "all_private_chats"}, language_code="en")
    assert {"start", "help", "lang"} <= {c["command"] for c in default_vi}
    assert any("language" in c["description"].lower() for c in default_en)
    admin_menu = bot.server.commands(scope={"type": "chat", "chat_id": ADMIN_ID})
    assert admin_menu == []  # the admin has not written yet: no chat to set a menu in
    await bot.send(ADMIN_ID, "/lang vi")
    await bot.server.wait_until(
        lambda: bool(bot.server.commands(scope={"type": "chat", "chat_id": ADMIN_ID}))
    )


async def test_forged_button_is_refused_and_records_nothing(bot: BotUnderTest) -> None:
    """A button signed for another user is refused with a short message."""
    with bot.session() as s:
        make_contact(s, 2009, units=[make_unit(s, "X03")])
    bot.user(2009)
    await bot.send(2009, "/start")
    forged = sign(bot.services.button_key, "9999", "st", "done", 1)
    sent = await bot.server.wait_for_message(2009)
    # Attach the forged button to a bot message the user can press.
    bot.server.state.chats[2009].messages[sent.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": forged}]]
    }
    answer = await bot.press(2009, forged, sent.message_id)
    assert "không hợp lệ" in answer


async def test_same_update_twice_is_processed_once(bot: BotUnderTest) -> None:
    """An update Telegram delivers again with the same id is recorded and answered once."""
    bot.user(2010)
    update_id = bot.server.send_text(2010, "/help")
    await bot.server.wait_for_message(2010)
    bot.server.redeliver(update_id)
    await bot.processed(update_id)
    await bot.send(2010, "/lang fr")  # anything after it proves the duplicate was consumed
    with bot.session() as s:
        rows = s.exec(select(Inbox).where(Inbox.update_id == str(update_id))).all()
    assert len(rows) == 1
    helps = [m for m in bot.server.messages(2010) if "liên kết mời" in (m.text or "")]
    assert len(helps) == 1


def chat_menu(bot: BotUnderTest, chat_id: int) -> list[str]:
    """Return the commands of the menu set for one private chat (empty: the default one)."""
    return [c["command"] for c in bot.server.commands(scope={"type": "chat", "chat_id": chat_id})]


def role_menu(bot: BotUnderTest, access: Access, lang: str = "vi") -> list[str]:
    """Return the commands of the menu of an access level."""
    return [c.command for c in menu(bot.app.bot_data.flows, access, bot.services.catalog, lang)]


async def test_admin_of_admin_ids_gets_the_admin_menu_on_first_start(bot: BotUnderTest) -> None:
    """The ADMIN_IDS admin has a row from start-up but no chat: their first /start sets it."""
    assert chat_menu(bot, ADMIN_ID) == []  # nowhere to set it before they write
    await bot.send(ADMIN_ID, "/start")
    assert chat_menu(bot, ADMIN_ID) == role_menu(bot, Access.ADMIN)
    assert "addunit" in chat_menu(bot, ADMIN_ID)


@pytest.mark.parametrize("known", [False, True], ids=["new person", "member who wrote"])
async def test_admin_made_by_the_cli_gets_the_admin_menu_on_start(
    bot: BotUnderTest, known: bool
) -> None:
    """`dondoc admin add` while the bot runs (no Bot API call), then /start: the admin menu."""
    if known:
        with bot.session() as s:
            make_contact(s, 2101, units=[make_unit(s, "X21")])
            s.commit()
        bot.user(2101)
        await bot.send(2101, "/start")
        assert chat_menu(bot, 2101) == []  # a member has the default menu
    else:
        bot.user(2101)
    with bot.session() as s:  # what `dondoc admin add 2101` does
        ensure_admin(s, channel="telegram", external_id="2101")
        s.commit()
    await bot.send(2101, "/start")
    assert chat_menu(bot, 2101) == role_menu(bot, Access.ADMIN)


async def test_member_promoted_in_contacts_gets_the_coordinator_menu_at_once(
    bot: BotUnderTest,
) -> None:
    """'Make coordinator' on a member's card sets their coordinator menu, no /start needed."""
    with bot.session() as s:
        make_contact(s, 2102, units=[make_unit(s, "X22")], name="Lan")
        s.commit()
    bot.user(2102, "Lan")
    await bot.send(2102, "/start")
    assert chat_menu(bot, 2102) == []
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Lan"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "điều phối"), card.message_id)
    await bot.server.wait_for_message(ADMIN_ID, after=after)  # "Lan giờ có vai trò điều phối"
    assert chat_menu(bot, 2102) == role_menu(bot, Access.COORDINATOR)
    assert "summary" in chat_menu(bot, 2102)
    assert "addunit" not in chat_menu(bot, 2102)


async def test_person_promoted_before_writing_gets_the_menu_on_start(bot: BotUnderTest) -> None:
    """A role changed in /contacts before the person ever wrote (no chat yet) counts at /start."""
    with bot.session() as s:  # `dondoc admin add 2103`: a row without a chat
        ensure_admin(s, channel="telegram", external_id="2103")
        s.commit()
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "2103"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "điều phối"), card.message_id)
    await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert chat_menu(bot, 2103) == []  # nowhere to set it yet
    bot.user(2103)
    await bot.send(2103, "/start")
    assert chat_menu(bot, 2103) == role_menu(bot, Access.COORDINATOR)


async def test_role_changed_on_zalo_or_the_cli_resets_the_telegram_menu(
    bot: BotUnderTest,
) -> None:
    """A role given with Zalo's `/contacts role`, then taken by `dondoc admin remove`, leaves
    a mark the Telegram side takes: the menu follows each change."""
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(MENUS_JOB)  # takes them every 30 s
    job.schedule_removal()  # here the test takes them, when it chooses
    with bot.session() as s:
        make_contact(s, 2103, units=[make_unit(s, "X23")], name="Hoa")
        admin = make_contact(s, 2104, role="admin", name="Quản trị")
        s.commit()
        admin_id = admin.id or 0
    bot.user(2103, "Hoa")
    await bot.send(2103, "/start")
    assert chat_menu(bot, 2103) == []
    answer = people.set_role(bot.services, "vi", admin_id, "Hoa coordinator")
    assert "Hoa" in answer
    app = bot.app
    reset = partial(
        refresh_marked, app.bot, app.bot_data.flows, bot.services.catalog, bot.services.engine
    )
    assert await reset() == 1
    assert chat_menu(bot, 2103) == role_menu(bot, Access.COORDINATOR)
    with bot.session() as s:
        hoa = person(s, 2103)
        actor = Actor(hoa.id or 0, "z1", "vi", "coordinator", (), ())
    zalo_everyone.lang(bot.services, actor, "en", "lang")  # Zalo's /lang en
    assert await reset() == 1
    assert chat_menu(bot, 2103) == role_menu(bot, Access.COORDINATOR, "en")
    with bot.session() as s:  # what `dondoc admin remove` does
        hoa = person(s, 2103)
        change_role(s, contact_id=hoa.id or 0, role=Role.MEMBER, actor_id=None)
        s.commit()
    assert await reset() == 1
    assert chat_menu(bot, 2103) == []
    assert await reset() == 0
