"""Console logging: what an operator's terminal and log files may show."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

import pytest

from bot.commands.startup import secrets_of
from bot.console import REDACTED, RedactSecrets, setup_logging
from bot.settings import Settings
from bot.web import telegram_secret, zalo_secret
from db.engine import make_engine
from db.migrate import upgrade

TOKEN = "987654321:AAHsecret-for-the-redaction-test-0123"


def log_line(emit: logging.Logger, buffer: io.StringIO) -> str:
    """Return what the handler wrote."""
    for handler in emit.handlers:
        handler.flush()
    return buffer.getvalue()


def test_log_records_never_show_the_token() -> None:
    """The token in a message, its arguments, an exception and a stack is replaced."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RedactSecrets([TOKEN]))
    emit = logging.getLogger("tests.console.redaction")
    emit.addHandler(handler)
    emit.propagate = False
    try:
        emit.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        emit.warning(f"token {TOKEN} in the message itself", stack_info=True)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            emit.exception("start-up failed")
    finally:
        emit.removeHandler(handler)
    output = log_line(emit, buffer)
    assert TOKEN not in output
    assert TOKEN.partition(":")[2] not in output
    assert output.count(REDACTED) >= 3
    assert "was rejected by the server" in output


def test_debug_logging_keeps_ptb_quiet_and_hides_derived_secrets() -> None:
    """At LOG_LEVEL=DEBUG, PTB's lines (every message's text: sign-in links, codes) stay out,
    and the derived webhook secrets and the database's password are in the redaction list."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("telegram").level)
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        web_secret="a-web-secret-of-enough-length",
        zalo_bot_token="2718281828:zalo-secret-for-the-redaction-test",
        database_url="postgresql://dondoc:Db-Passw0rd@db/dondoc",
    )
    try:
        setup_logging("DEBUG", secrets_of(settings))
        assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], _, _ = saved
        root.setLevel(saved[1])
        logging.getLogger("telegram").setLevel(saved[2])
    hidden = secrets_of(settings)
    assert telegram_secret(settings) in hidden
    assert zalo_secret(settings) in hidden
    assert "Db-Passw0rd" in hidden


def test_a_database_password_given_as_a_parameter_is_redacted() -> None:
    """A database password given as `?password=` is in the redaction list, as one before
    the host is: it was left out, so a log line naming the URL showed it."""
    url = "postgresql://dondoc@db/dondoc?password=Db-Passw0rd&sslmode=require"
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=url)
    assert "Db-Passw0rd" in secrets_of(settings)


def test_a_job_cut_short_by_the_stop_is_one_line_and_an_error_in_a_job_its_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A scheduled job still running at the stop is cancelled by the scheduler's shutdown:
    APScheduler logged "Error running job" with the CancelledError's traceback (seen in a
    stop soon after a start, the sweep's warm-up running). One line now; a job's real error
    keeps its traceback."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    scheduler = logging.getLogger("apscheduler.executors.default")
    try:
        setup_logging("INFO", [])
        scheduler.setLevel(logging.INFO)  # as it is: setup_logging leaves it at WARNING
        try:
            raise asyncio.CancelledError
        except asyncio.CancelledError:
            scheduler.error("Error running job %s", "3292b0786", exc_info=True)
        cut = capsys.readouterr().err
        try:
            raise LookupError("no such table: outbox")
        except LookupError:
            scheduler.error("Error running job %s", "5f1e0aa01", exc_info=True)
        failed = capsys.readouterr().err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        scheduler.setLevel(logging.NOTSET)
    assert "job 3292b0786 cut short by the stop" in cut
    assert "Traceback" not in cut
    assert "ERROR" not in cut
    assert "Error running job 5f1e0aa01" in failed
    assert "Traceback" in failed
    assert "no such table: outbox" in failed


def test_a_start_logs_the_migrations_it_runs_and_not_alembics_plugins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every `dondoc serve` and `run` applies the migrations at start: Alembic logged seven
    "setup plugin alembic.autogenerate..." lines each time, before the lines that matter (a
    migration run). Those stay; the plugins' are gone."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    engine = make_engine(f"sqlite:///{tmp_path / 'start.sqlite3'}")
    try:
        setup_logging("INFO", [])
        upgrade(engine)
        logged = capsys.readouterr().err
    finally:
        engine.dispose()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert "Running upgrade  -> 0001, initial" in logged
    assert "setup plugin" not in logged
