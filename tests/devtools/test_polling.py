"""getUpdates: long polling, confirmation by offset, one poller per token, injected updates."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, Update
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import Conflict
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from devtools.fakebotapi import FakeBotApi


async def test_get_updates_long_poll_receives_injected_text(bot: Bot, server: FakeBotApi) -> None:
    """A waiting getUpdates returns as soon as a user writes, not at its timeout.

    The poll waits an hour: returned at its timeout, it would outlast the guard.
    """
    server.add_user(3003, "Chi")
    poll = asyncio.create_task(bot.get_updates(timeout=3600, read_timeout=3700))
    await asyncio.sleep(0.2)  # the poll reaches the server (sent sooner, it is answered too)
    assert not poll.done()

    update_id = server.send_text(3003, "Báo cáo xong")
    [update] = await asyncio.wait_for(poll, timeout=60)  # a guard against a hang only

    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "Báo cáo xong"
    record = server.updates()[0]
    assert record.delivered_at is not None
    assert record.available_at <= record.delivered_at


async def test_get_updates_receives_command_with_entity(bot: Bot, server: FakeBotApi) -> None:
    """/start with a deep-link payload carries the bot_command entity, as Telegram sends it."""
    server.add_user(3003, "Chi")
    server.send_command(3003, "start", "inv-42")

    [update] = await bot.get_updates()

    assert update.message is not None
    assert update.message.text == "/start inv-42"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")


async def test_get_updates_receives_callback_query(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """Pressing a button yields a callback_query with its message; the answer is recorded."""
    sent = await bot.send_message(
        user, "Chọn", reply_markup=Keyboard([[Button("A", callback_data="a")]])
    )
    update_id = server.press_button(user, "a")

    [update] = await bot.get_updates(timeout=1)
    assert update.callback_query is not None
    assert update.callback_query.data == "a"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    await update.callback_query.answer("Đã ghi nhận")

    answer = await server.wait_for_answer(server.callback_id(update_id))
    assert answer.text == "Đã ghi nhận"


async def test_get_updates_confirms_by_offset(bot: Bot, server: FakeBotApi) -> None:
    """Updates come back until an offset above their id confirms them."""
    server.add_user(3003, "Chi")
    first = server.send_text(3003, "1")
    second = server.send_text(3003, "2")

    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert server.pending_updates() == 0


async def test_get_updates_drops_kinds_not_allowed(bot: Bot, server: FakeBotApi) -> None:
    """allowed_updates filters what is delivered; unexpected raw updates pass by default."""
    server.add_user(3003, "Chi")
    server.inject_update(
        {"channel_post": {"message_id": 1, "date": 0, "chat": {"id": -1001, "type": "channel"}}}
    )
    server.inject_update({"future_update_kind": {"x": 1}})
    text_id = server.send_text(3003, "chỉ cái này")

    assert len(await bot.get_updates()) == 3
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [text_id]


async def test_second_poller_gets_conflict(server: FakeBotApi) -> None:
    """A second getUpdates poller terminates the first with 409 Conflict."""
    async with (
        Bot(server.token, base_url=server.base_url) as first,
        Bot(server.token, base_url=server.base_url) as second,
    ):
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        await second.get_updates(timeout=0)

        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting


async def test_get_updates_while_webhook_set_conflicts(bot: Bot) -> None:
    """getUpdates is refused while a webhook is set, as on Telegram."""
    await bot.set_webhook("https://example.org/hook")

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()


async def test_application_run_polling_answers_a_user(server: FakeBotApi) -> None:
    """An unmodified PTB Application polls the server, replies, and answers button presses."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = Keyboard([[Button("OK", callback_data="ok")]])
        await update.effective_message.reply_text(f"Mã: {context.args}", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Đã nhận")

    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    server.add_user(4004, "Dũng")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        server.send_command(4004, "start", "inv-7")
        reply = await server.wait_for_message(4004, lambda m: "inv-7" in (m.text or ""))
        update_id = server.press_button(4004, "ok", reply.message_id)
        answer = await server.wait_for_answer(server.callback_id(update_id))
        await app.updater.stop()
        await app.stop()

    assert answer.text == "Đã nhận"
    assert reply.text == "Mã: ['inv-7']"


async def test_get_updates_receives_an_edited_message(bot: Bot, server: FakeBotApi) -> None:
    """A user editing their message produces an edited_message update with edit_date."""
    server.add_user(3003, "Chi")
    server.send_text(3003, "Báo cáo: 5")
    [first] = await bot.get_updates()
    assert first.message is not None

    server.edit_text(3003, first.message.message_id, "Báo cáo: 6")
    [edited] = await bot.get_updates(offset=first.update_id + 1)

    assert edited.edited_message is not None
    assert edited.edited_message.text == "Báo cáo: 6"
    assert edited.edited_message.edit_date is not None
