"""Benchmark 8: the dashboard's pages at a province's scale (target: under 300 ms each).

    .venv/bin/python -m bench.pages                 # 20,000 assignments, 300-unit tasks
    .venv/bin/python -m bench.pages --repeat 20

A province of 300 communes and wards, every task given to every unit, 20,000 assignments
(`bench.generate`, kept in bench/results/pages-<N>.sqlite3). An admin signed in asks the
overview, a 300-unit task page and the matrix through the real web application (routes,
session lookup, database reads in the worker thread, templates), over ASGI in this process,
warm, median of `--repeat` runs. Prints a table; writes bench/results/pages.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import load_catalog
from app.links import derive_link_key
from app.services import Services
from bench.generate import REFERENCE_NOW, generate
from bot.settings import Settings
from core.clock import ManualClock
from db.engine import make_engine
from db.models import Assignment, Contact
from db.queries.web import open_session
from web.auth import COOKIE
from web.deps import WebDeps
from web.server import create_app

RESULTS = Path(__file__).parent / "results"
TARGET_MS = 300.0


def _prepare(path: Path, assignments: int, units: int) -> None:
    """Generate the province once (reused while the file exists)."""
    if path.exists():
        return
    engine = make_engine(f"sqlite:///{path}")
    generate(engine, size="province", assignments=assignments, units=units, everyone=True)
    engine.dispose()


async def _measure(path: Path, repeat: int) -> list[dict[str, Any]]:
    """Time each page as a signed-in admin waits for it."""
    settings = Settings(_env_file=None, database_url=f"sqlite:///{path}", bot_token=None)
    engine = make_engine(settings.database_url)
    clock = ManualClock(REFERENCE_NOW)
    services = Services(settings, engine, load_catalog(), clock)
    with Session(engine) as session:
        bench_admin = select(Contact).where(Contact.display_name == "Bench admin")
        admin = session.exec(bench_admin).first()
        if admin is None:  # the database is kept between runs
            admin = Contact(display_name="Bench admin", role="admin")
            session.add(admin)
            session.flush()
        assert admin.id is not None
        token, _ = open_session(session, contact_id=admin.id, now=clock.now())
        task_id, size = session.exec(
            select(Assignment.task_id, func.count())
            .group_by(col(Assignment.task_id))
            .order_by(func.count().desc())
        ).first() or (0, 0)
        total = int(session.exec(select(func.count()).select_from(Assignment)).one())
        session.commit()
    app = create_app(WebDeps(services, derive_link_key("bench")))
    transport = httpx.ASGITransport(app=app)
    rows: list[dict[str, Any]] = []
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", cookies={COOKIE: token}
    ) as client:
        for name, url in (
            ("overview", "/"),
            (f"task page ({size} units)", f"/tasks/{task_id}"),
            ("matrix", "/matrix"),
            # a unit searched for, without diacritics: its matches narrowed in the database
            ("matrix, units searched (phuong)", "/matrix?q=phuong"),
        ):
            times = []
            for _ in range(repeat + 1):  # the first run warms caches and is dropped
                started = time.perf_counter()
                response = await client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code}")
            median = statistics.median(times[1:])
            rows.append(
                {
                    "page": name,
                    "assignments": total,
                    "median_ms": round(median, 1),
                    "bytes": len(response.content),
                    "target_ms": TARGET_MS if not name.startswith("matrix") else None,
                }
            )
    engine.dispose()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("--assignments", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"pages-{args.assignments}.sqlite3"
    _prepare(path, args.assignments, args.units)
    rows = asyncio.run(_measure(path, args.repeat))
    print("| page | assignments | median | target |\n|---|---:|---:|---|")
    for row in rows:
        target = f"< {row['target_ms']:.0f} ms" if row["target_ms"] else ""
        print(f"| {row['page']} | {row['assignments']:,} | {row['median_ms']} ms | {target} |")
    (RESULTS / "pages.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
