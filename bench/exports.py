"""How long the export of everything and the year's formal report take to build, alone.

    .venv/bin/python -m bench.exports --assignments 10000 --before main

The generator's province of 300 units (`province300`) cut at `--assignments`, written to
a SQLite file; then `app.jobs.export_workbook` of every task and `app.jobs.report_document`
of 01/01/2026-31/12/2026, for an admin, in Vietnamese, `--repeat` times each, each in a
process of its own as a worker process makes it (its imports included): its seconds, its
CPU seconds (what a machine shared with other work does not stretch) and its peak RSS.
`--before REV` first runs the same on REV's code (`git archive`, this module copied in) on
the same file, and prints after over before. Writes bench/results/exports.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from inspect import signature
from pathlib import Path
from typing import Any

TZ = "Asia/Ho_Chi_Minh"


COMMANDS = ("export", "report")


def measure(url: str, repeat: int) -> dict[str, list[dict[str, float]]]:
    """Return each command's figures, `repeat` runs each, each in a process of its own."""
    found: dict[str, list[dict[str, float]]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name in COMMANDS:
            said = subprocess.run(
                [sys.executable, "-m", "bench.exports", "--measure-one", name, url],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            found[name].append(json.loads(said.strip().splitlines()[-1]))
    return found


def measure_one(name: str, url: str) -> dict[str, float]:
    """Run one command on the database at `url` in this process: seconds, CPU, peak RSS."""
    from app.formal_report import Letterhead, ReportTarget
    from app.jobs import export_workbook, report_document
    from bench.common import BENCH_NOW
    from db.queries.scope import EVERY

    letterhead = Letterhead(
        "UBND tỉnh Quảng Nam", "Sở Khoa học và Công nghệ", "SKHCN", "Quảng Nam", "Giám đốc"
    )
    year = ReportTarget(start=date(2026, 1, 1), end=date(2026, 12, 31))

    def export() -> object:
        return export_workbook(
            url, task_id=None, directive_id=None, scope=EVERY, lang="vi", now=BENCH_NOW, tz=TZ
        )

    def report() -> object:
        # The report is Vietnamese whatever the reader's (7 December 2026): a revision from
        # before was told the language (`--before`).
        told: dict[str, Any] = (
            {"lang": "vi"} if "lang" in signature(report_document).parameters else {}
        )
        return report_document(
            url, target=year, scope=EVERY, now=BENCH_NOW, tz=TZ, letterhead=letterhead, **told
        )

    command = export if name == "export" else report
    started, cpu = time.perf_counter(), time.process_time()
    assert command() is not None
    return {
        "s": round(time.perf_counter() - started, 2),
        "cpu": round(time.process_time() - cpu, 2),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def before(rev: str, url: str, repeat: int) -> dict[str, list[dict[str, float]]]:
    """Run `measure` on the code of `rev` (exported, this module copied in)."""
    from bench.common import on_revision

    said = on_revision(rev, Path(__file__), ["--measure-only", url, "--repeat", str(repeat)])
    figures: dict[str, list[dict[str, float]]] = json.loads(said.strip().splitlines()[-1])
    return figures


def shown(runs: list[dict[str, float]]) -> str:
    """Return runs as "12.3 s (cpu 4.5 s, 210 MB)", one after the other."""
    return ", ".join(f"{r['s']} s (cpu {r['cpu']} s, {r['rss_mb']:.0f} MB)" for r in runs)


def main() -> None:
    """Generate the province, time both commands (before and after), print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--before", metavar="REV")
    parser.add_argument("--measure-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure-one", nargs=2, metavar=("COMMAND", "URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure_one:
        print(json.dumps(measure_one(*args.measure_one)))
        return
    if args.measure_only:
        print(json.dumps(measure(args.measure_only, args.repeat)))
        return
    from bench.common import print_table, write_results
    from bench.generate import generate
    from db.engine import make_engine

    tmp = tempfile.mkdtemp(prefix="dondoc-exports-")
    try:
        url = f"sqlite:///{Path(tmp) / 'province.sqlite3'}"
        engine = make_engine(url)
        generate(engine, size="province300", assignments=args.assignments, progress=None)
        engine.dispose()
        then = before(args.before, url, args.repeat) if args.before else None
        now = measure(url, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for name in COMMANDS:
        line = shown(now[name])
        if then:
            ratio = min(r["s"] for r in then[name]) / min(r["s"] for r in now[name])
            cpu = min(r["cpu"] for r in then[name]) / min(r["cpu"] for r in now[name])
            line = f"{shown(then[name])} -> {line} ({ratio:.1f} x, cpu {cpu:.1f} x)"
        rows.append((name, line))
    print_table(f"Export and report, province300 at {args.assignments} assignments", rows)
    keep = {"assignments": args.assignments, "before": args.before, "then": then, "now": now}
    print(f"figures written to {write_results('exports', keep)}")


if __name__ == "__main__":
    main()
