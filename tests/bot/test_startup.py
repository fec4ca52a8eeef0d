"""What `dondoc run` and `dondoc serve` set in their process before anything else."""

from __future__ import annotations

import asyncio
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.commands.startup import bound_malloc_arenas
from scheduler.dispatcher.run import run_dispatch
from scheduler.prestart import SWEEP_MODULE, start_sweep_process
from scheduler.workers import in_process, stop_processes
from tests.scheduler.support import process_id, worker_processes

GLIBC = platform.libc_ver()[0] == "glibc"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not GLIBC, reason="malloc's arenas are glibc's")
def test_malloc_arenas_bounded_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    """glibc is told to keep one arena for all the bot's threads (about 2 MB less at the
    fan-out's peak, bench/README.md issue 20)."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert bound_malloc_arenas() is True


def test_an_operators_malloc_arena_max_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """MALLOC_ARENA_MAX set in the environment (read by glibc itself) is not overridden."""
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas() is False


def test_dondoc_run_imports_the_bot_only_when_it_runs() -> None:
    """`dondoc run` starts a large database's sweep process before it imports the bot (its
    application, its flows), so that the process imports on the other core meanwhile; the
    bot imported with the command's module, the process waited for those imports first."""
    code = (
        "import sys, bot.commands.run;"
        "print([m for m in ('bot.app', 'telegram.ext', 'handlers.telegram.flows', 'bot.zalo',"
        " 'scheduler.dispatcher.run') if m in sys.modules])"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert found.stdout.strip() == "[]"


def test_a_large_databases_sweep_process_is_started_at_once(engine: Engine) -> None:
    """Started before the bot's imports, the process is the one the first sweep waits for."""
    stop_processes()
    before = worker_processes()
    assert not start_sweep_process(engine, bound=10**9)  # small: the sweep runs in a thread
    assert worker_processes() == before

    assert start_sweep_process(engine, bound=-1)  # every database is large
    assert run_dispatch.__module__ == SWEEP_MODULE  # what the process imports ahead

    started = asyncio.run(in_process(engine, process_id))
    assert started in worker_processes() - before
    stop_processes()
