"""Read Bot API parameters from query strings, form, multipart or JSON bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from aiohttp import web

from devtools.fakebotapi.errors import bad_request
from devtools.fakebotapi.records import JsonDict, UploadedFile

# Form and multipart values are strings; these fields carry numbers, booleans or JSON.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "cache_time",
        "user_id",
        "from_chat_id",
        "message_thread_id",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "media",
    }
)


def normalize(name: str, value: Any) -> Any:
    """Turn a string parameter into the type its field carries, leaving others alone."""
    if not isinstance(value, str):
        return value
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS:
        return value.lower() == "true"
    if name in _JSON_FIELDS and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass
class Params:
    """The parameters of one call, normalized, plus any uploaded files."""

    values: JsonDict = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """Return a parameter's value or `default`."""
        return self.values.get(name, default)

    def text(self, name: str) -> str | None:
        """Return a parameter as a string, or None when absent."""
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int:
        """Return a required integer parameter, refusing it when missing or malformed."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """Return a boolean parameter, False when absent."""
        return bool(self.values.get(name, False))

    def input_file(self, name: str) -> UploadedFile | str | None:
        """Return the uploaded file for `name` (directly or via attach://), or its string."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            return self.files.get(value.removeprefix("attach://"))
        return value


async def read_params(request: web.Request) -> Params:
    """Collect the call's parameters from the query string and the body."""
    params = Params({key: normalize(key, value) for key, value in request.query.items()})
    if not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        await _read_json(request, params)
    elif content_type == "multipart/form-data":
        await _read_multipart(request, params)
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params.values[key] = normalize(key, value)
    return params


async def _read_json(request: web.Request, params: Params) -> None:
    """Merge a JSON object body into `params`."""
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("can't parse JSON body") from None
    if not isinstance(body, dict):
        raise bad_request("JSON body must be an object")
    params.values.update({key: normalize(key, value) for key, value in body.items()})


async def _read_multipart(request: web.Request, params: Params) -> None:
    """Merge multipart fields into `params`, keeping file parts in memory.

    The whole body is parsed at once with the standard library: aiohttp's streaming part
    reader warns (deprecated `unread_data`) when a chunk ends inside a boundary.
    """
    head = f"Content-Type: {request.headers.get('Content-Type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + await request.read())
    if not message.is_multipart():
        raise bad_request("can't parse multipart body")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            params.values[name] = normalize(name, content.decode(_charset(part)))
            continue
        content_type = part.get("Content-Type")
        params.files[name] = UploadedFile(name, filename, content, content_type)


def _charset(part: Message) -> str:
    """Return the declared charset of a text part (UTF-8 when none)."""
    charset = part.get_content_charset()
    return charset if isinstance(charset, str) else "utf-8"
