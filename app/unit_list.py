"""/units for admins, on any channel: the units by kind, with their contacts and a flag on
those nobody can reach, a page at a time. Telegram pages with `un:pg:<page>` choices
(`units_page`); a channel without buttons with "tiếp" (`listed`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from app import unit_form
from app.choices import Choice
from app.services import Services
from core.paging import Page, page_of
from db.engine import session_scope
from db.queries.unit_admin import UnitStatus, unit_overview

PREFIX = "un"  # the units flow's choices
UNITS_SIZE = 25  # a page on a channel without buttons


@dataclass(frozen=True)
class UnitsPage:
    """One page of /units: its text, and the choices that turn the page."""

    text: str
    nav: list[Choice] = field(default_factory=list)
    has_next: bool = False


@dataclass(frozen=True)
class Listed:
    """A page of the units on a channel without buttons: its text (markup), and the next
    page's number (None: the last); `paged` False when there is no unit to list at all."""

    text: str
    next_page: int | None = None
    paged: bool = True


def units_page(services: Services, lang: str, number: int, size: int) -> UnitsPage:
    """Return page `number` of the units, with its choices (blocking)."""
    t = partial(services.catalog.get, lang)
    shown = _page(services, lang, number, size)
    if shown is None:
        return UnitsPage(t("units.none"))
    text, page = shown
    nav = []
    if page.has_prev:
        nav.append(Choice(t("common.prev"), (PREFIX, "pg", page.number - 1)))
    if page.has_next:
        nav.append(Choice(t("common.next"), (PREFIX, "pg", page.number + 1)))
    return UnitsPage(text, nav, page.has_next)


def listed(services: Services, lang: str, number: int) -> Listed:
    """Return page `number` of the units (the last one past the end), saying that "tiếp"
    shows the next (blocking)."""
    t = partial(services.catalog.get, lang)
    shown = _page(services, lang, number, UNITS_SIZE)
    if shown is None:
        return Listed(t("units.none"), paged=False)
    text, page = shown
    if not page.has_next:
        return Listed(text)
    return Listed(text + "\n" + t("zalo.more"), page.number + 1)


def _page(
    services: Services, lang: str, number: int, size: int
) -> tuple[str, Page[UnitStatus]] | None:
    """Return the text of page `number` and the page; None when there is no unit."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        statuses = unit_overview(session)
    if not statuses:
        return None
    page = page_of(statuses, number, size)
    flagged = sum(1 for s in statuses if s.unreachable)
    unread = sum(1 for s in statuses if s.unreadable and not s.unreachable)
    header = "units.list_header_unreadable" if unread else "units.list_header"
    lines = [t(header, count=len(statuses), flagged=flagged, unreadable=unread)]
    kind_key = None
    for status in page.items:
        if status.unit.kind_key != kind_key:
            kind_key = status.unit.kind_key
            kind = unit_form.kind_name(status.kind, kind_key, lang)
            lines += ["", t("units.kind_header", kind=kind)]
        lines.append(_line(services, lang, status))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    return "\n".join(lines), page


def _line(services: Services, lang: str, status: UnitStatus) -> str:
    """Return one unit of the list: code, name, contacts, and a flag when unreachable, or
    when some of its contacts write on Zalo in vain (how many)."""
    t = partial(services.catalog.get, lang)
    unit = status.unit
    name = unit_form.listed_name(unit.name)
    if status.contacts == 0:
        return t("units.line_no_contact", code=unit.code, name=name)
    if status.unreachable:
        return t("units.line_unreachable", code=unit.code, name=name, contacts=status.contacts)
    if status.unreadable:
        return t(
            "units.line_unreadable",
            code=unit.code,
            name=name,
            contacts=status.contacts,
            unreadable=status.unreadable,
        )
    return t("units.line", code=unit.code, name=name, contacts=status.contacts)
