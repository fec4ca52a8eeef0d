"""GET /files/...: downloads through signed links, for their one person, within scope.

A link names its person and expiry under an HMAC (app.links): a forged, expired or
someone else's link gets 403, and so does a person who is no longer staff or a task that
has left their scope since the link was made.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from app import dashboard as d
from app import links
from app.jobs import export_workbook
from db.engine import session_scope
from scheduler.workers import in_process, in_worker
from web.auth import deps_of, signed_in
from web.render import message_page

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def export_file(request: Request) -> Response:
    """Send the XLSX appendix of every open task in scope, or of one task."""
    deps = deps_of(request)
    services = deps.services
    which = request.path_params["which"]
    signed = await signed_in(request)
    try:
        granted = links.verify(
            deps.link_key,
            path=request.url.path,
            query=dict(request.query_params),
            now=services.clock.now(),
            viewer=str(signed.contact_id) if signed is not None else None,
        )
    except links.RefusedLinkError as refused:
        log.info("refused a download link: %s", refused.reason.value)
        return message_page(request, None, "web.link_refused", status=403)
    if (which != "all" and not which.isdigit()) or not granted.person.isdigit():
        return message_page(request, None, "web.not_found", status=404)
    task_id = None if which == "all" else int(which)
    now = services.clock.now()

    def allowed() -> d.Viewer | None:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None or task_id is None:
                return viewer
            page = d.task_page(session, viewer, task_id=task_id, now=now, tz=services.settings.tz)
            return viewer if page is not None else None

    viewer = await in_worker(allowed)
    if viewer is None:
        return message_page(request, None, "web.forbidden", status=403)
    book = await in_process(
        services.engine,
        export_workbook,
        task_id=task_id,
        directive_id=None,
        scope=viewer.scope,
        lang=viewer.lang,
        now=now,
        tz=str(services.settings.tz),
    )
    if book is None:
        return message_page(request, viewer, "web.no_tasks", status=404)
    stamp = now.astimezone(services.settings.tz).strftime("%Y%m%d-%H%M")
    name = services.catalog.plain(viewer.lang, "web.file_name")
    return Response(
        book.content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'},
    )
