"""Neutral markup: escaping user data, rendering for Telegram HTML and for plain text."""

from __future__ import annotations

import pytest

from core.markup import escape, to_html, to_plain


@pytest.mark.parametrize(
    ("markup", "html", "plain"),
    [
        ("**#12** Báo cáo", "<b>#12</b> Báo cáo", "#12 Báo cáo"),
        ("mã `AB12`", "mã <code>AB12</code>", "mã AB12"),
        ("Sở GD&ĐT <b>", "Sở GD&amp;ĐT &lt;b&gt;", "Sở GD&ĐT <b>"),
        ("0 8 * * 1", "0 8 * * 1", "0 8 * * 1"),
        (r"a\*\*b\*\* \`x\` \\", "a**b** `x` \\", "a**b** `x` \\"),
        ("**không đóng", "<b>không đóng</b>", "không đóng"),
        ("`**trong mã**`", "<code>**trong mã**</code>", "**trong mã**"),
        ("**đậm `mã` đậm**", "<b>đậm <code>mã</code> đậm</b>", "đậm mã đậm"),
    ],
)
def test_markup_renders_for_each_channel(markup: str, html: str, plain: str) -> None:
    """Bold and code become tags for Telegram and vanish in plain text; data stays data."""
    assert (to_html(markup), to_plain(markup)) == (html, plain)


@pytest.mark.parametrize(
    "data", ["**=HYPERLINK()**", "`rm -rf`", "a\\b", "<i>x</i> & y", "***", "tiêu đề \\*"]
)
def test_escaped_data_renders_as_itself(data: str) -> None:
    """Whatever a person typed shows exactly as typed, on every channel."""
    assert to_plain(escape(data)) == data
    assert to_html(f"**{escape(data)}**").startswith("<b>")
    assert to_plain(f"**{escape(data)}**") == data


def test_escape_leaves_ordinary_text_alone() -> None:
    """Text without markup characters is returned as it is (the common, fast case)."""
    text = "Xã Tam Xuân 1, hạn 15/12/2026"
    assert escape(text) is text
