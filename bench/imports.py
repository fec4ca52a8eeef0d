"""A 5,000-row tasks file (and a units file) imported as `dondoc tasks import` does.

The database is the generator's province (25 departments, 100 communes and wards, its
groups); the file names its units as admins do: codes, names, a kind ("các phường"), a
group, a directive on some rows. Timed in the same command:

- the import into the province as it is (every row a new task), then the same file again
  (nothing changes), each in one transaction as the CLI does (`bot/commands/importing.py`);
- the baseline: a bare insert of the same tasks and assignments (executemany, one
  transaction, the unit ids known), what the database alone costs to hold the file.

`--profile` prints cProfile's top functions of the first import instead. The units file is
also previewed as the upload page and the chat preview it (`app.jobs.preview_table`), before
it is imported and again after (nothing would change): the seconds, the statements and how
many of them wrote; `--units-only` times the units file alone.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine

from app.jobs import preview_table
from bench.common import machine, print_table, write_results
from bench.generate import TASK_TOPICS, generate
from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.taskdates import due_at
from core.textnorm import fold
from db.engine import make_engine, session_scope
from db.imports.tasks import import_tasks
from db.imports.units import import_units
from db.models import Assignment, Task

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = ("code", "title", "deadline", "assignees", "directive", "description")


def tasks_file(engine: Engine, rows: int, today: date, seed: int = 11) -> bytes:
    """Return a CSV of `rows` tasks naming the province's units as an admin would."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        units = list(connection.execute(text("SELECT code, name, kind_key FROM unit")).all())
        groups = [g for (g,) in connection.execute(text("SELECT name FROM unit_group"))]
    departments = [u for u in units if u[2] == "department" and "," not in u[1]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, rows + 1):
        pick = rng.random()
        if pick < 0.5:
            assignees = ", ".join(u[0] for u in rng.sample(units, rng.randint(1, 3)))
        elif pick < 0.75:
            assignees = ", ".join(u[1] for u in rng.sample(departments, rng.randint(1, 3)))
        elif pick < 0.9:
            assignees = rng.choice(["các phường", "đặc khu", "các sở"])
        else:
            assignees = rng.choice(groups)
        deadline = today + timedelta(days=rng.randint(20, 120))
        directive = f"{100 + n % 40}/UBND-KGVX | 01/11/2026 | UBND tỉnh" if n % 5 == 0 else ""
        topic = TASK_TOPICS[n % len(TASK_TOPICS)]
        writer.writerow(
            (
                f"T{n:05d}",
                f"{topic} ({n})",
                deadline.strftime("%d/%m/%Y"),
                assignees,
                directive,
                "",
            )
        )
    return out.getvalue().encode("utf-8")


def units_file(count: int) -> bytes:
    """Return a CSV of `count` new communes under no parent, a third in a new group."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("code", "name", "kind", "parent_code", "groups"))
    for n in range(1, count + 1):
        group = "Nhóm nhập thử" if n % 3 == 0 else ""
        writer.writerow((f"N{n:05d}", f"Xã Nhập Thử {n}", "xã", "", group))
    return out.getvalue().encode("utf-8")


def run_import(engine: Engine, importer: Any, table: Table) -> tuple[float, ImportReport]:
    """Import as the CLI does (one transaction); return the seconds and the report."""
    started = time.perf_counter()
    with session_scope(engine) as session:
        report = importer(
            session, table, actor_id=None, actor_label="cli", now=datetime.now(UTC), tz=VN
        )
    return time.perf_counter() - started, report


def run_preview(engine: Engine, table: Table) -> dict[str, Any]:
    """Preview the units table as the upload page does; its seconds, statements and writes."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        started = time.perf_counter()
        report = preview_table(
            engine, import_units, table, actor_id=None, now=datetime.now(UTC), tz=str(VN)
        )
        seconds = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    writes = [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "PRAGMA"))]
    return {
        "s": seconds,
        "statements": len(statements),
        "writes": len(writes),
        "added": len(report.added),
        "unchanged": len(report.unchanged),
    }


def units_figures(engine: Engine, table: Table) -> dict[str, Any]:
    """Preview the units file, import it, preview and import it again; the figures."""
    preview = run_preview(engine, table)
    units_s, units_report = run_import(engine, import_units, table)
    preview_again = run_preview(engine, table)
    units_again_s, _ = run_import(engine, import_units, table)
    return {
        "units_preview": preview,
        "units_import_s": units_s,
        "units_preview_again": preview_again,
        "units_import_again_s": units_again_s,
        "units_added": len(units_report.added),
    }


