"""/files/chart/<which> and /files/photo/<which>: a chart as a PNG: a task's (`<id>`), a
directive's tasks' (`d<id>`) or every open task's (`all`), in the person's scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.charts import covered_chart
from app.dashboard.viewer import Viewer, viewer_of
from app.file_limits import fits
from app.formal_report import ReportTarget
from app.summary_text import as_of
from core.chart import Bar, stacked_bars
from core.status import Status
from db.engine import session_scope
from scheduler.workers import in_heavy_worker, in_worker
from web.auth import deps_of
from web.files.scope import refused, task_in_scope
from web.files.signed import Offer, download, granted_link, once
from web.files.targets import described, target_of
from web.render import language, message_page


async def chart_file(request: Request) -> Response:
    """A chart (PNG): a task's by unit kind and group, or a bar per task, within scope."""
    target = target_of(request.path_params["which"])
    if target is None or target.start is not None:
        return message_page(request, None, "web.not_found", status=404)
    in_scope = task_in_scope(request, target.task_id)
    if target.task_id is None:
        may_have, describe = described(target, in_scope, "web.landing_charts")
    else:
        may_have, describe = in_scope, partial(_landing, target.task_id)
    offer = Offer(describe, _command(target), may_have)
    return await download(request, offer, partial(_chart, target=target))


async def photo_file(request: Request) -> Response:
    """A chart as the photo of a /chart, fetched by the chat's server: once, PNG."""
    target = target_of(request.path_params["which"])
    if target is None or target.start is not None:
        return message_page(request, None, "web.not_found", status=404)
    link = await granted_link(request)
    if isinstance(link, Response):
        return link
    now = deps_of(request).services.clock.now()
    if link.expires - now > links.PHOTO_TTL:  # a longer-lived link to a photo is none of ours
        return message_page(request, None, "web.link_refused", status=403)
    if request.method == "HEAD":  # a look at the headers takes nothing
        return Response(media_type="image/png")
    # Only Zalo sends a chart by its URL: one past ZALO_FILE_MAX_BYTES is refused (413), and
    # the person keeps the link to the chart's page that came with it.
    draw = partial(_chart, target=target, photo_for="zalo")
    return await once(request, link, draw, _command(target))


def _landing(task_id: int, t: Callable[..., str]) -> str:
    """Say what a task's chart's link gives, in the person's words."""
    return t("web.landing_chart", id=task_id)


def _command(target: ReportTarget) -> str:
    """Return the chat command that draws the same chart again."""
    return f"/chart #{target.task_id}" if target.task_id is not None else "/chart"


async def _chart(
    request: Request, granted: links.SignedLink, *, target: ReportTarget, photo_for: str = ""
) -> Response:
    """Draw and send a chart of what the link covers, within the person's scope; as the photo
    of a channel's message (`photo_for`), only when it fits that channel's bound."""
    services = deps_of(request).services
    now = services.clock.now()

    def read() -> tuple[Viewer | None, list[Bar], str]:
        with session_scope(services.engine) as session:
            viewer = viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None, [], ""
            lang = language(request, viewer)
            bars, title = covered_chart(
                session,
                viewer,
                task_id=target.task_id,
                directive_id=target.directive_id,
                now=now,
                catalog=services.catalog,
                lang=lang,
            )
            return viewer, bars, title

    viewer, bars, title = await in_worker(read)
    if viewer is None or not bars:
        return await refused(request, granted)
    lang = language(request, viewer)  # the page's, when a dashboard page links it
    t = partial(services.catalog.get, lang)
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
    if photo_for and not fits(services, photo_for, len(png), photo=True):
        return Response(status_code=413)  # the link is given back: it was never a photo
    name = services.catalog.plain(lang, "chart.file_name")
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}-{_named(target)}.png"'},
    )


def _named(target: ReportTarget) -> str:
    """Return what a chart's file name says it covers: a task's number, d<id> or all."""
    if target.task_id is not None:
        return str(target.task_id)
    return f"d{target.directive_id}" if target.directive_id is not None else "all"
