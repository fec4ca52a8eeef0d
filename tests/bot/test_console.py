"""Console logging: what an operator's terminal and log files may show."""

from __future__ import annotations

import io
import logging

from bot.console import REDACTED, RedactSecrets

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
