"""/contacts [unit] on a channel without buttons (admins): the registered people, or a
unit's, a page at a time (Telegram's own page is a card's buttons, `handlers/telegram`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from app import people
from app.services import Services
from db.engine import session_scope
from db.models import Unit
from db.queries.contact_admin import contact_page

CONTACTS_SIZE = 15


@dataclass(frozen=True)
class Listed:
    """A page of the people: its text (markup), and the next page's number (None: the last)."""

    text: str
    next_page: int | None = None


def listed(services: Services, lang: str, unit: Unit | None, number: int) -> Listed:
    """Return page `number` of the people (the unit's, when given; the last past the end)."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        unit_id = unit.id if unit is not None else None
        page, count = contact_page(session, unit_id=unit_id, number=number, size=CONTACTS_SIZE)
        header = (
            t("zalo.contacts_header_unit", count=count, unit=unit.name)
            if unit is not None
            else t("zalo.contacts_header", count=count)
        )
        lines = [header]
        lines += [people.contact_line(services.catalog, lang, i) for i in page.items]
    if not page.items:
        lines.append(t("contacts.none"))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    if page.has_next:
        lines.append(t("zalo.more"))
    return Listed("\n".join(lines), page.number + 1 if page.has_next else None)
