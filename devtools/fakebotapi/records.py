"""What the fake server knows and records: users, chats, messages, files, calls, updates.

Times called `*_at` are `time.monotonic()` readings (system-wide on Linux, so comparable
across processes); `date` fields are Unix seconds as in the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class FakeUser:
    """A Telegram user the tests act as."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "vi"
    started: bool = False
    blocked: bool = False

    def to_api(self) -> JsonDict:
        """Return the User object Telegram sends."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        return user


@dataclass
class ChatMessage:
    """A message in a chat, as it currently stands (after edits)."""

    chat_id: int
    message_id: int
    chat: JsonDict
    sender: JsonDict
    date: int
    from_bot: bool
    sent_at: float
    text: str | None = None
    sent_text: str | None = None
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    document: JsonDict | None = None
    photo: list[JsonDict] | None = None
    reply_to_message_id: int | None = None
    forward_origin: JsonDict | None = None  # a message forwarded from elsewhere
    media_group_id: str | None = None  # one of an album's files (each its own message)
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False

    def to_api(self, reply_to: JsonDict | None = None) -> JsonDict:
        """Return the Message object Telegram sends."""
        message: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        optional = {
            "edit_date": self.edit_date,
            "reply_to_message": reply_to,
            "text": self.text,
            "entities": self.entities or None,
            "caption": self.caption or None,
            "caption_entities": self.caption_entities or None,
            "document": self.document,
            "photo": self.photo,
            "reply_markup": self.reply_markup,
            "forward_origin": self.forward_origin,
            "media_group_id": self.media_group_id,
        }
        message.update({key: value for key, value in optional.items() if value is not None})
        return message

    def button_data(self) -> list[str]:
        """Return the callback data of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass(frozen=True)
class StoredFile:
    """A file uploaded by a user or by the bot, kept in memory."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> JsonDict:
        """Return the File object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    file_name: str
    content: bytes
    content_type: str | None


@dataclass
class CallRecord:
    """One Bot API call the server received and how it ended.

    `fault` names the injected fault applied to it, `applied` says whether the call took
    effect, `over_limit` whether it broke a rate limit (refused with 429 when enforcing).
    """

    method: str
    params: JsonDict
    files: list[str]
    at: float
    finished_at: float = 0.0
    status: int = 200
    ok: bool = True
    result: Any = None
    description: str | None = None
    fault: str | None = None
    applied: bool = False
    over_limit: bool = False


@dataclass
class CallbackAnswer:
    """The bot's answerCallbackQuery for one callback query."""

    callback_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float


@dataclass
class UpdateRecord:
    """One update offered to getUpdates, with when it was available, delivered and confirmed."""

    update_id: int
    kind: str
    payload: JsonDict
    available_at: float
    delivered_at: float | None = None
    confirmed_at: float | None = None


@dataclass
class WebhookInfo:
    """What setWebhook recorded."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
