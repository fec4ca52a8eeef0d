"""The webhook benchmark's baseline: a bare Starlette endpoint that only answers 200.

    python -m uvicorn bench.bare_webhook:app --host 127.0.0.1 --port PORT

It reads the body and checks the secret header in constant time (403 otherwise), as any
webhook must, and does nothing else: no parsing, no database, no bot. Kept apart from
bench/webhook.py so that its process imports Starlette alone.
"""

from __future__ import annotations

import hmac
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET = os.environ.get("BARE_WEBHOOK_SECRET", "").encode()
HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def webhook(request: Request) -> Response:
    """Answer 200 to a call with the secret, 403 to any other; the body is read and dropped."""
    await request.body()
    given = request.headers.get(HEADER, "").encode()
    return Response(status_code=200 if hmac.compare_digest(given, SECRET) else 403)


app = Starlette(routes=[Route("/webhook/telegram", webhook, methods=["POST"])])
