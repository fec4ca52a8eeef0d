"""The suite's idle pool of worker processes is kept by every stop of a bot under test.

tests/conftest.py replaces `stop_processes` in each module that calls it when a bot stops,
so the next test's bot finds the warm pool (a spawned worker imports for a second or two).
A module that came to import the function by name and was not listed there stopped the
pool at every bot's stop: every chart, workbook or import of the next test spawned anew.
"""

from __future__ import annotations

import re
from pathlib import Path

from scheduler import workers
from tests.conftest import STOPPERS, stop_processes_keeping_an_idle_pool

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "bot", "handlers", "scheduler", "web", "zalo")
CALLS = re.compile(r"\bstop_processes\b")


def test_every_module_calling_stop_processes_keeps_the_idle_pool_under_test() -> None:
    """Each module naming `stop_processes` (but the one defining it) is patched by the suite."""
    naming = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if CALLS.search(path.read_text(encoding="utf-8"))
    } - {workers.__name__}
    assert naming == {module.__name__ for module in STOPPERS}
    for module in STOPPERS:
        assert module.stop_processes is stop_processes_keeping_an_idle_pool, module.__name__
