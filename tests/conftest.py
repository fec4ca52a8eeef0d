"""Fixtures shared by every test: settings, real databases, the fake Bot API server, the bot."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bot.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from tests import processes

# PTB 22 warns on every RetryAfter unless it may use timedelta; we use timedelta throughout.
os.environ["PTB_TIMEDELTA"] = "true"

pytest_plugins = ["tests.harness"]

TEST_TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


@pytest.fixture(scope="session", autouse=True)
def no_bot_process_prints_its_token() -> Iterator[None]:
    """After every test: no output or log line of a bot process a test started shows a token."""
    yield
    leaked = processes.leaks()
    assert not leaked, f"the bot token was printed by: {leaked}"


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


@pytest.fixture
def pg_empty_url(pg_server_url: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    name = f"dondoc_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_engine(pg_empty_url: str) -> Iterator[Engine]:
    """Return an engine on a fresh, migrated PostgreSQL database."""
    eng = make_engine(pg_empty_url)
    upgrade(eng)
    yield eng
    eng.dispose()
