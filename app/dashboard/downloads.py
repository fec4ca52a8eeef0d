"""What a download from a filtered dashboard page covers: the units the page shows."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlmodel import Session

from app.dashboard.filters import Filters, Shown, choices, narrowed, offered
from app.dashboard.overview import overview
from app.dashboard.viewer import Viewer
from app.i18n import Lang
from core.status import Status, status_of
from db.queries import summary as sq
from db.queries.scope import Scope


def shown(
    session: Session, viewer: Viewer, filters: Filters, *, lang: Lang, now: datetime, tz: tzinfo
) -> Shown:
    """Return the units a page filtered so shows (the viewer's scope narrowed to what its
    filters offer; overdue only, as the matrix: those overdue in one of its open tasks) and
    the filters named in `lang`."""
    offer = choices(session, viewer, lang=lang)
    filters = offered(filters, offer)
    named = [
        ("kind", dict(offer.kinds).get(filters.kind or "")),
        ("group", dict(offer.groups).get(filters.group_id or 0)),
        ("parent", dict(offer.parents).get(filters.parent_id or 0)),
        ("search", filters.search),
    ]
    said = tuple((key, value) for key, value in named if value)
    scope = narrowed(session, viewer, filters)
    if not filters.overdue_only:
        return Shown(scope, said)
    task_ids = [t.task_id for t in overview(session, viewer, now=now, filters=filters)]
    late = {
        ln.unit_id
        for ln in sq.lines(session, scope=scope, task_ids=task_ids)
        if status_of(ln, now=now, tz=tz).status is Status.OVERDUE
    }
    return Shown(Scope(False, (), tuple(sorted(late))), (*said, ("overdue", "")))
