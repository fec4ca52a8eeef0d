"""Specification of the chart's drawing: whole-unit axis, task titles wrapped, not cut."""

from __future__ import annotations

from core.chart import Bar, draw, wrap_label
from core.status import Counts, Status

LEGEND = {s: s.value for s in Status}
TITLE = "Ban hành Kế hoạch chuyển đổi số năm 2026 của các sở, ban, ngành và địa phương"


def test_chart_counts_units_on_whole_number_ticks() -> None:
    """Two units make ticks 0, 1, 2, never 0.25 or 1.50."""
    bars = [Bar("#1 Việc", Counts(done_on_time=1, overdue=1)), Bar("#2 Việc", Counts(in_time=1))]
    figure = draw(bars, title="T", subtitle="S", legend=LEGEND, axis_label="Số đơn vị")
    ticks = list(figure.axes[0].get_xticks())
    assert ticks
    assert all(float(t).is_integer() for t in ticks)


def test_chart_wraps_a_long_title_on_two_lines_at_word_boundaries() -> None:
    """A long task title takes two lines, each made of whole words, the rest shortened."""
    label = wrap_label(TITLE)
    lines = label.split("\n")
    assert len(lines) == 2
    words = set(TITLE.split()) | {"…"}
    assert all(word in words for line in lines for word in line.split())
    assert lines[1].endswith("…")
    assert wrap_label("#2 Báo cáo quý") == "#2 Báo cáo quý"


def test_chart_labels_bars_with_wrapped_titles() -> None:
    """The drawn bar carries the wrapped title."""
    figure = draw(
        [Bar(TITLE, Counts(in_time=1))], title="T", subtitle="S", legend=LEGEND, axis_label="n"
    )
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == [wrap_label(TITLE)]
