"""Each heavy command alone, on PostgreSQL against SQLite, in one command (h-pgheavy).

    python -m bench.pgheavy [--postgres URL] [--size province300] [--assignments 52000]
                            [--import-rows 5000] [--only WORD]... [--before REV]

The same generated province (`bench.generate`) is written into a SQLite file and into a
fresh PostgreSQL database (`--postgres`, else `TEST_POSTGRES_URL`; dropped after). On each,
one after the other and with nobody else about, the app's own entry points the bot's
workers call: the tasks file's preview then its apply as the bot applies it
(`app.jobs.preview_table`, `app.jobs.import_table`: slices), the export of everything
(`export_workbook`), the year's formal report (`report_document`), `/nudge` of a task given
to `--nudge-units` more communes each with a started official (`scheduler.nudge.run_nudge`,
as bench.pgstall's), `/chart` of every task (`chart_of`, the counts only) and the
dashboard's matrix (its first page). For each: the seconds, the statements sent
(SQLAlchemy's `before_cursor_execute`, an executemany counted once) and the commits, and
PostgreSQL's seconds over SQLite's. With `--before REV` the same runs first with the code of
REV (`git archive`, this bench module copied in), each command's after over before beside.
Written to bench/results/pgheavy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.actor import Actor
from app.dashboard.charts import chart_of
from app.dashboard.filters import Filters
from app.dashboard.matrix import matrix
from app.dashboard.viewer import Viewer
from app.formal_report import Letterhead, ReportTarget
from app.i18n import load_catalog
from app.jobs import export_workbook, import_table, preview_table, report_document
from app.services import Services
from bench.common import BENCH_NOW, machine, populate, print_table, write_results
from bench.generate import generate
from bench.imports import tasks_file
from bench.workers import drop_database
from bot.settings import Settings
from core.clock import ManualClock
from core.spreadsheet.read import read_table
from db.engine import make_engine
from db.imports.tasks import import_tasks
from db.queries.scope import EVERY
from scheduler.delivery import dispatch_context
from scheduler.dispatcher.run import Job
from scheduler.nudge import NudgeJob, run_nudge

TZ = "Asia/Ho_Chi_Minh"
HERE = Path(__file__).resolve().parent.parent
LETTERHEAD = Letterhead(
    org_parent="UBND TỈNH QUẢNG NAM",
    org_name="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    symbol="BC-SKHCN",
    place="Quảng Nam",
    signer_title="GIÁM ĐỐC",
)


@dataclass
class Counted:
    """The statements and commits one engine sent while counting."""

    statements: int = 0
    commits: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@contextmanager
def counting(engine: Engine) -> Iterator[Counted]:
    """Count the statements (an executemany once) and commits sent on `engine` meanwhile."""
    counted = Counted()

    def sent(_c: object, _cur: object, statement: str, *_a: object) -> None:
        counted.statements += 1
        kind = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        counted.by_kind[kind] = counted.by_kind.get(kind, 0) + 1

    def committed(_c: object) -> None:
        counted.commits += 1

    event.listen(engine, "before_cursor_execute", sent)
    event.listen(engine, "commit", committed)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", sent)
        event.remove(engine, "commit", committed)


def services(engine: Engine, url: str) -> Services:
    """Return the services a worker's nudge is given, on this engine."""
    settings = Settings(_env_file=None, bot_token="1:bench", database_url=url)
    return Services(settings, engine, load_catalog(), ManualClock(BENCH_NOW), b"bench-key")


def commands(
    engine: Engine, url: str, content: bytes, nudged: int
) -> list[tuple[str, Callable[[], Any]]]:
    """Return the heavy commands, each a call on this engine, in the order they run."""
    table = read_table(content, "tasks.csv")
    now, catalog = BENCH_NOW, load_catalog()
    admin = Actor(1, "1", "vi", "admin", (), ())
    viewer = Viewer(1, "admin", "admin", "vi", EVERY, admin)

    def preview() -> Any:
        return preview_table(engine, import_tasks, table, actor_id=None, now=now, tz=TZ)

    def apply() -> Any:
        return import_table(engine, import_tasks, table, actor_id=None, now=now, tz=TZ)

    def export() -> Any:
        return export_workbook(
            engine, task_id=None, directive_id=None, scope=EVERY, lang="vi", now=now, tz=TZ
        )

    def report() -> Any:
        year = ReportTarget(start=date(2026, 1, 1), end=date(2026, 12, 31))
        return report_document(
            engine, target=year, scope=EVERY, now=now, tz=TZ, letterhead=LETTERHEAD
        )

    def nudge() -> Any:
        job = NudgeJob(
            Job.of(dispatch_context(services(engine, url)), now), admin, f"#{nudged}", "bench"
        )
        return run_nudge(engine, job)

    def chart() -> Any:
        return chart_of(engine, "", scope=EVERY, lang="vi", now=now, catalog=catalog)

    def grid() -> Any:
        from zoneinfo import ZoneInfo

        with Session(engine) as session:
            return matrix(session, viewer, now=now, tz=ZoneInfo(TZ), filters=Filters())

    return [
        ("import preview", preview),
        ("import apply", apply),
        ("import apply again, nothing changes", apply),
        ("export of everything", export),
        ("report of the year", report),
        ("nudge of a task", nudge),
        ("chart of every task", chart),
        ("matrix, first page", grid),
    ]