def units_lines(rows: int, units: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the table's lines of the units file."""

    def said(figures: dict[str, Any]) -> str:
        return (
            f"{figures['s']:.2f} s, {figures['statements']} statements, {figures['writes']} writes"
        )

    return [
        (f"units preview, {rows:,} rows new", said(units["units_preview"])),
        (f"units import, {rows:,} rows new", f"{units['units_import_s']:.2f} s"),
        ("units preview again, nothing would change", said(units["units_preview_again"])),
        ("units import again, nothing changes", f"{units['units_import_again_s']:.2f} s"),
    ]


def bare_insert(engine: Engine, table: Table) -> float:
    """Insert the file's tasks and assignments with executemany, unit ids already known."""
    with engine.connect() as connection:
        units = connection.execute(text("SELECT id, code, name, kind_key FROM unit")).all()
        rows = connection.execute(
            text(
                "SELECT g.name, m.unit_id FROM unit_group g"
                " JOIN unit_group_member m ON m.group_id = g.id"
            )
        ).all()
    by_code: dict[str, int] = {code: uid for uid, code, _, _ in units}
    by_name: dict[str, int] = {name: uid for uid, _, name, _ in units}
    kinds: dict[str, list[int]] = {}
    for uid, _, _, kind in units:
        kinds.setdefault(kind, []).append(uid)
    members: dict[str, list[int]] = {}
    for name, uid in rows:
        members.setdefault(name, []).append(uid)
    aliases = {"các phường": "ward", "đặc khu": "special_zone", "các sở": "department"}
    plans = []
    for _, cells in table.rows:
        spec = cells["assignees"]
        if spec in aliases:
            ids = kinds[aliases[spec]]
        elif spec in members:
            ids = members[spec]
        else:
            ids = [by_code.get(p.strip()) or by_name[p.strip()] for p in spec.split(",")]
        day = datetime.strptime(cells["deadline"], "%d/%m/%Y").date()
        plans.append((cells, day, ids))
    started = time.perf_counter()
    with session_scope(engine) as session:
        connection = session.connection()
        now = datetime.now(UTC)
        tasks = [
            {
                "code": "B" + cells["code"],
                "title": cells["title"],
                "title_folded": fold(cells["title"]),
                "description": "",
                "deadline": day,
                "status": "open",
                "created_at": now,
            }
            for cells, day, _ in plans
        ]
        connection.execute(insert(Task), tasks)
        coded = text("SELECT code, id FROM task WHERE code LIKE 'B%'")
        task_ids: dict[str, int] = {code: tid for code, tid in connection.execute(coded)}
        assignments = [
            {
                "task_id": task_ids["B" + cells["code"]],
                "unit_id": uid,
                "active": True,
                "original_deadline": day,
                "deadline": day,
                "due_at": due_at(day, VN),
                "state": "none",
                "overdue_reminders": 0,
                "created_at": now,
            }
            for cells, day, unit_ids in plans
            for uid in unit_ids
        ]
        connection.execute(insert(Assignment), assignments)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    """Time the imports against the bare insert, print the table and keep the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--units", type=int, default=1000, help="rows of the units file")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--units-only", action="store_true", help="the units file alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        province = Path(tmp) / "province.sqlite3"
        engine = make_engine(f"sqlite:///{province}")
        generate(engine, size="province", assignments=2000, progress=None)
        if args.units_only:
            units_table = read_table(units_file(args.units), "units.csv")
            units = units_figures(engine, units_table)
            print_table(f"{args.units:,}-row units file", units_lines(args.units, units))
            write_results(
                "imports_units", {**units, "units_rows": args.units, "machine": machine()}
            )
            return 0
        today = datetime.now(VN).date()
        content = tasks_file(engine, args.rows, today)
        engine.dispose()
        started = time.perf_counter()
        table = read_table(content, "tasks.csv")
        read_s = time.perf_counter() - started

        def fresh(name: str) -> Engine:
            copy = Path(tmp) / name
            shutil.copy(province, copy)
            return make_engine(f"sqlite:///{copy}")

        if args.profile:
            profiled = fresh("profiled.sqlite3")
            profile = cProfile.Profile()
            profile.runcall(run_import, profiled, import_tasks, table)
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            return 0
        bare_s = bare_insert(fresh("bare.sqlite3"), table)
        imported = fresh("imported.sqlite3")
        first_s, first = run_import(imported, import_tasks, table)
        again_s, again = run_import(imported, import_tasks, table)
        units_table = read_table(units_file(args.units), "units.csv")
        units = units_figures(fresh("units.sqlite3"), units_table)
    figures: dict[str, Any] = {
        "rows": args.rows,
        "read_s": read_s,
        "bare_insert_s": bare_s,
        "import_s": first_s,
        "import_again_s": again_s,
        "added": len(first.added),
        "rejected": len(first.rejected),
        "unchanged_again": len(again.unchanged),
        "units_rows": args.units,
        **units,
        "machine": machine(),
    }
    ratio: Callable[[float], str] = lambda s: f"{s:.2f} s = {s / bare_s:.1f} x bare insert"  # noqa: E731
    print_table(
        f"{args.rows:,}-row tasks file ({len(first.added):,} added, "
        f"{len(first.rejected)} rejected)",
        [
            ("read the file", f"{read_s:.2f} s"),
            ("baseline: bare insert of its tasks and assignments", f"{bare_s:.2f} s"),
            ("import, every row new", ratio(first_s)),
            ("import again, nothing changes", ratio(again_s)),
            *units_lines(args.units, units),
        ],
    )
    write_results("imports", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
