"""/calendar alone: this year's and later days set, a page at a time."""

from __future__ import annotations

from datetime import date
from functools import partial

from app.calendar_days.words import reason_clause, weekday
from app.services import Services
from core.paging import Page, page_of
from db.engine import session_scope
from db.queries.calendar import overrides

PAGE_SIZE = 20


def listed(services: Services, lang: str, number: int) -> tuple[str, Page[object] | None]:
    """Return one page of this year's and later days, and the page (None: there are none)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        rows = overrides(session, since=date(services.today().year, 1, 1))
    if not rows:
        return t("calendar.empty"), None
    page = page_of(rows, number, PAGE_SIZE)
    lines = [t("calendar.header", count=len(rows), page=page.number, pages=page.pages)]
    for row in page.items:
        key = "calendar.line_work" if row.working else "calendar.line_off"
        day = weekday(services, lang, row.day)
        reason = reason_clause(services, lang, row.reason, listed=True)
        lines.append(t(key, day=row.day, weekday=day, reason=reason))
    lines.append(t("calendar.footer"))
    return "\n".join(lines), Page(list(page.items), page.number, page.pages)
