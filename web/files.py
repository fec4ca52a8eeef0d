"""/files/...: downloads through signed links, for their one person, within scope.

A link names its person and expiry under an HMAC (app.links): a forged, expired or
someone else's link gets 403, and so does a person who is no longer staff or a task that
has left their scope since the link was made; this is checked again at every use.

What an export or report covers is in its path (`which`): `all` (every open task in
scope), a task's number, `d<number>` (a directive's tasks in scope) or, for the report,
`p<yyyymmdd>-<yyyymmdd>` (a period). Zalo's /export, /chart and /report link here, and its
/invites to `/files/invites/new` or `all` (`.csv` for CSV), an admin's sheet of fresh invites.

How a link is used depends on who follows it:

- **With the live session of the link's person** (a download on a dashboard page): the
  session is the credential. The file is sent at once, and the link is not used up, so
  the page's downloads can be repeated while the session lives.
- **Without it** (a link sent in chat, a link copied out of a page): the link is a bearer
  credential and works once. A GET shows what it gives (web.landing) and builds nothing,
  since chat servers and scanners fetch links to preview them; the page's button POSTs
  here (from our own pages only). The link is taken (app.link_uses) for a few minutes
  before the file is built, confirmed once the file is built and handed over to be sent,
  and given back when it cannot be sent (busy, a broken template, no task, an error), so
  the person can try again; a take left by a process that died meanwhile lapses. Once
  sent, the link answers "already used" (410) with how to get a new one. Of two POSTs at
  once, one sends the file.
- **A chart's photo** (`/files/photo/<task>`): Zalo's server fetches the photo of a
  /chart itself, by GET, with no page in front; so its link is of its own path, lives 15
  minutes (app.links.PHOTO_TTL) and works for the first successful GET. The chart's text
  message carries a /files/chart link, which has the page in front.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app import dashboard as d
from app import evidence_files, link_uses, links
from app.formal_report import ReportTarget, letterhead_of
from app.i18n import Lang
from app.jobs import export_workbook, invite_file, report_document
from app.report_docx import TemplateError
from app.summary_text import as_of
from core.chart import Bar, stacked_bars
from core.deadlines import format_date
from core.roles import Role
from core.status import Status
from db.engine import session_scope
from db.models import Evidence
from scheduler.workers import in_heavy_worker, in_process, in_worker
from web.auth import deps_of, signed_in
from web.landing import cross_origin, landing, same_origin, used
from web.render import language, message_page

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"
_INVITES = re.compile(r"(new|all)(?:\.(csv))?")
_WHICH = re.compile(r"(?:(all)|(\d{1,12})|d(\d{1,12})|p(\d{8})-(\d{8}))")
# An evidence file's type is what the sender's app named: sent on only as a plain
# type/subtype, and never one a browser would run as a page or a script on our origin.
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_ACTIVE = ("html", "xml", "svg", "javascript", "ecmascript", "xsl")
BYTES = "application/octet-stream"

Build = Callable[[Request, links.SignedLink], Awaitable[Response]]
Describe = Callable[[Callable[..., str]], str]  # what a link gives, in the person's words
MayHave = Callable[[Session, d.Viewer], bool]  # whether a staff member may have it now


def _anything(session: Session, viewer: d.Viewer) -> bool:
    """Let any staff member have it (what the file holds is cut to their scope)."""
    return True


@dataclass(frozen=True)
class Offer:
    """What a download link gives: its words on the page, the command that makes another,
    and whether its person may have it (checked again when the file is built)."""

    describe: Describe
    command: str
    may_have: MayHave = _anything


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


def _subject(t: Callable[..., str], target: ReportTarget) -> str:
    """Say what a target covers ("task #12", "every open task within your scope")."""
    if target.task_id is not None:
        return t("web.subject_task", id=target.task_id)
    if target.directive_id is not None:
        return t("web.subject_directive", id=target.directive_id)
    if target.start is not None and target.end is not None:
        return t(
            "web.subject_period", start=format_date(target.start), end=format_date(target.end)
        )
    return t("web.subject_all")


async def granted_link(request: Request) -> links.SignedLink | Response:
    """Return what the request's signed link grants, or the 403 that refuses it."""
    granted = await granted_with_session(request)
    return granted if isinstance(granted, Response) else granted[0]


