"""Checks on message text, keyboards and commands that mirror the Bot API's refusals."""

from __future__ import annotations

import json
import re
from typing import Any

from devtools.fakebotapi.errors import bad_request
from devtools.fakebotapi.html_check import parse_html, utf16_len

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Telegram refuses an inline keyboard of more buttons (not in the Bot API's documentation, but
# what it answers: tginfo/Telegram-Limits, and the libraries' issues on "reply markup is too
# long").
INLINE_BUTTONS_LIMIT = 100
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

Entities = list[dict[str, Any]]


def format_text(
    raw: str | None,
    parse_mode: str | None,
    entities: Any,
    *,
    caption: bool = False,
) -> tuple[str, Entities]:
    """Return the displayed text and entities of a message text or caption, or refuse it."""
    if not raw:
        if caption:
            return "", []
        raise bad_request("message text is empty")
    text, found = strip_text(*_parse(raw, parse_mode, entities))
    if not text and not caption:
        raise bad_request("message text is empty")
    if caption and utf16_len(text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    if not caption and utf16_len(text) > MESSAGE_LIMIT:
        raise bad_request("message is too long")
    return text, found


def _parse(raw: str, parse_mode: str | None, entities: Any) -> tuple[str, Entities]:
    """Apply the parse mode; Markdown modes are not checked and keep the text as sent."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(raw)
    if mode in ("", "markdown", "markdownv2"):
        return raw, list(entities) if isinstance(entities, list) else []
    raise bad_request("unsupported parse_mode")


def strip_text(text: str, entities: Entities) -> tuple[str, Entities]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping the entities."""
    lead = utf16_len(text) - utf16_len(text.lstrip())
    stripped = text.strip()
    total = utf16_len(stripped)
    kept: Entities = []
    for entity in entities:
        start = max(int(entity["offset"]) - lead, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def check_reply_markup(value: Any) -> dict[str, Any] | None:
    """Return the reply markup as a dict, refusing malformed keyboards and long button data."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = value.get("inline_keyboard")
    if rows is not None:
        _check_inline_keyboard(rows)
    return value if _shows_anything(value) else None


def _shows_anything(markup: dict[str, Any]) -> bool:
    """Tell whether a markup is a keyboard, its removal or a forced reply: Telegram takes one
    that is none of these (`{}`, which PTB sends for a keyboard of no buttons, or an empty
    "inline_keyboard") as no markup at all, and its Message has no reply_markup."""
    if markup.get("keyboard") or markup.get("inline_keyboard"):
        return True
    return any(markup.get(flag) for flag in ("remove_keyboard", "hide_keyboard", "force_reply"))


def _check_inline_keyboard(rows: Any) -> None:
    """Refuse inline keyboards that are not lists of valid buttons."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _check_inline_button(button)
    if sum(len(row) for row in rows) > INLINE_BUTTONS_LIMIT:
        raise bad_request("reply markup is too long")


def _check_inline_button(button: Any) -> None:
    """Refuse a button without text or action, or with callback data over 64 bytes."""
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if not any(action in button for action in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode())
        if size == 0 or size > CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")


def check_commands(value: Any) -> list[dict[str, str]]:
    """Return the bot commands list, refusing invalid names and descriptions."""
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > 100:
        raise bad_request("too many commands")
    commands: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        name = str(item.get("command", ""))
        description = str(item.get("description", ""))
        if not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request(
                "command description is empty"
                if not description
                else "BOT_COMMAND_DESCRIPTION_INVALID"
            )
        commands.append({"command": name, "description": description})
    return commands
