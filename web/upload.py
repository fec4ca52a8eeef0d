"""/upload/import: an admin's units or tasks file, sent from a page (Zalo brings no files).

Zalo's `/import` answers a link here, signed for the one admin who asked and expiring
(`app/links.py`): a forged, expired or someone else's link gets 403, and so does a person
who is no longer an admin. The page posts the file to the same link (a post from another
site's page is refused, as a link's button is: web.landing); the import is Telegram's
(`app/import_files.py`, `app/jobs.py`): more than 20 rows are previewed first (nothing
written) and wait in the database for Apply or Cancel, posted with their token; fewer are
applied at once. The report is shown on the page.

A link takes one file (app.link_uses, as a download link): it is spent once a file is
accepted, read and previewed or applied, by a take that only one of two posts at once
makes; a file refused (not a table, too large, unreadable, of no known header) leaves it
usable, so the admin can send another. Once spent, it says so and to ask for a new one in
chat (410); only the Apply or Cancel of its preview is still taken, by its token, and until
then the page shows that preview again (a reload, the browser's back: web.upload_steps).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from functools import partial

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response

from app import import_files, link_uses
from app.dashboard.viewer import Viewer, viewer_of
from app.import_report import unknown_header_text
from core.markup import to_plain
from core.roles import Role
from core.spreadsheet.read import read_table
from core.spreadsheet_errors import UnreadableFile
from db.engine import session_scope
from scheduler.workers import in_heavy_worker, in_worker
from web.auth import deps_of
from web.files.signed import granted_link
from web.landing import cross_origin, same_origin
from web.limits import BodyTooLargeError, read_body
from web.render import message_page
from web.upload_steps import Visit, again, applied, decide, preview, show, unreadable, used

PATH = import_files.UPLOAD_PATH
FORM_SLACK = 64 * 1024  # the multipart framing and fields around the file
Step = Callable[[], Awaitable[tuple[Response, bool]]]  # a page, and whether the file was taken


async def upload_page(request: Request) -> Response:
    """Show the form to send a file (GET), or take what it sent (POST)."""
    visit = await _admin(request)
    if isinstance(visit, Response):
        return visit
    viewer = visit.viewer
    if request.method in ("GET", "HEAD"):  # a HEAD was read as a file sent: 400
        return await again(request, visit) if visit.spent else show(request, viewer)
    if not same_origin(request):  # another site's page, holding the link, posting a file
        return cross_origin(request)
    services = deps_of(request).services
    limit = services.settings.import_max_bytes
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return message_page(request, viewer, "web.bad_request", status=400)  # not the page's
    try:
        fields, sent = await _form(request, limit)
    except BodyTooLargeError as exc:  # the file's own size and the limit, and what to do
        too_big = UnreadableFile("too_big", size=exc.size, limit=limit)
        return show(request, viewer, said=unreadable(request, viewer, too_big), status=413)
    except MultiPartException:
        return message_page(request, viewer, "web.bad_request", status=400)
    action, token = fields.get("action", ""), fields.get("token", "")
    if action in ("apply", "cancel"):
        return await decide(request, visit, action, token)
    if visit.spent:
        return used(request, viewer)
    if sent is None:
        return show(request, viewer, said=services.catalog.plain(viewer.lang, "web.upload_none"))
    name, content = sent
    try:
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:
        return show(request, viewer, said=unreadable(request, viewer, exc))
    importer = import_files.importer_for(table)
    if importer is None:
        text = to_plain(unknown_header_text(services.catalog, viewer.lang, table))
        return show(request, viewer, said=text)
    if len(table.rows) > import_files.PREVIEW_OVER_ROWS:
        step = partial(preview, request, visit, importer, table, name, content)
    else:
        step = partial(applied, request, viewer, importer, table)
    return await _spending(request, visit, step)


async def _admin(request: Request) -> Visit | Response:
    """Return the admin the link was signed for and its state, or the 403 that refuses it."""
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    services = deps_of(request).services

    def read() -> tuple[Viewer | None, bool]:
        with session_scope(services.engine) as session:
            viewer = viewer_of(session, contact_id=int(granted.person))
            return viewer, link_uses.was_used(session, granted, now=services.clock.now())

    found, spent = await in_worker(read)
    if found is None or found.role != Role.ADMIN.value:
        return message_page(request, found, "web.forbidden", status=403)
    return Visit(found, granted, spent)


async def _spending(request: Request, visit: Visit, step: Step) -> Response:
    """Take the link for the file, run the step; give the link back unless the file was
    taken (previewed or applied), so that a refused file leaves it usable."""
    services = deps_of(request).services

    def take() -> bool:
        with session_scope(services.engine) as session:
            return link_uses.take(session, visit.link, now=services.clock.now())

    def settle(taken: bool) -> None:
        with session_scope(services.engine) as session:
            (link_uses.confirm if taken else link_uses.give_back)(session, visit.link)

    if not await in_worker(take):
        return used(request, visit.viewer)  # another post took it first
    try:
        response, taken = await step()
    except BaseException:
        await in_worker(settle, False)
        raise
    await in_worker(settle, taken)
    return response


async def _form(request: Request, limit: int) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """Read the multipart form: its fields, and its file (name, content) if one was chosen.

    Never more than the file limit and its framing is held.
    """
    body = await read_body(request, limit + FORM_SLACK)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    # A file a little over the limit is read_table's to refuse, with its size.
    parser = MultiPartParser(
        request.headers, stream(), max_files=1, max_fields=4, max_part_size=limit + FORM_SLACK
    )
    form = await parser.parse()
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        sent = form.get("file")
        if isinstance(sent, UploadFile) and sent.filename:
            return fields, (sent.filename, await sent.read())
        return fields, None
    finally:
        await form.close()
