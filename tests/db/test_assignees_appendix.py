"""Units as a directive's appendix names them: by their People's Committee, kind first."""

from __future__ import annotations

from sqlmodel import Session

from db.queries.assignees import resolve_assignees
from tests.factories import make_unit


def test_units_named_by_their_committee_or_kind_first_are_read(session: Session) -> None:
    """Appendixes write the units in charge as "UBND các xã, phường", "UBND huyện Điện Bàn"
    or "Huyện Điện Bàn": each row of such a file was refused as an unknown unit."""
    commune = make_unit(session, "X1", "Xã Điện Hòa")
    ward = make_unit(session, "P1", "Phường Điện Bàn", kind="ward")
    district = make_unit(session, "H1", "Điện Bàn", kind="district")
    session.commit()
    result = resolve_assignees(session, "UBND các xã, phường; UBND huyện Điện Bàn")
    assert result.unmatched == []
    assert result.unit_ids == [commune.id, ward.id, district.id]
    assert resolve_assignees(session, "Huyện Điện Bàn").unit_ids == [district.id]
    assert resolve_assignees(session, "Ủy ban nhân dân xã Điện Hòa").unit_ids == [commune.id]
    assert [u.reason for u in resolve_assignees(session, "UBND tỉnh").unmatched] == ["unknown"]


def test_units_named_with_their_kind_abbreviated_are_read(session: Session) -> None:
    """Lists abbreviate the kind before a unit's name: "P. Điện Bàn", "X. Điện Hòa",
    "UBND TX. Điện Bàn", "TT.Nam Phước" (no space). Each was refused as an unknown unit."""
    commune = make_unit(session, "X1", "Xã Điện Hòa")
    ward = make_unit(session, "P1", "Phường Điện Bàn", kind="ward")
    town = make_unit(session, "TX1", "Thị xã Điện Bàn", kind="district")
    township = make_unit(session, "TT1", "Nam Phước", kind="town")
    session.commit()
    result = resolve_assignees(
        session, "P. Điện Bàn; X. Điện Hòa; UBND TX. Điện Bàn; TT.Nam Phước"
    )
    assert result.unmatched == []
    assert result.unit_ids == [ward.id, commune.id, town.id, township.id]
    assert result.matched[0].text == "P. Điện Bàn"  # quoted as written
    assert [u.reason for u in resolve_assignees(session, "Q. Hải Châu").unmatched] == ["unknown"]


def test_units_named_with_their_code_or_ending_a_list_are_read(session: Session) -> None:
    """A unit as the bot shows it, "Xã Điện Hòa (X1)", copied into a file, and the last
    unit of a list ending with a full stop ("Sở Y tế, Xã Điện Hòa.") were refused as unknown;
    a code after another unit's name still names nothing."""
    commune = make_unit(session, "X1", "Xã Điện Hòa")
    department = make_unit(session, "SYT", "Sở Y tế", kind="department")
    session.commit()
    assert resolve_assignees(session, "Xã Điện Hòa (X1); Sở Y tế (SYT)").unit_ids == [
        commune.id,
        department.id,
    ]
    listed = resolve_assignees(session, "Sở Y tế, UBND xã Điện Hòa.")
    assert (listed.unit_ids, listed.unmatched) == ([department.id, commune.id], [])
    assert [u.reason for u in resolve_assignees(session, "Sở Y tế (X1)").unmatched] == ["unknown"]
