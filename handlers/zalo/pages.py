"""Paged answers on Zalo: what "tiếp" shows next, kept per person in the database."""

from __future__ import annotations

from functools import partial
from typing import Any

from app.actor import Actor
from app.checkin import Said
from app.services import Services
from app.summary_text import Report
from db.engine import session_scope
from db.queries.pending import clear_pending, get_pending, set_pending

PAGE = "page"  # the pending kind of the paged answer "tiếp" continues
PAGE_BUDGET = 1800  # characters of a report's page, under Zalo's 2000 with its footer
# Past this many pages Telegram sends a summary as a file too; Zalo, which sends no file,
# names the command whose link gives the whole list (`whole`) on the first page.
WHOLE_AFTER_PAGES = 5


def remember(services: Services, actor: Actor, data: dict[str, Any] | None) -> None:
    """Keep what "tiếp" shows next (None: nothing more)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        if data is None:
            clear_pending(session, contact_id=actor.contact_id, kind=PAGE)
        else:
            set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=PAGE)


def recall(services: Services, actor: Actor) -> dict[str, Any] | None:
    """Return what "tiếp" shows next, if anything."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        return get_pending(session, contact_id=actor.contact_id, now=now, kind=PAGE)


def show_page(
    services: Services,
    actor: Actor,
    report: Report,
    page: int,
    more: dict[str, Any],
    *,
    whole: str = "",
) -> list[Said]:
    """Show one page of a report (the last past the end); "tiếp" shows `more` at the next.
    The first of many pages names `whole`, the command that links the whole list, if any."""
    t = partial(services.catalog.get, actor.lang)
    budget = max(PAGE_BUDGET - len(report.header), PAGE_BUDGET // 4)
    pages = report.pages(budget=budget, buttons=1_000)
    page = min(max(page, 1), len(pages))
    shown = report.text(pages[page - 1])
    if len(pages) > 1:
        shown += "\n\n" + t("common.page", page=page, pages=len(pages))
    if page < len(pages):
        shown += "\n" + t("zalo.more")
    if whole and page == 1 and len(pages) > WHOLE_AFTER_PAGES:
        shown += "\n" + t("zalo.summary_whole", pages=len(pages), command=whole)
    remember(services, actor, {**more, "page": page + 1} if page < len(pages) else None)
    return [Said(shown)]
