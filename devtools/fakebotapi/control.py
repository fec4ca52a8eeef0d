"""HTTP control endpoints for trying a bot by hand against the standalone server.

    POST /_control/send_text {"user_id": 1001, "text": "/start", "first_name": "An"}
    POST /_control/press     {"user_id": 1001, "data": "unit:3", "message_id": 5}
    POST /_control/block     {"user_id": 1001}
    GET  /_control/messages?chat_id=1001

Unknown users are created on their first send_text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from devtools.fakebotapi.records import JsonDict

if TYPE_CHECKING:
    from devtools.fakebotapi.server import FakeBotApi

Action = Callable[[JsonDict], JsonDict]


class ControlRoutes:
    """Act as users over HTTP through a FakeBotApi's test-driving methods."""

    def __init__(self, server: FakeBotApi) -> None:
        self._server = server

    def register(self, app: web.Application) -> None:
        """Add the /_control/ routes to `app`."""
        app.router.add_post("/_control/send_text", _json_route(self.send_text))
        app.router.add_post("/_control/press", _json_route(self.press))
        app.router.add_post("/_control/block", _json_route(self.block))
        app.router.add_get("/_control/messages", self.messages)

    def send_text(self, body: JsonDict) -> JsonDict:
        """Have a user (created if new) send text."""
        user_id = int(body["user_id"])
        if user_id not in self._server.state.users:
            self._server.add_user(user_id, str(body.get("first_name", f"User {user_id}")))
        chat_id = body.get("chat_id")
        text = str(body["text"])
        chat = None if chat_id is None else int(chat_id)
        return {"update_id": self._server.send_text(user_id, text, chat_id=chat)}

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
        return web.json_response({"ok": True, "result": found})


def _json_route(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap an action on a JSON body into a route that reports mistakes as 400."""

    async def route(request: web.Request) -> web.Response:
        """Run the action on the request's JSON body."""
        try:
            body: Any = await request.json()
            result = action(body)
        except (KeyError, ValueError, TypeError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        return web.json_response({"ok": True, "result": result})

    return route
