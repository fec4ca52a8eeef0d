"""The network between a single `dondoc serve` and PostgreSQL cut on the bot's side only.

The one-process lock (bot/lock.py) is a PostgreSQL advisory lock held by one connection.
Cut on the bot's side (its keepalives gave up, a reset reached it), that connection's server
process lives on, holding the lock, until PostgreSQL's own keepalives find it dead (hours by
default). The bot must not take its own lock's ghost for another dondoc process.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, env_for
from tests.tcpforward import Forwarder

MEMBER = 7401
TAKEN_AGAIN = "one-process lock; taken again"  # bot.lock's warning once it holds it anew


def output_of(log: Path) -> str:
    """Return what the process wrote so far."""
    return log.read_text(errors="replace")


def wait_for_line(process: subprocess.Popen[bytes], log: Path, said: str) -> None:
    """Wait until the process's output holds `said`; fail if it ends first."""
    deadline = time.monotonic() + START_TIMEOUT
    while said not in output_of(log):
        if process.poll() is not None:
            pytest.fail(f"ended with status {process.returncode}:\n{output_of(log)[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {said!r} in:\n{output_of(log)[-2000:]}")
        time.sleep(0.2)


def test_a_cut_that_leaves_the_lock_s_server_process_alive_does_not_stop_the_bot(
    tmp_path: Path, pg_url: str
) -> None:
    """Every connection of `dondoc serve` cut on its side, PostgreSQL's processes left
    alive: the bot takes its lock again (ending the process that held it) and goes on
    answering. It read the lock held by its own lost connection as another dondoc process
    and stopped itself with status 0, which systemd does not restart: the morning's
    reminders and every answer waited for someone to start it by hand."""
    real = make_url(pg_url)
    port = free_port()
    url = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    token = f"424262:lock-cut-{uuid.uuid4().hex[:12]}"
    web = free_port()
    log = tmp_path / "output.log"
    with (
        FakeBotApi(token) as server,
        Forwarder(port, real.host or "127.0.0.1", real.port or 5432) as forwarder,
    ):
        env = env_for(
            tmp_path,
            server,
            DATABASE_URL=url,
            WEB_PORT=str(web),
            PUBLIC_BASE_URL=f"http://127.0.0.1:{web}",
            LOG_LEVEL="WARNING",
        )
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve"],
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            server.wait_for_sync(
                lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
            )
            assert forwarder.cut() > 0
            wait_for_line(process, log, TAKEN_AGAIN)
            server.add_user(MEMBER, "An")
            server.send_command(MEMBER, "help")
            server.wait_for_sync(lambda: server.messages(MEMBER) or None, START_TIMEOUT, "help")
            assert process.poll() is None, output_of(log)[-2000:]
            process.terminate()
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            processes.keep("dondoc serve", env, log.read_bytes())
    assert process.returncode == 0
    assert "another dondoc process" not in output_of(log)
