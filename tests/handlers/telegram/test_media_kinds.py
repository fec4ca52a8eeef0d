"""Every kind of message a person can send in a private chat gets an answer.

A trial reported a video note left without an answer; through the fake Bot API every kind
below is answered with the usage hint (the fallback takes any private non-command message).
(A poll is left out: python-telegram-bot cannot read one without Bot API 9.6's fields.)
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.handlers.telegram.checkin_world import OFFICIAL, remind, scene
from tests.harness import BotUnderTest

FILE = {"file_id": "f1", "file_unique_id": "u1"}
KINDS: dict[str, dict[str, Any]] = {
    "sticker": {
        "sticker": {**FILE, "type": "regular", "width": 512, "height": 512}
        | {"is_animated": False, "is_video": False}
    },
    "voice": {"voice": {**FILE, "duration": 3}},
    "video_note": {"video_note": {**FILE, "length": 240, "duration": 4}},
    "video": {"video": {**FILE, "width": 640, "height": 480, "duration": 5}},
    "audio": {"audio": {**FILE, "duration": 60}},
    "animation": {"animation": {**FILE, "width": 320, "height": 240, "duration": 2}},
    "dice": {"dice": {"emoji": "🎲", "value": 4}},
    "location": {"location": {"latitude": 15.5, "longitude": 108.4}},
    "contact": {"contact": {"phone_number": "0900000000", "first_name": "Minh"}},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_every_message_kind_gets_the_usage_hint(bot: BotUnderTest, kind: str) -> None:
    """A message of any kind (video note, sticker, poll, ...) is answered with the usage hint."""
    await scene(bot)
    message = {
        "message_id": 9100,
        "date": int(time.time()),
        "chat": {"id": OFFICIAL, "type": "private", "first_name": "Lan"},
        "from": {"id": OFFICIAL, "is_bot": False, "first_name": "Lan"},
        **KINDS[kind],
    }
    bot.server.inject_update({"message": message})
    await bot.server.wait_for_message(
        OFFICIAL, lambda m: "chọn tình trạng ở cuối tin nhắc hoặc trả lời ngắn" in (m.text or "")
    )


@pytest.mark.parametrize("text", ["\u200b", "\u200b\ufeff", "😀", "🙂🙂"])
async def test_a_text_of_no_words_gets_the_usage_hint(bot: BotUnderTest, text: str) -> None:
    """Zero-width characters or a smiley alone say nothing: the usage hint answers, not a
    question of which status."""
    await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    await bot.send(OFFICIAL, text)
    answer = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "Nhắc việc" not in (m.text or ""), after=after
    )
    assert "chọn tình trạng ở cuối tin nhắc hoặc trả lời ngắn" in (answer.text or ""), repr(text)
    assert not answer.reply_markup


SERVICE: dict[str, dict[str, Any]] = {
    "message_auto_delete_timer_changed": {"message_auto_delete_time": 86400},
    "chat_background_set": {
        "type": {"type": "fill", "fill": {"type": "solid", "color": 0}, "dark_theme_dimming": 0}
    },
}


@pytest.mark.parametrize("kind", ["pinned_message", *sorted(SERVICE)])
async def test_what_telegram_posts_as_the_official_acts_on_the_chat_gets_no_answer(
    bot: BotUnderTest, kind: str
) -> None:
    """Pinning a reminder (to keep it in sight), setting the auto-delete timer or the chat's
    wallpaper: Telegram posts a service message in the chat, which was answered with the
    usage hint as if the official had written. Their next message gets the only answer."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)
    chat = {"id": OFFICIAL, "type": "private", "first_name": "Lan"}
    pinned = {
        "message_id": reminder.message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": 12345, "is_bot": True, "first_name": "dondoc"},
        "text": reminder.text,
    }
    service = {
        "message_id": 9200,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": OFFICIAL, "is_bot": False, "first_name": "Lan"},
        kind: pinned if kind == "pinned_message" else SERVICE[kind],
    }
    await bot.processed(bot.server.inject_update({"message": service}))
    answer = await bot.send(OFFICIAL, "/mytasks")

    assert [m.message_id for m in bot.server.messages(OFFICIAL)][-2:] == [
        reminder.message_id,
        answer.message_id,
    ]
