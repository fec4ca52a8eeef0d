"""What the Zalo Bot API answers, typed: the bot, an event, a sent message, an error."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000  # sendMessage's text and sendPhoto's caption
IDLE = 408  # getUpdates ended with no event: not an error
TOO_LARGE = 413  # a file past the size a download allows
NETWORK = 0  # no answer at all (connection refused, reset, timed out)
UNAUTHORIZED = 401  # the bot's token refused
UNREACHABLE = frozenset({403, 404})  # blocked the bot, never wrote to it, no such chat
# Zalo's ids (a message's, a chat's, a person's) are short hex strings; a longer one is no
# Zalo id, and is more than the bot keeps of one (64 characters): such an event is skipped.
MAX_ID = 64
TEXT = "message.text.received"
IMAGE = "message.image.received"
# A text with a link Zalo previews; its text is what the person wrote, read as a text.
LINK = "message.link.received"
STICKER = "message.sticker.received"
# A person's reaction (a heart, a thumbs-up) to a message: nothing written to answer.
REACTION = "message.reaction.received"
# What Zalo does not pass on (a file, a video), and every message of an account it protects
# ("tài khoản thuộc nhóm đối tượng đặc biệt": a child's, a person with a disability's; its
# Webhook docs): no words in it, with or without its sender and chat.
UNSUPPORTED = "message.unsupported.received"


class ZaloError(Exception):
    """A call that failed: Zalo's `error_code` and `description` (code 0: no answer)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code, self.description = code, description

    @property
    def retryable(self) -> bool:
        """Tell whether trying again later may succeed (5xx, 429, timeouts, network)."""
        return self.code in (NETWORK, 429, IDLE) or self.code >= 500

    @property
    def token_refused(self) -> bool:
        """Tell whether Zalo refused the bot's token (401: revoked, expired), not the call."""
        return self.code == UNAUTHORIZED

    @property
    def unreachable(self) -> bool:
        """Tell whether the person cannot be reached (blocked, never wrote, unknown)."""
        return self.code in UNREACHABLE


@dataclass(frozen=True)
class BotInfo:
    """getMe's answer."""

    id: str
    account_name: str
    account_type: str
    can_join_groups: bool


@dataclass(frozen=True)
class SentMessage:
    """sendMessage's or sendPhoto's answer."""

    message_id: str
    date_ms: int


@dataclass(frozen=True)
class Event:
    """One event of getUpdates or a webhook: a person's message to the bot."""

    name: str  # message.text.received, message.image.received, ...
    message_id: str
    date_ms: int
    chat_id: str
    chat_type: str
    sender_id: str
    sender_name: str
    text: str = ""
    photo_url: str = ""
    caption: str = ""
    sticker: str = ""
    raw: dict[str, Any] | None = None

    @property
    def is_photo(self) -> bool:
        """Tell whether the event is a photo: so named, or unnamed with a photo (Zalo's
        documented getUpdates answer names no event)."""
        return self.name == IMAGE or (not self.name and bool(self.photo_url))

    @property
    def is_text(self) -> bool:
        """Tell whether the event is a text: so named, or a link's or an unnamed event's
        that holds words (a report with a link in it was answered "only text and photos")."""
        if self.name == TEXT:
            return True
        return self.name in ("", LINK) and not self.is_photo and bool(self.text.strip())

    @property
    def is_message(self) -> bool:
        """Tell whether the event is something a person wrote or sent (not a message seen,
        nor a reaction to one)."""
        return self.name.startswith("message.") and self.name != REACTION

    @property
    def readable(self) -> bool:
        """Tell whether Zalo handed over what the person sent (not its unsupported message)."""
        return self.name != UNSUPPORTED

    @property
    def private(self) -> bool:
        """Tell whether the event comes from a private chat with the bot."""
        return self.chat_type.upper() != "GROUP"


def parse_events(body: Any) -> list[Event]:
    """Return the events of a getUpdates answer or a webhook body (wrapped or not).

    A result may be one event or a list of them; a malformed event is skipped.
    """
    result = body.get("result", body) if isinstance(body, dict) and "ok" in body else body
    items = result if isinstance(result, list) else [result]
    events = [_event(item) for item in items if isinstance(item, dict)]
    return [event for event in events if event is not None]


def _event(item: dict[str, Any]) -> Event | None:
    """Read one event, or None when it lacks what every event has or its ids are longer
    than Zalo's (`MAX_ID`)."""
    name = str(item.get("event_name") or "")
    message = item.get("message")
    if not isinstance(message, dict):  # Zalo's unsupported event for a protected account
        log.info("Zalo event %r without a message: skipped", name[:MAX_ID])
        return None
    chat = _object(message.get("chat"))
    sender = _object(message.get("from"))
    message_id, chat_id = str(message.get("message_id") or ""), str(chat.get("id") or "")
    sender_id = str(sender.get("id") or chat_id)
    if not message_id or not chat_id or max(map(len, (message_id, chat_id, sender_id))) > MAX_ID:
        log.info("Zalo event %r without Zalo's ids of a message and chat: skipped", name[:MAX_ID])
        return None
    return Event(
        name=name,
        message_id=message_id,
        date_ms=_whole(message.get("date")),
        chat_id=chat_id,
        chat_type=str(chat.get("chat_type") or "PRIVATE"),
        sender_id=sender_id,
        sender_name=_name(sender),
        text=str(message.get("text") or ""),
        photo_url=_photo(message),
        caption=str(message.get("caption") or ""),
        sticker=str(message.get("sticker") or ""),
        raw=item,
    )


def _photo(message: dict[str, Any]) -> str:
    """Return a photo's address: `photo_url` as Zalo's webhook sends it, else `photo`, the
    field Zalo's documentation names (https://bot.zaloplatforms.com/docs, "Webhook": "photo |
    String | Image URL"); a photo read by one name only was "not fetched", sent again forever."""
    for field in ("photo_url", "photo"):
        value = message.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _name(sender: dict[str, Any]) -> str:
    """Return the sender's name: `display_name` in Zalo's webhook, `first_name` in its
    documented getUpdates answer, `name` in others' reading (a person kept no name)."""
    for field in ("display_name", "name", "first_name"):
        value = sender.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def _whole(value: Any) -> int:
    """Return a whole-number field (an int or its digits), else 0: the event is still read."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else 0


def _object(value: Any) -> dict[str, Any]:
    """Return a JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}
