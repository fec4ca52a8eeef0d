"""What `dondoc run` and `dondoc serve` do first: log with the secrets redacted, switch
threads often, bound malloc's arenas, migrate the database, and say which other process
holds the lock or why Telegram would not start."""

from __future__ import annotations

import ctypes
import os
import sys

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from telegram.error import InvalidToken, NetworkError, TelegramError

from app.links import derive_webhook_secret
from bot.commands.dbwait import not_answering, once_it_answers, write_refused
from bot.console import (
    EXIT_CONFIG,
    EXIT_FAILED,
    REDACTED,
    one_line,
    say,
    say_db_error,
    setup_logging,
)
from bot.lock import AlreadyRunning
from bot.settings import Settings
from db.engine import make_engine, shown_url, url_passwords
from db.migrate import upgrade

# Database and CPU work runs in worker threads (on a small database the reminder sweep and
# the nudge too; past `prestart.SWEEP_PROCESS_FROM` assignments they go to a worker
# process). With the default 5 ms switch interval, each time the event loop waits on a
# socket a busy thread may keep the GIL for 5 ms, and answering a tap takes many such
# turns; 1 ms keeps answers prompt while the threads work.
SWITCH_INTERVAL_S = 0.001
# glibc gives each thread that allocates while another holds an arena an arena of its own,
# up to 8 per core, each keeping the memory freed in it: with the bot's 7 to 10 threads
# (the event loop, the update and database workers, the log checkpointer) its peak at the
# morning fan-out was 2.1 MB higher than with one arena, 1.4 MB with two (bench/README.md,
# issue 20). Python allocates with the GIL held, and the C code that lets it go (SQLite,
# OpenSSL) holds the arena for microseconds, so the threads hardly ever wait for it. An
# operator's MALLOC_ARENA_MAX in the environment is left as it is (2 to trade back).
MALLOC_ARENAS = 1
M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h
# A database password shorter than this ("postgres" on a test machine is 8) would blank
# out common words of every line; no production password is that short.
MIN_REDACTED = 6


def start_process(settings: Settings) -> None:
    """Log at the configured level, every token and secret redacted; switch threads often."""
    # PTB logs a rejected token with a traceback that names it; we say it in one line.
    setup_logging(
        settings.log_level,
        secrets_of(settings),
        reported=(InvalidToken,),
        reported_at_start=(NetworkError,),
    )
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    bound_malloc_arenas()


def bound_malloc_arenas() -> bool:
    """Let glibc's malloc make at most MALLOC_ARENAS arenas for the threads started from
    now on, unless MALLOC_ARENA_MAX is set; return whether it was set here (not on another
    C library, musl's or macOS's, which has no such arenas)."""
    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, MALLOC_ARENAS))


def secrets_of(settings: Settings) -> list[str]:
    """Return every secret a log line must never show: the tokens, WEB_SECRET, the webhook
    secrets (the derived ones too: setWebhook's parameters carry Telegram's) and the
    database's password."""
    tokens = (
        settings.bot_token,
        settings.zalo_bot_token,
        settings.web_secret,
        settings.zalo_webhook_secret,
    )
    found = [t.get_secret_value() for t in tokens if t is not None]
    derived_from = [settings.link_secret]
    if settings.zalo_bot_token is not None:  # Zalo alone derives its webhook's from its token
        derived_from.append(settings.zalo_bot_token.get_secret_value())
    for secret in filter(None, derived_from):
        found += [derive_webhook_secret(secret, channel) for channel in ("telegram", "zalo")]
    found += [p for p in url_passwords(settings.database_url) if len(p) >= MIN_REDACTED]
    return [s for s in dict.fromkeys(found) if s]


def evidence_folder_usable(settings: Settings) -> bool:
    """Make the evidence folder if it is missing and check a file can be written in it; else
    say in one line which folder and why. Started without, the bot ran and refused each
    document and photo people sent (a file where the folder should be, a read-only mount)."""
    folder = settings.evidence_path
    probe = folder / f".dondoc-write-check-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        error = exc.strerror or str(exc)
        say("cli.evidence_dir_unusable", err=True, path=str(folder), error=error)
        return False
    return True


def migrated_engine(settings: Settings) -> Engine | int:
    """Return the database's engine once migrated, a database that does not answer yet
    waited out (`once_it_answers`); else say why and return the exit status."""
    engine = make_engine(settings.database_url)
    try:
        once_it_answers(engine, lambda: upgrade(engine))
        refused = once_it_answers(engine, lambda: write_refused(engine))
    except DatabaseError as exc:
        say_db_error(shown_url(engine.url), exc.orig)
        engine.dispose()
        return EXIT_FAILED if not_answering(exc) else EXIT_CONFIG
    if refused is not None:
        url = shown_url(engine.url)
        say("cli.db_read_only", err=True, url=url, error=one_line(refused.orig))
        engine.dispose()
        return EXIT_CONFIG
    return engine


def ready_engine(settings: Settings) -> Engine | int:
    """Return the migrated database's engine once the evidence folder is usable too (what
    both `dondoc run` and `dondoc serve` need before anything starts); else the exit status,
    having said why."""
    engine = migrated_engine(settings)
    if isinstance(engine, int):  # the database did not answer, and said so
        return engine
    if not evidence_folder_usable(settings):
        engine.dispose()
        return EXIT_CONFIG
    return engine


def already_running(exc: AlreadyRunning) -> int:
    """Say which process holds the lock (by token, workers, or database); the exit code."""
    if exc.kind == "token":
        say("cli.already_running_token", err=True)
    elif exc.kind == "workers":
        say("cli.already_running_workers", err=True, database=exc.where)
    else:
        say("cli.already_running_database", err=True, database=exc.where)
    return EXIT_FAILED


def telegram_refused(settings: Settings, exc: TelegramError) -> int:
    """Say in one line why the bot could not start on Telegram; return the exit code."""
    if isinstance(exc, InvalidToken):
        say("cli.unauthorized", err=True)
        return EXIT_CONFIG
    error = str(exc)
    if settings.bot_token is not None:
        error = error.replace(settings.bot_token.get_secret_value(), REDACTED)
    say("cli.network_error", err=True, url=settings.telegram_base_url, error=error)
    return EXIT_FAILED
