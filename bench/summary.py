"""Benchmark 4: coordinators' summaries at scale, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.summary            # both databases, 1,000,000 assignments
    .venv/bin/python -m bench.summary --no-postgres --assignments 200000
    .venv/bin/python -m bench.summary --reuse --only one   # one task to 10,000 units only

Two databases per engine, filled by `bench.generate`: a country (3,300 communes and wards
plus departments) with 1,000,000 assignments, for the all-tasks summary, and one task given
to 10,000 units, for the one-task summary. Each summary is timed as a coordinator waits for
it (the aggregate queries, the unit lists and the text), warm, median of several runs, beside
a bare `SELECT count(*)` over the assignment table and one over the task table in the same
run. The all-tasks summary reads the counts stored per task (`task_count`); the same summary
counted live from the assignments (as before migration 0007) is timed beside it. PostgreSQL
databases are created on the server and dropped afterwards. Prints a table; writes
bench/results/summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app import reports
from app.i18n import load_catalog
from app.summary_text import task_list
from bench.generate import REFERENCE_NOW, VN, generate
from db.engine import make_engine
from db.queries.summary import EVERY, task_counts

RESULTS = Path(__file__).parent / "results"
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS_MS = {
    ("postgresql", "all tasks"): 50.0,
    ("sqlite", "all tasks"): 50.0,
    ("postgresql", "one task"): 100.0,
    ("sqlite", "one task"): 100.0,
}
# The all-tasks summary against a bare count(*): issue 20 asks for under 2 x, naming the
# task table, while the figures it starts from (5.9 to 9.7 x) are this benchmark's ratio to
# a count over the assignment table. Both ratios are printed and judged.
RATIO_TARGET = 2.0


@dataclass
class Row:
    """One measurement: a summary beside the bare count over the same table."""

    engine: str
    summary: str
    assignments: int
    count_ms: float
    summary_ms: float
    target_ms: float | None
    task_count_ms: float = 0.0
    live_ms: float | None = None  # the same summary counted from the assignments

    @property
    def task_ratio(self) -> float:
        """Return how many bare counts over the task table the summary costs."""
        return self.summary_ms / self.task_count_ms if self.task_count_ms else 0.0

    def met(self, over: str) -> bool:
        """Return whether the summary meets its targets (none: met), its ratio taken
        against the count over the assignments (`over="a"`) or over the tasks (`"t"`)."""
        if self.target_ms is None:
            return True
        fast = self.summary_ms < self.target_ms
        if self.summary == "all tasks":
            return fast and (self.ratio if over == "a" else self.task_ratio) < RATIO_TARGET
        return fast

    @property
    def ratio(self) -> float:
        """Return how many bare counts the summary costs."""
        return self.summary_ms / self.count_ms if self.count_ms else 0.0


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """Run once to warm up, then return the median time of `repeat` runs in ms."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def context() -> reports.Context:
    """Return a Vietnamese coordinator with no scope at the data's reference moment."""
    catalog = load_catalog()

    def t(key: str, **params: object) -> str:
        return catalog.get("vi", key, **params)

    return reports.Context(t, "vi", EVERY, REFERENCE_NOW, VN)


def measure(engine: Engine, name: str, kind: str, repeat: int) -> Row:
    """Time the all-tasks summary or the largest task's summary against count(*)."""
    ctx = context()
    with Session(engine) as session:
        conn = session.connection()
        total = int(conn.execute(text("SELECT count(*) FROM assignment")).scalar_one())
        count_ms = median_ms(
            lambda: conn.execute(text("SELECT count(*) FROM assignment")).scalar_one(), repeat
        )
        task_ms = median_ms(
            lambda: conn.execute(text("SELECT count(*) FROM task")).scalar_one(), repeat
        )
        live: float | None = None
        if kind == "all tasks":
            ms = median_ms(lambda: reports.all_tasks(session, ctx), repeat)
            live = median_ms(lambda: all_tasks_live(session, ctx), repeat)
        else:
            largest = max(task_counts(session, now=ctx.now), key=lambda x: x.counts.total)
            total = largest.counts.total
            ms = median_ms(lambda: reports.one_task(session, ctx, largest.task_id), repeat)
    target = TARGETS_MS.get((name, kind))
    return Row(name, kind, total, count_ms, ms, target, task_ms, live)


