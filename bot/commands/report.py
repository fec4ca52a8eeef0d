"""`dondoc report [--task N | --directive NUMBER | --from D --to D] [--out FILE.docx]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.formal_report import ReportTarget, build_report, letterhead_of
from app.i18n import load_catalog
from app.report_docx import TemplateError
from app.reports import nothing_to_report
from bot.commands.parsing import task_number
from bot.console import (
    EXIT_FAILED,
    EXIT_OK,
    cli_language,
    help_text,
    load_settings,
    print_plain,
    say,
)
from core.clock import SystemClock
from core.period import Period, PeriodErrorCode, period_of
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import Task
from db.queries.directives import find_directive
from db.queries.scope import EVERY


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `report`."""
    parser = sub.add_parser(
        "report",
        help=help_text("report"),
        description=help_text("report_about"),
    )
    parser.add_argument(
        "--task",
        type=task_number,
        metavar=help_text("metavar_task"),
        help=help_text("report_task"),
    )
    parser.add_argument(
        "--directive", metavar=help_text("metavar_directive"), help=help_text("report_directive")
    )
    parser.add_argument(
        "--from", dest="start", metavar=help_text("metavar_from"), help=help_text("report_from")
    )
    parser.add_argument(
        "--to", dest="end", metavar=help_text("metavar_to"), help=help_text("report_to")
    )
    parser.add_argument(
        "--out", type=Path, metavar=help_text("metavar_out"), help=help_text("report_out")
    )
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the report (default: every open task) on every unit: the command line has no scope."""
    chosen = [args.task is not None, args.directive is not None, bool(args.start or args.end)]
    if sum(chosen) > 1:
        say("report.cli_one_target", err=True)
        return EXIT_FAILED
    if bool(args.start) != bool(args.end):
        say("report.cli_both_dates", err=True)
        return EXIT_FAILED
    period = period_of(args.start, args.end) if args.start else None
    if period is not None and not isinstance(period, Period):
        # the chat's words name /report's syntax; here the options are what to correct
        reversed_ = period.code == PeriodErrorCode.REVERSED
        key = "report.cli_reversed" if reversed_ else "report.cli_bad_date"
        say(key, err=True, text=period.text)
        return EXIT_FAILED
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
            target = ReportTarget(task_id=args.task)
            if period is not None:
                target = ReportTarget(start=period.start, end=period.end)
            if args.task is not None and session.get(Task, args.task) is None:
                say("report.cli_no_task", err=True, id=args.task)
                return EXIT_FAILED
            if args.directive is not None:
                doc = find_directive(session, number=args.directive)
                if doc is None:
                    say("report.cli_no_directive", err=True, number=args.directive)
                    return EXIT_FAILED
                target = ReportTarget(directive_id=doc.id)
            made = build_report(
                session,
                target=target,
                scope=EVERY,
                catalog=catalog,
                now=now,
                tz=settings.tz,
                letterhead=letterhead_of(settings),
            )
    except TemplateError as exc:
        say(
            "report.cli_template_missing",
            err=True,
            path=str(settings.report_template),
            error=str(exc),
        )
        return EXIT_FAILED
    finally:
        engine.dispose()
    if made is None:
        print_plain(nothing_to_report(t, target), err=True)
        return EXIT_FAILED
    out: Path = args.out or Path(made.file_name)
    out.write_bytes(made.content)
    say("report.cli_written", path=str(out), tasks=made.tasks, rows=made.rows)
    return EXIT_OK
