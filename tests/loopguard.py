"""Catch a Telegram handler or a scheduled job that runs SQL on the event loop's thread.

The bot under test (tests/harness.py) runs with this guard: every statement executed on
the loop's thread while a frame of `handlers/telegram/` is on the stack names that handler's
module; one run by a coroutine of `scheduler/` (a job: the digest, the daily recurring
tasks) names that module as `scheduler.<module>`.
A test fails when a module outside `STILL_ON_LOOP` did so: a new flow, or one moved off the
loop, cannot put its database work back on it unnoticed (a wait for SQLite's lock there
stalls every person's update, issue 13). The test's own setup and assertions run on the same
thread but outside any handler, and are not counted.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from inspect import CO_COROUTINE
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Telegram's: the text channel is synchronous, and Zalo's poller runs it in a worker thread.
HANDLERS = str(Path(__file__).resolve().parent.parent / "handlers" / "telegram") + "/"
SCHEDULER = str(Path(__file__).resolve().parent.parent / "scheduler") + "/"
TESTS = str(Path(__file__).resolve().parent) + "/"

# Modules whose database work may still run on the loop: none. A new flow calls the database
# through `Request.run` or `Request.transaction`.
STILL_ON_LOOP: frozenset[str] = frozenset()


class LoopGuard:
    """Record the handler modules that executed SQL on the loop's thread."""

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        self.offenders: dict[str, str] = {}  # module: the first statement it ran

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """Name the handler on the stack if this statement runs on the loop's thread."""
        if threading.get_ident() != self.loop_thread:
            return
        module = _handler_on_stack(sys._getframe(1))
        if module is not None and module not in STILL_ON_LOOP:
            self.offenders.setdefault(module, " ".join(statement.split())[:80])


def _handler_on_stack(frame: FrameType | None) -> str | None:
    """Return the flow on the stack: the innermost `handlers/telegram/` module but `access`,
    or a scheduler's coroutine.

    `access` wraps every flow's callback and lends flows its helpers: the flow that called
    it is named, and `access` only when no other is on the stack. A scheduler's plain
    function is not named: a test may call one on the loop's thread, the bot runs them in
    its pools; a coroutine of the scheduler runs on the loop.
    """
    found = None
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(TESTS) and found is None:
            return None  # a test's own callback (a handler it added), not a flow of ours
        if name.startswith(SCHEDULER) and frame.f_code.co_flags & CO_COROUTINE:
            return "scheduler." + name.removeprefix(SCHEDULER).removesuffix(".py")
        if name.startswith(HANDLERS):
            module = name.removeprefix(HANDLERS).removesuffix(".py")
            if module != "access":
                return module
            found = module
        frame = frame.f_back
    return found


@contextmanager
def loop_guard(engine: Engine) -> Iterator[LoopGuard]:
    """Watch `engine` while the block runs, on the calling (event loop's) thread."""
    guard = LoopGuard(threading.get_ident())
    event.listen(engine, "before_cursor_execute", guard)
    try:
        yield guard
    finally:
        event.remove(engine, "before_cursor_execute", guard)


def assert_off_loop(guard: LoopGuard) -> None:
    """Fail with the handler modules that ran SQL on the event loop."""
    found = "; ".join(f"{m}: {s}" for m, s in sorted(guard.offenders.items()))
    assert not guard.offenders, f"database work on the event loop: {found}"
