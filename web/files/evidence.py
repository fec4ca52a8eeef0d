"""/files/evidence/<id>: a file kept as evidence, sent with an inert Content-Type."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app import evidence_files, links
from app.dashboard.task_page import evidence_in_scope
from app.dashboard.viewer import Viewer
from scheduler.workers import in_worker
from web.auth import deps_of
from web.files.scope import refused
from web.files.signed import Offer, download
from web.render import message_page

# An evidence file's type is what the sender's app named: sent on only as a plain
# type/subtype, and never one a browser would run as a page or a script on our origin.
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_ACTIVE = ("html", "xml", "svg", "javascript", "ecmascript", "xsl")
BYTES = "application/octet-stream"


async def evidence_file(request: Request) -> Response:
    """An evidence file from the bot's own storage, when its unit is in scope."""
    evidence_id = int(request.path_params["evidence_id"])
    tz = deps_of(request).services.settings.tz
    seen: dict[str, Any] = {}  # the file, read by the scope check: the page names it

    def may_have(session: Session, viewer: Viewer) -> bool:
        found = evidence_in_scope(session, viewer, evidence_id=evidence_id)
        if found is not None:
            seen.update(name=found.file_name, size=found.size, sent_on=found.created_at)
        return found is not None

    def describe(t: Callable[..., str]) -> str:
        sent_on = seen["sent_on"].astimezone(tz).date()
        return evidence_files.landing_text(
            t, name=seen["name"], size=seen["size"], sent_on=sent_on
        )

    # A link used without a session came from chat: Zalo's /evidence makes another.
    offer = Offer(describe, "/evidence", may_have)
    return await download(request, offer, partial(_evidence, evidence_id=evidence_id))


async def _evidence(request: Request, granted: links.SignedLink, *, evidence_id: int) -> Response:
    """Send an evidence file, when its unit is in the person's scope."""
    services = deps_of(request).services

    root = services.settings.evidence_path
    person = int(granted.person)
    find = partial(evidence_files.kept_file, contact_id=person, evidence_id=evidence_id)
    kept = await in_worker(find, services.engine, root)
    if kept is None:
        return await refused(request, granted)
    if kept.path is None:
        return message_page(request, None, "web.not_found", status=404)
    return FileResponse(kept.path, media_type=served_type(kept.mime_type), filename=kept.file_name)


def served_type(mime: str | None) -> str:
    """Return the Content-Type to send a kept file with: its own when plain and inert, else
    bytes (a malformed one broke the answer, HTML was sent as HTML)."""
    kind = (mime or "").strip().lower()
    if not _MIME.fullmatch(kind) or any(word in kind for word in _ACTIVE):
        return BYTES
    return kind
