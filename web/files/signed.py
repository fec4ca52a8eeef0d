"""A signed download link used by its person's session, or once after the page in front."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app import link_uses, links
from app.dashboard.viewer import Viewer, language_of, viewer_of
from app.i18n import Lang
from app.import_files import UPLOAD_PATH
from db.engine import session_scope
from scheduler.workers import in_worker
from web.auth import deps_of, signed_in
from web.landing import cross_origin, expired, landing, same_origin, used
from web.render import language, message_page

log = logging.getLogger(__name__)

# The chat command that gives a new link of each kind, by the route's first parts: an
# expired link's page says which to type (all said "type /web" before: a dashboard's link),
# a chart's with its task, as its used link's page does (`{rest}`: the path after them; a
# chart of every task or of a directive, `all` or `d<id>`, by the command alone).
COMMAND_OF = {
    "/files/export/": "/export",
    "/files/report/": "/report",
    "/files/chart/": "/chart #{rest}",
    "/files/photo/": "/chart #{rest}",
    "/files/evidence/": "/evidence",
    "/files/invites/": "/invites",
    UPLOAD_PATH: "/import",
}


def command_of(path: str) -> str:
    """Return the chat command that gives a new link to this path (/web: a dashboard's)."""
    for start, command in COMMAND_OF.items():
        if path.startswith(start):
            rest = path.removeprefix(start)
            if "{rest}" in command and not rest.isdigit():
                return command.partition(" ")[0]
            return command.format(rest=rest)
    return "/web"


Build = Callable[[Request, links.SignedLink], Awaitable[Response]]
Describe = Callable[[Callable[..., str]], str]  # what a link gives, in the person's words
MayHave = Callable[[Session, Viewer], bool]  # whether a staff member may have it now


def anything(session: Session, viewer: Viewer) -> bool:
    """Let any staff member have it (what the file holds is cut to their scope)."""
    return True


@dataclass(frozen=True)
class Offer:
    """What a download link gives: its words on the page, the command that makes another,
    whether its person may have it (checked again when the file is built), and whether
    building it makes something (`makes`: fresh invite codes), which only the page's
    button may do, in the person's session too."""

    describe: Describe
    command: str
    may_have: MayHave = anything
    makes: bool = False


async def granted_link(request: Request) -> links.SignedLink | Response:
    """Return what the request's signed link grants, or the page that refuses it (403; an
    expired one 410)."""
    granted = await granted_with_session(request)
    return granted if isinstance(granted, Response) else granted[0]


async def granted_with_session(request: Request) -> tuple[links.SignedLink, bool] | Response:
    """Return what the request's signed link grants and whether its person's live session
    came with it (another person's session refuses the link), or the page that refuses it
    (403: forged, altered, another person's; 410: expired)."""
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
        if refused.reason is links.Refusal.EXPIRED and person.isdigit():
            # Its signature held: only late. Gone (410), not refused: the person it was
            # signed for reads, in their language, which command gives a new one.

            def read() -> Lang | None:
                with session_scope(deps.services.engine) as session:
                    return language_of(session, contact_id=int(person))

            return expired(request, command_of(request.url.path), await in_worker(read))
        return message_page(request, None, "web.link_refused", status=403)
    if not granted.person.isdigit():  # links are signed for contacts by their number
        return message_page(request, None, "web.link_refused", status=403)
    return granted, signed is not None


async def download(request: Request, offer: Offer, build: Build) -> Response:
    """Use a download link as the module's note says: by session, or once, after a page.

    A HEAD builds nothing, in a session too (it was built and thrown away: a link checker's
    look at an invites link made a code per unit that nobody was given); nor does a GET of
    a file that makes something: its page's button does.
    """
    granted = await granted_with_session(request)
    if isinstance(granted, Response):
        return granted
    link, by_session = granted
    built = partial(unless_stopping, build=build)
    if by_session and request.method == "GET" and not offer.makes:
        return await built(request, link)
    if request.method != "POST":
        return await _offered(request, link, offer)
    if not same_origin(request):
        return cross_origin(request)
    if by_session:
        return await built(request, link)
    return await once(request, link, built, offer.command)


async def unless_stopping(request: Request, link: links.SignedLink, *, build: Build) -> Response:
    """Build the file, or abandon it once the server begins to stop: 503, ask again soon.

    A workbook or a report takes up to a minute of a worker process; the server waited for
    it on SIGTERM (systemd kills after 30 s). Abandoned, nothing was stored (its turn and its
    once-only link are given back on the way out), and the worker process is ended as the
    server stops (`scheduler.workers.end_processes`).
    """
    stopping = deps_of(request).stopping
    if stopping.is_set():
        return _stopping(request)
    building = asyncio.ensure_future(build(request, link))
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait((building, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not building.done():
            building.cancel()
    try:
        return await building
    except asyncio.CancelledError:
        if not stopping.is_set():
            raise  # the request itself was cancelled, not abandoned by us
        log.info("a download being built was abandoned: the server is stopping")
        return _stopping(request)


def _stopping(request: Request) -> Response:
    """The page of a download abandoned by the server's stop, saying to ask again."""
    page = message_page(request, None, "web.stopping", status=503)
    page.headers["Retry-After"] = "60"
    return page


async def once(request: Request, link: links.SignedLink, build: Build, command: str) -> Response:
    """Take the link, build and send what it gives; give the link back if that fails."""
    services = deps_of(request).services

    def take() -> tuple[bool, Lang | None]:
        """Take the link; when it was taken before, also read whose language to refuse in."""
        with session_scope(services.engine) as session:
            if link_uses.take(session, link, now=services.clock.now()):
                return True, None
            return False, language_of(session, contact_id=int(link.person))

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

    def read() -> tuple[Viewer | None, Lang | None, bool]:
        with session_scope(services.engine) as session:
            viewer = viewer_of(session, contact_id=person)
            if viewer is None or not offer.may_have(session, viewer):
                return None, language_of(session, contact_id=person), False
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
