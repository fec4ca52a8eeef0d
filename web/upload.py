"""/upload/import: an admin's units or tasks file, sent from a page (Zalo brings no files).

Zalo's `/import` answers a link here, signed for the one admin who asked and expiring
(`app/links.py`): a forged, expired or someone else's link gets 403, and so does a person
who is no longer an admin. The page posts the file to the same link (a post from another
site's page is refused, as a link's button is: web.landing); the import is Telegram's
(`app/import_files.py`, `app/jobs.py`): more than 20 rows are previewed first (nothing
written) and wait in the database for Apply or Cancel, posted with their token; fewer are
applied at once. The report is shown on the page.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response

from app import dashboard as d
from app import import_files
from app.import_report import preview_lines, report_lines, unreadable_text
from app.jobs import import_table, preview_table
from core.markup import to_plain
from core.roles import Role
from core.spreadsheet import Table, UnreadableFile, read_table
from db.engine import session_scope
from db.imports import Importer
from db.queries.pending import IMPORT_TTL
from scheduler.workers import in_heavy_worker, in_process, in_worker
from web.auth import deps_of
from web.files import granted_link
from web.landing import cross_origin, same_origin
from web.limits import BodyTooLargeError, read_body
from web.render import message_page, page

PATH = import_files.UPLOAD_PATH
FORM_SLACK = 64 * 1024  # the multipart framing and fields around the file


async def upload_page(request: Request) -> Response:
    """Show the form to send a file (GET), or take what it sent (POST)."""
    viewer = await _admin(request)
    if isinstance(viewer, Response):
        return viewer
    if request.method == "GET":
        return _page(request, viewer)
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
        return _page(request, viewer, said=_unreadable(request, viewer, too_big), status=413)
    except MultiPartException:
        return message_page(request, viewer, "web.bad_request", status=400)
    action, token = fields.get("action", ""), fields.get("token", "")
    if action in ("apply", "cancel"):
        return await _decide(request, viewer, action, token)
    if sent is None:
        return _page(request, viewer, said=services.catalog.plain(viewer.lang, "web.upload_none"))
    name, content = sent
    try:
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:
        return _page(request, viewer, said=_unreadable(request, viewer, exc))
    importer = import_files.importer_for(table)
    if importer is None:
        text = services.catalog.plain(viewer.lang, "imports.unknown_header")
        return _page(request, viewer, said=text)
    if len(table.rows) > import_files.PREVIEW_OVER_ROWS:
        return await _preview(request, viewer, importer, table, name, content)
    return await _apply(request, viewer, importer, table)


async def _admin(request: Request) -> d.Viewer | Response:
    """Return the admin the link was signed for, or the 403 that refuses the request."""
    granted = await granted_link(request)
    if isinstance(granted, Response):
        return granted
    services = deps_of(request).services

    def viewer() -> d.Viewer | None:
        with session_scope(services.engine) as session:
            return d.viewer_of(session, contact_id=int(granted.person))

    found = await in_worker(viewer)
    if found is None or found.role != Role.ADMIN.value:
        return message_page(request, found, "web.forbidden", status=403)
    return found


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


async def _preview(
    request: Request, viewer: d.Viewer, importer: Importer, table: Table, name: str, data: bytes
) -> Response:
    """Say what the file would do (nothing written), keep it, and offer Apply and Cancel."""
    services = deps_of(request).services
    try:
        report = await in_process(
            services.engine,
            preview_table,
            importer,
            table,
            actor_id=viewer.contact_id,
            now=services.clock.now(),
            tz=str(services.settings.tz),
        )
    except UnreadableFile as exc:
        return _page(request, viewer, said=_unreadable(request, viewer, exc))
    token = await in_worker(import_files.keep, services, viewer.contact_id, name, data)
    minutes = int(IMPORT_TTL.total_seconds() // 60)
    lines = preview_lines(
        services.catalog, viewer.lang, report, rows=len(table.rows), minutes=minutes
    )
    return _page(request, viewer, said="\n".join(to_plain(line) for line in lines), token=token)


async def _decide(request: Request, viewer: d.Viewer, action: str, token: str) -> Response:
    """Apply or drop the previewed file the token names (once); else say it is stale."""
    services = deps_of(request).services
    t = partial(services.catalog.plain, viewer.lang)
    file = await in_worker(import_files.waiting, services, viewer.contact_id, token)
    if file is None:
        return _page(request, viewer, said=t("imports.preview_stale"))
    if action == "cancel":
        if not await in_worker(import_files.take, services, viewer.contact_id, token):
            return _page(request, viewer, said=t("imports.preview_stale"))
        return _page(request, viewer, said=t("imports.preview_cancelled"))
    name, content = file
    limit = services.settings.import_max_bytes
    try:
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:  # read once already; only a lowered limit gets here
        return _page(request, viewer, said=_unreadable(request, viewer, exc))
    importer = import_files.importer_for(table)
    if importer is None or not await in_worker(
        import_files.take, services, viewer.contact_id, token
    ):
        return _page(request, viewer, said=t("imports.preview_stale"))
    return await _apply(request, viewer, importer, table)


async def _apply(request: Request, viewer: d.Viewer, importer: Importer, table: Table) -> Response:
    """Apply the table and show its report."""
    services = deps_of(request).services
    report = await in_process(
        services.engine,
        import_table,
        importer,
        table,
        actor_id=viewer.contact_id,
        now=services.clock.now(),
        tz=str(services.settings.tz),
    )
    lines = report_lines(services.catalog, viewer.lang, report)
    return _page(request, viewer, said="\n".join(to_plain(line) for line in lines))


def _unreadable(request: Request, viewer: d.Viewer, exc: UnreadableFile) -> str:
    """Say why a file could not be read."""
    catalog = deps_of(request).services.catalog
    return to_plain(unreadable_text(catalog, viewer.lang, exc.code, exc.params))


def _page(
    request: Request, viewer: d.Viewer, *, said: str = "", token: str = "", status: int = 200
) -> Response:
    """Render the upload page (the form, what the last file did, a preview's buttons)."""
    action = f"{PATH}?{request.url.query}"
    response = page(
        request,
        None,
        "upload.html",
        status=status,
        action=action,
        said=said,
        token=token,
        who=viewer,
    )
    # Its form names our origin to ourselves (same_origin), as a link's page does.
    response.headers["referrer-policy"] = "same-origin"
    return response
