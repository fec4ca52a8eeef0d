"""Bot API methods that send, edit and delete messages.

Each takes the server state (its lock held by the caller) and the call's parameters and
returns the `result` value, or raises ApiError.
"""

from __future__ import annotations

import time

from devtools.fakebotapi.errors import NOT_MODIFIED, ApiError, bad_request
from devtools.fakebotapi.params import Params
from devtools.fakebotapi.records import ChatMessage, JsonDict, StoredFile, UploadedFile
from devtools.fakebotapi.state import BotState, ChatState
from devtools.fakebotapi.validation import check_reply_markup, format_text

_PNG = b"\x89PNG\r\n\x1a\n"
_IMAGE_MAGIC = (_PNG, b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")
# What the Bot API takes in an upload: a document up to 50 MB, a photo up to 10 MB. Past it,
# Telegram answers 413 (a photo between the two: its wording is not documented, taken alike).
UPLOAD_LIMITS = {"document": 50 * 1024 * 1024, "photo": 10 * 1024 * 1024}
TOO_LARGE = ApiError(413, "Request Entity Too Large")


def send_message(state: BotState, params: Params) -> JsonDict:
    """Post a text message (sendMessage)."""
    chat = state.writable_chat(params.get("chat_id"))
    raw = params.text("text")
    text, entities = format_text(raw, params.text("parse_mode"), params.get("entities"))
    message = state.add_message(
        chat,
        None,
        text=text,
        sent_text=raw,
        parse_mode=params.text("parse_mode"),
        entities=entities,
        reply_markup=check_reply_markup(params.get("reply_markup")),
        reply_to_message_id=_reply_to(chat, params),
    )
    return state.message_api(message)


def send_document(state: BotState, params: Params) -> JsonDict:
    """Post a file as a document (sendDocument)."""
    chat = state.writable_chat(params.get("chat_id"))
    stored = _input_file(state, params, "document")
    document: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return _send_media(state, chat, params, document=document)


def send_photo(state: BotState, params: Params) -> JsonDict:
    """Post an image as a photo (sendPhoto): its width and height at most 10000 together, the
    one at most 20 times the other, as the Bot API documents."""
    chat = state.writable_chat(params.get("chat_id"))
    stored = _input_file(state, params, "photo")
    width, height = image_size(stored.content)
    if width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    size: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "width": width,
        "height": height,
    }
    return _send_media(state, chat, params, photo=[size])


def _send_media(
    state: BotState,
    chat: ChatState,
    params: Params,
    *,
    document: JsonDict | None = None,
    photo: list[JsonDict] | None = None,
) -> JsonDict:
    """Store a message carrying a document or photo with its optional caption."""
    caption, entities = format_text(
        params.text("caption"),
        params.text("parse_mode"),
        params.get("caption_entities"),
        caption=True,
    )
    message = state.add_message(
        chat,
        None,
        caption=caption,
        caption_entities=entities,
        parse_mode=params.text("parse_mode"),
        reply_markup=check_reply_markup(params.get("reply_markup")),
        reply_to_message_id=_reply_to(chat, params),
        document=document,
        photo=photo,
    )
    return state.message_api(message)


def _input_file(state: BotState, params: Params, name: str) -> StoredFile:
    """Return the stored file a send refers to: a fresh upload or an earlier file_id."""
    value = params.input_file(name)
    if isinstance(value, UploadedFile):
        if not value.content:
            raise bad_request("file must be non-empty")
        if len(value.content) > UPLOAD_LIMITS[name]:
            raise TOO_LARGE
        if name == "photo" and not value.content.startswith(_IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return state.store_file(value.content, name, value.file_name, value.content_type)
    if not value:
        raise bad_request(f"there is no {name} in the request")
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def image_size(content: bytes) -> tuple[int, int]:
    """Return a PNG's width and height, or a plausible size for other images."""
    if content.startswith(_PNG) and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 800, 600


def _reply_to(chat: ChatState, params: Params) -> int | None:
    """Return the message id a send replies to, refusing unknown ones."""
    reply = params.get("reply_parameters")
    target = reply.get("message_id") if isinstance(reply, dict) else None
    target = target if target is not None else params.get("reply_to_message_id")
    if target is None:
        return None
    allow_missing = params.flag("allow_sending_without_reply") or (
        isinstance(reply, dict) and bool(reply.get("allow_sending_without_reply"))
    )
    existing = chat.messages.get(int(target))
    if existing is None or existing.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return int(target)


# A message older than this is refused an edit, as Telegram refuses one after 48 hours.
EDIT_WINDOW_S = 48 * 3600


def _editable(state: BotState, params: Params) -> ChatMessage:
    """Return the bot message an edit targets, refusing unknown or foreign ones."""
    if params.get("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = state.chat(params.get("chat_id"))
    message = chat.messages.get(params.integer("message_id"))
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot or time.time() - message.date > EDIT_WINDOW_S:
        raise bad_request("message can't be edited")
    return message


def _mark_edited(state: BotState, message: ChatMessage) -> JsonDict:
    """Stamp an edit on `message` and return it as a Message object."""
    message.edit_date = int(time.time())
    message.edits += 1
    return state.message_api(message)


def edit_message_text(state: BotState, params: Params) -> JsonDict:
    """Replace a bot message's text and keyboard (editMessageText)."""
    message = _editable(state, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    raw = params.text("text")
    text, entities = format_text(raw, params.text("parse_mode"), params.get("entities"))
    markup = check_reply_markup(params.get("reply_markup"))
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise ApiError(400, NOT_MODIFIED)
    message.text, message.sent_text, message.entities = text, raw, entities
    message.parse_mode, message.reply_markup = params.text("parse_mode"), markup
    return _mark_edited(state, message)


def edit_message_caption(state: BotState, params: Params) -> JsonDict:
    """Replace a bot message's caption and keyboard (editMessageCaption)."""
    message = _editable(state, params)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = format_text(
        params.text("caption"),
        params.text("parse_mode"),
        params.get("caption_entities"),
        caption=True,
    )
    markup = check_reply_markup(params.get("reply_markup"))
    current = (message.caption or "", message.caption_entities, message.reply_markup)
    if (caption, entities, markup) == current:
        raise ApiError(400, NOT_MODIFIED)
    message.caption, message.caption_entities, message.reply_markup = caption, entities, markup
    return _mark_edited(state, message)


def edit_message_reply_markup(state: BotState, params: Params) -> JsonDict:
    """Replace (or, when absent, remove) a bot message's inline keyboard."""
    message = _editable(state, params)
    markup = check_reply_markup(params.get("reply_markup"))
    if markup == message.reply_markup:
        raise ApiError(400, NOT_MODIFIED)
    message.reply_markup = markup
    return _mark_edited(state, message)


def delete_message(state: BotState, params: Params) -> bool:
    """Delete a message (deleteMessage)."""
    chat = state.chat(params.get("chat_id"))
    message = chat.messages.get(params.integer("message_id"))
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True
