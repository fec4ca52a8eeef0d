"""dondoc started before PostgreSQL answers (a reboot: the database still starting, or
restarting), as systemd starts `dondoc-migrate` and the workers: they wait for it, then go on.

The database is reached through a loopback forwarder that starts only once the process has
said it waits: until then its port refuses connections, as PostgreSQL's does while it starts.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from db.schema import HEAD
from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, env_for, line_said, started, web_env
from tests.tcpforward import Forwarder

PASSWORD = "late-db-password"  # pg_hba trusts loopback: any password passes
MEMBER = 7301


@contextmanager
def silent(port: int) -> Iterator[None]:
    """Accept connections to 127.0.0.1:`port` and say nothing on them (a PostgreSQL that
    hangs, a proxy in front of a machine that is down) while the block runs."""
    listener = socket.create_server(("127.0.0.1", port))
    held: list[socket.socket] = [listener]

    def accept() -> None:
        with suppress(OSError):
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield
    finally:
        with suppress(OSError):  # wakes the accept: the port is free once the block ends
            listener.shutdown(socket.SHUT_RDWR)
        for sock in held:
            with suppress(OSError):
                sock.close()


def said_it_waits(process: subprocess.Popen[str], err: Path) -> str:
    """Wait for the process's line saying it waits for the database, and return it."""
    return line_said(process, err, "chưa trả lời")


def ended(
    process: subprocess.Popen[str], tmp_path: Path, err: Path, env: dict[str, str], what: str
) -> tuple[str, str]:
    """End the process if it still runs; keep and return what it wrote (stdout, stderr)."""
    if process.poll() is None:
        process.kill()
        process.wait()
    out, said = (tmp_path / "stdout.txt").read_text(), err.read_text()
    processes.keep(what, env, out, said)
    return out, said


@pytest.fixture
def late(pg_empty_url: str, tmp_path: Path) -> tuple[str, str, int]:
    """Return a DATABASE_URL (with a password) to an empty PostgreSQL database through a port
    that does not answer yet, and where that database really is (host, port)."""
    real = make_url(pg_empty_url)
    port = free_port()
    url = real.set(host="127.0.0.1", port=port, password=PASSWORD)
    return url.render_as_string(hide_password=False), real.host or "127.0.0.1", real.port or 5432


def test_db_upgrade_before_postgresql_answers_waits_then_migrates(
    tmp_path: Path, late: tuple[str, str, int]
) -> None:
    """`dondoc db upgrade` (dondoc-migrate.service at boot) on a PostgreSQL that does not
    answer yet: one line saying it waits, without the password, then the migrations from
    nothing, status 0. It ended at once with status 2, and the workers, which require it,
    did not start."""
    url, host, port = late
    env = env_for(tmp_path, DATABASE_URL=url)
    process, err = started(tmp_path, env, "db", "upgrade")
    try:
        line = said_it_waits(process, err)
        with Forwarder(make_url(url).port or 0, host, port):
            process.wait(timeout=START_TIMEOUT)
    finally:
        out, said = ended(process, tmp_path, err, env, "dondoc db upgrade")
    assert process.returncode == 0, said
    assert f"({HEAD})" in out
    assert said.strip().splitlines() == [line]
    assert PASSWORD not in said + out


def test_db_upgrade_on_a_postgresql_that_says_nothing_waits_then_migrates(
    tmp_path: Path, late: tuple[str, str, int]
) -> None:
    """`dondoc db upgrade` on a server that takes the connection and says nothing (hung, or
    a machine down behind a proxy): the attempt gives up after libpq's connect_timeout, and
    the database is waited for as one that refuses. It waited on that connection forever,
    saying nothing, and so did `dondoc serve`."""
    url, host, port = late
    env = env_for(tmp_path, DATABASE_URL=url)
    listening = make_url(url).port or 0
    process, err = started(tmp_path, env, "db", "upgrade")
    try:
        with silent(listening):
            line = said_it_waits(process, err)
        with Forwarder(listening, host, port):
            process.wait(timeout=START_TIMEOUT)
    finally:
        out, said = ended(process, tmp_path, err, env, "dondoc db upgrade")
    assert "timeout" in line
    assert process.returncode == 0, said
    assert f"({HEAD})" in out


def test_serve_before_postgresql_answers_waits_then_answers(
    tmp_path: Path, late: tuple[str, str, int]
) -> None:
    """`dondoc serve` (a dondoc@ worker at boot) on a PostgreSQL that does not answer yet:
    it says so in one line, then migrates, takes its webhook and answers people. It ended at
    once with status 2, which systemd does not restart."""
    url, host, port = late
    token = f"424251:late-db-{uuid.uuid4().hex[:12]}"
    with FakeBotApi(token) as server:
        env = web_env(tmp_path, server, DATABASE_URL=url, LOG_LEVEL="WARNING")
        process, err = started(tmp_path, env, "serve")
        try:
            line = said_it_waits(process, err)
            with Forwarder(make_url(url).port or 0, host, port):
                server.wait_for_sync(
                    lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
                )
                server.add_user(MEMBER, "An")
                server.send_command(MEMBER, "start")
                server.wait_for_sync(
                    lambda: server.messages(MEMBER) or None, START_TIMEOUT, "an answer"
                )
                process.terminate()
                process.wait(timeout=30)
        finally:
            _, said = ended(process, tmp_path, err, env, "dondoc serve")
    assert process.returncode == 0, said
    assert "Traceback" not in said
    assert said.strip().splitlines()[0] == line
    assert PASSWORD not in said
