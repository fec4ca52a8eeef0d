"""What the command line shares: loading settings with one-line errors, logging, output."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from dotenv import dotenv_values
from pydantic import ValidationError

from app.i18n import Lang, load_catalog
from bot.settings import Settings
from bot.settings_errors import describe_errors, unknown_settings
from core.logsafe import REDACTED as REDACTED
from core.logsafe import RedactSecrets as RedactSecrets
from core.logsafe import redacting_handler
from core.markup import to_plain

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
# How much of an answer that is no JSON a log line shows: enough to tell whose page it is.
NOT_JSON_SHOWN = 200


class ConfigError(Exception):
    """Settings are wrong; the message lines say which and what is expected."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def cli_language() -> Lang:
    """Return the language for console output, even when settings fail to load."""
    return "en" if os.environ.get("DEFAULT_LANGUAGE", "vi").strip().lower() == "en" else "vi"


def say(key: str, *, lang: Lang | None = None, err: bool = False, **params: object) -> None:
    """Print a catalog text (as plain text) to stdout or stderr."""
    print_plain(load_catalog().get(lang or cli_language(), key, **params), err=err)


def help_text(key: str, **params: object) -> str:
    """Return a `dondoc --help` text (catalog `cli_help.<key>`) in the console's language."""
    return load_catalog().plain(cli_language(), f"cli_help.{key}", **params)


def say_db_error(url: str, error: object) -> None:
    """Say in one line that the database (its URL, password hidden) does not answer, and why."""
    say("cli.db_error", err=True, url=url, error=one_line(error))


def one_line(error: object) -> str:
    """Return an error's text on one line (a driver's message may hold several)."""
    return " ".join(str(error).split())


def print_plain(markup: str, *, err: bool = False) -> None:
    """Print catalog output (neutral markup) as plain text on the console."""
    print(to_plain(markup), file=sys.stderr if err else sys.stdout, flush=True)


# The settings file: ./.env, or the one `dondoc --env-file FILE` names (bot/cli.py).
env_file_chosen: Path | str = ".env"


def load_settings(env_file: Path | str | None = "") -> Settings:
    """Load settings (env_file=None: environment only; "": the file the command line chose,
    ./.env by default) or raise ConfigError, a line a variable.

    A variable that is no setting, in the .env file or mistyped in the environment (see
    `unknown_settings`), is said on stderr, once a process, and ignored.
    """
    if env_file == "":
        env_file = env_file_chosen
    try:
        settings = Settings(_env_file=env_file)
    except UnicodeDecodeError:  # saved as UTF-16 or a legacy code page: it ended in a traceback
        line = load_catalog().get(cli_language(), "cli.env_file_not_utf8", path=str(env_file))
        raise ConfigError([to_plain(line)]) from None
    except ValidationError as exc:
        catalog = load_catalog()
        lang = cli_language()
        lines = []
        for name, got in describe_errors(exc):
            expected_key = f"settings.{name.lower()}"
            expected = catalog.get(lang, expected_key) if catalog.has(expected_key) else "?"
            shown = f" ({got!r})" if got else ""
            lines.append(
                catalog.get(lang, "cli.invalid_setting", name=name, got=shown, expected=expected)
            )
        raise ConfigError([to_plain(line) for line in lines]) from None
    say_unknown_settings(env_file)
    return settings


_told_unknown: set[str] = set()


def say_unknown_settings(env_file: Path | str | None) -> None:
    """Say each variable that is no setting (its value never: it may be a token), with the
    setting it may be a typo of; once a process, as several commands load the settings."""
    in_file: list[str] = []
    if env_file is not None and Path(env_file).is_file():
        in_file = list(dotenv_values(env_file, encoding="utf-8"))
    for name, meant, from_file in unknown_settings(Settings.model_fields, in_file):
        if name in _told_unknown:
            continue
        _told_unknown.add(name)
        catalog, lang = load_catalog(), cli_language()
        hint = "" if meant is None else catalog.get(lang, "cli.unknown_setting_hint", meant=meant)
        if from_file:
            say("cli.unknown_setting_in_file", err=True, name=name, file=env_file, hint=hint)
        else:
            say("cli.unknown_setting_in_environment", err=True, name=name, hint=hint)


