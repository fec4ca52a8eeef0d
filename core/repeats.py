"""Texts sent again before their answer went: one rule for every channel.

A person's text identical to their last one answered, that came before that answer went out,
is a repeat (a burst of "1", or "xong" resent by a slow network): it was not written after
the answer, so it cannot answer the question that answer asked ("which task?", then "which
status?"), which such a burst went on to answer, recording a task the person never chose,
or at least repeating the answer as many times. Each channel finishes it unanswered.

"Before" is known two ways: by when the text reached the bot, and, where the platform dates
both the person's message and the bot's answer by its own clock in milliseconds (Zalo), by
those dates. The second holds however late the bot fetches the text: Zalo's getUpdates gives
one event a call, so on a slow link or a busy machine the second "1" of a burst reached the
bot after the answer to the first had gone, and answered its question.

Words that came after words of the same person the platform dated later (`NewestWords`) came
out of order, and are not read either.
"""

from __future__ import annotations

import time
from collections.abc import Callable

KEPT = 1_000  # people whose last answered text is remembered; past it, forgotten at once


class AnsweredTexts:
    """Each person's last text answered, and when its answers had gone (monotonic seconds)."""

    def __init__(self, kept: int = KEPT, clock: Callable[[], float] = time.monotonic) -> None:
        self.kept, self.clock = kept, clock
        # Each person's last text answered: the text, when its answer went (monotonic), and
        # when by the platform's clock (ms; 0: unknown).
        self._last: dict[str, tuple[str, float, int]] = {}
        # People whose text is being answered, and when its first message went (None: not yet).
        self._answering: dict[str, float | None] = {}

    def repeats(self, person: str, text: str, came: float | None, written_ms: int = 0) -> bool:
        """Tell whether `text`, which came at `came` (None: unknown, e.g. recovered after a
        restart) and was written at `written_ms` by the platform's clock (0: unknown), repeats
        the person's last text answered before that answer went."""
        text = text.strip()
        last = self._last.get(person)
        if not text or last is None or last[0] != text:
            return False
        came_before = came is not None and came < last[1]
        written_before = 0 < written_ms < last[2]
        return came_before or written_before

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

    def answered(self, person: str, text: str, went_ms: int = 0) -> None:
        """Remember the person's text just answered, and when its answer went: its first
        message, where the channel tells (`went`), else now; `went_ms`, when that message
        reached the platform by its clock (0: unknown)."""
        if len(self._last) > self.kept:
            self._last.clear()
        went = self._answering.pop(person, None)
        self._last[person] = (text.strip(), self.clock() if went is None else went, went_ms)


class NewestWords:
    """Each person's latest words read, by the platform's date (ms): words it dated before
    them came out of order (a webhook's call refused and sent again after the next), and,
    read, would undo the newer ("50%" recorded over "xong")."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._newest: dict[str, int] = {}  # by person, the most recent last

    def late(self, person: str, written_ms: int) -> bool:
        """Note the person's words written at `written_ms`; tell whether words of theirs
        written later were read before them."""
        newest = self._newest.pop(person, 0)
        self._newest[person] = max(newest, written_ms)
        if len(self._newest) > self.kept:
            del self._newest[next(iter(self._newest))]
        return written_ms < newest
