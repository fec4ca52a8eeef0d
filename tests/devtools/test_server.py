"""Running the server: async start and stop, stopping mid-poll, the control endpoints."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from devtools.fakebotapi import FakeBotApi
from tests.devtools.test_files import PNG_HEADER

PNG = PNG_HEADER + b"\x00" * 32


async def test_async_context_starts_and_stops_the_server() -> None:
    """`async with FakeBotApi()` serves inside the block and frees the port after it."""
    async with FakeBotApi() as server, httpx.AsyncClient() as client:
        response = await client.get(f"{server.base_url}{server.token}/getMe")
        assert response.json()["result"]["is_bot"]

    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{server.base_url}{server.token}/getMe")


async def test_stop_ends_a_waiting_poll_at_once() -> None:
    """Stopping does not wait for a long poll's timeout; the poll ends empty.

    The poll waits an hour: a stop that waited for it would outlast the guard.
    """
    server = FakeBotApi().start()
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        poll = asyncio.create_task(
            client.post("getUpdates", data={"timeout": "3600"}, timeout=3700)
        )
        # The poll reaches the server (on a busy machine it once took more than 0.2 s).
        await server.wait_until(lambda: server.state.polls_waiting > 0, timeout=30)
        # Guards against a hang only.
        await asyncio.wait_for(asyncio.to_thread(server.stop), timeout=60)
        response = await asyncio.wait_for(poll, timeout=60)

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


async def test_adding_the_bot_to_a_group_queues_my_chat_member(
    bot: Bot, server: FakeBotApi
) -> None:
    """A user adding the bot to a group gives a my_chat_member update from them, left to member."""
    server.add_user(6007, "Hà")
    server.add_bot_to_group(6007, -100601, "Nhóm phường", supergroup=True)

    [update] = await bot.get_updates()
    change = update.my_chat_member
    assert change is not None
    assert change.from_user.id == 6007
    assert (change.chat.type, change.chat.title) == ("supergroup", "Nhóm phường")
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")


async def test_leave_chat_leaves_the_group_for_good(bot: Bot, server: FakeBotApi) -> None:
    """After leaveChat the bot may not post in the group and its members' messages stop."""
    server.add_user(6008, "Khánh")
    server.add_group(-100602, "Tổ công tác")

    assert await bot.leave_chat(-100602)

    assert not server.bot_is_member(-100602)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(-100602, "Chào")
    with pytest.raises(Forbidden, match="not a member"):
        await bot.leave_chat(-100602)
    with pytest.raises(ValueError, match="not a member"):
        server.send_text(6008, "/help", chat_id=-100602)


async def test_leave_chat_refuses_a_private_chat(bot: Bot, server: FakeBotApi) -> None:
    """leaveChat on a private chat is a bad request, as on Telegram."""
    server.add_user(6009, "Linh")
    server.send_text(6009, "/start")

    with pytest.raises(BadRequest, match="private chats"):
        await bot.leave_chat(6009)


async def test_mention_gets_its_entity_in_utf16_units(bot: Bot, server: FakeBotApi) -> None:
    """An @username in a message is a mention entity, its offset counted in UTF-16 units."""
    server.add_user(6010, "Mai")
    server.add_group(-100603, "Tổ công tác")
    server.send_text(6010, "Chào 👋 @dondoc_test_bot", chat_id=-100603)

    [update] = await bot.get_updates()
    assert update.message is not None
    mentions = update.message.parse_entities(["mention"])
    assert list(mentions.values()) == ["@dondoc_test_bot"]


async def test_a_restarted_server_never_reuses_the_previous_update_ids() -> None:
    """A new server's update ids start from a random high base, not 1000 again."""
    seen = []
    for _ in range(2):
        with FakeBotApi() as server:
            server.add_user(7)
            seen.append([server.send_text(7, "x") for _ in range(3)])
    first, second = seen
    assert min(first + second) > 100_000_000
    assert not set(first) & set(second)


async def test_control_sends_a_document_a_photo_and_a_reply(
    bot: Bot, server: FakeBotApi, user: int, tmp_path: Path
) -> None:
    """A CSV by path, a photo in base64 and a reply to a bot message reach the bot as such."""
    csv = tmp_path / "đơn vị.csv"
    csv.write_text("code,name,kind\nX1,Xã Điện Hòa,commune\n", encoding="utf-8")
    sent = await bot.send_message(user, "Nhắc việc")
    photo = base64.b64encode(PNG).decode()
    async with httpx.AsyncClient(base_url=server.url) as client:
        for route, body in (
            ("send_document", {"user_id": user, "path": str(csv), "caption": "danh sách"}),
            ("send_photo", {"user_id": user, "content_base64": photo}),
            ("send_text", {"user_id": user, "text": "xong", "reply_to": sent.message_id}),
        ):
            response = await client.post(f"/_control/{route}", json=body)
            assert response.json()["ok"], response.text
    document, image, reply = [u.message for u in await bot.get_updates()]
    assert document is not None
    assert document.document is not None
    assert document.document.file_name == "đơn vị.csv"
    assert document.document.mime_type == "text/csv"
    assert document.caption == "danh sách"
    content = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(content) == csv.read_bytes()
    assert image is not None
    assert image.photo
    assert reply is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == sent.message_id


async def test_control_files_lists_what_the_bot_sent_for_download(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """/_control/files names each file the bot sent, and its url gives the bytes back."""
    await bot.send_document(user, b"PK-xlsx-bytes", filename="bao-cao.xlsx", caption="Báo cáo")
    await bot.send_photo(user, PNG)
    async with httpx.AsyncClient(base_url=server.url) as client:
        listed = (await client.get("/_control/files", params={"chat_id": user})).json()["result"]
        xlsx, png = listed
        downloaded = await client.get(xlsx["url"])
        picture = await client.get(png["url"])
    assert (xlsx["file_name"], xlsx["caption"]) == ("bao-cao.xlsx", "Báo cáo")
    assert downloaded.content == b"PK-xlsx-bytes"
    assert 'filename="bao-cao.xlsx"' in downloaded.headers["content-disposition"]
    assert picture.content == PNG


async def test_control_answers_are_readable_utf8_json(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """Vietnamese in a control answer is written as UTF-8, not as \\u escapes."""
    await bot.send_message(user, "Đã ghi nhận")
    async with httpx.AsyncClient(base_url=server.url) as client:
        shown = await client.get("/_control/messages", params={"chat_id": user})
    assert "Đã ghi nhận".encode() in shown.content
    assert b"\\u" not in shown.content


async def test_a_count_waiter_wakes_on_the_call_that_reaches_it(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """`wait_for_count` returns once the method's count is reached, and times out before."""
    before = server.call_count("sendMessage")
    with pytest.raises(TimeoutError):
        await server.wait_for_count("sendMessage", before + 1, timeout=0.05)
    waiting = asyncio.create_task(server.wait_for_count("sendMessage", before + 2, timeout=5))
    await bot.send_message(user, "one")
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await bot.send_message(user, "two")
    await waiting
    last = server.last_call("sendMessage")
    assert last is not None
    assert last.params["text"] == "two"
    assert server.call_count("sendMessage") == before + 2
    assert server.state.call_waiters == []
