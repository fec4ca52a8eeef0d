"""The upload page's steps once a file is read (web.upload): its preview, Apply or Cancel of
a preview by its token, a file applied at once, and the page that shows what each did.

A preview answers with a redirect to the link's page (303), which shows it again for as
long as it waits for Apply or Cancel: reloading the page, or coming back to it, shows the
same preview, not "this link was used". Once it is applied or cancelled (or replaced by
another file of the same admin, or expired), the page says the link was used (410), as a
second Apply or Cancel does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app import import_files, import_notices, link_uses
from app.dashboard.viewer import Viewer
from app.import_files import Importer
from app.import_report import preview_lines, report_lines, unreadable_text
from app.jobs import import_table, preview_table
from app.links import SignedLink
from core.markup import to_plain
from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.spreadsheet_errors import UnreadableFile
from scheduler.workers import in_heavy_worker, in_process, in_worker, still_wanted
from web.auth import deps_of
from web.render import message_page, page

PATH = import_files.UPLOAD_PATH


@dataclass(frozen=True)
class Visit:
    """Who the link is for (an admin still), the link, and whether it took a file already."""

    viewer: Viewer
    link: SignedLink
    spent: bool


async def preview(
    request: Request, visit: Visit, importer: Importer, table: Table, name: str, data: bytes
) -> tuple[Response, bool]:
    """Say what the file would do (nothing written), keep it with what was said, and send
    the browser to the link's page, which shows it with Apply and Cancel (`again`)."""
    services, viewer = deps_of(request).services, visit.viewer
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
        return show(request, viewer, said=unreadable(request, viewer, exc)), False
    minutes = import_files.WAITS_MINUTES
    lines = preview_lines(
        services.catalog, viewer.lang, report, rows=len(table.rows), minutes=minutes
    )
    said = "\n".join(to_plain(line) for line in lines)
    link = link_uses.link_id(visit.link)
    keep = partial(import_files.keep, link=link, said=said)
    await in_worker(keep, services, viewer.contact_id, name, data)
    # Post, redirect, get: a reload of the page the browser lands on asks for it again (the
    # preview, while it waits), where a reload of the post's answer would post the file again.
    return RedirectResponse(f"{PATH}?{request.url.query}", status_code=303), True


async def again(request: Request, visit: Visit) -> Response:
    """Show a spent link's page: its preview while that waits, else that the link was used."""
    services, viewer = deps_of(request).services, visit.viewer
    link = link_uses.link_id(visit.link)
    shown = await in_worker(import_files.previewed, services, viewer.contact_id, link)
    if shown is None:
        return used(request, viewer)
    token, said = shown
    return show(request, viewer, said=said, token=token, spent=True)


async def decide(request: Request, visit: Visit, action: str, token: str) -> Response:
    """Apply or drop the previewed file the token names (once); else say it is stale, or on
    a spent link (a second Apply or Cancel, a reload of the first) that the link was used."""
    services, viewer = deps_of(request).services, visit.viewer
    t = partial(services.catalog.plain, viewer.lang)

    def stale() -> Response:
        if visit.spent:
            return used(request, viewer)
        return show(request, viewer, said=t("imports.preview_stale"))

    file = await in_worker(import_files.waiting, services, viewer.contact_id, token)
    if file is None:
        return stale()
    claim = partial(import_files.claim, services, viewer.contact_id, token, where="upload")
    if action == "cancel":
        if not await in_worker(claim):  # not while it is being applied
            return stale()
        try:
            taken = await in_worker(import_files.take, services, viewer.contact_id, token)
        finally:
            await in_worker(import_files.release, services, token)
        if not taken:
            return stale()
        return show(request, viewer, said=t("imports.preview_cancelled"), spent=visit.spent)
    name, content = file
    limit = services.settings.import_max_bytes
    try:
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:  # read once already; only a lowered limit gets here
        return show(request, viewer, said=unreadable(request, viewer, exc), spent=visit.spent)
    importer = import_files.importer_for(table)
    if importer is None:
        return stale()
    # Taken once the import has ended: stopped part way (the bot stopping), it waits still,
    # and its page says how far it got, with Apply to go on.
    if not await in_worker(claim):  # being applied: by another press, here or elsewhere
        return stale()
    try:
        report, told = await _import(request, viewer, importer, table, claim=token)
        if report.interrupted is not None:
            done, total = report.interrupted
            said = t("imports.interrupted", done=done, total=total) + told
            return show(request, viewer, said=said, token=token, spent=visit.spent)
        await in_worker(import_files.take, services, viewer.contact_id, token)
    finally:
        await in_worker(import_files.release, services, token)
    return shown_report(request, viewer, report, spent=visit.spent, told=told)


