"""The bot's log lines as an operator reads them: in systemd's journal, or stamped elsewhere."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.logsafe import REDACTED, redacting_handler

SECRET = "424242:AAH-a-token-that-must-not-show"


@pytest.fixture
def utc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A server set to UTC, as most are (and the image is)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, journal: bool) -> list[str]:
    """Return the lines a handler wrote to stderr (a file here) for an info, a warning and an
    error with its traceback; `journal`: stderr is the one JOURNAL_STREAM names, as under
    systemd, else JOURNAL_STREAM names another stream (a unit's command redirected)."""
    err = (tmp_path / "stderr").open("w", encoding="utf-8")
    found = os.fstat(err.fileno())
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("JOURNAL_STREAM", f"{found.st_dev}:{found.st_ino + (0 if journal else 1)}")
    logger = logging.getLogger(f"dondoc.test.{journal}")
    logger.propagate = False
    logger.handlers[:] = [redacting_handler([SECRET])]
    logger.setLevel(logging.INFO)
    logger.info("queued %d reminders in %d messages", 9, 6)
    logger.warning("Telegram unreachable with %s", SECRET)
    try:
        raise RuntimeError(f"refused {SECRET}")
    except RuntimeError:
        logger.exception("the sender stopped")
    err.close()
    return (tmp_path / "stderr").read_text(encoding="utf-8").splitlines()


def test_under_systemd_each_line_carries_its_priority_and_no_time_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """journald stamps every line itself and read each of the bot's as info (so
    `journalctl -p warning` showed nothing) after a time of the bot's own: each line now
    begins with its priority, a traceback's lines with their error's."""
    lines = logged(tmp_path, monkeypatch, journal=True)
    assert lines[:3] == [
        "<6>INFO dondoc.test.True: queued 9 reminders in 6 messages",
        f"<4>WARNING dondoc.test.True: Telegram unreachable with {REDACTED}",
        "<3>ERROR dondoc.test.True: the sender stopped",
    ]
    assert lines[3] == "<3>Traceback (most recent call last):"
    assert lines[-1] == f"<3>RuntimeError: refused {REDACTED}"
    assert all(line.startswith("<3>") for line in lines[3:])


@pytest.mark.usefixtures("utc_server")
def test_elsewhere_each_line_is_stamped_with_the_servers_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a server set to UTC (docker compose logs, a terminal, a file) the morning's
    reminders were logged at "00:30:21", no zone said: the time now carries its offset."""
    lines = logged(tmp_path, monkeypatch, journal=False)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+00:00"
    assert re.fullmatch(
        rf"{stamp} INFO dondoc\.test\.False: queued 9 reminders in 6 messages", lines[0]
    )
    assert re.fullmatch(rf"{stamp} ERROR dondoc\.test\.False: the sender stopped", lines[2])
    assert lines[3] == "Traceback (most recent call last):"
    assert SECRET not in "\n".join(lines)


@pytest.mark.parametrize("secrets", [[], [SECRET]])
def test_words_a_person_typed_stay_on_their_line_of_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets: list[str]
) -> None:
    """A command refused is logged with the words typed; typed with a line break and a line
    of the log's shape after it ("/units⏎<3>ERROR web.server: ..."), they made a second
    line, a record the bot never logged, in the journal and in `docker compose logs` alike.
    The break is written as \\n, within the line."""
    err = (tmp_path / "stderr").open("w", encoding="utf-8")
    found = os.fstat(err.fileno())
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("JOURNAL_STREAM", f"{found.st_dev}:{found.st_ino}")
    logger = logging.getLogger(f"dondoc.test.typed.{len(secrets)}")
    logger.propagate = False
    logger.handlers[:] = [redacting_handler(secrets)]
    logger.setLevel(logging.INFO)
    typed = "/units\r\n<3>ERROR web.server: forged"
    logger.info("refused %s (needs %s) to %s", typed, "ADMIN", "Lan")
    err.close()
    lines = (tmp_path / "stderr").read_text(encoding="utf-8").splitlines()
    assert lines == [
        f"<6>INFO {logger.name}: refused /units\\r\\n<3>ERROR web.server: forged (needs ADMIN)"
        " to Lan"
    ]
