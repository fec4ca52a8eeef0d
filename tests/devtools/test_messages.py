"""Methods that send, edit and record: what the fake server answers and remembers."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, ReplyParameters
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import BadRequest

from devtools.fakebotapi import FakeBotApi


async def test_get_me_returns_the_bot_user(bot: Bot, server: FakeBotApi) -> None:
    """getMe answers with the bot user whose id comes from the token."""
    me = await bot.get_me()

    assert me.is_bot
    assert me.id == 123456
    assert me.username == "dondoc_test_bot"
    assert server.calls("getMe")[0].ok


async def test_send_message_is_recorded(bot: Bot, server: FakeBotApi, user: int) -> None:
    """sendMessage is recorded with decoded params and as a message in the chat."""
    keyboard = Keyboard([[Button("Xong", callback_data="done:1")]])

    sent = await bot.send_message(user, "Nhắc việc", reply_markup=keyboard)

    call = server.calls("sendMessage")[0]
    assert call.params["chat_id"] == user
    assert call.params["reply_markup"] == keyboard.to_dict()
    assert call.applied
    [message] = server.messages(user)
    assert (message.message_id, message.text) == (sent.message_id, "Nhắc việc")
    assert message.button_data() == ["done:1"]
    assert sent.from_user is not None
    assert sent.from_user.is_bot


async def test_send_message_ids_increase_per_chat(bot: Bot, server: FakeBotApi, user: int) -> None:
    """Message ids count up within a chat, shared with the user's own messages."""
    first = await bot.send_message(user, "một")
    server.send_text(user, "hai")
    third = await bot.send_message(user, "ba")

    assert third.message_id == first.message_id + 2
    assert server.last_message_id(user) == third.message_id


