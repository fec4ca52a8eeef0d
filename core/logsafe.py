"""Logging that never prints a secret, in the bot's process and in its worker processes.

`bot/console.setup_logging` puts `RedactSecrets` on the main process's handler; a worker
process (`scheduler/workers.py`, spawned) sets up its own handler with the same filter and
the same secrets (`secrets_redacted` reads them from the parent's handlers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "<redacted>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replace the bot token wherever it would appear in a log record.

    URLs carry it, and so do some exceptions (PTB's InvalidToken names the token): the
    message with its arguments, the exception's text and the stack are all rewritten.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """Return the text with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message, exception text and stack without the secrets."""
        if not self.secrets:
            return True
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
    """Return a stderr handler in the bot's format that redacts the secrets."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    return handler
