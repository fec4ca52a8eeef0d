"""/units on a channel without buttons (admins): the units by kind, with their contacts and
whether they can be reached, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from app.services import Services
from core.paging import page_of
from db.engine import session_scope
from db.queries.unit_admin import unit_overview

UNITS_SIZE = 25


@dataclass(frozen=True)
class Listed:
    """A page of the units: its text (markup), and the next page's number (None: the last);
    `paged` False when there is no unit to list at all."""

    text: str
    next_page: int | None = None
    paged: bool = True


def listed(services: Services, lang: str, number: int) -> Listed:
    """Return page `number` of the units (the last one past the end)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        statuses = unit_overview(session)
    if not statuses:
        return Listed(t("units.none"), paged=False)
    page = page_of(statuses, number, UNITS_SIZE)
    flagged = sum(1 for s in statuses if s.unreachable)
    lines = [t("units.list_header", count=len(statuses), flagged=flagged)]
    kind_key = None
    for status in page.items:
        unit = status.unit
        if unit.kind_key != kind_key:
            kind_key = unit.kind_key
            kind = status.kind
            name = (kind.name_en if lang == "en" else kind.name_vi) if kind else kind_key
            lines += ["", t("units.kind_header", kind=name)]
        if status.contacts == 0:
            lines.append(t("units.line_no_contact", code=unit.code, name=unit.name))
        else:
            key = "units.line_unreachable" if status.unreachable else "units.line"
            lines.append(t(key, code=unit.code, name=unit.name, contacts=status.contacts))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    if page.has_next:
        lines.append(t("zalo.more"))
    return Listed("\n".join(lines), page.number + 1 if page.has_next else None)
