"""The network between a single `dondoc serve` and PostgreSQL cut on the bot's side only.

The one-process lock (bot/lock.py) is a PostgreSQL advisory lock held by one connection.
Cut on the bot's side (its keepalives gave up, a reset reached it), that connection's server
process lives on, holding the lock, until PostgreSQL's own keepalives find it dead (hours by
default). The bot must not take its own lock's ghost for another dondoc process.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, line_said, started, web_env
from tests.tcpforward import Forwarder

MEMBER = 7401
TAKEN_AGAIN = "one-process lock; taken again"  # bot.lock's warning once it holds it anew


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
    with (
        FakeBotApi(token) as server,
        Forwarder(port, real.host or "127.0.0.1", real.port or 5432) as forwarder,
    ):
        env = web_env(tmp_path, server, DATABASE_URL=url, LOG_LEVEL="WARNING")
        process, log = started(tmp_path, env, "serve")
        try:
            server.wait_for_sync(
                lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
            )
            assert forwarder.cut() > 0
            line_said(process, log, TAKEN_AGAIN)
            server.add_user(MEMBER, "An")
            server.send_command(MEMBER, "help")
            server.wait_for_sync(lambda: server.messages(MEMBER) or None, START_TIMEOUT, "help")
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            process.terminate()
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            out = (tmp_path / "stdout.txt").read_text()
            processes.keep("dondoc serve", env, out, log.read_text(errors="replace"))
    assert process.returncode == 0
    assert "another dondoc process" not in out + log.read_text(errors="replace")
