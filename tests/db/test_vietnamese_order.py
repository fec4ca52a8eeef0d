"""Lists of people and groups in Vietnamese alphabetical order, not in the bytes' order."""

from __future__ import annotations

from sqlmodel import Session

from db.imports.units import groups_of
from db.queries.contact_admin import contact_page
from db.queries.unit_choices import group_choices
from tests.factories import make_contact, make_unit

# In bytes "Á" and "Đ" come after "Z": they would close every list.
ORDER = ["Ánh Dương", "Biên giới", "Dương", "Đặng", "Zung"]


def test_contacts_and_groups_are_listed_in_vietnamese_order(session: Session) -> None:
    """/contacts pages, a unit's groups and the groups offered by /newtask go in
    Vietnamese order across pages ("Đặng" after "Dương", "Ánh" first)."""
    unit = make_unit(session, "X1", groups=list(reversed(ORDER)))
    for number, name in enumerate(reversed(ORDER), start=1):
        make_contact(session, number, units=[unit], name=name)
    session.commit()
    pages = [contact_page(session, number=n, size=2)[0] for n in (1, 2, 3)]
    listed = [info.contact.display_name for page in pages for info in page.items]
    assert listed == ORDER
    assert contact_page(session, number=1, size=2)[1] == len(ORDER)
    assert groups_of(session, unit_id=unit.id or 0) == ORDER
    assert [name for _, name, _ in group_choices(session)] == ORDER
