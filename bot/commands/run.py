"""`dondoc run`: migrate, take the single-instance lock, poll Telegram (or Zalo alone)."""

from __future__ import annotations

import argparse

from bot import console
from bot.commands import demo
from bot.commands.startup import (
    already_running,
    ready_engine,
    start_process,
)
from bot.console import EXIT_CONFIG, help_text, load_settings, say
from bot.lock import AlreadyRunning, single_instance
from db.checkpoints import checkpoints_in_background
from scheduler.prestart import start_sweep_process
from scheduler.workers import end_processes, stop_processes


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run`."""
    parser = sub.add_parser("run", help=help_text("run"), description=help_text("run"))
    parser.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help=help_text("run_demo_if_no_token"),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl+C; refuse a second instance and a missing token."""
    settings = load_settings()
    if not settings.channels and args.demo_if_no_token and settings.env != "production":
        return demo.start(settings)
    if not settings.channels:
        say("cli.no_token", err=True, env_file=str(console.env_file_chosen))
        return EXIT_CONFIG
    if settings.workers == "multi":
        say("cli.workers_need_serve", err=True)
        return EXIT_CONFIG
    start_process(settings)
    engine = ready_engine(settings)
    if isinstance(engine, int):
        return engine
    try:
        with single_instance(settings, engine), checkpoints_in_background(engine):
            # A large database's sweep process first: it imports on the other core while
            # this one imports the bot (bench/README.md, issue 20).
            start_sweep_process(engine)
            from bot.commands.polling import poll  # the bot's modules, imported only now

            return poll(settings, engine)
    except AlreadyRunning as exc:
        return already_running(exc)
    finally:
        stop_processes()  # idempotent: the bot's shutdown stopped it, unless it never started
        end_processes()  # a file's job given up as the bot stopped, which the exit waited for
        engine.dispose()
