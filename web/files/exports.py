"""/files/export/<which>: the XLSX appendix of the open tasks in the person's scope."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.filters import Filters
from app.formal_report import ReportTarget
from app.jobs import export_workbook
from scheduler.workers import in_process
from web.auth import deps_of
from web.files.scope import refused, shown_to, task_in_scope, viewer_for
from web.files.signed import Offer, download
from web.files.targets import described, filtered_target_of
from web.render import language, message_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def export_file(request: Request) -> Response:
    """The XLSX appendix of every open task in scope, of one task or of a directive."""
    found = filtered_target_of(request.path_params["which"])
    if found is None:
        return message_page(request, None, "web.not_found", status=404)
    target, filters = found
    if target.start is not None:
        return message_page(request, None, "web.not_found", status=404)
    may_have, describe = described(
        target, task_in_scope(request, target.task_id), "web.landing_export"
    )
    offer = Offer(describe, "/export", may_have)
    return await download(request, offer, partial(_export, target=target, filters=filters))


async def _export(
    request: Request, granted: links.SignedLink, *, target: ReportTarget, filters: Filters
) -> Response:
    """Build and send the XLSX appendix of the target, within the person's scope."""
    services = deps_of(request).services
    task_id, directive_id = target.task_id, target.directive_id
    now = services.clock.now()
    viewer = await viewer_for(request, granted, task_id=task_id)
    if viewer is None:
        return await refused(request, granted)
    lang = language(request, viewer)  # the page's, when a dashboard page links it
    shown = await shown_to(request, viewer, filters, lang)  # the units the page showed
    async with services.turns.turn("export", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "export.busy", status=429)
        book = await in_process(
            services.engine,
            export_workbook,
            task_id=task_id,
            directive_id=directive_id,  # its tasks in the viewer's scope only
            scope=viewer.scope,
            lang=lang,
            now=now,
            tz=str(services.settings.tz),
            shown=shown,
        )
    if book is None:
        return message_page(request, viewer, "web.no_tasks", status=404)
    stamp = now.astimezone(services.settings.tz).strftime("%Y%m%d-%H%M")
    name = services.catalog.plain(lang, "web.file_name")
    return Response(
        book.content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'},
    )