async def granted_with_session(request: Request) -> tuple[links.SignedLink, bool] | Response:
    """Return what the request's signed link grants and whether its person's live session
    came with it (another person's session refuses the link), or the 403 that refuses it."""
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
        person = request.query_params.get("p", "")
        lang: Lang | None = None
        if refused.reason is links.Refusal.EXPIRED and person.isdigit():
            # its signature held: the person it was signed for reads the refusal in their language

            def read() -> Lang | None:
                with session_scope(deps.services.engine) as session:
                    return d.language_of(session, contact_id=int(person))

            lang = await in_worker(read)
        return message_page(request, None, "web.link_refused", status=403, person_lang=lang)
    if not granted.person.isdigit():  # links are signed for contacts by their number
        return message_page(request, None, "web.link_refused", status=403)
    return granted, signed is not None


async def download(request: Request, offer: Offer, build: Build) -> Response:
    """Use a download link as the module's note says: by session, or once, after a page."""
    granted = await granted_with_session(request)
    if isinstance(granted, Response):
        return granted
    link, by_session = granted
    if by_session:
        return await build(request, link)
    if request.method != "POST":
        return await _offered(request, link, offer)
    if not same_origin(request):
        return cross_origin(request)
    return await once(request, link, build, offer.command)


async def once(request: Request, link: links.SignedLink, build: Build, command: str) -> Response:
    """Take the link, build and send what it gives; give the link back if that fails."""
    services = deps_of(request).services

    def take() -> tuple[bool, Lang | None]:
        """Take the link; when it was taken before, also read whose language to refuse in."""
        with session_scope(services.engine) as session:
            if link_uses.take(session, link, now=services.clock.now()):
                return True, None
            return False, d.language_of(session, contact_id=int(link.person))

    def give_back() -> None:
        with session_scope(services.engine) as session:
            link_uses.give_back(session, link)

    def confirm() -> None:
        with session_scope(services.engine) as session:
            link_uses.confirm(session, link)

    taken, lang = await in_worker(take)
    if not taken:
        return used(request, command=command, lang=lang)
    try:
        response = await build(request, link)
    except BaseException:
        await in_worker(give_back)
        raise
    await in_worker(confirm if response.status_code == 200 else give_back)
    return response


async def _offered(request: Request, link: links.SignedLink, offer: Offer) -> Response:
    """Show the page in front of an unused link (what it gives, for whom, until when), once
    its person's role and scope let them have it; else refuse, in their language."""
    services = deps_of(request).services
    person = int(link.person)

    def read() -> tuple[d.Viewer | None, Lang | None, bool]:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=person)
            if viewer is None or not offer.may_have(session, viewer):
                return None, d.language_of(session, contact_id=person), False
            return viewer, viewer.lang, link_uses.was_used(session, link, now=services.clock.now())

    viewer, lang, was_used = await in_worker(read)
    if viewer is None:
        return message_page(request, None, "web.forbidden", status=403, person_lang=lang)
    if was_used:
        return used(request, command=offer.command, lang=viewer.lang)
    return landing(
        request,
        what=offer.describe(partial(services.catalog.plain, language(request, viewer))),
        name=viewer.name,
        expires=link.expires,
        button="web.download_button",
        lang=viewer.lang,
    )


async def _viewer_for(
    request: Request, granted: links.SignedLink, *, task_id: int | None
) -> d.Viewer | None:
    """Return the link's person as a viewer, still staff and, for one task, with it in their
    scope now; None when they may not have the file."""
    return await _allowed_viewer(request, granted, _task_in_scope(request, task_id))


