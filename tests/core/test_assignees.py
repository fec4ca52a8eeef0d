"""Reading assignee specs: kinds, groups, parents, units, and what does not match."""

from sqlmodel import Session

from core.assignees import split_spec
from db.queries.assignees import resolve_assignees
from tests.factories import make_unit


def _units(session: Session) -> dict[str, int]:
    """Create a small two-level province and return unit ids by code."""
    dist = make_unit(session, "DB", "Thị xã Điện Bàn", kind="district")
    units = [
        make_unit(session, "SYT", "Sở Y tế", kind="department"),
        make_unit(session, "SVH", "Sở Văn hóa, Thể thao và Du lịch", kind="department"),
        make_unit(session, "X1", "Xã Điện Hòa", parent=dist, groups=["Xã thí điểm"]),
        make_unit(session, "X2", "Xã Điện Thắng", parent=dist),
        make_unit(session, "P1", "Phường An Mỹ", kind="ward", groups=["Xã thí điểm"]),
        dist,
    ]
    return {u.code: u.id for u in units if u.id is not None}


def test_resolve_kind_in_any_language_and_number(session: Session) -> None:
    """'xã', 'communes' and 'all communes' all name every commune."""
    ids = _units(session)
    for spec in ("xã", "communes", "all communes", "các xã"):
        assert sorted(resolve_assignees(session, spec).unit_ids) == sorted([ids["X1"], ids["X2"]])


def test_resolve_group_parent_and_units_together(session: Session) -> None:
    """A group, a parent and a unit in one spec give their units once each."""
    ids = _units(session)
    result = resolve_assignees(session, "xã thí điểm, thuộc Điện Bàn, so y te, X1")
    assert result.ok
    assert sorted(result.unit_ids) == sorted([ids["X1"], ids["P1"], ids["X2"], ids["SYT"]])
    assert [m.source for m in result.matched] == ["group", "parent", "unit", "unit"]


def test_resolve_unit_name_with_commas(session: Session) -> None:
    """A unit whose name has commas is found when written in full."""
    ids = _units(session)
    result = resolve_assignees(session, "Sở Văn hóa, Thể thao và Du lịch, Sở Y tế")
    assert result.ok
    assert result.unit_ids == [ids["SVH"], ids["SYT"]]


def test_resolve_reports_unknown_and_ambiguous(session: Session) -> None:
    """What matches nothing or several units is reported with candidates."""
    _units(session)
    result = resolve_assignees(session, "Xã Không Có, Điện")
    assert not result.ok
    assert [(u.text, u.reason) for u in result.unmatched] == [
        ("Xã Không Có", "unknown"),
        ("Điện", "ambiguous"),
    ]
    assert any(c.startswith("Xã Điện Hòa (") for c in result.unmatched[1].candidates)


def test_resolve_all_and_empty_kind(session: Session) -> None:
    """'tất cả' names every active unit; a kind without units is 'empty'."""
    ids = _units(session)
    assert len(resolve_assignees(session, "tất cả").unit_ids) == len(ids)
    assert resolve_assignees(session, "đặc khu").unmatched[0].reason == "empty"


def test_split_spec_prefers_semicolons() -> None:
    """Semicolons separate items when present, so names keep their commas."""
    assert split_spec("a, b; c") == ["a, b", "c"]
    assert split_spec(" a ,, b ") == ["a", "b"]


def test_split_spec_reads_the_lines_of_a_spreadsheet_cell_as_items() -> None:
    """A cell listing units on lines of their own (Alt+Enter), bulleted or not, is a list;
    a line keeps its commas, as with semicolons."""
    assert split_spec("Sở Y tế\nSở Văn hóa, Thể thao và Du lịch") == [
        "Sở Y tế",
        "Sở Văn hóa, Thể thao và Du lịch",
    ]
    assert split_spec("- Sở Y tế\r\n• Thị xã Điện Bàn\n+ X1\n") == [
        "Sở Y tế",
        "Thị xã Điện Bàn",
        "X1",
    ]


def test_resolve_assignees_of_a_cell_of_lines(session: Session) -> None:
    """The units of a cell of lines are all assigned."""
    ids = _units(session)
    resolution = resolve_assignees(session, "- Sở Y tế\n- Sở Văn hóa, Thể thao và Du lịch")
    assert resolution.unmatched == []
    assert set(resolution.unit_ids) == {ids["SYT"], ids["SVH"]}
