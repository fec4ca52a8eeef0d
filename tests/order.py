"""The order the test files run in: the longest first, so two processes end together.

`--dist loadfile` (./scripts/test) hands whole files to the xdist processes, by default the
files with most tests first. The files that start bot processes, a browser or a simulated
month hold one or a few tests each, and so came last: the run ended with one process
through a minute-long file while the other had nothing left. Handed out first, a long
file runs beside the many short ones, which then fill both processes to the end.

LONGEST names the long files with few tests (bot processes, a browser, a month), roughly
the longest first; every other file keeps xdist's order (most tests first), which puts the
long files with many tests (tests/bot/test_cli.py, the web pages) early already. The
order changes nothing a test checks: each file still runs whole, in its own order.
"""

from __future__ import annotations

from collections import Counter

import pytest

LONGEST = [
    "tests/soak/test_month.py",
    "tests/bot/test_cli_import_stop.py",
    "tests/scheduler/test_crash_sweep.py",
    "tests/faults/test_workers.py",
    "tests/scheduler/test_crash.py",
    "tests/zalo/test_crash.py",
    "tests/handlers/telegram/test_inbox_crash.py",
    "tests/web/test_serve_process.py",
    "tests/deploy/test_systemd_run.py",
    "tests/deploy/test_docker.py",
    "tests/demo/test_tour.py",
    "tests/soak/test_new_tasks.py",
    "tests/web/test_webhook_bench.py",
    "tests/web/test_miniapp_frame.py",
    "tests/web/test_a11y.py",
    "tests/bot/test_workers_mode.py",
    "tests/test_heavy_imports.py",
]


def pytest_configure(config: pytest.Config) -> None:
    """Have xdist hand out the files in the order collected (the one given below)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files of LONGEST first, then the others by their number of tests."""
    path = {item: item.nodeid.partition("::")[0] for item in items}
    tests = Counter(path.values())
    first = {name: rank for rank, name in enumerate(LONGEST)}
    items.sort(key=lambda item: (first.get(path[item], len(first)), -tests[path[item]]))
