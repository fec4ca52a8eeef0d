"""A spec kept for later (a recurring rule's units): each unit named by its code."""

from __future__ import annotations

from sqlmodel import Session

from db.queries.assignees import lasting_spec, resolve_assignees, spec_shown
from tests.factories import make_unit


def test_units_and_parents_are_kept_by_code_kinds_and_groups_as_typed(session: Session) -> None:
    """A unit by a part of its name, a name with commas and a parent by name are kept by
    code; a kind and a group stay words, so a commune added later is in the next task."""
    district = make_unit(session, "H1", "Thị xã Điện Bàn", kind="district")
    make_unit(session, "X1", "Xã Điện Hòa", parent=district, groups=["thí điểm"])
    make_unit(session, "S1", "Sở Văn hóa, Thể thao và Du lịch", kind="department")
    make_unit(session, "S2", "Sở Y tế", kind="department")
    spec = "Sở Văn hóa, Thể thao và Du lịch, y tế, thuộc Điện Bàn, xã, thí điểm"
    kept = lasting_spec(session, spec)
    assert kept == "S1, S2, thuộc H1, xã, thí điểm"
    assert resolve_assignees(session, kept).unit_ids == resolve_assignees(session, spec).unit_ids
    assert spec_shown(session, kept) == (
        "Sở Văn hóa, Thể thao và Du lịch (S1), Sở Y tế (S2), thuộc H1, xã, thí điểm"
    )
