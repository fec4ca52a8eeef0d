"""/units for admins, on any channel: the units by kind, with their contacts and a flag on
those nobody can reach, a page at a time. Telegram pages with `un:pg:<page>` choices
(`units_page`); a channel without buttons with "tiếp" (`listed`). `/units <words>` lists
the units whose code, name or kind has those words (`read_args`), on one page."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from app import unit_form
from app.choices import Choice
from app.services import Services
from core.numbers import typed_number
from core.paging import Page, page_of
from core.textnorm import fold
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


def read_args(args: str) -> tuple[int, str]:
    """Read what follows /units: the words units are sought by ("xã", "an hoa"; it listed
    every unit whatever was typed), else a page's number ("2"; the first page for one that
    cannot be read: "#99999999999", "²")."""
    words = " ".join(args.split())
    if any(c.isalpha() for c in words):
        return 1, words
    return typed_number(words) or 1, ""


def units_page(
    services: Services, lang: str, number: int, size: int, words: str = ""
) -> UnitsPage:
    """Return page `number` of the units (those `words` fit: one page, no choices), with its
    choices (blocking)."""
    t = partial(services.catalog.get, lang)
    shown = _page(services, lang, number, size, words)
    if shown is None:
        return UnitsPage(t("units.none"))
    text, page = shown
    if words:
        return UnitsPage(text)
    nav = []
    if page.has_prev:
        nav.append(Choice(t("common.prev"), (PREFIX, "pg", page.number - 1)))
    if page.has_next:
        nav.append(Choice(t("common.next"), (PREFIX, "pg", page.number + 1)))
    return UnitsPage(text, nav, page.has_next)


def listed(services: Services, lang: str, number: int, words: str = "") -> Listed:
    """Return page `number` of the units (the last one past the end; those `words` fit: one
    page), saying that "tiếp" shows the next (blocking)."""
    t = partial(services.catalog.get, lang)
    shown = _page(services, lang, number, UNITS_SIZE, words)
    if shown is None:
        return Listed(t("units.none"), paged=False)
    text, page = shown
    if words or not page.has_next:
        return Listed(text)
    return Listed(text + "\n" + t("zalo.more"), page.number + 1)


def _page(
    services: Services, lang: str, number: int, size: int, words: str = ""
) -> tuple[str, Page[UnitStatus]] | None:
    """Return the text of page `number` and the page; None when there is no unit.

    Given `words`, the units they fit, the first `size` of them (a search is narrowed by
    more words, not paged)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        statuses = unit_overview(session)
    if not statuses:
        return None
    if words:
        return _found(services, lang, [s for s in statuses if _fits(s, words)], size, words)
    page = page_of(statuses, number, size)
    flagged = sum(1 for s in statuses if s.unreachable)
    unread = sum(1 for s in statuses if s.unreadable and not s.unreachable)
    header = "units.list_header_unreadable" if unread else "units.list_header"
    lines = [t(header, count=len(statuses), flagged=flagged, unreadable=unread)]
    return _listing(services, lang, lines, page)


def _fits(status: UnitStatus, words: str) -> bool:
    """Tell whether every word typed is in the unit's code, or begins a word of its name or
    kind (diacritics and case aside: "an" is Xã An Hòa, not Xã Thanh Hà)."""
    kind = status.kind
    names = f"{kind.name_vi} {kind.name_en} {kind.key}" if kind is not None else ""
    code = fold(status.unit.code)
    seen = fold(f"{status.unit.name} {names}").replace(",", " ").split()
    return all(
        word in code or any(w.startswith(word) for w in seen) for word in fold(words).split()
    )


def _found(
    services: Services, lang: str, found: list[UnitStatus], size: int, words: str
) -> tuple[str, Page[UnitStatus]]:
    """Return the text of the units `words` fit (the first `size`), and its page."""
    t = partial(services.catalog.get, lang)
    if not found:
        return t("units.none_fit", text=words), page_of(found, 1, size)
    page = page_of(found, 1, size)
    flagged = sum(1 for s in found if s.unreachable)
    lines = [t("units.found_header", text=words, count=len(found), flagged=flagged)]
    text, page = _listing(services, lang, lines, page, numbered=False)
    if len(found) > size:
        text += "\n" + t("units.found_more", count=len(found) - size)
    return text, page


def _listing(
    services: Services,
    lang: str,
    lines: list[str],
    page: Page[UnitStatus],
    *,
    numbered: bool = True,
) -> tuple[str, Page[UnitStatus]]:
    """Return the lines of a page's units under their kinds' headers after `lines`, and the
    page number at the end when `numbered`."""
    t = partial(services.catalog.get, lang)
    kind_key = None
    for status in page.items:
        if status.unit.kind_key != kind_key:
            kind_key = status.unit.kind_key
            kind = unit_form.kind_name(status.kind, kind_key, lang)
            lines += ["", t("units.kind_header", kind=kind)]
        lines.append(_line(services, lang, status))
    if numbered:
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
