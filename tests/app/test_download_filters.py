"""A dashboard page's unit filters carried in a download's path and read back as the page
read them (`app.dashboard.filters.units_token`, `from_token`)."""

from __future__ import annotations

from app.dashboard.filters import Filters, from_token, units_token


def test_the_longest_filters_a_page_reads_come_back_whole_from_a_downloads_path() -> None:
    """A search of 100 letters with diacritics (the most a page reads), a kind, a group, a
    parent and overdue only come back as they went; the directive rides in the path apart.
    The letters are those a URL's path keeps as they are."""
    page = Filters(
        directive_id=7,
        kind="commune",
        group_id=3,
        parent_id=12,
        overdue_only=True,
        search="phường điện bàn " * 6 + "quản",
    )
    assert len(page.search or "") <= 100
    token = units_token(page)
    assert token.replace("-", "").replace("_", "").isalnum()
    assert from_token(token) == Filters(
        kind="commune", group_id=3, parent_id=12, overdue_only=True, search=page.search
    )
    assert units_token(Filters(directive_id=7)) == ""  # nothing narrows the units


def test_a_token_no_page_made_is_none() -> None:
    """Letters that are no token, or too many, are refused rather than read as no filter."""
    assert from_token("") is None
    assert from_token("a" * 5000) is None
    assert from_token("%%%") is None
