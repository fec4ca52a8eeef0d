"""How long the year's formal report (.docx) takes to build, without the bot around it.

    .venv/bin/python -m bench.report            # bench.heavy's country: 50,000 assignments
    .venv/bin/python -m bench.report --reuse --repeat 3

The world bench.heavy's `/report` phase runs on (the generated country cut at
`--assignments`, a task given to `--nudge-units` communes, `--tappers` officials), kept in
bench/results/report-<N>.sqlite3. `app.jobs.report_document` of 01/01/2026-31/12/2026 for an
admin is called in this process, as the worker process does: reported per run, its whole
time and the part spent writing the Word file (`app.report_docx.render`). Prints a table;
writes bench/results/report.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from app import formal_report
from app.formal_report import Letterhead, ReportTarget
from app.jobs import report_document
from app.report_docx import render
from bench.common import BENCH_NOW, RESULTS, print_table, write_results
from bench.heavy import build
from db.queries.scope import EVERY

LETTERHEAD = Letterhead(
    "UBND tỉnh Quảng Nam", "Sở Khoa học và Công nghệ", "SKHCN", "Quảng Nam", "Giám đốc"
)
YEAR = ReportTarget(start=date(2026, 1, 1), end=date(2026, 12, 31))


def world(args: argparse.Namespace) -> Path:
    """Return the database file, generated unless `--reuse` finds it."""
    path = RESULTS / f"report-{args.assignments}.sqlite3"
    if args.reuse and path.exists():
        return path
    with tempfile.TemporaryDirectory(prefix="dondoc-report-") as tmp:
        made = build(
            Path(tmp), argparse.Namespace(**vars(args), more=False, more_only=False), heavy=True
        )
        RESULTS.mkdir(exist_ok=True)
        shutil.move(made.db_file, path)
    return path


def once(path: Path) -> dict[str, Any]:
    """Build the report once; return its size and where the time went."""
    spent: list[float] = []

    def timed(**kwargs: Any) -> bytes:
        started = time.perf_counter()
        content = render(**kwargs)
        spent.append(time.perf_counter() - started)
        return content

    vars(formal_report)["render"] = timed  # what build_report calls
    try:
        started = time.perf_counter()
        made = report_document(
            f"sqlite:///{path}",
            target=YEAR,
            scope=EVERY,
            now=BENCH_NOW,
            tz="Asia/Ho_Chi_Minh",
            letterhead=LETTERHEAD,
        )
        total = time.perf_counter() - started
    finally:
        vars(formal_report)["render"] = render
    assert made is not None
    return {
        "tasks": made.tasks,
        "rows": made.rows,
        "bytes": len(made.content),
        "total_s": round(total, 2),
        "word_file_s": round(sum(spent), 2),
    }


def main() -> None:
    """Build the world, time the report `--repeat` times, print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--nudge-units", type=int, default=3300)
    parser.add_argument("--tappers", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep a database made before")
    args = parser.parse_args()
    path = world(args)
    runs = [once(path) for _ in range(args.repeat)]
    median = {
        k: round(statistics.median(r[k] for r in runs), 2) for k in ("total_s", "word_file_s")
    }
    first = runs[0]
    print_table(
        "The year's formal report",
        [
            (
                "tasks / appendix rows / bytes",
                f"{first['tasks']} / {first['rows']} / {first['bytes']}",
            ),
            ("whole report, each run", ", ".join(f"{r['total_s']} s" for r in runs)),
            ("the Word file, each run", ", ".join(f"{r['word_file_s']} s" for r in runs)),
            ("median: whole / Word file", f"{median['total_s']} s / {median['word_file_s']} s"),
        ],
    )
    written = write_results(
        "report", {"assignments": args.assignments, "runs": runs, "median": median}
    )
    print(f"figures written to {written}")


if __name__ == "__main__":
    main()
