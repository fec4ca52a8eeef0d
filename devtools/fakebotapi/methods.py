"""The Bot API methods the fake server answers, by lower-case name.

getUpdates is not here: it waits, so the HTTP layer (polling.py) serves it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from devtools.fakebotapi import messaging
from devtools.fakebotapi.errors import bad_request, forbidden
from devtools.fakebotapi.params import Params
from devtools.fakebotapi.records import CallbackAnswer, JsonDict, WebhookInfo
from devtools.fakebotapi.state import BotState
from devtools.fakebotapi.validation import check_commands

Handler = Callable[[BotState, Params], Any]

GET_FILE_LIMIT = 20 * 1024 * 1024
# Only these count toward Telegram's per-chat and overall sending limits here; edits and
# callback answers are exempt (Telegram does not document limits for them).
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def get_me(state: BotState, params: Params) -> JsonDict:
    """Return the bot's own User object (getMe)."""
    return dict(state.bot_user)


def always_true(state: BotState, params: Params) -> bool:
    """Accept the call and do nothing (close, logOut)."""
    return True


def set_webhook(state: BotState, params: Params) -> bool:
    """Record a webhook (no update is pushed to it)."""
    url = params.text("url") or ""
    # Telegram takes https only; the fake also takes plain http on loopback, for tests.
    loopback = url.startswith(("http://127.0.0.1:", "http://localhost:"))
    if url and not url.startswith("https://") and not loopback:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    allowed = params.get("allowed_updates")
    state.webhook = WebhookInfo(
        url=url,
        secret_token=params.text("secret_token"),
        max_connections=int(params.get("max_connections") or 40),
        allowed_updates=list(allowed) if isinstance(allowed, list) else None,
    )
    if params.flag("drop_pending_updates"):
        state.updates.drop_all(time.monotonic())
    state.on_update()  # pending updates go to the new webhook
    return True


def delete_webhook(state: BotState, params: Params) -> bool:
    """Forget the webhook, optionally dropping pending updates."""
    state.webhook = WebhookInfo()
    if params.flag("drop_pending_updates"):
        state.updates.drop_all(time.monotonic())
    return True


def get_webhook_info(state: BotState, params: Params) -> JsonDict:
    """Return the recorded webhook (getWebhookInfo)."""
    info: JsonDict = {
        "url": state.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count(),
    }
    if state.webhook.url:
        info["max_connections"] = state.webhook.max_connections
    if state.webhook.allowed_updates is not None:
        info["allowed_updates"] = state.webhook.allowed_updates
    return info


def commands_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    """Return the key under which commands for a scope and language are kept."""
    if isinstance(scope, str) and scope:
        scope = json.loads(scope)
    scope_dict = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return json.dumps(scope_dict, sort_keys=True), language_code or ""


def set_my_commands(state: BotState, params: Params) -> bool:
    """Record the command list for a scope and language (setMyCommands)."""
    commands = check_commands(params.get("commands"))
    key = commands_key(params.get("scope"), params.text("language_code"))
    state.commands[key] = commands
    return True


def get_my_commands(state: BotState, params: Params) -> list[dict[str, str]]:
    """Return the command list for a scope and language (getMyCommands)."""
    key = commands_key(params.get("scope"), params.text("language_code"))
    return list(state.commands.get(key, []))


def delete_my_commands(state: BotState, params: Params) -> bool:
    """Forget the command list for a scope and language (deleteMyCommands)."""
    state.commands.pop(commands_key(params.get("scope"), params.text("language_code")), None)
    return True


def answer_callback_query(state: BotState, params: Params) -> bool:
    """Record the answer to a callback query, refusing unknown or repeated ones."""
    query_id = params.text("callback_query_id") or ""
    if (
        query_id not in state.callback_queries
        or query_id in state.answers
        or query_id in state.expired_queries
    ):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.answers[query_id] = CallbackAnswer(
        callback_id=query_id,
        text=text,
        show_alert=params.flag("show_alert"),
        url=params.text("url"),
        cache_time=int(params.get("cache_time") or 0),
        answered_at=time.monotonic(),
    )
    return True


def send_chat_action(state: BotState, params: Params) -> bool:
    """Accept a chat action (typing...) in a chat the bot may post in."""
    state.writable_chat(params.get("chat_id"))
    if params.text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def leave_chat(state: BotState, params: Params) -> bool:
    """Leave a group or channel (leaveChat); the bot can no longer post or read there."""
    chat = state.chat(params.get("chat_id"))
    if chat.user is not None:
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_member:
        raise forbidden("bot is not a member of the group chat")
    chat.bot_member = False
    return True


def get_chat(state: BotState, params: Params) -> JsonDict:
    """Return the Chat object of a known chat (getChat)."""
    info = dict(state.chat(params.get("chat_id")).info)
    info.setdefault("accent_color_id", 0)
    info.setdefault("max_reaction_count", 11)
    return info


def set_bot_text(limit: int) -> Handler:
    """Return a handler accepting a bot profile text up to `limit` characters."""

    def handler(state: BotState, params: Params) -> bool:
        """Accept the text when it fits (setMyDescription, setMyShortDescription, setMyName)."""
        for name in ("description", "short_description", "name"):
            if len(params.text(name) or "") > limit:
                raise bad_request(f"{name.upper()}_INVALID")
        return True

    return handler


def get_file(state: BotState, params: Params) -> JsonDict:
    """Return the File object for a file id, to be downloaded from /file/bot<token>/."""
    stored = state.files.get(params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.content) > GET_FILE_LIMIT:
        raise bad_request("file is too big")
    return stored.to_api()


_HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": always_true,
    "close": always_true,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
    "getChat": get_chat,
    "leaveChat": leave_chat,
    "setMyDescription": set_bot_text(512),
    "setMyShortDescription": set_bot_text(120),
    "setMyName": set_bot_text(64),
    "setChatMenuButton": always_true,
    "sendMessage": messaging.send_message,
    "sendDocument": messaging.send_document,
    "sendPhoto": messaging.send_photo,
    "editMessageText": messaging.edit_message_text,
    "editMessageCaption": messaging.edit_message_caption,
    "editMessageReplyMarkup": messaging.edit_message_reply_markup,
    "deleteMessage": messaging.delete_message,
}
# Telegram matches method names case-insensitively.
METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in _HANDLERS.items()
}