async def _allowed_viewer(
    request: Request, granted: links.SignedLink, may_have: MayHave
) -> d.Viewer | None:
    """Return the link's person as a viewer, still staff and allowed the file now, or None."""
    services = deps_of(request).services

    def allowed() -> d.Viewer | None:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            return viewer if viewer is not None and may_have(session, viewer) else None

    return await in_worker(allowed)


async def refused(request: Request, granted: links.SignedLink) -> Response:
    """Refuse a link's person the file (403), in their language, staff or not any more."""
    services = deps_of(request).services

    def lang() -> Lang | None:
        with session_scope(services.engine) as session:
            return d.language_of(session, contact_id=int(granted.person))

    return message_page(
        request, None, "web.forbidden", status=403, person_lang=await in_worker(lang)
    )


def _task_in_scope(request: Request, task_id: int | None) -> MayHave:
    """Return the check that one task (any, for None) is in a staff member's scope now."""
    if task_id is None:
        return _anything
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz

    def in_scope(session: Session, viewer: d.Viewer) -> bool:
        return d.task_page(session, viewer, task_id=task_id, now=now, tz=tz) is not None

    return in_scope


async def export_file(request: Request) -> Response:
    """The XLSX appendix of every open task in scope, of one task or of a directive."""
    target = target_of(request.path_params["which"])
    if target is None or target.start is not None:
        return message_page(request, None, "web.not_found", status=404)
    offer = Offer(
        lambda t: t("web.landing_export", subject=_subject(t, target)),
        "/export",
        _task_in_scope(request, target.task_id),
    )
    return await download(request, offer, partial(_export, target=target))


async def _export(
    request: Request, granted: links.SignedLink, *, target: ReportTarget
) -> Response:
    """Build and send the XLSX appendix of the target, within the person's scope."""
    services = deps_of(request).services
    task_id, directive_id = target.task_id, target.directive_id
    now = services.clock.now()
    viewer = await _viewer_for(request, granted, task_id=task_id)
    if viewer is None:
        return await refused(request, granted)
    lang = language(request, viewer)  # the page's, when a dashboard page links it
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


async def invites_file(request: Request) -> Response:
    """The sheet of fresh invites (XLSX, or CSV for `.csv`) of the units without a contact
    (`new`) or of every unit followed (`all`), for an admin; the codes are made on the POST."""
    found = _INVITES.fullmatch(request.path_params["which"])
    if found is None:
        return message_page(request, None, "web.not_found", status=404)
    include_covered, fmt = found[1] == "all", found[2] or "xlsx"

    def describe(t: Callable[..., str]) -> str:
        which = t("invites.landing_all" if include_covered else "invites.landing_new")
        return t("invites.landing", format=fmt.upper(), which=which)

    offer = Offer(describe, "/invites", _admin)
    return await download(
        request, offer, partial(_invites, include_covered=include_covered, fmt=fmt)
    )


def _admin(session: Session, viewer: d.Viewer) -> bool:
    """Let only an admin have it."""
    return viewer.role == Role.ADMIN


async def _invites(
    request: Request, granted: links.SignedLink, *, include_covered: bool, fmt: str
) -> Response:
    """Create the invites and send their sheet, while the link's person is an admin."""
    services = deps_of(request).services
    settings, now = services.settings, services.clock.now()

    viewer = await _allowed_viewer(request, granted, _admin)
    if viewer is None:
        return await refused(request, granted)
    async with services.turns.turn("invites", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "invites.busy", status=429)
        sheet = await in_process(
            services.engine,
            invite_file,
            lang=viewer.lang,
            bot_username=services.bot_username,
            include_covered=include_covered,
            actor_id=viewer.contact_id,
            actor_label="",
            now=now,
            ttl_days=settings.invite_ttl_days,
            tz=str(settings.tz),
            fmt=fmt,
        )
    if sheet is None:
        return message_page(request, viewer, "invites.none_to_invite", status=404)
    day = now.astimezone(settings.tz).strftime("%Y%m%d")
    name = services.catalog.plain(viewer.lang, "invites.file_name", day=day)
    return Response(
        sheet.content,
        media_type=XLSX if fmt == "xlsx" else CSV,
        headers={"Content-Disposition": _attachment(f"{name}.{fmt}")},
    )


