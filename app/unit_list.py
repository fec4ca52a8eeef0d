"""/units for admins, on any channel: the units by kind, with their contacts and a flag on
those nobody can reach, a page at a time; Telegram pages with `un:pg:<page>`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from app import unit_form
from app.choices import Choice
from app.services import Services
from core.paging import page_of
from db.engine import session_scope
from db.queries.unit_admin import UnitStatus, unit_overview

PREFIX = "un"  # the units flow's choices


@dataclass(frozen=True)
class UnitsPage:
    """One page of /units: its text, and the choices that turn the page."""

    text: str
    nav: list[Choice] = field(default_factory=list)
    has_next: bool = False


def units_page(services: Services, lang: str, number: int, size: int) -> UnitsPage:
    """Return page `number` of the units (blocking)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        statuses = unit_overview(session)
    if not statuses:
        return UnitsPage(t("units.none"))
    page = page_of(statuses, number, size)
    flagged = sum(1 for s in statuses if s.unreachable)
    lines = [t("units.list_header", count=len(statuses), flagged=flagged)]
    kind_key = None
    for status in page.items:
        if status.unit.kind_key != kind_key:
            kind_key = status.unit.kind_key
            kind = unit_form.kind_name(status.kind, kind_key, lang)
            lines += ["", t("units.kind_header", kind=kind)]
        lines.append(_line(services, lang, status))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    nav = []
    if page.has_prev:
        nav.append(Choice(t("common.prev"), (PREFIX, "pg", page.number - 1)))
    if page.has_next:
        nav.append(Choice(t("common.next"), (PREFIX, "pg", page.number + 1)))
    return UnitsPage("\n".join(lines), nav, page.has_next)


def _line(services: Services, lang: str, status: UnitStatus) -> str:
    """Return one unit of the list: code, name, contacts, and a flag when unreachable."""
    t = partial(services.catalog.get, lang)
    unit = status.unit
    name = unit_form.listed_name(unit.name)
    if status.contacts == 0:
        return t("units.line_no_contact", code=unit.code, name=name)
    key = "units.line_unreachable" if status.unreachable else "units.line"
    return t(key, code=unit.code, name=name, contacts=status.contacts)
