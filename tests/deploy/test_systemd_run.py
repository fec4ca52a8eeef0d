"""The systemd units' command lines, run as systemd would run them, on PostgreSQL.

No systemd runs the tests, so each unit's ExecStart is started by hand: the environment of
its EnvironmentFile (the README's /etc/dondoc/env template, filled in for the test) and its
Environment lines, its WorkingDirectory moved under the test's folder, and dondoc from this
virtualenv instead of /opt/dondoc. Caddy, when installed, serves deploy/Caddyfile in front.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from db.engine import make_engine
from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT
from tests.deploy.files import (
    DEPLOY,
    INSTALLED,
    ROOT,
    STATE_DIR,
    Unit,
    caddy,
    dockerfile,
    parse_env,
    read_unit,
    readme_env_template,
    unescape_command,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

USER_ID = 7301
BACKUPS = "/var/backups/dondoc"

T = TypeVar("T")


class Host:
    """A machine as the units see it, under the test's folder: the env file, state, backups."""

    def __init__(self, root: Path, settings: Mapping[str, str]) -> None:
        self.root = root
        self.state = root / "state"
        self.backups = root / "backups"
        self.state.mkdir()
        self.backups.mkdir()
        template = parse_env(readme_env_template())
        self.settings = {**template, **settings}
        self.env_file = root / "env"
        lines = [f"{key}={value}" for key, value in self.settings.items()]
        self.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def environment(self, unit: Unit) -> dict[str, str]:
        """Return the process environment systemd would give the unit's ExecStart."""
        service = unit["Service"]
        assert service["EnvironmentFile"] == ["/etc/dondoc/env"]
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
        env["HOME"] = str(self.state)
        for line in service.get("Environment", []):
            for word in shlex.split(line):
                key, _, value = word.partition("=")
                env[key] = self.moved(value)
        # EnvironmentFile= wins over Environment= (systemd.exec(5)).
        env.update(parse_env(self.env_file.read_text(encoding="utf-8")))
        return env

    def moved(self, text: str) -> str:
        """Return a command or value with the machine's paths moved under the test's folder."""
        dondoc = str(Path(sys.executable).with_name("dondoc"))
        return (
            text.replace(INSTALLED, dondoc)
            .replace(BACKUPS, str(self.backups))
            .replace(STATE_DIR, str(self.state))
            .replace("/var/cache/dondoc", str(self.state / "cache"))
        )

    def command(self, line: str, instance: str = "") -> list[str]:
        """Return an ExecStart line as the argv systemd would run."""
        return shlex.split(self.moved(unescape_command(line, instance)))

    def run(self, name: str, instance: str = "") -> list[subprocess.CompletedProcess[str]]:
        """Run a one-shot unit's ExecStart lines in order, as systemd does; stop at a failure."""
        unit = read_unit(DEPLOY / name)
        assert unit["Service"]["Type"] == ["oneshot"]
        env = self.environment(unit)
        cwd = self.moved(unit["Service"].get("WorkingDirectory", [str(self.state)])[0])
        done = []
        for line in unit["Service"]["ExecStart"]:
            result = subprocess.run(
                self.command(line, instance),
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            processes.keep(f"{name}: {line}", env, result.stdout, result.stderr)
            done.append(result)
            assert result.returncode == 0, f"{name}: {line}\n{result.stderr[-2000:]}"
        return done

    @contextmanager
    def serving(self, name: str, instance: str) -> Iterator[subprocess.Popen[str]]:
        """Run a worker unit's ExecStart until the block ends; it must stop with status 0.

        A failure in the block carries what the worker printed (why it died, say).
        """
        unit = read_unit(DEPLOY / name)
        env = self.environment(unit)
        (line,) = unit["Service"]["ExecStart"]
        process = subprocess.Popen(
            self.command(line, instance),
            cwd=self.moved(unit["Service"]["WorkingDirectory"][0]),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def stopped() -> tuple[str, str]:
            if process.poll() is None:
                process.terminate()  # systemd's stop: SIGTERM
            out, err = process.communicate(timeout=60)
            processes.keep(f"{name} {instance}", env, out, err)
            return out, err

        try:
            yield process
        except BaseException as exc:
            exc.add_note(f"{name} {instance} printed:\n{stopped()[1][-3000:]}")
            raise
        out, err = stopped()
        assert process.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        for secret in ("BOT_TOKEN", "WEB_SECRET"):
            assert self.settings[secret] not in out + err


@contextmanager
def caddy_in_front(root: Path, site: str, upstreams: list[int]) -> Iterator[None]:
    """Run deploy/Caddyfile for `site` over loopback upstreams (admin endpoint off)."""
    env = {
        **os.environ,
        "DONDOC_DOMAIN": site,
        "DONDOC_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in upstreams),
        "XDG_DATA_HOME": str(root / "caddy-data"),
        "XDG_CONFIG_HOME": str(root / "caddy-config"),
    }
    adapted = caddy("adapt", env)
    assert adapted.returncode == 0, adapted.stderr[-2000:]
    config = json.loads(adapted.stdout)
    config["admin"] = {"disabled": True}  # another Caddy on the machine may hold :2019
    path = root / "caddy.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    # Its log (JSON lines) tells of the health checks failing on the dead upstream.
    process = subprocess.Popen(
        ["caddy", "run", "--config", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def while_running(process: subprocess.Popen[str], probe: Callable[[], T | None], what: str) -> T:
    """Wait until `probe` returns something other than None, and return that.

    It fails at once when the worker has exited (its port taken, say): nothing it was to do
    will come then. The deadline is START_TIMEOUT, for a loaded machine.
    """
    deadline = time.monotonic() + START_TIMEOUT
    while (value := probe()) is None:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}) before {what}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"no {what} in {START_TIMEOUT} s")
        time.sleep(0.25)
    return value


def wait_healthy(process: subprocess.Popen[str], url: str, port: int) -> httpx.Response:
    """Wait until GET url (a /healthz) answers 200, and the worker at `port` is this one;
    return the worker's /metrics/health (the detail, read on the internal network).

    The detail names the worker (host:pid:...): another process listening at the port does
    not pass for this one.
    """
    with httpx.Client(timeout=5) as client:

        def answered() -> httpx.Response | None:
            try:
                answer = client.get(url)
                detail = client.get(f"http://127.0.0.1:{port}/metrics/health")
            except httpx.TransportError:  # refused before it listens, or slow under load
                return None
            if answer.status_code != 200 or detail.status_code != 200:
                return None
            assert answer.json() == {"status": "ok"}, f"{url}: {answer.text[:300]}"
            assert worker_pid(detail) == process.pid, f"{port}: {detail.text[:300]}"
            return detail

        return while_running(process, answered, f"200 from {url}")


def worker_pid(health: httpx.Response) -> int:
    """Return the pid of the worker whose /metrics/health answered (WORKERS=multi names it)."""
    name = str(health.json().get("worker", {}).get("name", ""))
    return int(name.split(":")[1]) if name.count(":") >= 2 else 0


def image_health_check(port: int) -> int:
    """Run the Dockerfile's HEALTHCHECK command against a worker's port; return its status."""
    (line,) = [rest for word, rest in dockerfile() if word == "HEALTHCHECK"]
    argv = json.loads(line.split(" CMD ", 1)[1])
    assert argv[0] == "python"
    env = {"PATH": os.environ["PATH"], "WEB_PORT": str(port)}
    return subprocess.run([sys.executable, *argv[1:]], env=env, timeout=30, check=False).returncode


def import_example_units(host: Host, env: dict[str, str]) -> None:
    """Import the example province's units with `dondoc units import`, as an admin would on
    the server, with the environment `env` (a unit's)."""
    units = subprocess.run(
        [
            str(Path(sys.executable).with_name("dondoc")),
            "units",
            "import",
            str(ROOT / "examples" / "units_quang_nam_2021.csv"),
        ],
        cwd=host.state,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert units.returncode == 0, units.stderr[-2000:]


def settings_for(pg_url: str, server: FakeBotApi, public: str, root: Path) -> dict[str, str]:
    """Return the test's values for the template: its database, the fake server, secrets."""
    return {
        "BOT_TOKEN": server.token,
        "WEB_SECRET": f"deploy-test-secret-{uuid.uuid4().hex}",
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "DATABASE_URL": pg_url,
        "PUBLIC_BASE_URL": public,
        "EVIDENCE_DIR": str(root / "state" / "evidence"),
        "ADMIN_IDS": str(USER_ID),
    }


def test_the_worker_unit_serves_on_postgresql_after_the_migrate_unit(
    tmp_path: Path, pg_empty_url: str
) -> None:
    """dondoc-migrate, then dondoc@PORT: its webhook is set, it answers, /healthz is 200."""
    port = free_port()
    token = f"424244:deploy-test-token-{uuid.uuid4().hex[:12]}"
    with FakeBotApi(token) as server:
        public = f"http://127.0.0.1:{port}"
        host = Host(tmp_path, settings_for(pg_empty_url, server, public, tmp_path))
        host.run("dondoc-migrate.service")
        with host.serving("dondoc@.service", str(port)) as worker:
            while_running(worker, lambda: server.webhook_info().url or None, "setWebhook")
            assert server.webhook_info().url == f"{public}/webhook/telegram"
            health = wait_healthy(worker, f"{public}/healthz", port)
            assert health.json()["database"] is True
            assert image_health_check(port) == 0, "the image's HEALTHCHECK passes"
            assert image_health_check(free_port()) != 0, "and fails where nothing answers"
            server.add_user(USER_ID, "An")
            server.send_command(USER_ID, "start")
            while_running(worker, lambda: server.messages(USER_ID) or None, "a reply")


def test_caddy_spreads_requests_and_skips_a_worker_that_is_down(
    tmp_path: Path, pg_empty_url: str
) -> None:
    """Through deploy/Caddyfile: webhooks and /healthz reach the worker; a dead one is skipped."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy: not installed (Debian's package `caddy`): no worker ran behind it")
    worker, down, front = free_port(), free_port(), free_port()
    public = f"http://127.0.0.1:{front}"
    token = f"424245:deploy-test-token-{uuid.uuid4().hex[:12]}"
    with FakeBotApi(token) as server:
        host = Host(tmp_path, settings_for(pg_empty_url, server, public, tmp_path))
        host.run("dondoc-migrate.service")
        with (
            caddy_in_front(tmp_path, public, [worker, down]),
            host.serving("dondoc@.service", str(worker)) as process,
        ):
            while_running(process, lambda: server.webhook_info().url or None, "setWebhook")
            wait_healthy(process, f"{public}/healthz", worker)
            with httpx.Client(timeout=20) as client:
                # The dead upstream is skipped: marked down by a health check, or retried.
                answers = [client.get(f"{public}/healthz").status_code for _ in range(6)]
                assert answers == [200] * 6
                for internal in ("/metrics", "/metrics/health"):  # the internal network's
                    assert client.get(f"{public}{internal}").status_code == 404
                    assert client.get(f"http://127.0.0.1:{worker}{internal}").status_code == 200
            server.add_user(USER_ID, "An")
            server.send_command(USER_ID, "start")  # delivered by webhook through Caddy
            while_running(process, lambda: server.messages(USER_ID) or None, "a reply")


def test_the_backup_unit_dumps_what_pg_restore_brings_back(
    tmp_path: Path, pg_empty_url: str
) -> None:
    """dondoc-backup's commands on a database with units: the dump restores every row."""
    with FakeBotApi() as server:
        host = Host(tmp_path, settings_for(pg_empty_url, server, "http://127.0.0.1:1", tmp_path))
        host.run("dondoc-migrate.service")
        import_example_units(host, host.environment(read_unit(DEPLOY / "dondoc-migrate.service")))
        stored = host.state / "evidence" / "1" / "bien-ban.pdf"
        stored.parent.mkdir(parents=True)
        stored.write_bytes(b"%PDF-1.4 evidence")
        host.run("dondoc-backup.service")
    (dump,) = host.backups.glob("dondoc-*.dump")
    assert (host.backups / "evidence" / "1" / "bien-ban.pdf").read_bytes() == stored.read_bytes()
    restored = make_url(pg_empty_url).set(database=f"{make_url(pg_empty_url).database}_restored")
    admin = make_engine(pg_empty_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{restored.database}"'))
    try:
        url = restored.render_as_string(hide_password=False)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", url, str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert row_counts(url) == row_counts(pg_empty_url)
        assert row_counts(url)["unit"] > 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored.database}" WITH (FORCE)'))
        admin.dispose()


def test_the_backup_unit_copies_a_live_sqlite_database_and_its_evidence(tmp_path: Path) -> None:
    """A small province on SQLite (dondoc.service alone, DATABASE_URL and EVIDENCE_DIR left
    to their defaults) gets its nightly backup too: pg_dump failed on the sqlite:// URL every
    night, and the evidence was looked for in /var/lib/dondoc/evidence, where dondoc keeps
    none. The copy holds what the running bot wrote, its WAL included, in one file."""
    with FakeBotApi() as server:
        settings = settings_for("sqlite:///data/dondoc.sqlite3", server, "http://x:1", tmp_path)
        host = Host(tmp_path, settings | {"EVIDENCE_DIR": ""})
        host.run("dondoc-migrate.service")
        env = host.environment(read_unit(DEPLOY / "dondoc-migrate.service"))
        import_example_units(host, env)
        stored = host.state / "data" / "evidence" / "1" / "bien-ban.pdf"
        stored.parent.mkdir(parents=True)
        stored.write_bytes(b"%PDF-1.4 evidence")
        live = sqlite3.connect(host.state / "data" / "dondoc.sqlite3")  # the bot, writing
        try:
            live.execute("PRAGMA wal_autocheckpoint=0")
            live.execute("UPDATE unit SET name = 'Sở Y tế (mới)' WHERE code = 'SYT'")
            live.commit()
            host.run("dondoc-backup.service")
        finally:
            live.close()
    (copy,) = host.backups.glob("dondoc-*.sqlite3")
    assert sorted(p.name for p in host.backups.iterdir()) == [copy.name, "evidence"]
    assert (host.backups / "evidence" / "1" / "bien-ban.pdf").read_bytes() == stored.read_bytes()
    restored = sqlite3.connect(f"{copy.as_uri()}?immutable=1", uri=True)
    try:
        names = {name for (name,) in restored.execute("SELECT name FROM unit")}
    finally:
        restored.close()
    assert "Sở Y tế (mới)" in names
    assert len(names) > 1


def row_counts(url: str) -> dict[str, int]:
    """Return every table's number of rows."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                for n in names
            }
    finally:
        engine.dispose()
