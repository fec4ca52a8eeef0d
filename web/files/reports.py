"""/files/report/<which>: the formal report (Word, Decree 30/2020) of a target."""

from __future__ import annotations

import logging
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.filters import Filters
from app.formal_report import REPORT_LANG, ReportTarget, letterhead_of
from app.jobs import report_document
from app.report_docx import TemplateError
from scheduler.workers import in_process
from web.auth import deps_of
from web.files.scope import refused, shown_to, task_in_scope, viewer_for
from web.files.signed import Offer, download
from web.files.targets import attachment, described, filtered_target_of
from web.render import message_page

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def report_file(request: Request) -> Response:
    """The formal report (Word, Decree 30/2020) of every open task in scope, a task, a
    directive or a period."""
    found = filtered_target_of(request.path_params["which"])
    if found is None:
        return message_page(request, None, "web.not_found", status=404)
    target, filters = found
    may_have, describe = described(
        target, task_in_scope(request, target.task_id), "web.landing_report"
    )
    offer = Offer(describe, "/report", may_have)
    return await download(request, offer, partial(_report, target=target, filters=filters))


async def _report(
    request: Request, granted: links.SignedLink, *, target: ReportTarget, filters: Filters
) -> Response:
    """Build and send the formal report of the target, within the person's scope."""
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz
    viewer = await viewer_for(request, granted, task_id=target.task_id)
    if viewer is None:
        return await refused(request, granted)
    # A formal report is a Vietnamese document, whatever the page's language: so are the
    # filters it names.
    shown = await shown_to(request, viewer, filters, REPORT_LANG)  # the units the page showed
    async with services.turns.turn("report", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "report.busy", status=429)
        try:
            made = await in_process(
                services.engine,
                report_document,
                target=target,  # a directive's or a period's tasks in the viewer's scope only
                scope=viewer.scope,
                now=now,
                tz=str(tz),
                letterhead=letterhead_of(services.settings),
                shown=shown,
            )
        except TemplateError:
            log.exception("the report template cannot be read")
            return message_page(request, viewer, "report.template_broken", status=500)
    if made is None:
        return message_page(request, viewer, "web.no_tasks", status=404)
    return Response(
        made.content,
        media_type=DOCX,
        headers={"Content-Disposition": attachment(made.file_name)},
    )
