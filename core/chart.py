"""Stacked bar charts of the taxonomy, as PNG bytes, with Vietnamese labels that render.

matplotlib's object API with the Agg canvas (no pyplot, no display, safe in a worker
thread) and DejaVu Sans, which ships with matplotlib and has every Vietnamese diacritic.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.status import Counts, Status

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT = "DejaVu Sans"
# rc_context changes matplotlib's global settings: one drawing at a time.
_DRAWING = threading.Lock()
MAX_BARS = 40
LABEL_WIDTH = 36  # characters of a label line; a label takes at most two lines
COLOURS = {
    Status.DONE_ON_TIME: "#2e7d32",
    Status.DONE_LATE: "#9ccc65",
    Status.IN_TIME: "#42a5f5",
    Status.OVERDUE: "#e53935",
}


@dataclass(frozen=True)
class Bar:
    """One bar: its label and its counts."""

    label: str
    counts: Counts


def _values(counts: Counts) -> dict[Status, int]:
    """Return the count of each segment."""
    return {
        Status.DONE_ON_TIME: counts.done_on_time,
        Status.DONE_LATE: counts.done_late,
        Status.IN_TIME: counts.in_time,
        Status.OVERDUE: counts.overdue,
    }


def wrap_label(label: str, width: int = LABEL_WIDTH) -> str:
    """Wrap a label on two lines at word boundaries; a longer one ends its second in '…'."""
    lines = textwrap.wrap(label, width)
    if len(lines) <= 2:
        return "\n".join(lines)
    rest = " ".join(lines[1:])
    return lines[0] + "\n" + textwrap.shorten(rest, width, placeholder=" …")


def stacked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    subtitle: str,
    legend: dict[Status, str],
    axis_label: str,
) -> bytes:
    """Draw one horizontal stacked bar per item (first on top) and return the PNG."""
    # matplotlib (with numpy, ~40 MB) is imported when a chart is drawn, not at start-up.
    from matplotlib import rc_context

    with _DRAWING, rc_context({"font.family": FONT, "font.size": 10}):
        figure = draw(bars, title=title, subtitle=subtitle, legend=legend, axis_label=axis_label)
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


def draw(
    bars: Sequence[Bar],
    *,
    title: str,
    subtitle: str,
    legend: dict[Status, str],
    axis_label: str,
) -> Figure:
    """Return the figure: labels on at most two lines, whole units on the count axis."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    bars = list(bars)[:MAX_BARS]
    height = 2.4 + 0.55 * max(len(bars), 1)
    figure = Figure(figsize=(10, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [wrap_label(b.label) for b in reversed(bars)]
    positions = list(range(len(bars)))
    left = [0] * len(bars)
    for status, colour in COLOURS.items():
        widths = [_values(b.counts)[status] for b in reversed(bars)]
        axes.barh(positions, widths, left=left, color=colour, label=legend[status])
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(positions, labels)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # units are counted whole
    axes.set_xlabel(axis_label)
    axes.set_title(f"{title}\n{subtitle}", loc="left", fontsize=11)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