class DropExceptions(logging.Filter):
    """Drop records about exceptions the command reports itself, in one line.

    `kinds` are dropped wherever they are logged; `at_start` only where start-up failed of
    them: python-telegram-bot's bootstrap ("Network Retry Loop (Bootstrap ...)") and
    uvicorn's traceback of a failed lifespan (`dondoc serve`), both followed by the line.
    """

    def __init__(
        self, kinds: tuple[type[BaseException], ...], at_start: tuple[type[BaseException], ...]
    ) -> None:
        super().__init__()
        self.kinds = kinds
        self.at_start = at_start
        self.names = {f"{k.__module__}.{k.__qualname__}" for k in (*kinds, *at_start)}

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record unless it is about one of the exceptions the command says."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, self.kinds):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the formatter reports it
            return True
        if isinstance(error, self.at_start) and "Bootstrap" in message:
            return False
        return not (record.name == "uvicorn.error" and self._failed_start(message))

    def _failed_start(self, message: str) -> bool:
        """Tell whether a message is a traceback text ending in one of the exceptions."""
        if not message.startswith("Traceback"):
            return False
        last = message.rstrip().rsplit("\n", 1)[-1]
        return last.split(":", 1)[0] in self.names


class AnswerNotJson(logging.Filter):
    """Say in one line that the Bot API's address answered something that is no JSON.

    A web server's or a proxy's page (TELEGRAM_BASE_URL naming another server, a proxy's
    error page) was logged by python-telegram-bot whole, with a traceback of `json`'s, before
    the line that says what the command could not do.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("telegram.request") and isinstance(error, ValueError):
            answer = error.doc if isinstance(error, json.JSONDecodeError) else ""
            record.exc_info = record.exc_text = None
            record.msg, record.args = (
                "the Bot API's address answered something that is no JSON: %s",
                (" ".join(answer.split())[:NOT_JSON_SHOWN] or "?",),
            )
        return True


class JobsCutShort(logging.Filter):
    """Say a scheduled job cut short by the stop in one line, not as an error's traceback.

    A job still running when the bot stops (a sweep, the worker process's warm-up, a digest)
    is cancelled by the scheduler's shutdown, and APScheduler logged "Error running job"
    with the `CancelledError`'s traceback; its next run, after the next start, does it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("apscheduler") and isinstance(error, asyncio.CancelledError):
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.msg, record.args = (
                "job %s cut short by the stop: its next run does it",
                (record.args[0] if isinstance(record.args, tuple) and record.args else "?",),
            )
        return True


def setup_logging(
    level: str,
    secrets: list[str],
    reported: tuple[type[BaseException], ...] = (),
    reported_at_start: tuple[type[BaseException], ...] = (),
) -> None:
    """Log to stderr at the configured level, never printing a secret.

    Records about the `reported` exceptions are dropped, and those of `reported_at_start`
    when start-up failed of them: the command says those in one line.
    """
    handler = redacting_handler(secrets)
    handler.filters.insert(0, DropExceptions(reported, reported_at_start))
    handler.filters.insert(1, JobsCutShort())
    handler.filters.insert(2, AnswerNotJson())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB's DEBUG lines hold every call's parameters and every update: sign-in links, invite
    # and link codes sent or typed, setWebhook's secret. Never below INFO, whatever LOG_LEVEL.
    ptb = logging.getLogger("telegram")
    ptb.setLevel(max(logging.INFO, root.getEffectiveLevel()))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Seven "setup plugin alembic.autogenerate..." lines at every start, before the migrations'.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
