"""One file at a time per person: an export or a report is built only once at a time for them.

A workbook or a report is up to a minute of a worker process. A person asking again while
theirs is being built (a double tap, a link opened twice, Telegram and the dashboard at
once) is told to wait, rather than queueing more work ahead of everyone else's. The turns
are the process's, shared by every channel, and taken on the event loop only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """The files being built now, by kind and person."""

    def __init__(self) -> None:
        self._busy: set[tuple[str, str]] = set()

    @contextmanager
    def turn(self, kind: str, person: int | str) -> Iterator[bool]:
        """Hold the person's turn for this kind of file; yield False if theirs is being built."""
        key = (kind, str(person))
        if key in self._busy:
            yield False
            return
        self._busy.add(key)
        try:
            yield True
        finally:
            self._busy.discard(key)
