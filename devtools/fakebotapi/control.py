"""HTTP control endpoints for trying a bot by hand against the standalone server.

    POST /_control/send_text     {"user_id": 1001, "text": "/start", "first_name": "An"}
    POST /_control/send_text     {"user_id": 1001, "text": "xong", "reply_to": 12}
    POST /_control/send_document {"user_id": 1001, "path": "examples/units.csv"}
    POST /_control/send_photo    {"user_id": 1001, "path": "photo.png", "caption": "minh chứng"}
    POST /_control/press         {"user_id": 1001, "data": "unit:3", "message_id": 5}
    POST /_control/block         {"user_id": 1001}
    GET  /_control/messages?chat_id=1001
    GET  /_control/files?chat_id=1001     (what the bot sent as files, with a download url)
    GET  /_control/file/<file_id>          (the file's bytes, under its name)

A document or photo is given as a `path` on this machine or as `content_base64` (then with
a `file_name`). Unknown users are created on their first message. Answers are UTF-8 JSON.
"""

from __future__ import annotations

import base64
import json
import mimetypes
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from devtools.fakebotapi.records import JsonDict

if TYPE_CHECKING:
    from devtools.fakebotapi.server import FakeBotApi

Action = Callable[[JsonDict], JsonDict]
_dumps = partial(json.dumps, ensure_ascii=False)  # Vietnamese readable in curl's output


class ControlRoutes:
    """Act as users over HTTP through a FakeBotApi's test-driving methods."""

    def __init__(self, server: FakeBotApi) -> None:
        self._server = server

    def register(self, app: web.Application) -> None:
        """Add the /_control/ routes to `app`."""
        app.router.add_post("/_control/send_text", _json_route(self.send_text))
        app.router.add_post("/_control/send_document", _json_route(self.send_document))
        app.router.add_post("/_control/send_photo", _json_route(self.send_photo))
        app.router.add_post("/_control/press", _json_route(self.press))
        app.router.add_post("/_control/block", _json_route(self.block))
        app.router.add_get("/_control/messages", self.messages)
        app.router.add_get("/_control/files", self.files)
        app.router.add_get("/_control/file/{file_id}", self.file)

    def send_text(self, body: JsonDict) -> JsonDict:
        """Have a user (created if new) send text, as a reply to a message if `reply_to`."""
        user_id = self._user(body)
        text = str(body["text"])
        reply_to = body.get("reply_to")
        written_at = body.get("date")  # seconds since the epoch: sent earlier than now
        update_id = self._server.send_text(
            user_id,
            text,
            chat_id=_chat(body),
            reply_to=None if reply_to is None else int(reply_to),
            written_at=None if written_at is None else int(written_at),
        )
        return {"update_id": update_id}

    def send_document(self, body: JsonDict) -> JsonDict:
        """Have a user (created if new) upload a file as a document."""
        user_id = self._user(body)
        content, name = _content(body)
        mime = str(body.get("mime_type") or mimetypes.guess_type(name)[0] or "")
        update_id = self._server.send_document(
            user_id,
            content,
            name,
            mime or "application/octet-stream",
            caption=_caption(body),
            chat_id=_chat(body),
        )
        return {"update_id": update_id}

    def send_photo(self, body: JsonDict) -> JsonDict:
        """Have a user (created if new) send an image as a photo."""
        user_id = self._user(body)
        content, _ = _content(body)
        update_id = self._server.send_photo(
            user_id, content, caption=_caption(body), chat_id=_chat(body)
        )
        return {"update_id": update_id}

    def _user(self, body: JsonDict) -> int:
        """Return the acting user's id, creating the user on their first message."""
        user_id = int(body["user_id"])
        if user_id not in self._server.state.users:
            self._server.add_user(user_id, str(body.get("first_name", f"User {user_id}")))
        return user_id

    def press(self, body: JsonDict) -> JsonDict:
        """Have a user press an inline button."""
        message_id = body.get("message_id")
        update_id = self._server.press_button(
            int(body["user_id"]),
            str(body["data"]),
            None if message_id is None else int(message_id),
        )
        return {"update_id": update_id}

    def block(self, body: JsonDict) -> JsonDict:
        """Have a user block the bot."""
        return {"update_id": self._server.block(int(body["user_id"]))}

    async def messages(self, request: web.Request) -> web.Response:
        """List the bot's current messages in a chat."""
        chat_id = int(request.query["chat_id"])
        found = [self._server.state.message_api(m) for m in self._server.messages(chat_id)]
        return web.json_response({"ok": True, "result": found}, dumps=_dumps)

    async def files(self, request: web.Request) -> web.Response:
        """List the documents and photos the bot sent in a chat, each with a download url."""
        chat_id = int(request.query["chat_id"])
        found = []
        with self._server.state.lock:
            for message in self._server.messages(chat_id):
                if not message.from_bot:
                    continue
                sent = message.document or (message.photo[-1] if message.photo else None)
                if sent is None:
                    continue
                stored = self._server.state.files.get(str(sent["file_id"]))
                name = stored.file_name if stored else None
                found.append(
                    {
                        "message_id": message.message_id,
                        "file_id": sent["file_id"],
                        "file_name": name or Path(stored.file_path if stored else "").name,
                        "mime_type": stored.mime_type if stored else None,
                        "file_size": len(stored.content) if stored else None,
                        "caption": message.caption,
                        "url": f"{request.url.origin()}/_control/file/{sent['file_id']}",
                    }
                )
        return web.json_response({"ok": True, "result": found}, dumps=_dumps)

    async def file(self, request: web.Request) -> web.Response:
        """Return a stored file's bytes under its name (curl -OJ keeps the name)."""
        stored = self._server.state.files.get(request.match_info["file_id"])
        if stored is None:
            body = {"ok": False, "description": "no such file"}
            return web.json_response(body, status=404, dumps=_dumps)
        name = stored.file_name or Path(stored.file_path).name
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}"'},
        )


def _chat(body: JsonDict) -> int | None:
    """Return the chat named in the body (a group), or None for the user's private chat."""
    chat_id = body.get("chat_id")
    return None if chat_id is None else int(chat_id)


def _caption(body: JsonDict) -> str | None:
    """Return the caption given, if any."""
    caption = body.get("caption")
    return None if caption is None else str(caption)


def _content(body: JsonDict) -> tuple[bytes, str]:
    """Return the bytes and name of a file given as `path` or as `content_base64`."""
    if "path" in body:
        path = Path(str(body["path"])).expanduser()
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error.strerror}") from None
        return content, str(body.get("file_name") or path.name)
    if "content_base64" in body:
        content = base64.b64decode(str(body["content_base64"]), validate=True)
        return content, str(body.get("file_name") or "file")
    raise KeyError("give the file as 'path' or 'content_base64'")


def _ascii(name: str) -> str:
    """Return a file name safe in a header (non-ASCII letters become '_')."""
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)


def _json_route(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap an action on a JSON body into a route that reports mistakes as 400."""

    async def route(request: web.Request) -> web.Response:
        """Run the action on the request's JSON body."""
        try:
            body: Any = await request.json()
            result = action(body)
        except (KeyError, ValueError, TypeError) as error:
            body = {"ok": False, "description": str(error)}
            return web.json_response(body, status=400, dumps=_dumps)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    return route
