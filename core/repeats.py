"""Texts sent again before their answer went: one rule for every channel.

A person's text identical to their last one answered, that came before that answer went out,
is a repeat (a burst of "1", or "xong" resent by a slow network): it was not written after
the answer, so it cannot answer the question that answer asked ("which task?", then "which
status?"), which such a burst went on to answer, recording a task the person never chose,
or at least repeating the answer as many times. Each channel finishes it unanswered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

KEPT = 1_000  # people whose last answered text is remembered; past it, forgotten at once


class AnsweredTexts:
    """Each person's last text answered, and when its answers had gone (monotonic seconds)."""

    def __init__(self, kept: int = KEPT, clock: Callable[[], float] = time.monotonic) -> None:
        self.kept, self.clock = kept, clock
        self._last: dict[str, tuple[str, float]] = {}

    def repeats(self, person: str, text: str, came: float | None) -> bool:
        """Tell whether `text`, which came at `came` (None: unknown, e.g. recovered after a
        restart), repeats the person's last text answered before that answer went."""
        text = text.strip()
        last = self._last.get(person)
        return (
            bool(text)
            and came is not None
            and last is not None
            and last[0] == text
            and (came < last[1])
        )

    def answered(self, person: str, text: str) -> None:
        """Remember the person's text just answered, and that its answers have gone now."""
        if len(self._last) > self.kept:
            self._last.clear()
        self._last[person] = (text.strip(), self.clock())