def all_tasks_live(session: Session, ctx: reports.Context) -> object:
    """Build the all-tasks summary as before the stored counts: counted from assignments."""
    tasks = task_counts(session, now=ctx.now, scope=ctx.scope, stored=False)
    head = ctx.t("summary.all_head", n=len(tasks))
    return task_list(ctx.t, ctx.lang, tasks, head, ctx.now_local)


@contextmanager
def sqlite_db(path: Path, reuse: bool) -> Iterator[tuple[Engine, bool]]:
    """Yield an engine on an SQLite file, and whether it still needs filling."""
    fresh = not (reuse and path.exists())
    if fresh:
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield engine, fresh
    finally:
        engine.dispose()


@contextmanager
def postgres_db(server_url: str) -> Iterator[tuple[Engine, bool]]:
    """Create a scratch PostgreSQL database, yield an engine on it, then drop it."""
    name = f"dondoc_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        yield engine, True
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(args: argparse.Namespace) -> list[Row]:
    """Fill each database and measure both summaries."""
    datasets: tuple[tuple[str, dict[str, Any]], ...] = (
        ("all tasks", {"size": "country", "assignments": args.assignments}),
        (
            "one task",
            {
                "size": "country",
                "assignments": args.task_units,
                "units": args.task_units,
                "everyone": True,
            },
        ),
    )
    if args.only:
        datasets = tuple(d for d in datasets if d[0].startswith(args.only))
    rows: list[Row] = []
    engines = [] if args.no_sqlite else ["sqlite"]
    engines += [] if args.no_postgres else ["postgresql"]
    for engine_name in engines:
        for kind, params in datasets:
            print(
                f"{engine_name}, {kind}: generating {params['assignments']:,} assignments",
                file=sys.stderr,
            )
            slug = "all" if kind == "all tasks" else "one"
            path = RESULTS / f"summary-{slug}-{params['assignments']}.sqlite3"
            opened = (
                sqlite_db(path, args.reuse)
                if engine_name == "sqlite"
                else postgres_db(args.pg_url)
            )
            with opened as (engine, fresh):
                if fresh:
                    generate(engine, **params)
                rows.append(measure(engine, engine_name, kind, args.repeat))
    return rows


def machine() -> dict[str, Any]:
    """Describe where the figures were taken."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def table(rows: Sequence[Row]) -> str:
    """Return the results as a plain-text table."""
    lines = [
        f"{'engine':<11} {'summary':<10} {'assignments':>11} {'count(a) ms':>11} "
        f"{'count(t) ms':>11} {'summary ms':>10} {'/count(a)':>9} {'/count(t)':>9} "
        f"{'live ms':>8} {'target':>10} {'met (a / t)':>11}"
    ]
    for r in rows:
        target = "-"
        if r.target_ms is not None:
            target = f"<{r.target_ms:.0f}"
            target += f", <{RATIO_TARGET:.0f}x" if r.summary == "all tasks" else ""
        met = (
            "-"
            if r.target_ms is None
            else " / ".join("yes" if r.met(over) else "NO" for over in ("a", "t"))
        )
        live = "-" if r.live_ms is None else f"{r.live_ms:.1f}"
        lines.append(
            f"{r.engine:<11} {r.summary:<10} {r.assignments:>11,} {r.count_ms:>11.2f} "
            f"{r.task_count_ms:>11.2f} {r.summary_ms:>10.1f} {r.ratio:>9.1f} "
            f"{r.task_ratio:>9.1f} {live:>8} {target:>10} {met:>11}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run benchmark 4 from the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.summary",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--task-units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg-url", default=PG_URL, help="server to create the databases on")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse SQLite files already filled")
    parser.add_argument(
        "--only", choices=("all", "one"), help="time only the all-tasks or the one-task summary"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    rows = run(args)
    print(table(rows))
    result = {
        "benchmark": "summary",
        "command": " ".join(["python -m bench.summary", *(argv or sys.argv[1:])]),
        "machine": machine(),
        "rows": [
            asdict(r)
            | {"ratio": round(r.ratio, 2), "task_ratio": round(r.task_ratio, 2)}
            | {"met_over_assignments": r.met("a"), "met_over_tasks": r.met("t")}
            for r in rows
        ],
    }
    out = RESULTS / "summary.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {out}", file=sys.stderr)
    return 0 if all(r.met("t") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
