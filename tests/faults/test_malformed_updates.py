"""Malformed and unexpected updates: answer what deserves an answer, ignore the rest, go on."""

from __future__ import annotations

import logging
import time

import pytest
from sqlmodel import select

from db.models import Inbox
from tests.factories import make_contact, make_unit
from tests.harness import BotUnderTest

MEMBER = 4001
STRANGER = 4002


def chat(user_id: int) -> dict[str, object]:
    """Return a private chat object."""
    return {"id": user_id, "type": "private", "first_name": "A"}


def sender(user_id: int) -> dict[str, object]:
    """Return a user object."""
    return {"id": user_id, "is_bot": False, "first_name": "A"}


def raw_message(user_id: int, **fields: object) -> dict[str, object]:
    """Return a raw message update body from a user."""
    return {
        "message_id": 900,
        "date": int(time.time()),
        "chat": chat(user_id),
        "from": sender(user_id),
        **fields,
    }


@pytest.fixture
async def people(bot: BotUnderTest) -> BotUnderTest:
    """A registered member and a stranger, both having started the bot."""
    with bot.session() as s:
        make_contact(s, MEMBER, units=[make_unit(s, "M01")])
    for user_id in (MEMBER, STRANGER):
        bot.user(user_id)
        await bot.send(user_id, "/start")
    return bot


async def test_unexpected_updates_are_ignored_and_the_bot_keeps_running(
    people: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Stickers, edits, channel posts, a kind no flow handles: no crash, no error, /help works."""
    bot = people
    before = len(bot.server.messages(MEMBER))
    ids = [
        bot.server.inject_update(
            {
                "message": raw_message(
                    MEMBER,
                    sticker={
                        "file_id": "s1",
                        "file_unique_id": "u1",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    },
                )
            }
        ),
        bot.server.inject_update(
            {"edited_message": raw_message(MEMBER, text="xong", edit_date=int(time.time()))}
        ),
        bot.server.inject_update(
            {
                "channel_post": {
                    "message_id": 5,
                    "date": int(time.time()),
                    "chat": {"id": -1001, "type": "channel", "title": "Kênh"},
                    "text": "tin kênh",
                }
            }
        ),
        # A kind no flow handles (the bot asks for every kind Telegram has: one it does not
        # name in allowed_updates never comes, as the fake server also keeps).
        bot.server.inject_update(
            {
                "message_reaction_count": {
                    "chat": {"id": -1001, "type": "channel", "title": "Kênh"},
                    "message_id": 5,
                    "date": int(time.time()),
                    "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}],
                }
            }
        ),
        bot.server.inject_update({"message": raw_message(MEMBER)}),  # a message with nothing
    ]
    with caplog.at_level(logging.ERROR):
        for update_id in ids:
            await bot.processed(update_id)
        reply = await bot.send(MEMBER, "/help", match=lambda m: "/lang" in (m.text or ""))
    assert "/lang" in (reply.text or "")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    with bot.session() as s:
        recorded = {row.update_id for row in s.exec(select(Inbox))}
    assert {str(i) for i in ids} <= recorded
    texts = [m.text or "" for m in bot.server.messages(MEMBER)[before:]]
    assert all("mã lỗi" not in t for t in texts)


async def test_oversized_text_gets_a_clear_answer(people: BotUnderTest) -> None:
    """A 10,000-character message is answered (not crashed on) for members and strangers."""
    bot = people
    for user_id in (MEMBER, STRANGER):
        reply = await bot.send(user_id, "x" * 10_000)
        assert reply.text
        assert "mã lỗi" not in reply.text
        assert len(reply.text) <= 4096


async def test_button_with_garbage_data_is_refused(people: BotUnderTest) -> None:
    """A callback whose data the bot never issued is refused with a short alert."""
    bot = people
    sent = bot.server.messages(STRANGER)[-1]
    bot.server.state.chats[STRANGER].messages[sent.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "?", "callback_data": "💥garbage:;;"}]]
    }
    answer = await bot.press(STRANGER, "💥garbage:;;", sent.message_id)
    assert "không hợp lệ" in answer
    assert "/lang" in ((await bot.send(STRANGER, "/help")).text or "")


async def test_button_with_non_ascii_signature_is_refused_as_forged(
    people: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """A button whose signature holds non-ASCII characters gets the forged-button answer."""
    bot = people
    data = "xt:ok:1~chữký€"
    sent = bot.server.messages(MEMBER)[-1]
    bot.server.state.chats[MEMBER].messages[sent.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "?", "callback_data": data}]]
    }
    answer = await bot.press(MEMBER, data, sent.message_id)
    assert "không hợp lệ" in answer
    assert "mã lỗi" not in answer
    assert not [r for r in caplog.records if r.exc_info is not None]


async def test_an_update_the_library_cannot_read_does_not_stop_polling(
    people: BotUnderTest,
) -> None:
    """An update python-telegram-bot cannot read (here a chat without its type) is skipped, and
    the updates behind it are answered: it was asked for again and again, all else waiting."""
    bot = people
    unreadable = bot.server.inject_update(
        {"message": {**raw_message(MEMBER, text="xong"), "chat": {"id": MEMBER}}}
    )
    reply = await bot.send(MEMBER, "/help", match=lambda m: "/lang" in (m.text or ""))
    assert "/lang" in (reply.text or "")
    with bot.session() as s:
        [row] = s.exec(select(Inbox).where(Inbox.update_id == str(unreadable))).all()
    assert row.payload is None or row.payload["message"]["text"] == "xong"  # kept until done

    def finished() -> bool:
        with bot.session() as s:
            return (
                s.exec(select(Inbox).where(Inbox.update_id == str(unreadable))).one().processed_at
                is not None
            )

    await bot.server.wait_until(finished)
