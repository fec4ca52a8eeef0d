"""Whether a link's person may have a file now (still staff, the task in scope), or the 403."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.downloads import shown
from app.dashboard.filters import Filters, Shown
from app.dashboard.task_page import task_page
from app.dashboard.viewer import Viewer, language_of, viewer_of
from app.i18n import Lang
from db.engine import session_scope
from scheduler.workers import in_worker
from web.auth import deps_of
from web.files.signed import MayHave, anything
from web.render import message_page


async def viewer_for(
    request: Request, granted: links.SignedLink, *, task_id: int | None
) -> Viewer | None:
    """Return the link's person as a viewer, still staff and, for one task, with it in their
    scope now; None when they may not have the file."""
    return await allowed_viewer(request, granted, task_in_scope(request, task_id))


async def allowed_viewer(
    request: Request, granted: links.SignedLink, may_have: MayHave
) -> Viewer | None:
    """Return the link's person as a viewer, still staff and allowed the file now, or None."""
    services = deps_of(request).services

    def allowed() -> Viewer | None:
        with session_scope(services.engine) as session:
            viewer = viewer_of(session, contact_id=int(granted.person))
            return viewer if viewer is not None and may_have(session, viewer) else None

    return await in_worker(allowed)


def task_in_scope(request: Request, task_id: int | None) -> MayHave:
    """Return the check that one task (any, for None) is in a staff member's scope now."""
    if task_id is None:
        return anything
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz

    def in_scope(session: Session, viewer: Viewer) -> bool:
        return task_page(session, viewer, task_id=task_id, now=now, tz=tz) is not None

    return in_scope


async def refused(request: Request, granted: links.SignedLink) -> Response:
    """Refuse a link's person the file (403), in their language, staff or not any more."""
    services = deps_of(request).services

    def lang() -> Lang | None:
        with session_scope(services.engine) as session:
            return language_of(session, contact_id=int(granted.person))

    return message_page(
        request, None, "web.forbidden", status=403, person_lang=await in_worker(lang)
    )


async def shown_to(request: Request, viewer: Viewer, filters: Filters, lang: Lang) -> Shown | None:
    """Return the units a dashboard page filtered so shows the viewer, with its filters
    named in `lang`, for a file of it to hold theirs alone; None when no filter narrows."""
    if filters == Filters():
        return None
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz

    def read() -> Shown:
        with session_scope(services.engine) as session:
            return shown(session, viewer, filters, lang=lang, now=now, tz=tz)

    return await in_worker(read)
