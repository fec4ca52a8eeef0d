"""The order the test files run in: the longest first, so two processes end together.

`--dist loadfile` (./scripts/test) hands whole files to the xdist processes, by default the
files with most tests first. The files that start bot processes, a browser or a simulated
month hold one or a few tests each (up to minutes on a busy machine), and so came last:
the run could end with one process through such a file while the other had nothing left.
Handed out first, they run beside the many short files, which then fill both processes
to the end.

LONGEST names those files, the longest first as `pytest -n 2 --dist loadfile
--durations=120` timed them on main (6 Dec); every other file keeps xdist's order (most
tests first), which hands out the long files of many tests (tests/bot/test_cli.py, the
web pages) early already. The order changes nothing a test checks: each file still runs
whole, in its own order.
"""

from __future__ import annotations

from collections import Counter

import pytest

LONGEST = [
    "tests/faults/test_workers.py",
    "tests/demo/test_cli.py",
    "tests/soak/test_month.py",
    "tests/bot/test_cli_import_stop.py",
    "tests/handlers/telegram/test_inbox_crash.py",
    "tests/deploy/test_systemd_run.py",
    "tests/web/test_a11y.py",
    "tests/demo/test_tour.py",
    "tests/zalo/test_crash.py",
    "tests/web/test_serve_process.py",
    "tests/zalo/test_run.py",
    "tests/scheduler/test_crash.py",
    "tests/scheduler/test_sweep_process.py",
    "tests/web/test_miniapp_frame.py",
    "tests/web/test_webhook_bench.py",
    "tests/scheduler/test_crash_sweep.py",
    "tests/test_heavy_imports.py",
    "tests/deploy/test_scripts.py",
    "tests/bot/test_workers_mode.py",
    "tests/soak/test_new_tasks.py",
    "tests/deploy/test_docker.py",
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
