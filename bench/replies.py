"""Reading hostile replies: milliseconds to parse 2,000 and 20,000 characters, beside main.

Each case is a reply built to make the parser work: one clause after another ("nhưng"
repeated, which cost a scan to the end of the reply per clause), dates by the hundred, a
word that every guarded pattern finds and rejects ("nữa", "mái", "hông"), a mixture.
Each is parsed by `core/` as it is here and as it is at `--before REV` (main by default,
`git archive`d into a temporary directory), each in a fresh interpreter, alternately for
`--rounds` rounds, in the same command: the ratio is what the figure means on a shared
machine. A figure is the median of `--repeat` parses of the thread's CPU time (what other
processes do not lengthen) and of the wall clock.

    .venv/bin/python -m bench.replies [--before main] [--rounds 3] [--repeat 7]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 12, 7)
RESULTS = Path(__file__).parent / "results"
SIZES = (2_000, 20_000)
SHAPES: dict[str, str] = {
    "clauses: 'xong r, nhưng '": "xong r, nhưng ",
    "'hk do . '": "hk do . ",
    "dates: 'r 5/12 '": "r 5/12 ",
    "'xông nhưng 5/12 '": "xông nhưng 5/12 ",
    "'nữa tháng, '": "nữa tháng, ",
    "'mái chậm ko 100% '": "mái chậm ko 100% ",
    "'ạ '": "ạ ",
    "a report, repeated": (
        "Dạ em báo cáo: xã em đã hoàn thành 3/5 nội dung, còn 2 việc vướng do thiếu kinh phí,"
        " dự kiến thứ 6 xong, xin gia hạn đến 20/12 ạ. "
    ),
}


def texts() -> dict[str, str]:
    """Return each case's reply, named by its shape and length."""
    return {
        f"{name} x{size:,}": (piece * (size // len(piece) + 1))[:size]
        for name, piece in SHAPES.items()
        for size in SIZES
    }


def child(root: str, repeat: int) -> None:
    """Parse each case `repeat` times with the core/ under `root`; print the medians."""
    sys.path.insert(0, root)
    from core.replies.parse import parse_reply

    figures: dict[str, tuple[float, float]] = {}
    for name, text in texts().items():
        parse_reply(text, today=TODAY)  # warm: patterns compiled, caches filled
        cpu: list[float] = []
        wall: list[float] = []
        for _ in range(repeat):
            started_cpu, started_wall = time.thread_time(), time.perf_counter()
            parse_reply(text, today=TODAY)
            cpu.append(time.thread_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
        figures[name] = (statistics.median(cpu) * 1000, statistics.median(wall) * 1000)
    print(json.dumps(figures))


def core_at(revision: str) -> str:
    """Return a temporary directory holding core/ as it is at `revision`."""
    archive = subprocess.run(["git", "archive", revision, "core"], capture_output=True, check=True)
    root = tempfile.mkdtemp(prefix="dondoc-replies-before-")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(root, filter="data")
    return root


def measure(root: str, repeat: int) -> dict[str, tuple[float, float]]:
    """Run the cases in a fresh interpreter with the core/ under `root`."""
    command = [sys.executable, "-m", "bench.replies", "--child", root, "--repeat", str(repeat)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, tuple[float, float]] = json.loads(done.stdout)
    return figures


def main() -> None:
    """Measure every case before and after, alternately, and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    before = core_at(args.before)
    here = str(Path(__file__).resolve().parent.parent)
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {"before": [], "after": []}
    try:
        for _ in range(args.rounds):
            runs["before"].append(measure(before, args.repeat))
            runs["after"].append(measure(here, args.repeat))
    finally:
        shutil.rmtree(before, ignore_errors=True)
    load = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"load: {load}; before is {args.before}")
    print(f"{'case':<44} {'before cpu/wall ms':>20} {'after cpu/wall ms':>20} {'cpu ratio':>9}")
    table: dict[str, dict[str, float]] = {}
    for name in texts():
        old = [statistics.median(run[name][i] for run in runs["before"]) for i in (0, 1)]
        new = [statistics.median(run[name][i] for run in runs["after"]) for i in (0, 1)]
        table[name] = {"before_cpu_ms": old[0], "before_wall_ms": old[1]}
        table[name] |= {"after_cpu_ms": new[0], "after_wall_ms": new[1]}
        print(
            f"{name:<44} {old[0]:9.1f} /{old[1]:8.1f} {new[0]:9.1f} /{new[1]:8.1f}"
            f" {new[0] / old[0]:9.2f}"
        )
    # Written here rather than by bench.common, whose imports would put this checkout's
    # core/ in the children's way.
    RESULTS.mkdir(exist_ok=True)
    saved = {"load": load, "before": args.before, "cases": table}
    (RESULTS / "replies.json").write_text(json.dumps(saved, indent=2))


if __name__ == "__main__":
    main()
