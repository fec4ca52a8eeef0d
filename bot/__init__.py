"""The bot: its composition root, commands and processes."""

from __future__ import annotations

import sys

_shown = sys.excepthook


def _quiet_interrupt(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    """Print an uncaught exception as Python does, but a Ctrl+C: nothing."""
    if not issubclass(kind, KeyboardInterrupt):
        _shown(kind, value, traceback)


# `dondoc`'s console script imports this package first, then bot/cli.py, and only then
# calls `main`, which turns Ctrl+C into a quiet exit: a Ctrl+C before it (the first tenths of
# a second) printed a KeyboardInterrupt traceback. Within `dondoc` alone, not in a program
# that imports the bot (tests, tools), an uncaught one is not printed; the process still
# ends as interrupted (by SIGINT, as Python ends it). The hook is set as soon as it is
# defined and taken back for another program: a Ctrl+C while the line that tells the program
# by its name ran was printed (seen once, in a fresh clone's first run).
sys.excepthook = _quiet_interrupt
if not sys.argv or sys.argv[0].rsplit("/", 1)[-1] != "dondoc":
    sys.excepthook = _shown

TYPE_CHECKING = False  # typing's own, without importing typing
if TYPE_CHECKING:
    from types import TracebackType

# httpx imports its command-line client (`httpx._main`) with itself, and with it click,
# pygments and rich wherever they are installed (the dev tools bring them): about 4 MB of
# the bot's resident memory for a program it never runs. Marked as not importable, httpx
# keeps a stub `main` that explains how to install the client; `dondoc serve` still loads
# click through uvicorn. Set here, before anything of the bot imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
