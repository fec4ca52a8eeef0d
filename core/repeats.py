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
        # People whose text is being answered, and when its first message went (None: not yet).
        self._answering: dict[str, float | None] = {}

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

    def begin(self, person: str) -> None:
        """Note that the person's text is being answered now (its lane runs it)."""
        if len(self._answering) > self.kept:
            self._answering.clear()
        self._answering[person] = None

    def went(self, person: str) -> None:
        """Note a message sent to the person: the first while their text is answered is when
        its answer went (what they sent after it they sent having it)."""
        if person in self._answering and self._answering[person] is None:
            self._answering[person] = self.clock()

    def answered(self, person: str, text: str) -> None:
        """Remember the person's text just answered, and when its answer went: its first
        message, where the channel tells (`went`), else now."""
        if len(self._last) > self.kept:
            self._last.clear()
        went = self._answering.pop(person, None)
        self._last[person] = (text.strip(), self.clock() if went is None else went)
