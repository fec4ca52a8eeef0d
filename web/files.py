"""GET /files/...: downloads through signed links, for their one person, within scope.

A link names its person and expiry under an HMAC (app.links): a forged, expired or
someone else's link gets 403, and so does a person who is no longer staff or a task that
has left their scope since the link was made.

What an export or report covers is in its path (`which`): `all` (every open task in
scope), a task's number, `d<number>` (a directive's tasks in scope) or, for the report,
`p<yyyymmdd>-<yyyymmdd>` (a period). Zalo's /export, /chart and /report link here.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from functools import partial
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app import dashboard as d
from app import links
from app.formal_report import ReportTarget, letterhead_of
from app.jobs import export_workbook, report_document
from app.report_docx import TemplateError
from app.summary_text import as_of
from core.chart import Bar, stacked_bars
from core.status import Status
from db.engine import session_scope
from db.models import Evidence
from scheduler.workers import in_heavy_worker, in_process, in_worker
from web.auth import deps_of, signed_in
from web.render import message_page

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_WHICH = re.compile(r"(?:(all)|(\d{1,12})|d(\d{1,12})|p(\d{8})-(\d{8}))")


def target_of(which: str) -> ReportTarget | None:
    """Read what a file's path covers (see the module's note); None when it is no target."""
    found = _WHICH.fullmatch(which)
    if found is None:
        return None
    everything, task, directive, start, end = found.groups()
    if everything:
        return ReportTarget()
    if task or directive:
        return ReportTarget(
            task_id=int(task) if task else None, directive_id=int(directive) if directive else None
        )
    try:
        first, last = _day(start), _day(end)
    except ValueError:
        return None
    return ReportTarget(start=first, end=last) if first <= last else None


def _day(text: str) -> date:
    """Read yyyymmdd."""
    return datetime.strptime(text, "%Y%m%d").date()


async def granted_link(request: Request) -> links.SignedLink | Response:
    """Return what the request's signed link grants, or the 403 that refuses it."""
    deps = deps_of(request)
    signed = await signed_in(request)
    try:
        granted = links.verify(
            deps.link_key,
            path=request.url.path,
            query=dict(request.query_params),
            now=deps.services.clock.now(),
            viewer=str(signed.contact_id) if signed is not None else None,
        )
    except links.RefusedLinkError as refused:
        log.info("refused a download link: %s", refused.reason.value)
        return message_page(request, None, "web.link_refused", status=403)
    if not granted.person.isdigit():  # links are signed for contacts by their number
        return message_page(request, None, "web.link_refused", status=403)
    return granted


async def export_file(request: Request) -> Response:
    """Send the XLSX appendix of every open task in scope, or of one task."""
    services = deps_of(request).services
    which = request.path_params["which"]
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    target = target_of(which)
    if target is None or target.start is not None:
        return message_page(request, None, "web.not_found", status=404)
    task_id, directive_id = target.task_id, target.directive_id
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
    with services.turns.turn("export", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "export.busy", status=429)
        book = await in_process(
            services.engine,
            export_workbook,
            task_id=task_id,
            directive_id=directive_id,  # its tasks in the viewer's scope only
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


async def evidence_file(request: Request) -> Response:
    """Send an evidence file from the bot's own storage, when its unit is in scope."""
    services = deps_of(request).services
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    evidence_id = int(request.path_params["evidence_id"])

    def find() -> Evidence | None:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None
            return d.evidence_in_scope(session, viewer, evidence_id=evidence_id)

    evidence = await in_worker(find)
    if evidence is None:
        return message_page(request, None, "web.forbidden", status=403)
    root = services.settings.evidence_path.resolve()
    path = (root / evidence.storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.warning("evidence %s: its file is missing from the storage", evidence_id)
        return message_page(request, None, "web.not_found", status=404)
    return FileResponse(
        path,
        media_type=evidence.mime_type or "application/octet-stream",
        filename=evidence.file_name,
    )


async def chart_file(request: Request) -> Response:
    """Send a task's chart (PNG): its counts by unit kind and group, within scope."""
    services = deps_of(request).services
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    task_id = int(request.path_params["task_id"])
    now = services.clock.now()

    def read() -> tuple[d.Viewer | None, list[Bar], str]:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None, [], ""
            bars, title = d.task_chart(
                session, viewer, task_id=task_id, now=now, catalog=services.catalog
            )
            return viewer, bars, title

    viewer, bars, title = await in_worker(read)
    if viewer is None or not bars:
        return message_page(request, None, "web.forbidden", status=403)
    t = partial(services.catalog.get, viewer.lang)
    png = await in_heavy_worker(
        partial(
            stacked_bars,
            bars,
            title=title,
            subtitle=as_of(t, now.astimezone(services.settings.tz)),
            legend={s: t(f"summary.status_{s.value}") for s in Status},
            axis_label=t("chart.axis"),
        )
    )
    name = services.catalog.plain(viewer.lang, "chart.file_name")
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}-{task_id}.png"'},
    )


async def report_file(request: Request) -> Response:
    """Send the formal report (Word, Decree 30/2020) of every open task in scope, or of one."""
    services = deps_of(request).services
    which = request.path_params["which"]
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    target = target_of(which)
    if target is None:
        return message_page(request, None, "web.not_found", status=404)
    task_id = target.task_id
    now, tz = services.clock.now(), services.settings.tz

    def allowed() -> d.Viewer | None:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None or task_id is None:
                return viewer
            page = d.task_page(session, viewer, task_id=task_id, now=now, tz=tz)
            return viewer if page is not None else None

    viewer = await in_worker(allowed)
    if viewer is None:
        return message_page(request, None, "web.forbidden", status=403)
    with services.turns.turn("report", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "report.busy", status=429)
        try:
            made = await in_process(
                services.engine,
                report_document,
                target=target,  # a directive's or a period's tasks in the viewer's scope only
                scope=viewer.scope,
                lang=viewer.lang,
                now=now,
                tz=str(tz),
                letterhead=letterhead_of(services.settings),
            )
        except TemplateError:
            log.exception("the report template cannot be read")
            return message_page(request, viewer, "report.template_broken", status=500)
    if made is None:
        return message_page(request, viewer, "web.no_tasks", status=404)
    return Response(
        made.content,
        media_type=DOCX,
        headers={"Content-Disposition": _attachment(made.file_name)},
    )


def _attachment(file_name: str) -> str:
    """Return a Content-Disposition naming the file (ASCII fallback and UTF-8 name)."""
    fallback = file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(file_name)}"