async def evidence_file(request: Request) -> Response:
    """An evidence file from the bot's own storage, when its unit is in scope."""
    evidence_id = int(request.path_params["evidence_id"])
    tz = deps_of(request).services.settings.tz
    seen: dict[str, Any] = {}  # the file, read by the scope check: the page names it

    def may_have(session: Session, viewer: d.Viewer) -> bool:
        found = d.evidence_in_scope(session, viewer, evidence_id=evidence_id)
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

    def find() -> Evidence | None:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None
            return d.evidence_in_scope(session, viewer, evidence_id=evidence_id)

    evidence = await in_worker(find)
    if evidence is None:
        return await refused(request, granted)
    root = services.settings.evidence_path.resolve()
    path = (root / evidence.storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.warning("evidence %s: its file is missing from the storage", evidence_id)
        return message_page(request, None, "web.not_found", status=404)
    return FileResponse(
        path, media_type=served_type(evidence.mime_type), filename=evidence.file_name
    )


def served_type(mime: str | None) -> str:
    """Return the Content-Type to send a kept file with: its own when plain and inert, else
    bytes (a malformed one broke the answer, HTML was sent as HTML)."""
    kind = (mime or "").strip().lower()
    if not _MIME.fullmatch(kind) or any(word in kind for word in _ACTIVE):
        return BYTES
    return kind


async def chart_file(request: Request) -> Response:
    """A task's chart (PNG): its counts by unit kind and group, within scope."""
    task_id = int(request.path_params["task_id"])
    offer = Offer(
        lambda t: t("web.landing_chart", id=task_id),
        f"/chart #{task_id}",
        _task_in_scope(request, task_id),
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
    return await once(request, link, partial(_chart, task_id=task_id), f"/chart #{task_id}")


async def _chart(request: Request, granted: links.SignedLink, *, task_id: int) -> Response:
    """Draw and send a task's chart, when the task is in the person's scope."""
    services = deps_of(request).services
    now = services.clock.now()

    def read() -> tuple[d.Viewer | None, list[Bar], str]:
        with session_scope(services.engine) as session:
            viewer = d.viewer_of(session, contact_id=int(granted.person))
            if viewer is None:
                return None, [], ""
            lang = language(request, viewer)
            bars, title = d.task_chart(
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
    name = services.catalog.plain(lang, "chart.file_name")
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}-{task_id}.png"'},
    )


async def report_file(request: Request) -> Response:
    """The formal report (Word, Decree 30/2020) of every open task in scope, a task, a
    directive or a period."""
    target = target_of(request.path_params["which"])
    if target is None:
        return message_page(request, None, "web.not_found", status=404)
    offer = Offer(
        lambda t: t("web.landing_report", subject=_subject(t, target)),
        "/report",
        _task_in_scope(request, target.task_id),
    )
    return await download(request, offer, partial(_report, target=target))


async def _report(
    request: Request, granted: links.SignedLink, *, target: ReportTarget
) -> Response:
    """Build and send the formal report of the target, within the person's scope."""
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz
    viewer = await _viewer_for(request, granted, task_id=target.task_id)
    if viewer is None:
        return await refused(request, granted)
    lang = language(request, viewer)  # the page's, when a dashboard page links it
    async with services.turns.turn("report", granted.person) as mine:
        if not mine:
            return message_page(request, viewer, "report.busy", status=429)
        try:
            made = await in_process(
                services.engine,
                report_document,
                target=target,  # a directive's or a period's tasks in the viewer's scope only
                scope=viewer.scope,
                lang=lang,
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
