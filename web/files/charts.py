"""/files/chart/<task> and /files/photo/<task>: a task's chart as a PNG."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.charts import task_chart
from app.dashboard.viewer import Viewer, viewer_of
from app.file_limits import fits
from app.summary_text import as_of
from core.chart import Bar, stacked_bars
from core.status import Status
from db.engine import session_scope
from scheduler.workers import in_heavy_worker, in_worker
from web.auth import deps_of
from web.files.scope import refused, task_in_scope
from web.files.signed import Offer, download, granted_link, once
from web.render import language, message_page


async def chart_file(request: Request) -> Response:
    """A task's chart (PNG): its counts by unit kind and group, within scope."""
    task_id = int(request.path_params["task_id"])
    offer = Offer(
        lambda t: t("web.landing_chart", id=task_id),
        f"/chart #{task_id}",
        task_in_scope(request, task_id),
    )
    return await download(request, offer, partial(_chart, task_id=task_id))


async def photo_file(request: Request) -> Response:
    """A task's chart as the photo of a /chart, fetched by the chat's server: once, PNG."""
    task_id = int(request.path_params["task_id"])
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
    draw = partial(_chart, task_id=task_id, photo_for="zalo")
    return await once(request, link, draw, f"/chart #{task_id}")


async def _chart(
    request: Request, granted: links.SignedLink, *, task_id: int, photo_for: str = ""
) -> Response:
    """Draw and send a task's chart, when the task is in the person's scope; as the photo of
    a channel's message (`photo_for`), only when it fits that channel's bound."""
    services = deps_of(request).services
    now = services.clock.now()

    def read() -> tuple[Viewer | None, list[Bar], str]:
        with session_scope(services.engine) as session:
            viewer = viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None, [], ""
            lang = language(request, viewer)
            bars, title = task_chart(
                session, viewer, task_id=task_id, now=now, catalog=services.catalog, lang=lang
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
        headers={"Content-Disposition": f'attachment; filename="{name}-{task_id}.png"'},
    )
