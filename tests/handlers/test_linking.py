"""One person on two channels: /link on Telegram, /link <code> on the text channel.

Lan is the focal point of Xã A on Telegram. She links a text-channel chat to herself; her
reminders then go to the chat she used last, once a day, whichever it is.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from db.models import Contact, ContactIdentity, Outbox, StatusReport
from db.queries.contacts import find_identity
from devtools.fakebotapi import ChatMessage
from scheduler.delivery import dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_task, make_unit, person
from tests.handlers.link_kit import CODE, code_of, on_two_channels, typed
from tests.harness import BotUnderTest

LAN, MINH = 3701, 3702  # on Telegram
LAN_TEXT, STRANGER = "9b1e44c2a7d05f31", "5d0c11aa"  # on the text channel
DEADLINE = date(2026, 11, 19)  # Thursday: Wednesday is a reminder day, Thursday the due day


@pytest.fixture(autouse=True)
def two_channels(bot: BotUnderTest) -> None:
    """A province on two channels: on one alone, /link has nothing to link (test_zalo_alone)."""
    on_two_channels(bot)
    bot.no_morning_dispatch()  # the tests run it once the people are linked


async def province(bot: BotUnderTest) -> None:
    """Xã A (Lan) and Xã B (Minh) share a task due on Thursday; both started on Telegram."""
    with bot.session() as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        make_task(s, "Báo cáo chuyển đổi số", DEADLINE, [a, b])
        make_contact(s, LAN, units=[a], name="Lan")
        make_contact(s, MINH, units=[b], name="Minh")
    for user, name in ((LAN, "Lan"), (MINH, "Minh")):
        bot.user(user, name)
        await bot.send(user, "/start")


async def remind(bot: BotUnderTest) -> list[tuple[str, str, str]]:
    """Run the dispatch and the sender; return Lan's reminders as (channel, chat, key)."""
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    wake(bot.app)
    await bot.server.wait_until(
        lambda: bool(reminders_in(bot, MINH)),
        timeout=5,
    )
    with bot.session() as s:
        lan = person(s, LAN).id
        rows = s.exec(
            select(Outbox).where(Outbox.contact_id == lan, Outbox.kind == "reminder")
        ).all()
    return sorted((r.channel, r.chat_id, r.key) for r in rows)


def reminders_in(bot: BotUnderTest, user_id: int) -> list[ChatMessage]:
    """Return the reminders the fake server delivered in a Telegram chat."""
    return [m for m in bot.server.messages(user_id) if "Báo cáo chuyển đổi số" in (m.text or "")]


async def test_a_linked_text_chat_gets_the_reminder_of_the_channel_used_last(
    bot: BotUnderTest,
) -> None:
    """After linking on the text channel Lan is reminded there only, then on Telegram again."""
    await province(bot)
    code = await code_of(bot, LAN)
    linked = typed(bot, LAN_TEXT, f"/link {code.lower().replace('-', ' ')}", 1)
    assert "Đã liên kết" in linked
    assert "Telegram" in linked
    assert "kênh văn bản" in linked
    whoami = typed(bot, LAN_TEXT, "/whoami", 2)
    assert "Xã A" in whoami
    assert f"Telegram (mã {LAN})" in whoami
    assert f"kênh văn bản (mã {LAN_TEXT})" in whoami

    wednesday = await remind(bot)
    assert [(channel, chat) for channel, chat, _ in wednesday] == [("text", LAN_TEXT)]
    assert reminders_in(bot, LAN) == []
    assert await remind(bot) == wednesday  # never twice the same day

    bot.clock.advance(timedelta(days=1))
    await bot.send(LAN, "/whoami")  # Lan writes on Telegram: it is the chat used last now
    thursday = await remind(bot)
    assert [(channel, chat) for channel, chat, _ in thursday] == [
        ("telegram", str(LAN)),
        ("text", LAN_TEXT),
    ]
    await bot.server.wait_until(lambda: len(reminders_in(bot, LAN)) == 1, timeout=5)
    typed(bot, LAN_TEXT, "xong", 3)  # and a report typed on the text chat counts for Xã A
    with bot.session() as s:
        reports = s.exec(select(StatusReport.state, StatusReport.contact_id)).all()
    assert reports == [("done", person_id(bot, LAN))]


