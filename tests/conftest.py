"""Fixtures shared by every test: settings, real databases, the fake Bot API server, the bot."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

import bot.app
import bot.commands.run
import bot.commands.serving
import handlers.telegram.inbox_app
import scheduler.standalone
from bot.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from scheduler import workers
from tests import processes

# PTB 22 warns on every RetryAfter unless it may use timedelta; we use timedelta throughout.
os.environ["PTB_TIMEDELTA"] = "true"

pytest_plugins = ["tests.harness", "tests.order", "tests.browser"]

# Hypothesis fails an example that takes over 200 ms: a timing assertion, which a loaded
# machine (the suite's two processes, a bot process starting beside) trips now and then.
# How fast parsing is belongs to the benchmarks; here only what it returns is checked.
hypothesis_settings.register_profile("dondoc", deadline=None)
hypothesis_settings.load_profile("dondoc")

TEST_TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


@pytest.fixture(scope="session", autouse=True)
def no_bot_process_prints_its_token() -> Iterator[None]:
    """After every test: no output or log line of a bot process a test started shows a token."""
    yield
    leaked = processes.leaks()
    assert not leaked, f"the bot token was printed by: {leaked}"


def stop_processes_keeping_an_idle_pool() -> None:
    """Stop the bot's worker processes as `dondoc` does, but keep a pool with nothing to stop.

    A bot that stops asks the jobs in its worker processes to give up and lets the processes
    go (`scheduler.workers.stop_processes`); the next bot spawns new ones, each importing for
    a second or two before its first job. When no job is queued or running in the pool, the
    stop event reaches nothing: the pool is idle, its processes hold no state of the test
    but engines cached by database URL (`app.jobs`), and every test's database has a URL of
    its own. So the next test's bot is given the same warm processes, as a bot running for
    days reuses its own. With a job still in flight the bot's own stop runs, unchanged.
    """
    pool = workers._processes
    if pool is None or pool._broken or pool._pending_work_items:
        workers.stop_processes()
        return
    workers._warming = None  # as after a stop: the next warm-up asks the (warm) pool again


# Every module of ours that stops the worker processes when a bot stops (each imports
# `stop_processes` by name): the session fixture below replaces the name in each, and
# tests/test_worker_pool.py fails if a module naming it is missing here.
STOPPERS = (
    bot.app,
    bot.commands.run,
    scheduler.standalone,
    handlers.telegram.inbox_app,
    bot.commands.serving,
)


@pytest.fixture(scope="session", autouse=True)
def worker_processes_outlive_a_test() -> Iterator[None]:
    """Let an idle pool of worker processes serve the next test's bot (see above).

    Only the stops of a bot's application (its `stop()`, the Telegram inbox's too) and of
    the Zalo-only jobs are replaced; a test calling `scheduler.workers.stop_processes`
    itself stops the pool as `dondoc` does. At the end of the session the pool is stopped.
    """
    with pytest.MonkeyPatch.context() as patch:
        for module in STOPPERS:
            patch.setattr(module, "stop_processes", stop_processes_keeping_an_idle_pool)
        yield
    workers.stop_processes()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an SQLite file migrated to head once, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db_path(tmp_path: Path, migrated_template: Path) -> Path:
    """Return the path of a fresh, migrated SQLite database for this test."""
    path = tmp_path / "dondoc.sqlite3"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    """Return an engine on this test's SQLite database."""
    eng = make_engine(f"sqlite:///{db_path}")
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """Return a session on this test's database."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings(db_path: Path, tmp_path: Path) -> Settings:
    """Return settings for a bot on this test's database (base URLs set by the harness)."""
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=f"sqlite:///{db_path}",
        evidence_dir=tmp_path / "evidence",
        zalo_poll_timeout_s=1,  # a stop waits for the open poll: a second, not ten
    )


def postgres_url() -> str | None:
    """Return the PostgreSQL server URL for database tests, if configured."""
    return os.environ.get("TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """Return TEST_POSTGRES_URL or skip, saying why."""
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    return url


@contextmanager
def _database(server_url: str, *, template: str | None = None) -> Iterator[str]:
    """Create a database on the server (empty, or a copy of `template`), drop it after."""
    name = f"dondoc_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_empty_url(pg_server_url: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    with _database(pg_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated_template(pg_server_url: str) -> Iterator[str]:
    """Return the name of a PostgreSQL database migrated to head once, for tests to copy.

    Named anew each run and dropped at the end, like every test database; nothing stays
    connected to it, which PostgreSQL requires of a template.
    """
    with _database(pg_server_url) as url:
        eng = make_engine(url)
        upgrade(eng)
        eng.dispose()
        database = make_url(url).database
        assert database is not None
        yield database


class SpareDatabases:
    """Fresh copies of the migrated template, each made while the test before runs.

    Copying the template takes PostgreSQL a third of a second of disk work, which a test
    used to wait for at its start (and dropping its database at its end). Here a thread
    copies the next test's database ahead, and drops a finished test's database after it:
    each test still gets a database of its own, copied from the template and never used
    before, and none outlives the session.
    """

    def __init__(self, server_url: str, template: str) -> None:
        self._server_url = server_url
        self._template = template
        self._admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-database")
        self._next: Future[str] | None = None
        self._drops: list[Future[None]] = []

    def take(self) -> str:
        """Return the URL of a fresh copy of the template, and start copying the next one."""
        ready = self._next or self._thread.submit(self._copy)
        name = ready.result()
        self._next = self._thread.submit(self._copy)
        return make_url(self._server_url).set(database=name).render_as_string(hide_password=False)

    def give_back(self, url: str) -> None:
        """Drop a test's database (in the thread, after the copy under way)."""
        name = make_url(url).database
        assert name is not None
        self._drops.append(self._thread.submit(self._drop, name))

    def close(self) -> None:
        """Drop the spare copy, wait for every drop, and fail if one failed."""
        if self._next is not None:
            self._drops.append(self._thread.submit(self._drop, self._next.result()))
        self._thread.shutdown(wait=True)
        self._admin.dispose()
        for drop in self._drops:
            drop.result()

    def _copy(self) -> str:
        """Create a database copied from the template; return its name."""
        name = f"dondoc_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        return name

    def _drop(self, name: str) -> None:
        """Drop a database, ending any connection still open to it."""
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_spare_databases(pg_server_url: str, pg_migrated_template: str) -> Iterator[SpareDatabases]:
    """Copy each test's migrated PostgreSQL database ahead of it (see SpareDatabases)."""
    spares = SpareDatabases(pg_server_url, pg_migrated_template)
    try:
        yield spares
    finally:
        spares.close()


@pytest.fixture
def pg_url(pg_spare_databases: SpareDatabases) -> Iterator[str]:
    """Return the URL of a fresh PostgreSQL database migrated to head, dropped afterwards."""
    url = pg_spare_databases.take()
    try:
        yield url
    finally:
        pg_spare_databases.give_back(url)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """Return an engine on a fresh, migrated PostgreSQL database."""
    eng = make_engine(pg_url)
    yield eng
    eng.dispose()
