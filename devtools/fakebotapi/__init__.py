"""A fake Telegram Bot API server for tests, benchmarks and local trials.

Start it, point an unmodified python-telegram-bot application at it, act as users,
and read what the bot did::

    with FakeBotApi() as server:  # or `async with`, or start() / stop()
        server.add_user(1001, "An")
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        ...  # run the app's polling
        server.send_command(1001, "start", "invite-code")
        reply = await server.wait_for_message(1001, lambda m: "Chào" in m.text)
        update_id = server.press_button(1001, "unit:3")
        answer = await server.wait_for_answer(server.callback_id(update_id))

Behaviour worth knowing:

- A user can receive messages only after sending one (send_text, send_command, ...).
- As on Telegram, a new getUpdates terminates a waiting one, which gets 409 Conflict.
- Groups: add_group() makes one the bot is already in; add_bot_to_group() queues the
  my_chat_member update of a user adding it. After leaveChat the bot may not post there,
  and a user writing there is refused (the bot would not see it).
- HTML is checked strictly (any bare `&` is refused); Markdown modes are not checked.
- Rate limits (off by default) cover sendMessage, sendDocument and sendPhoto only.
- After setWebhook (https, or http on loopback) updates are POSTed to it one at a time,
  with its secret header, until deleteWebhook; getUpdates then answers 409 Conflict.
- PTB 22 warns (PTBDeprecationWarning) when it builds a RetryAfter unless the environment
  has PTB_TIMEDELTA=true; tests that provoke 429 under warnings-as-errors need it.

Run it on its own with `python -m devtools.fakebotapi --port 8081` (see __main__).
"""

from devtools.fakebotapi.errors import ApiError
from devtools.fakebotapi.faults import Fault, FaultFunction, FaultRule
from devtools.fakebotapi.limits import RateLimitMode, RateLimits, RateLimitStats
from devtools.fakebotapi.records import (
    CallbackAnswer,
    CallRecord,
    ChatMessage,
    FakeUser,
    UpdateRecord,
    WebhookInfo,
)
from devtools.fakebotapi.server import DEFAULT_TOKEN, FakeBotApi

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallRecord",
    "CallbackAnswer",
    "ChatMessage",
    "FakeBotApi",
    "FakeUser",
    "Fault",
    "FaultFunction",
    "FaultRule",
    "RateLimitMode",
    "RateLimitStats",
    "RateLimits",
    "UpdateRecord",
    "WebhookInfo",
]
