"""How long a country's summary holds the event loop while it is cut into pages and filed.

    .venv/bin/python -m bench.paging                     # 50,000 assignments, 5 tasks
    .venv/bin/python -m bench.paging --tasks 1 --reuse   # one country-wide task

The generated country cut at `--assignments` (bench/generate.py, kept in
bench/results/paging-<N>.sqlite3) gets a directive of `--tasks` tasks, each given to every
unit (13,278 at a country's size). Its summary (`app.reports.directive`) is built once;
then what `/summary` does with it in chat (handlers/telegram/report_pages.py: cut the
pages, write the first one as HTML, the whole text as a plain UTF-8 file) runs while a
ticker on the loop measures how late it wakes (every 5 ms): first all on the loop, as
before, then the cutting and the file in a worker thread, as now. Prints the longest
lateness of each and writes bench/results/paging.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app import reports
from app.i18n import load_catalog
from app.summary_text import Report
from bench.common import BENCH_NOW, RESULTS, VN, print_table, write_results
from core.markup import to_html, to_plain
from db.engine import make_engine
from db.models import Directive, Task, Unit
from db.queries.scope import EVERY
from db.queries.tasks import assign_units

TICK_S = 0.005
NUMBER = "01/CT-BENCH"


def build(path: Path, assignments: int, tasks: int) -> None:
    """Generate the country and give the directive's tasks to every unit."""
    from bench.generate import generate

    engine = make_engine(f"sqlite:///{path}")
    generate(engine, size="country", assignments=assignments, progress=None)
    with Session(engine) as session:
        doc = Directive(number=NUMBER, number_folded=NUMBER.lower())
        session.add(doc)
        session.flush()
        units = [u for u in session.exec(select(Unit.id)) if u is not None]
        for n in range(tasks):
            title = f"Nhiệm vụ toàn quốc {n + 1}"
            task = Task(
                title=title,
                title_folded=title.lower(),
                deadline=date(2026, 11, 10),
                directive_id=doc.id,
            )
            session.add(task)
            session.flush()
            assign_units(session, task=task, unit_ids=units, tz=VN)
        session.commit()
    engine.dispose()


def summary(path: Path) -> Report:
    """Return the directive's summary as a coordinator with no scope reads it."""
    catalog = load_catalog()

    def t(key: str, **params: object) -> str:
        return catalog.get("vi", key, **params)

    ctx = reports.Context(t, "vi", EVERY, BENCH_NOW, VN)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        doc = session.exec(select(Directive).where(Directive.number == NUMBER)).one()
        report = reports.directive(session, ctx, doc)
    engine.dispose()
    assert report is not None
    return report


async def longest_lateness(work: Callable[[], Any]) -> float:
    """Run `work` (a coroutine function) while a ticker measures the loop; return ms."""
    worst = 0.0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK_S)
            worst = max(worst, time.perf_counter() - before - TICK_S)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(TICK_S * 2)
    await work()
    done.set()
    await ticker
    return worst * 1000


def plain_file(report: Report) -> bytes:
    """Return the file `/summary` sends past five pages."""
    return to_plain(report.full_text()).encode("utf-8")


async def measure(report: Report) -> dict[str, Any]:
    """Show the first page and file the whole text on the loop, then off it."""

    async def on_loop() -> None:
        pages = report.pages()
        to_html(report.text(pages[0]))
        plain_file(report)

    async def in_thread() -> None:
        pages = await asyncio.to_thread(report.pages)
        to_html(report.text(pages[0]))
        await asyncio.to_thread(plain_file, report)

    started = time.perf_counter()
    loop_ms = await longest_lateness(on_loop)
    cpu_ms = (time.perf_counter() - started) * 1000
    thread_ms = await longest_lateness(in_thread)
    return {
        "entries": len(report.entries),
        "pages": len(report.pages()),
        "file_bytes": len(plain_file(report)),
        "work_ms": round(cpu_ms, 1),
        "longest_lateness_on_loop_ms": round(loop_ms, 1),
        "longest_lateness_in_thread_ms": round(thread_ms, 1),
    }


def main() -> None:
    """Build (or reuse) the database, measure, print and write bench/results/paging.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a database made before")
    args = parser.parse_args()
    path = RESULTS / f"paging-{args.assignments}-{args.tasks}.sqlite3"
    if not (args.reuse and path.exists()):
        path.unlink(missing_ok=True)
        build(path, args.assignments, args.tasks)
    report = summary(path)
    figures = asyncio.run(measure(report))
    print_table(
        f"/summary of a directive of {args.tasks} tasks given to every unit",
        [(key, str(value)) for key, value in figures.items()],
    )
    written = write_results("paging", {"tasks": args.tasks, **figures})
    print(f"figures written to {written}")


if __name__ == "__main__":
    main()