async def applied(
    request: Request, viewer: Viewer, importer: Importer, table: Table
) -> tuple[Response, bool]:
    """Apply a file sent through the link (taken by it), and show its report."""
    return await apply_table(request, viewer, importer, table, spent=True), True


async def apply_table(
    request: Request, viewer: Viewer, importer: Importer, table: Table, *, spent: bool
) -> Response:
    """Apply the table and show its report (stopped part way: how far it got)."""
    report, told = await _import(request, viewer, importer, table)
    if report.interrupted is not None:
        done, total = report.interrupted
        catalog = deps_of(request).services.catalog
        said = catalog.plain(viewer.lang, "imports.interrupted_resend", done=done, total=total)
        return show(request, viewer, said=said + told, spent=spent)
    return shown_report(request, viewer, report, spent=spent, told=told)


async def _import(
    request: Request, viewer: Viewer, importer: Importer, table: Table, *, claim: str = ""
) -> tuple[ImportReport, str]:
    """Apply the table in a worker process; it stops between slices once the server stops
    (`claim`: the previewed file's token, its progress kept there). Return its report and
    the line saying whom the changes it made to open tasks are told (`app.import_notices`;
    "" when nobody, else starting a line of its own)."""
    services = deps_of(request).services
    after = await in_worker(import_notices.last_entry_id, services)
    report = await in_process(
        services.engine,
        import_table,
        importer,
        table,
        actor_id=viewer.contact_id,
        now=services.clock.now(),
        tz=str(services.settings.tz),
        still_wanted=still_wanted,
        claim=claim,
    )
    tell = partial(import_notices.tell_changed, actor_id=viewer.contact_id, after=after)
    told = await in_worker(tell, services, viewer.lang)
    return report, "\n" + to_plain(told) if told else ""


def shown_report(
    request: Request, viewer: Viewer, report: ImportReport, *, spent: bool, told: str = ""
) -> Response:
    """Show what an import did (and `told`, whom its changes are told)."""
    services = deps_of(request).services
    lines = report_lines(services.catalog, viewer.lang, report)
    said = "\n".join(to_plain(line) for line in lines) + told
    return show(request, viewer, said=said, spent=spent)


def used(request: Request, viewer: Viewer) -> Response:
    """Say that the link took a file already, and to ask for a new one in chat."""
    return message_page(request, viewer, "web.upload_used", status=410, command="/import")


def unreadable(request: Request, viewer: Viewer, exc: UnreadableFile) -> str:
    """Say why a file could not be read."""
    catalog = deps_of(request).services.catalog
    return to_plain(unreadable_text(catalog, viewer.lang, exc.code, exc.params))


def show(
    request: Request,
    viewer: Viewer,
    *,
    said: str = "",
    token: str = "",
    status: int = 200,
    spent: bool = False,
) -> Response:
    """Render the upload page (the form, what the last file did, a preview's buttons); once
    the link took a file, how to get a new one instead of the form."""
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
        spent=spent,
    )
    # Its form names our origin to ourselves (same_origin), as a link's page does.
    response.headers["referrer-policy"] = "same-origin"
    return response