def person_id(bot: BotUnderTest, user_id: int) -> int | None:
    """Return the contact id of a Telegram user."""
    with bot.session() as s:
        return person(s, user_id).id


async def test_a_wrong_or_expired_code_links_nothing_and_guesses_are_limited(
    bot: BotUnderTest,
) -> None:
    """Unknown and expired codes are refused; after five wrong ones even a good one waits."""
    await province(bot)
    assert "gửi /link để lấy mã" in typed(bot, STRANGER, "/link", 1)
    old = await code_of(bot, LAN)
    bot.clock.advance(timedelta(minutes=16))
    assert "hết hạn" in typed(bot, STRANGER, f"/link {old}", 2)
    for n in range(3, 7):
        assert "hết hạn" in typed(bot, STRANGER, "/link AAAA-BBBB", n)
    good = await code_of(bot, LAN)
    assert "sai mã quá nhiều lần" in typed(bot, STRANGER, f"/link {good}", 8)
    with bot.session() as s:
        assert find_identity(s, channel="text", external_id=STRANGER) is None
    assert "Đã liên kết" in typed(bot, LAN_TEXT, f"/link {good}", 9)
    assert "không đúng, đã dùng" in typed(bot, "0a0b0c0d", f"/link {good}", 10)


async def test_an_empty_person_is_merged_and_keeps_the_higher_role(bot: BotUnderTest) -> None:
    """A text-channel admin with no history, asked first, merges into Lan, who becomes an
    admin."""
    await province(bot)
    with bot.session() as s:
        make_contact(s, 0, role="admin", name="", channel="text", external_id=LAN_TEXT)
        before = {c.id for c in s.exec(select(Contact))}
    code = await code_of(bot, LAN)
    assert "với vai trò quản trị" in typed(bot, LAN_TEXT, f"/link {code}", 1)
    assert "Đã liên kết" in typed(bot, LAN_TEXT, "1", 2)
    with bot.session() as s:
        lan = person(s, LAN)
        identities = s.exec(
            select(ContactIdentity.channel).where(ContactIdentity.contact_id == lan.id)
        ).all()
        after = {c.id for c in s.exec(select(Contact))}
    assert lan.role == "admin"
    assert sorted(identities) == ["telegram", "text"]
    assert len(before - after) == 1
    assert lan.id in after


async def test_a_second_chat_on_the_same_channel_is_refused(bot: BotUnderTest) -> None:
    """Each person has one identity per channel: Minh cannot join Lan's Telegram person."""
    await province(bot)
    code = await code_of(bot, LAN)
    answer = (await bot.send(MINH, f"/link {code}")).text or ""
    assert "mỗi kênh chỉ liên kết được một tài khoản" in answer
    with bot.session() as s:
        ids = s.exec(select(ContactIdentity.contact_id).order_by(col(ContactIdentity.id))).all()
    assert len(set(ids)) == len(ids)


async def test_a_text_channel_official_brings_their_telegram_account(bot: BotUnderTest) -> None:
    """A code asked on the text channel makes a Telegram stranger that official at once."""
    with bot.session() as s:
        unit = make_unit(s, "XC", "Xã C")
        make_contact(s, 0, units=[unit], name="Hoa", channel="text", external_id=LAN_TEXT)
    found = CODE.search(typed(bot, LAN_TEXT, "/link", 1))
    assert found is not None
    newcomer = bot.user(3799, "Hoa")
    assert "chưa được đăng ký" in ((await bot.send(newcomer, "/whoami")).text or "")
    answer = (await bot.send(newcomer, f"/link {found.group(0)}")).text or ""
    assert "Đã liên kết" in answer
    whoami = (await bot.send(newcomer, "/whoami")).text or ""
    assert "Xã C" in whoami
    assert "Telegram (mã 3799)" in whoami
