"""What Telegram refuses, the fake refuses too, with the same codes and descriptions."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import BadRequest, Forbidden

from devtools.fakebotapi import FakeBotApi


async def _send(http: httpx.AsyncClient, **params: object) -> tuple[int, str]:
    """Call sendMessage and return the status code and description."""
    response = await http.post("sendMessage", data={k: str(v) for k, v in params.items()})
    return response.status_code, response.json().get("description", "")


@pytest.mark.parametrize(
    "text",
    ["Sở GD&ĐT", "<b>đậm", "<marquee>x</marquee>", "<b>x</i>", "a < b", "x</b>"],
)
async def test_send_malformed_html_is_refused(
    http: httpx.AsyncClient, user: int, text: str
) -> None:
    """HTML with a bare &, an unknown, unclosed or mismatched tag cannot be parsed."""
    status, description = await _send(http, chat_id=user, text=text, parse_mode="HTML")

    assert status == 400
    assert description.startswith("Bad Request: can't parse entities: ")


async def test_send_escaped_html_is_accepted(bot: Bot, server: FakeBotApi, user: int) -> None:
    """Escaped characters and supported tags go through and are decoded."""
    await bot.send_message(user, "Sở GD&amp;ĐT &lt;3 <i>ok</i>", parse_mode="HTML")

    assert server.messages(user)[0].text == "Sở GD&ĐT <3 ok"


async def test_send_text_over_4096_characters_is_refused(bot: Bot, user: int) -> None:
    """Text longer than 4096 characters after entity parsing is too long."""
    await bot.send_message(user, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")

    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user, "a" * 4097)


async def test_send_empty_text_is_refused(http: httpx.AsyncClient, user: int) -> None:
    """Empty text, or text empty once tags are removed, is refused."""
    assert await _send(http, chat_id=user, text="") == (400, "Bad Request: message text is empty")
    assert await _send(http, chat_id=user, text="<b> </b>", parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )


async def test_send_button_data_over_64_bytes_is_refused(bot: Bot, user: int) -> None:
    """Callback data is limited to 64 bytes of UTF-8, not 64 characters."""
    data = "đ" * 33  # 33 characters, 66 bytes

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            user, "x", reply_markup=Keyboard([[Button("A", callback_data=data)]])
        )


async def test_send_more_than_100_buttons_is_refused(bot: Bot, user: int) -> None:
    """An inline keyboard of more than 100 buttons is "reply markup is too long"; 100 go."""
    rows = [[Button(f"{n}", callback_data=f"b:{n}")] for n in range(100)]
    await bot.send_message(user, "x", reply_markup=Keyboard(rows))

    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(user, "x", reply_markup=Keyboard([*rows, rows[0]]))


async def test_edit_without_change_is_refused(bot: Bot, user: int) -> None:
    """An edit that changes neither text nor keyboard is "message is not modified"."""
    sent = await bot.send_message(user, "giữ nguyên")

    with pytest.raises(BadRequest, match="Message is not modified: specified new message content"):
        await bot.edit_message_text("giữ nguyên", user, sent.message_id)


async def test_edit_unknown_message_is_refused(bot: Bot, user: int) -> None:
    """Editing a message id that does not exist is "message to edit not found"."""
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("mới", user, 999)


async def test_send_to_user_who_never_started_is_forbidden(bot: Bot, server: FakeBotApi) -> None:
    """The bot cannot open a conversation with a user who never wrote to it."""
    server.add_user(2002, "Bình")

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(2002, "Chào")


async def test_send_to_user_who_blocked_is_forbidden(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A user who blocked the bot makes sends fail with 403 until they write again."""
    server.block(user)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user, "Chào")
    server.send_text(user, "/start")
    assert (await bot.send_message(user, "Chào lại")).text == "Chào lại"


async def test_send_to_unknown_chat_is_refused(bot: Bot) -> None:
    """A chat id nobody registered is "chat not found"."""
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100777, "x")


async def test_answer_unknown_callback_is_refused(bot: Bot) -> None:
    """Answering a callback query id that was never sent is refused."""
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_answer_to_an_expired_press_is_refused(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A press whose time to be answered has passed is refused as Telegram refuses it; a
    press made after that is answered."""
    await bot.send_message(user, "x", reply_markup=Keyboard([[Button("A", callback_data="a")]]))
    late = server.callback_id(server.press_button(user, "a"))
    server.expire_presses()
    fresh = server.callback_id(server.press_button(user, "a"))

    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(late)
    assert await bot.answer_callback_query(fresh)


async def test_refused_call_is_recorded_with_its_outcome(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """The call record keeps the status and description of a refusal."""
    with pytest.raises(BadRequest):
        await bot.send_message(user, "")

    call = server.calls("sendMessage")[0]
    assert (call.ok, call.status, call.applied) == (False, 400, False)
    assert call.description == "Bad Request: message text is empty"