async def test_edit_message_text_updates_the_record(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """editMessageText replaces text and keyboard; absent reply_markup removes it."""
    keyboard = Keyboard([[Button("A", callback_data="a")]])
    sent = await bot.send_message(user, "cũ", reply_markup=keyboard)

    await bot.edit_message_text("<b>mới</b>", user, sent.message_id, parse_mode="HTML")

    message = server.messages(user)[0]
    assert (message.text, message.sent_text, message.reply_markup) == ("mới", "<b>mới</b>", None)
    assert message.entities == [{"type": "bold", "offset": 0, "length": 3}]
    assert message.edits == 1


async def test_edit_message_reply_markup_replaces_the_keyboard(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """editMessageReplyMarkup swaps the buttons and keeps the text."""
    sent = await bot.send_message(
        user, "Chọn", reply_markup=Keyboard([[Button("A", callback_data="a")]])
    )

    await bot.edit_message_reply_markup(
        user, sent.message_id, reply_markup=Keyboard([[Button("B", callback_data="b")]])
    )

    message = server.messages(user)[0]
    assert (message.text, message.button_data()) == ("Chọn", ["b"])


async def test_send_message_as_reply_links_the_original(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A reply carries reply_to_message; replying to a missing message is refused."""
    update_id = server.send_text(user, "Cho hỏi")
    asked = server.updates()[-1].payload["message"]["message_id"]

    sent = await bot.send_message(user, "Trả lời", reply_parameters=ReplyParameters(asked))

    assert update_id > 0
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "Cho hỏi"
    assert server.messages(user)[0].reply_to_message_id == asked
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(user, "x", reply_parameters=ReplyParameters(999))


async def test_delete_message_hides_it(bot: Bot, server: FakeBotApi, user: int) -> None:
    """deleteMessage removes the message from the chat's current messages."""
    sent = await bot.send_message(user, "tạm")

    assert await bot.delete_message(user, sent.message_id)

    assert server.messages(user) == []
    assert server.messages(user, include_deleted=True)[0].deleted


async def test_unknown_method_returns_not_found(http: httpx.AsyncClient) -> None:
    """An unknown method gets 404 Not Found, as on Telegram."""
    response = await http.post("sendTelepathy", data={"chat_id": "1"})

    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_call_with_wrong_token_is_unauthorized(server: FakeBotApi) -> None:
    """A token other than the server's gets 401 Unauthorized."""
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}999:wrong/getMe")

    assert response.status_code == 401
    assert response.json()["description"] == "Unauthorized"


async def test_send_message_accepts_a_json_body(
    http: httpx.AsyncClient, server: FakeBotApi, user: int
) -> None:
    """A JSON body works as well as the form encoding PTB uses."""
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}

    response = await http.post(
        "sendMessage", json={"chat_id": user, "text": "hi", "reply_markup": markup}
    )

    assert response.json()["result"]["reply_markup"] == markup
    assert server.messages(user)[0].reply_markup == markup


async def test_set_my_commands_is_recorded_per_scope_and_language(
    bot: Bot, server: FakeBotApi
) -> None:
    """setMyCommands keeps one list per scope and language; getMyCommands reads it back."""
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")], language_code="vi")
    await bot.set_my_commands(
        [BotCommand("summary", "Tổng hợp")], scope=BotCommandScopeAllGroupChats()
    )

    assert server.commands(language_code="vi") == [{"command": "start", "description": "Bắt đầu"}]
    assert server.commands({"type": "all_group_chats"})[0]["command"] == "summary"
    assert server.commands() == []
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start"]
    await bot.delete_my_commands(language_code="vi")
    assert server.commands(language_code="vi") == []


async def test_set_webhook_is_recorded(bot: Bot, server: FakeBotApi) -> None:
    """setWebhook records the URL; getWebhookInfo and deleteWebhook follow it."""
    await bot.set_webhook("https://example.org/hook", secret_token="s3")

    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    assert server.webhook_info().secret_token == "s3"
    await bot.delete_webhook()
    assert server.webhook_info().url == ""


async def test_send_chat_action_is_accepted(bot: Bot, user: int) -> None:
    """sendChatAction returns true for a chat the bot may post in."""
    assert await bot.send_chat_action(user, "typing")


@pytest.mark.parametrize("method", ["close", "logOut"])
async def test_close_and_log_out_return_true(http: httpx.AsyncClient, method: str) -> None:
    """close and logOut simply succeed."""
    response = await http.post(method)

    assert response.json() == {"ok": True, "result": True}


def test_server_is_usable_from_sync_code(server: FakeBotApi, user: int) -> None:
    """Plain synchronous code can call the server and wait on its records."""
    with httpx.Client() as client:
        client.post(
            f"{server.base_url}{server.token}/sendMessage", data={"chat_id": user, "text": "x"}
        )

    message = server.wait_for_sync(lambda: next(iter(server.messages(user)), None), timeout=2)
    assert message.text == "x"


async def test_get_chat_returns_a_known_chat(bot: Bot, server: FakeBotApi, user: int) -> None:
    """getChat describes a chat the server knows."""
    chat = await bot.get_chat(user)

    assert (chat.id, chat.type, chat.first_name) == (user, "private", "An")


async def test_wait_for_call_sees_a_finished_call(bot: Bot, server: FakeBotApi, user: int) -> None:
    """wait_for_call returns the first call matching a predicate, with its timing."""
    await bot.set_my_description("Bot đôn đốc")

    call = await server.wait_for_call("setMyDescription", lambda c: c.ok, timeout=1)

    assert call.params["description"] == "Bot đôn đốc"
    assert call.at <= call.finished_at


async def test_a_keyboard_of_no_buttons_is_no_markup(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A keyboard of no buttons (`{}` as PTB sends it) is taken as Telegram takes it, as no
    markup: the message comes back without reply_markup (it came back as `{}`, which PTB
    cannot read: a KeyError on "inline_keyboard")."""
    sent = await bot.send_message(user, "Không có ai", reply_markup=Keyboard([]))

    assert sent.reply_markup is None
    assert server.messages(user)[0].reply_markup is None
