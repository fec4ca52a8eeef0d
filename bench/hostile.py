"""Reading hostile spreadsheets: seconds and peak RSS, each read in its own process.

Each file of `bench/hostile_files.py` is written to a temporary directory, then read by
`read_table` in a fresh interpreter (`--child`) that reports the seconds of the read and
its peak RSS (VmHWM), beside the RSS it had before reading (imports done, file loaded).
The baseline, in the same command: an openpyxl-written appendix of 5,000 tasks (the size of
bench.imports' file), read the same way. `--before REV` reads every file with
the reader (`core/`) as it is at REV too (`git archive`), for a before/after in one run.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import hostile_files as hostile

CASES: dict[str, Callable[[], bytes]] = {
    "shared strings: 1,800,000": lambda: hostile.shared_strings_bomb(1_800_000),
    "shared strings: 250,000 (at the bound)": lambda: hostile.shared_strings_bomb(250_000),
    "styles: 300,000 cell formats": lambda: hostile.styles_bomb(300_000),
    "a row of 1,000,000 cells": lambda: hostile.wide_row_bomb(1_000_000),
    "1,000,000 empty rows": lambda: hostile.rows_bomb(1_000_000),
    "3,000 sheets": lambda: hostile.sheets_bomb(3_000),
    "a title of 32,767 letters": lambda: hostile.huge_cell(32_767),
    "a linked workbook's copy of 20,000 x 50 cells": lambda: hostile.external_link_bomb(
        20_000, 50
    ),
    "300,000 custom properties": lambda: hostile.custom_properties_bomb(300_000),
    "a list of 20,000 parts": lambda: hostile.manifest_bomb(20_000),
    "a sheet of 30,000 hyperlinks": lambda: hostile.links_bomb(30_000),
    "a workbook part named book.xml, 400,000 names": lambda: hostile.renamed_workbook_bomb(
        400_000
    ),
    "1,800,000 shared strings in strings.xml": lambda: hostile.renamed_strings_bomb(1_800_000),
    "CSV: a line of 5,000,000 commas": lambda: hostile.csv_one_line(5_000_000),
    "CSV: a field of 5,000,000 letters": lambda: hostile.csv_one_field(5_000_000),
}
BASELINE = "baseline: 5,000-task appendix"


def appendix(rows: int = 5_000) -> bytes:
    """Return an openpyxl-written tasks appendix of `rows` rows, Vietnamese titles."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã", "Nhiệm vụ", "Thời hạn hoàn thành", "Cơ quan chủ trì", "Văn bản"])
    topic = "Triển khai nhiệm vụ chuyển đổi số và cải cách hành chính năm 2027"
    for n in range(1, rows + 1):
        sheet.append([f"T{n:05d}", f"{topic} ({n})", "31/12/2027", "Sở Tài chính", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def child(path: Path, before: str | None) -> None:
    """Read one file as an import does; print seconds, peak RSS and the outcome as JSON."""
    if before:  # REV's whole core/ (its reader and the bounds it reads with), first on the path
        archive = subprocess.run(
            ["git", "archive", before, "core"], capture_output=True, check=True
        ).stdout
        root = tempfile.mkdtemp(prefix="dondoc-before-")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        sys.path.insert(0, root)
    reader: Any = importlib.import_module("core.spreadsheet")
    if not hasattr(reader, "read_table"):  # a package since h-struct: its entry is `read`
        reader = importlib.import_module("core.spreadsheet.read")
    import openpyxl  # noqa: F401  (imported before the read, as in the bot)

    content = path.read_bytes()
    rss_before = peak_rss_kb()
    started = time.perf_counter()
    try:
        outcome = f"read {len(reader.read_table(content, path.name, max_bytes=6 << 20).rows)}"
    except Exception as exc:  # the old and new UnreadableFile are different classes
        outcome = f"refused: {getattr(exc, 'code', type(exc).__name__)}"
    seconds = time.perf_counter() - started
    peak = peak_rss_kb()
    print(
        json.dumps(
            {
                "s": seconds,
                "peak_mb": peak / 1024,
                "base_mb": rss_before / 1024,
                "outcome": outcome,
            }
        )
    )


def peak_rss_kb() -> int:
    """Return this process's peak RSS in KB: VmHWM, which exec resets (getrusage's
    ru_maxrss keeps the parent's peak at fork, here the parent that built the bombs)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(path: Path, before: str | None) -> dict[str, Any]:
    """Run the child on one file; return what it printed."""
    command = [sys.executable, "-m", "bench.hostile", "--child", str(path)]
    if before:
        command += ["--before", before]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Measure every case (and the baseline) after, and before if asked."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a git revision whose core/ to read with too")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.before)
        return
    from bench.common import print_table, write_results  # not in the child: 60 MB of imports

    results: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in {BASELINE: appendix, **CASES}.items():
            path = Path(tmp) / ("file.csv" if name.startswith("CSV") else "file.xlsx")
            path.write_bytes(build())
            runs = {"after": measure(path, None)}
            if args.before:
                runs["before"] = measure(path, args.before)
            results[name] = {"disk_kb": path.stat().st_size // 1024, **runs}
            rows.append((f"{name} ({results[name]['disk_kb']} KB)", _line(runs)))
    results["load_average_end"] = os.getloadavg()[0]
    print_table(f"Reading hostile files (load {results['load_average']:.1f})", rows)
    print(f"results: {write_results('hostile', results)}")


def _line(runs: dict[str, dict[str, Any]]) -> str:
    """Return a case's figures: seconds, peak RSS over the base, outcome; before first."""
    return " | ".join(
        f"{when}: {r['s']:.2f} s, peak {r['peak_mb']:.0f} MB (base {r['base_mb']:.0f}), "
        f"{r['outcome']}"
        for when, r in sorted(runs.items(), reverse=True)
    )


if __name__ == "__main__":
    main()
