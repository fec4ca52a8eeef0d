"""POST /webhook/<channel>: a channel's update, checked, stored, then answered 200.

The channel's secret header is compared in constant time (403 otherwise, nothing stored,
and a line in the log at most once a minute: `limits.Refusals`);
the sink stores the update in the inbox before returning, so a 200 means it is kept, and
processes it afterwards. A redelivered update is stopped by the inbox.

A platform sends again whatever is not answered 2xx: a body that is no JSON object (cut on
its way, say) gets 400, which a new delivery may mend; JSON the sink finds no update in, or
nested deeper than any update (`MAX_DEPTH`), is dropped, logged, and answered 200, since
sending it again would never mend it; so is an empty body (a platform's probe: Zalo was
seen to call a webhook so), there being nothing in it to keep. A database
out of reach (past the sink's own wait, if any) gets 503 and one line in the log, no
traceback: nothing was stored, and the platform's next try is. So does a sink holding as
much work as it may take (`BusyError`), logged at most once a minute.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.busy import BusyError
from web.deps import WebDeps
from web.limits import BodyTooLargeError, read_body

log = logging.getLogger(__name__)

# An update of either platform nests a dozen levels at most. Deeper JSON is no update: it
# is dropped (200) before the sink's recursive walks (NUL taken out, stored as JSON) could
# fail on it; JSON nested past what the parser itself takes raised a 500 with a traceback.
MAX_DEPTH = 64


def nested_within(data: Any, limit: int) -> bool:
    """Tell whether JSON data nests no deeper than `limit` lists and objects (iteratively)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return True


async def webhook(request: Request) -> Response:
    """Take one update from the channel named in the path."""
    deps: WebDeps = request.app.state.deps
    channel = request.path_params["channel"]
    hook = deps.webhooks.get(channel)
    if hook is None:  # not configured on this server (Zalo until the lead wires it)
        return PlainTextResponse("not found", status_code=404)
    given = request.headers.get(hook.header, "")
    if not hmac.compare_digest(given.encode(), hook.secret.encode()):
        refused = deps.refusals.refused(channel)
        if refused:
            log.warning(
                "webhook %s: refused %d call(s) with a wrong or missing secret", channel, refused
            )
        return PlainTextResponse("forbidden", status_code=403)
    try:
        body = await read_body(request, deps.max_body)
    except BodyTooLargeError:
        return PlainTextResponse("too large", status_code=413)
    if not body.strip():  # a probe: nothing to keep, nothing a new delivery would bring
        log.info("webhook %s: a call with no body answered 200", channel)
        return Response(status_code=200)
    try:
        payload = json.loads(body)
    except RecursionError:  # nested past what the parser takes: see MAX_DEPTH
        payload = None
    except (ValueError, UnicodeDecodeError):
        return PlainTextResponse("bad request", status_code=400)
    if payload is not None and not isinstance(payload, dict):
        return PlainTextResponse("bad request", status_code=400)
    try:
        if payload is None or not nested_within(payload, MAX_DEPTH):
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        await hook.sink(payload)
    except BusyError as exc:
        busy = deps.refusals.refused(f"{channel} busy")
        if busy:
            log.warning("webhook %s: answered %d call(s) 503, busy (%s)", channel, busy, exc)
        return PlainTextResponse("busy", status_code=503, headers={"Retry-After": "5"})
    except ValueError as exc:
        log.warning("webhook %s: dropped a payload that is no update: %s", channel, exc)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # a driver's message may hold several lines
        log.warning("webhook %s: not stored, the database is out of reach (%s)", channel, reason)
        return PlainTextResponse("unavailable", status_code=503, headers={"Retry-After": "5"})
    return Response(status_code=200)
