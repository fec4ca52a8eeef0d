"""Logging that never prints a secret, in the bot's process and in its worker processes.

`bot/console.setup_logging` puts `RedactSecrets` on the main process's handler; a worker
process (`scheduler/workers.py`, spawned) sets up its own handler with the same filter and
the same secrets (`secrets_redacted` reads them from the parent's handlers).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

REDACTED = "<redacted>"
# PostgreSQL's DETAIL of an error quotes the values of the row or key it is about
# ("Failing row contains (..., 'an official's reason', ...)", "Key (name)=(...) already
# exists"): a person's words, which a day's logs must not hold (the engines hide the
# statements' parameters). The error's kind and constraint are said in its first line.
PG_DETAIL = re.compile(r"DETAIL:[^\n]*")
DETAIL_HIDDEN = "DETAIL: <values hidden>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# systemd's journal stamps each line itself (its own time, in journalctl's zone).
JOURNAL_FORMAT = "%(levelname)s %(name)s: %(message)s"
# The syslog priority the journal reads from a line's "<N>" prefix (sd-daemon(3)).
JOURNAL_PRIORITY = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


class StampedFormatter(logging.Formatter):
    """The bot's lines, each stamped with its time and the server's UTC offset.

    A server (or an image) set to UTC stamped "00:30:21" for the morning's 07:30
    reminders, with nothing to say which zone that was.
    """

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """Return the record's time as ISO 8601 with its offset (2026-11-18T07:30:21.702+07:00)."""
        moment = datetime.fromtimestamp(record.created).astimezone()
        return moment.isoformat(sep=" ", timespec="milliseconds")


class JournalFormatter(logging.Formatter):
    """The bot's lines as systemd's journal takes them from stderr: no time of their own, and
    each line (a traceback's too) prefixed with its record's priority, so that
    `journalctl -p warning` shows the warnings and errors whole, not every line as info."""

    def __init__(self) -> None:
        super().__init__(JOURNAL_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Return the record's text, every line of it with its priority's prefix."""
        level = max((lv for lv in JOURNAL_PRIORITY if lv <= record.levelno), default=0)
        prefix = f"<{JOURNAL_PRIORITY.get(level, 7)}>"
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def writes_to_journal(stream: TextIO) -> bool:
    """Tell whether `stream` is systemd's journal: the unit's stderr, as JOURNAL_STREAM names
    it (device:inode); a command of the unit whose stderr goes to a file is not."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        found = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's buffer)
        return False
    return (found.st_dev, found.st_ino) == (int(device), int(inode))


# A line break in a text argument, written out: a person's words stay on their line.
ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r"})


def _on_one_line(value: object) -> object:
    """Return a text argument with its line breaks written out; any other as it is."""
    return value.translate(ONE_LINE) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Replace the bot token wherever it would appear in a log record, and PostgreSQL's
    DETAIL of an error, which quotes a row's values (PG_DETAIL); keep the texts a record is
    given on its line.

    URLs carry the token, and so do some exceptions (PTB's InvalidToken names it): the
    message with its arguments, the exception's text and the stack are all rewritten. A
    text argument may be what a person typed (a refused command's words): its line breaks
    are written out (\\n), or a line of the journal's shape after one was a second record
    that the bot never logged.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """Return the text with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        if "DETAIL:" in text:
            text = PG_DETAIL.sub(DETAIL_HIDDEN, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message, exception text and stack without the secrets (and
        PostgreSQL's DETAIL), its text arguments on one line."""
        if isinstance(record.args, tuple):
            record.args = tuple(_on_one_line(arg) for arg in record.args)
        elif isinstance(record.args, dict):  # logging's "%(name)s" with one mapping
            record.args = {key: _on_one_line(arg) for key, arg in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the formatter reports it, unredacted args too
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_redacted(logger: logging.Logger | None = None) -> list[str]:
    """Return the secrets the handlers of a logger (the root's by default) redact."""
    handlers = (logger or logging.getLogger()).handlers
    found = [
        s for h in handlers for f in h.filters if isinstance(f, RedactSecrets) for s in f.secrets
    ]
    return list(dict.fromkeys(found))


def redacting_handler(secrets: Iterable[str]) -> logging.Handler:
    """Return a stderr handler in the bot's format that redacts the secrets: stamped lines,
    or under systemd, lines for its journal."""
    handler = logging.StreamHandler(sys.stderr)
    journal = writes_to_journal(sys.stderr)
    handler.setFormatter(JournalFormatter() if journal else StampedFormatter(LOG_FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    return handler
