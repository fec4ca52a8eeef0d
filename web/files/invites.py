"""/files/invites/<new|all>[.csv]: an admin's sheet of fresh invites, made on the POST."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.viewer import Viewer
from app.jobs import invite_file
from core.roles import Role
from scheduler.workers import in_process
from web.auth import deps_of
from web.files.exports import XLSX
from web.files.scope import allowed_viewer, refused
from web.files.signed import Offer, download
from web.files.targets import attachment
from web.render import message_page

CSV = "text/csv; charset=utf-8"
_INVITES = re.compile(r"(new|all)(?:\.(csv))?")


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

    offer = Offer(describe, "/invites", _admin, makes=True)
    return await download(
        request, offer, partial(_invites, include_covered=include_covered, fmt=fmt)
    )


def _admin(session: Session, viewer: Viewer) -> bool:
    """Let only an admin have it."""
    return viewer.role == Role.ADMIN


async def _invites(
    request: Request, granted: links.SignedLink, *, include_covered: bool, fmt: str
) -> Response:
    """Create the invites and send their sheet, while the link's person is an admin."""
    services = deps_of(request).services
    settings, now = services.settings, services.clock.now()

    viewer = await allowed_viewer(request, granted, _admin)
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
        headers={"Content-Disposition": attachment(f"{name}.{fmt}")},
    )
