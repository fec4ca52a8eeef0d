"""The demo as a newcomer starts it: the real `dondoc` command, in a process of its own.

It runs with no channel token and no .env (its working folder is the test's), its data in
the test's folder, on a free loopback port given as WEB_PORT.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.ports import free_port
from tests.processes import keep

DONDOC = str(Path(sys.executable).parent / "dondoc")
STARTED_S = 30.0  # on a loaded 2-core machine; it is up in a few seconds
# Nothing of the machine's own configuration reaches the demo under test.
CLEARED = ("BOT_TOKEN", "ZALO_BOT_TOKEN", "ENV", "DATABASE_URL", "WEB_PORT", "DEFAULT_LANGUAGE")


@dataclass
class Running:
    """A demo process, its address and what it printed first."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str]


def demo_env(folder: Path, **extra: str) -> dict[str, str]:
    """Return an environment without tokens, with the data in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["DATABASE_URL"] = f"sqlite:///{folder}/dondoc.sqlite3"
    env.update(extra)
    return env


def start(folder: Path, *args: str, **extra: str) -> Running:
    """Start `dondoc <args>` and wait for its two lines (the address, how to go live)."""
    port = free_port()
    env = demo_env(folder, WEB_PORT=str(port), **extra)
    with (folder / "demo.log").open("w") as log:
        process = subprocess.Popen(
            [DONDOC, *args], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process, lines), daemon=True).start()
    printed: list[str] = []
    try:
        while len(printed) < 2:
            printed.append(lines.get(timeout=STARTED_S))
    except queue.Empty:
        process.kill()
        process.wait()
        assert process.stdout is not None
        process.stdout.close()
        pytest.fail(f"the demo did not start: {printed} {(folder / 'demo.log').read_text()}")
    return Running(process, f"http://127.0.0.1:{port}/demo", printed)


def _lines(process: subprocess.Popen[str], into: queue.Queue[str]) -> None:
    """Hand on each line the process prints, until it ends."""
    assert process.stdout is not None
    for line in process.stdout:
        into.put(line.rstrip("\n"))


def stop(running: Running, folder: Path) -> None:
    """Stop the demo as Ctrl+C would, and keep its output for the token check."""
    running.process.terminate()
    running.process.wait(timeout=20)
    assert running.process.stdout is not None
    running.process.stdout.close()
    keep("dondoc demo", {}, "\n".join(running.lines), (folder / "demo.log").read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A demo started as ./scripts/run starts it without a token (one for a test module)."""
    folder = tmp_path_factory.mktemp("demo")
    running = start(folder, "run", "--demo-if-no-token", DEFAULT_LANGUAGE="en")
    try:
        yield running
    finally:
        stop(running, folder)
