"""`dondoc export [--task N] [--out FILE]`: write the appendix workbook from the server."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.export_xlsx import build_workbook
from app.i18n import load_catalog
from bot.commands.parsing import task_number
from bot.console import EXIT_FAILED, EXIT_OK, cli_language, help_text, load_settings, say
from core.clock import SystemClock
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import Task
from db.queries import export as xq


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `export`."""
    parser = sub.add_parser("export", help=help_text("export"), description=help_text("export"))
    parser.add_argument(
        "--task",
        type=task_number,
        metavar=help_text("metavar_task"),
        help=help_text("export_task"),
    )
    parser.add_argument(
        "--out", type=Path, metavar=help_text("metavar_out"), help=help_text("export_out")
    )
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Export every open task (or one) with every unit: the command line has no scope."""
    settings = load_settings()
    lang = cli_language()
    catalog = load_catalog()

    def t(key: str, **params: object) -> str:
        return catalog.get(lang, key, **params)

    now = SystemClock().now()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            if args.task is not None and session.get(Task, args.task) is None:
                say("export.cli_no_task", err=True, id=args.task)
                return EXIT_FAILED
            data = xq.load(session, task_ids=xq.task_ids_for(session, task_id=args.task))
    finally:
        engine.dispose()
    stamp = now.astimezone(settings.tz).strftime("%Y%m%d-%H%M")
    out: Path = args.out or Path(f"{t('export.file_name')}-{stamp}.xlsx")
    out.write_bytes(build_workbook(data, t, now=now, tz=settings.tz))
    say("export.cli_written", path=str(out), tasks=len(data.tasks), rows=len(data.lines))
    return EXIT_OK
