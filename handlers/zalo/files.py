"""/export, /chart, /report and /web on Zalo: a signed link to `dondoc serve`'s /files/... routes.

Zalo bots cannot send documents, so each answers with a download link under
PUBLIC_BASE_URL, signed for the one person who asked and expiring in 24 hours
(`app/links.py`). A link opens a page with one button that builds and sends the file, once
(`web/files/`, which checks the person's role and scope again then): Zalo's server
fetches links to preview them, and that fetch must neither use the link nor build a file.
The chart (a task's, a directive's tasks' or every open task's, as on Telegram) is also sent
as a photo (`PhotoSaid`), whose URL Zalo's server fetches itself:
a link of its own (`/files/photo/...`), 15 minutes, good for one fetch. Without
PUBLIC_BASE_URL there is no address to link to: the answer says the admin must set it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from app import links, reports
from app.actor import Actor
from app.checkin import Said
from app.dashboard.signin import login_link
from app.formal_report import ReportTarget
from app.reports import Target, covers
from app.services import Services
from core.markup import to_plain
from core.period import Period, report_period
from core.roles import Access
from handlers.zalo.commandkit import refused_below


@dataclass(frozen=True)
class PhotoSaid(Said):
    """A message that is also sent as a photo: its URL and plain-text caption."""

    photo_url: str = ""
    caption: str = ""


def export(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Link to the XLSX appendix of every open task, one task or a directive's tasks."""
    t = partial(services.catalog.get, actor.lang)
    refused = links_refused(services, actor)
    if refused is not None:
        return refused
    target, said = _target(services, actor, args, "export")
    if target is None:
        return said
    if not reports.anything(services.engine, covers(target), actor.scope):
        return [Said(t("export.nothing"))]
    link = signed_link(services, actor, f"/files/export/{_which(target)}")
    return [Said(t("zalo.export_link", link=link, hours=link_hours()))]


def chart(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Link to the chart (PNG) of one task, a directive's tasks or every open task, as
    Telegram's /chart draws them, and send it as a photo."""
    t = partial(services.catalog.get, actor.lang)
    refused = links_refused(services, actor)
    if refused is not None:
        return refused
    target, said = _target(services, actor, args, "chart")
    if target is None:
        return said
    if target.task is None and not reports.anything(services.engine, covers(target), actor.scope):
        nothing = "summary.none_open" if target.kind == "all" else "summary.nothing_in_scope"
        return [Said(t(nothing))]
    which = _which(target)
    link = signed_link(services, actor, f"/files/chart/{which}")
    photo = signed_link(services, actor, f"/files/photo/{which}", ttl=links.PHOTO_TTL)
    text = t("zalo.chart_link", link=link, hours=link_hours())
    return [PhotoSaid(text, photo_url=photo, caption=to_plain(_caption(t, target)))]


def _caption(t: Callable[..., str], target: Target) -> str:
    """Say what a chart sent as a photo shows: a task, a directive's tasks or every one."""
    if target.task is not None:
        return t("zalo.chart_caption", id=target.task.id, title=target.task.title)
    if target.directive is not None:
        return t("zalo.chart_caption_directive", number=target.directive.number)
    return t("zalo.chart_caption_all")


def report(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Link to the formal report (Word) of every open task, a task, a directive or a period."""
    t = partial(services.catalog.get, actor.lang)
    refused = links_refused(services, actor)
    if refused is not None:
        return refused
    text = args.strip()
    period = report_period(text, services.today())
    if period is not None:
        if not isinstance(period, Period):
            return [Said(t(f"report.{period.code.value}", text=period.text))]
        # isoformat, not %Y: strftime writes the year 1 as "1", which the route would not read
        days = (day.isoformat().replace("-", "") for day in (period.start, period.end))
        which = "p" + "-".join(days)
        covered = ReportTarget(start=period.start, end=period.end)
    else:
        target, said = _target(services, actor, text, "report")
        if target is None:
            return said
        which = _which(target)
        covered = covers(target)
    if not reports.anything(services.engine, covered, actor.scope):
        return [Said(reports.nothing_to_report(t, covered))]
    link = signed_link(services, actor, f"/files/report/{which}")
    return [Said(t("zalo.report_link", link=link, hours=link_hours()))]


def web(services: Services, actor: Actor, _args: str, _name: str) -> list[Said]:
    """Answer a one-time sign-in link to the dashboard, for this person, valid LOGIN_TTL."""
    refused = links_refused(services, actor)
    if refused is not None:
        return refused
    return [Said(login_link(services, actor.lang, actor.contact_id))]


def links_refused(services: Services, actor: Actor) -> list[Said] | None:
    """Return why the person gets no link (not staff, no public address), or None."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None or services.settings.public_base_url_set:
        return refused
    return [Said(services.catalog.get(actor.lang, "zalo.links_unset"))]


def _target(
    services: Services, actor: Actor, args: str, command: str
) -> tuple[Target | None, list[Said]]:
    """Return what the person named within their scope, or what to say why it cannot be."""
    text = args.strip()
    t = partial(services.catalog.get, actor.lang)
    target = reports.target(services.engine, text, actor.scope)
    said = reports.refused(t, target, text, "zalo.file_which", command=command)
    return (None, [Said(said)]) if said else (target, [])


def _which(target: Target) -> str:
    """Return what a file's path covers: `all`, a task's number or `d<directive>`."""
    ident = reports.ident_of(target)
    return {"task": str(ident), "directive": f"d{ident}"}.get(target.kind, "all")


def signed_link(
    services: Services, actor: Actor, path: str, *, ttl: timedelta = links.DEFAULT_TTL
) -> str:
    """Return the link to `path` under PUBLIC_BASE_URL, for this person only, for `ttl`."""
    return links.url(
        services.settings.public_base_url,
        services.link_key,
        path=path,
        person=str(actor.contact_id),
        now=services.clock.now(),
        ttl=ttl,
    )


def link_hours() -> int:
    """Return how many hours a link works."""
    return int(links.DEFAULT_TTL.total_seconds() // 3600)
