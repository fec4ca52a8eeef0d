"""`dondoc serve` stopped (SIGTERM, as systemd stops it) while a download is being built."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import Session

from app import links
from db.engine import make_engine
from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, dondoc_here, env_for, serve
from tests.factories import make_contact, make_task, make_unit

WEB_SECRET = "serve-stop-secret-0123456789abcdef"
ADMIN = 7401
# A bound on the stop, not a timing figure: systemd kills a service 30 s after SIGTERM.
STOP_BOUND_S = 20


def worker_processes(parent: int) -> list[int]:
    """Return the worker processes (multiprocessing's spawned jobs) of a process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


@contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    """Hold the processes still (SIGSTOP): a job in them takes as long as the test wants, as
    a country's workbook takes a minute; let them go after (those still there)."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):  # ended by the server
                os.kill(pid, signal.SIGCONT)


def arranged(tmp_path: Path, env: dict[str, str]) -> int:
    """Migrate the database, add a commune, a task and the admin; return the admin's id."""
    result = dondoc_here(tmp_path, env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    engine = make_engine(env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            unit = make_unit(session, "X01", "Xã số 1")
            make_task(session, "Báo cáo quý", date(2030, 12, 31), [unit])
            admin = make_contact(session, ADMIN, role="admin", name="An")
            session.commit()
            assert admin.id is not None
            return admin.id
    finally:
        engine.dispose()


def stops_on_sigterm(process: subprocess.Popen[str]) -> bool:
    """Send SIGTERM once, as systemd does; tell whether the server ended within its bound."""
    process.send_signal(signal.SIGTERM)
    try:
        process.communicate(timeout=STOP_BOUND_S)
    except subprocess.TimeoutExpired:
        return False
    return True


def ended(process: subprocess.Popen[str], env: dict[str, str]) -> str:
    """End the server if it still runs (killed), keep its output; return its stderr."""
    if process.poll() is None:
        process.kill()
    out, err = process.communicate(timeout=30)
    processes.keep("dondoc serve", env, out, err)
    return err


def test_sigterm_while_a_download_is_built_stops_the_server_cleanly(tmp_path: Path) -> None:
    """SIGTERM while the worker process builds a dashboard export: the server ends with
    status 0 within systemd's time, the person's request answered 503 (ask again), no
    traceback. Before, uvicorn waited for the request and the exit for the worker process:
    the server had to be killed."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeBotApi(f"424244:serve-stop-token-{os.getpid()}") as server:
        env = env_for(
            tmp_path,
            server,
            WEB_PORT=str(port),
            PUBLIC_BASE_URL=base,
            WEB_SECRET=WEB_SECRET,
            ADMIN_IDS=str(ADMIN),
        )
        person = arranged(tmp_path, env)
        first, link = (
            links.sign(
                links.derive_link_key(WEB_SECRET),
                path="/files/export/all",
                person=str(person),
                expires=datetime.now(UTC) + timedelta(hours=1),
            )
            for _ in range(2)
        )
        process = serve(tmp_path, env)
        answers: list[httpx.Response | Exception] = []

        def ask() -> None:
            try:
                answers.append(
                    httpx.post(f"{base}{link}", headers={"Origin": base}, timeout=START_TIMEOUT)
                )
            except httpx.HTTPError as failed:
                answers.append(failed)

        asking = threading.Thread(target=ask)
        try:
            server.wait_for_sync(
                lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
            )
            # A first export: built in a worker process, which then waits for the next job.
            built = httpx.post(f"{base}{first}", headers={"Origin": base}, timeout=START_TIMEOUT)
            assert built.status_code == 200, built.text
            workers = server.wait_for_sync(
                lambda: worker_processes(process.pid) or None, START_TIMEOUT, "a worker process"
            )
            with frozen(workers):
                asking.start()
                asking.join(3)  # the request reaches the server and waits for its file
                assert asking.is_alive()
                stopped = stops_on_sigterm(process)
        finally:
            err = ended(process, env)
            asking.join(30)
    assert stopped, err[-4000:]
    assert process.returncode == 0, err
    assert "Traceback" not in err
    [answer] = answers
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 503
    assert "khởi động lại" in answer.text  # the person is told to ask again


def test_sigterm_while_a_chat_export_is_built_stops_and_tells_to_ask_again(
    tmp_path: Path,
) -> None:
    """SIGTERM while the worker process builds the workbook of a Telegram /export: the
    server ends with status 0 within systemd's time, no traceback, and the person is told
    the system is restarting and to ask again. Before, the bot's stop waited for the update
    and the exit for the worker process: the server had to be killed."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeBotApi(f"424245:serve-stop-token-{os.getpid()}") as server:
        env = env_for(
            tmp_path,
            server,
            WEB_PORT=str(port),
            PUBLIC_BASE_URL=base,
            WEB_SECRET=WEB_SECRET,
            ADMIN_IDS=str(ADMIN),
        )
        arranged(tmp_path, env)
        server.add_user(ADMIN, "An")
        process = serve(tmp_path, env)
        try:
            server.wait_for_sync(
                lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
            )
            # A first export: built in a worker process, which then waits for the next job.
            server.send_command(ADMIN, "export")
            server.wait_for_sync(
                lambda: [m for m in server.messages(ADMIN) if m.document] or None,
                START_TIMEOUT,
                "the first workbook",
            )
            workers = server.wait_for_sync(
                lambda: worker_processes(process.pid) or None, START_TIMEOUT, "a worker process"
            )
            with frozen(workers):
                server.send_command(ADMIN, "export")
                threading.Event().wait(3)  # the update reaches its handler, which waits
                stopped = stops_on_sigterm(process)
        finally:
            err = ended(process, env)
    assert stopped, err[-4000:]
    assert process.returncode == 0, err
    assert "Traceback" not in err
    said = [m.text or "" for m in server.messages(ADMIN)]
    assert any("khởi động lại" in text for text in said), said


def listening(base: str) -> bool:
    """Tell whether the server answers its liveness probe yet."""
    try:
        return httpx.get(f"{base}/livez", timeout=START_TIMEOUT).status_code == 200
    except httpx.HTTPError:
        return False


def test_sigterm_while_a_client_holds_back_its_body_stops_the_server_cleanly(
    tmp_path: Path,
) -> None:
    """SIGTERM while anyone at all holds a sign-in post open, its body half sent: the server
    ends with status 0 within systemd's time, the post answered 503. Before, uvicorn waited
    for that request for as long as its sender liked, the bot's own stop after it: a client
    that never finished its body kept the service from stopping until systemd killed it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeBotApi(f"424246:serve-stop-token-{os.getpid()}") as server:
        env = env_for(
            tmp_path, server, WEB_PORT=str(port), PUBLIC_BASE_URL=base, WEB_SECRET=WEB_SECRET
        )
        arranged(tmp_path, env)
        process = serve(tmp_path, env)
        try:
            server.wait_for_sync(lambda: listening(base) or None, START_TIMEOUT, "the server")
            with socket.create_connection(("127.0.0.1", port), timeout=START_TIMEOUT) as held:
                held.sendall(
                    b"POST /login/telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 4000\r\n\r\ninitData=query_id%3D"
                )
                # Answered after the held post came: the server is reading its body now.
                assert listening(base)
                stopped = stops_on_sigterm(process)
                answer = held.recv(200) if stopped else b""
        finally:
            err = ended(process, env)
    assert stopped, err[-4000:]
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert answer.startswith(b"HTTP/1.1 503"), answer
