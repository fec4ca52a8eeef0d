"""A database error logged says what failed, not the words a person typed.

The statement's parameters (an official's reason, a name) went into the log with the
error ("[parameters: (..., 'vì cầu Bắc Nhạn ngập sâu', ...)]"), and PostgreSQL's DETAIL
quotes the row refused ("Failing row contains (..., cầu Bắc Nhạn ngập sâu, ...)"): the
operators promise a day's logs hold no person's words. Every engine hides the parameters,
the log's handler PostgreSQL's DETAIL; the error's kind and statement are still said.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.logsafe import redacting_handler
from db.engine import make_engine
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import BotUnderTest

REASON = "vì cầu Bắc Nhạn ngập sâu"
# The database refuses a request's insert: a trigger on SQLite, a constraint on PostgreSQL
# (whose error's DETAIL quotes the row).
REFUSE = {
    "sqlite": """
        CREATE TRIGGER refuse_requests BEFORE INSERT ON extension_request
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
    """,
    "postgresql": """
        ALTER TABLE extension_request ADD CONSTRAINT refused_by_the_test
        CHECK (length(reason) < 5) NOT VALID
    """,
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Engine]:
    """Return the bot's engine: on this test's SQLite file, then a PostgreSQL database."""
    url = (
        f"sqlite:///{db_path}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    )
    made = make_engine(url)
    yield made
    made.dispose()


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Return what the bot's own log handler (bot.console.setup_logging's) writes."""
    handler = redacting_handler([])
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    handler.setStream(written)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield written
    finally:
        root.removeHandler(handler)


async def test_a_refused_write_is_logged_without_the_officials_words(
    bot: BotUnderTest, log: io.StringIO
) -> None:
    """Lan asks for an extension and the database refuses the request's insert: she gets
    the error's reference, the log says the error and its statement, and not her reason."""
    world = await scene(bot)
    with bot.engine.begin() as connection:
        connection.execute(text(REFUSE[bot.engine.dialect.name]))
    reply = await bot.send(
        OFFICIAL,
        f"#{world.tasks[0].id} xin gia hạn đến 15/12/2026 {REASON}",
        match=lambda m: "mã lỗi" in (m.text or "") or "gia hạn" in (m.text or ""),
    )
    assert "mã lỗi" in (reply.text or "")
    logged = log.getvalue()
    assert "while handling an update" in logged
    assert "IntegrityError" in logged
    assert "refused" in logged
    assert "INSERT INTO extension_request" in logged
    assert "Bắc Nhạn" not in logged