def run_all(
    engine: Engine, url: str, content: bytes, nudged: int, only: list[str]
) -> dict[str, dict[str, Any]]:
    """Run each command once on `engine`; its seconds, statements and commits."""
    out: dict[str, dict[str, Any]] = {}
    for name, call in commands(engine, url, content, nudged):
        if only and not any(word in name for word in only):
            continue
        with counting(engine) as counted:
            started = time.perf_counter()
            call()
            seconds = time.perf_counter() - started
        out[name] = {
            "s": round(seconds, 3),
            "statements": counted.statements,
            "commits": counted.commits,
            "by_kind": counted.by_kind,
        }
        print(f"  {name}: {seconds:.2f} s, {counted.statements} statements", file=sys.stderr)
    return out


def server_url(args: argparse.Namespace) -> str:
    """Return the PostgreSQL server's URL (any database on it)."""
    return str(
        args.postgres
        or os.environ.get("TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )


def nudged_task(engine: Engine, units: int) -> int:
    """Add `units` communes, each with a started official, given one task; return its id."""
    deadline = BENCH_NOW.date() + timedelta(days=21)
    officials = populate(engine, units, deadline, assigned_at=BENCH_NOW - timedelta(days=10))
    with engine.connect() as conn:
        query = text("SELECT task_id FROM assignment WHERE id = :id")
        return int(conn.execute(query, {"id": officials[0].assignment_id}).scalar_one())


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the province on SQLite and PostgreSQL and run the commands on each."""
    server = server_url(args)
    name = f"dondoc_pgheavy_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    pg_url = make_url(server).set(database=name).render_as_string(hide_password=False)
    figures: dict[str, Any] = {}
    tmp = tempfile.mkdtemp()
    try:
        sqlite_url = f"sqlite:///{Path(tmp) / 'province.sqlite3'}"
        for label, url in (("sqlite", sqlite_url), ("postgresql", pg_url)):
            engine = make_engine(url)
            generate(engine, size=args.size, assignments=args.assignments, progress=None)
            nudged = nudged_task(engine, args.nudge_units)
            content = tasks_file(engine, args.import_rows, BENCH_NOW.date())
            print(f"{label}:", file=sys.stderr)
            figures[label] = run_all(engine, url, content, nudged, args.only)
            engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(server, pg_url)
    return figures


def before(args: argparse.Namespace, rev: str) -> dict[str, Any]:
    """Run this bench on the code of `rev` (exported, this module copied in); its figures."""
    tree = Path(tempfile.mkdtemp()) / "before"
    archive = subprocess.run(
        ["git", "-C", str(HERE), "archive", rev], capture_output=True, check=True
    ).stdout
    tree.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    shutil.copy(Path(__file__), tree / "bench" / "pgheavy.py")
    argv = [sys.executable, "-m", "bench.pgheavy", "--size", args.size]
    argv += ["--import-rows", str(args.import_rows), "--nudge-units", str(args.nudge_units)]
    argv += ["--postgres", server_url(args)]
    argv += [] if args.assignments is None else ["--assignments", str(args.assignments)]
    for word in args.only:
        argv += ["--only", word]
    env = os.environ | {"PYTHONPATH": str(tree)}
    try:
        subprocess.run(argv, cwd=tree, env=env, check=True)
        results = json.loads((tree / "bench" / "results" / "pgheavy.json").read_text())
    finally:
        shutil.rmtree(tree.parent, ignore_errors=True)
    return {k: results[k] for k in ("sqlite", "postgresql")}


def lines_of(figures: dict[str, Any], then: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return the table's lines: each command on both, PostgreSQL over SQLite, and after
    over before when there is a before."""
    lines = []
    for command, lite in figures["sqlite"].items():
        pg = figures["postgresql"][command]
        said = _line(lite, pg)
        if then is not None and command in then["postgresql"]:
            was, was_lite = then["postgresql"][command], then["sqlite"][command]
            lines.append((f"{command}, before", _line(was_lite, was)))
            said += f"; after/before: PostgreSQL {pg['s'] / was['s']:.2f},"
            said += f" SQLite {lite['s'] / was_lite['s']:.2f}"
        lines.append((command, said))
    return lines


def _line(lite: dict[str, Any], pg: dict[str, Any]) -> str:
    """Return a command's seconds and statements on both, and their ratio."""
    return (
        f"SQLite {lite['s']:.2f} s ({lite['statements']} st.), PostgreSQL"
        f" {pg['s']:.2f} s ({pg['statements']} st., {pg['commits']} commits)"
        f" = {pg['s'] / lite['s']:.1f} x"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run each heavy command on SQLite then PostgreSQL; print and keep the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.pgheavy", description=__doc__)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--size", default="province300")
    parser.add_argument("--assignments", type=int, default=None)
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--nudge-units", type=int, default=300)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--before", default=None, metavar="REV")
    args = parser.parse_args(argv)
    then = before(args, args.before) if args.before else None
    figures = measure(args)
    print_table(f"{args.size}: each heavy command alone", lines_of(figures, then))
    keep = {"size": args.size, "import_rows": args.import_rows, "assignments": args.assignments}
    write_results("pgheavy", {**keep, **figures, "before": then, "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
