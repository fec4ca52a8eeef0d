"""Ctrl+C in the first moments of a `dondoc` command: a quiet stop, never a traceback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The console script pip writes for `[project.scripts]`, beside the interpreter running us.
DONDOC = str(Path(sys.executable).with_name("dondoc"))
# Moments after the process starts, seconds: the interpreter starting, the console script
# importing bot/cli.py (where the old code had no `try` around it), the command's modules
# loading, the command running. Many moments, so that some fall in each of these.
MOMENTS = [round(0.02 * i, 2) for i in range(1, 41)]
SWALLOWED_S = 20  # a Ctrl+C not heeded by then was lost by Python (see `interrupted`)
# A frame of dondoc's own code in a traceback: a file of the repository, not of its .venv
# (the console script, the libraries). A Ctrl+C while the interpreter itself starts (its
# standard streams, the `site` module and the .pth files) or while it finds the package
# `bot` for the console script's first import prints a traceback with no such frame: it
# comes before any line of dondoc runs, and no program can catch it.
ROOT = Path(__file__).resolve().parents[2]
OURS = re.compile(r'File "' + re.escape(str(ROOT)) + r"/(?!\.venv/)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def interrupted(tmp_path: Path, args: list[str], moment: float) -> tuple[int, str]:
    """Start `dondoc ARGS`, press Ctrl+C (SIGINT) `moment` seconds later, return its exit
    status and what it wrote on stderr."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'interrupt.sqlite3'}"
    process = subprocess.Popen(
        [DONDOC, *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(moment)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=SWALLOWED_S)
        except subprocess.TimeoutExpired:
            # Python itself swallows a Ctrl+C that lands in importlib's module-lock callback
            # ("Exception ignored in ... _get_module_lock"): the person presses it again.
            process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, err


@pytest.mark.parametrize("command", ["--help", "demo"])
def test_ctrl_c_in_the_first_moments_prints_no_traceback(tmp_path: Path, command: str) -> None:
    """Whenever Ctrl+C comes while `dondoc --help` or `dondoc demo` starts, the command
    stops (or has already finished) without a traceback: no KeyboardInterrupt reaches the
    person at the terminal, even while the console script is still importing bot/cli.py
    (and the command's modules, the settings, SQLAlchemy) before `main` runs."""
    args = [command] if command != "demo" else ["demo", "--port", str(free_port())]
    for moment in MOMENTS:
        status, err = interrupted(tmp_path, args, moment)
        assert not OURS.search(err), f"Ctrl+C {moment} s after start:\n{err}"
        if not err:  # stopped by dondoc (130), by Python (SIGINT), or it had finished
            assert status in (0, 130, -signal.SIGINT), f"Ctrl+C {moment} s after: {status}"


def test_ctrl_c_while_a_module_defines_a_class_is_an_interrupt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C as a module being imported defines a class (`holidays` does, as `dondoc`
    starts) reaches the command as Python's "Error calling __set_name__" RuntimeError, caused
    by the KeyboardInterrupt: it is the person's Ctrl+C, quietly status 130, no traceback."""
    from bot import cli

    class Named:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    def importing(_argv: object) -> int:
        type("Defined", (), {"field": Named()})
        return 0

    monkeypatch.setattr(cli, "_main", importing)
    assert cli.main(["--help"]) == cli.EXIT_INTERRUPTED
