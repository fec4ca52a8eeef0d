"""Running the server: async start and stop, stopping mid-poll, the control endpoints."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from devtools.fakebotapi import FakeBotApi


async def test_async_context_starts_and_stops_the_server() -> None:
    """`async with FakeBotApi()` serves inside the block and frees the port after it."""
    async with FakeBotApi() as server, httpx.AsyncClient() as client:
        response = await client.get(f"{server.base_url}{server.token}/getMe")
        assert response.json()["result"]["is_bot"]

    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{server.base_url}{server.token}/getMe")


async def test_stop_ends_a_waiting_poll_at_once() -> None:
    """Stopping does not wait for a long poll's timeout; the poll ends empty."""
    server = FakeBotApi().start()
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        poll = asyncio.create_task(client.post("getUpdates", data={"timeout": "30"}, timeout=35))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        response = await poll

    assert time.monotonic() - started < 3
    assert response.json() == {"ok": True, "result": []}


async def test_group_message_reaches_the_bot(bot: Bot, server: FakeBotApi) -> None:
    """A user writing in a group produces a group message; the bot may answer there."""
    server.add_user(6006, "Giang")
    server.add_group(-100600, "Tổ công tác")
    server.send_text(6006, "/summary", chat_id=-100600)

    [update] = await bot.get_updates()
    assert update.effective_chat is not None
    assert (update.effective_chat.type, update.effective_chat.title) == ("group", "Tổ công tác")
    await bot.send_message(-100600, "Tổng hợp")
    assert server.messages(-100600)[0].text == "Tổng hợp"


async def test_control_endpoints_act_as_a_user(bot: Bot, server: FakeBotApi) -> None:
    """POST /_control/send_text creates the user and queues their message."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post("/_control/send_text", json={"user_id": 7, "text": "/start"})
        update_id = response.json()["result"]["update_id"]
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        await bot.send_message(7, "Chào", reply_markup=keyboard)
        pressed = await client.post("/_control/press", json={"user_id": 7, "data": "a"})
        shown = await client.get("/_control/messages", params={"chat_id": 7})

    assert (await bot.get_updates())[0].update_id == update_id
    assert pressed.json()["ok"]
    assert shown.json()["result"][0]["text"] == "Chào"
