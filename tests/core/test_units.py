"""The one-line unit form and edit arguments."""

from __future__ import annotations

from core.paging import page_of
from core.units import parse_unit_line, split_edit_line


def test_one_line_unit_needs_code_name_and_kind() -> None:
    """Three to five `|`-separated fields; groups may be separated by `;` or `,`."""
    assert parse_unit_line("X1 | Xã Một") is None
    assert parse_unit_line("X1 | Xã Một | xã") == {"code": "X1", "name": "Xã Một", "kind": "xã"}
    cells = parse_unit_line("X1 | Xã Một | xã | TB | Ven biển, Thí điểm")
    assert cells is not None
    assert cells["parent_code"] == "TB"
    assert cells["groups"] == "Ven biển;Thí điểm"


def test_edit_line_splits_unit_from_values() -> None:
    """`/editunit` takes the unit first, then the new values."""
    assert split_edit_line("so y te") == ("so y te", [])
    assert split_edit_line("SYT | | sở") == ("SYT", ["", "sở"])


def test_pages_are_clamped() -> None:
    """A page number past the end shows the last page."""
    page = page_of(list(range(26)), 9, 25)
    assert (list(page.items), page.number, page.pages) == ([25], 2, 2)
    assert page.has_prev
    assert not page.has_next
