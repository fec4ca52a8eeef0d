"""Benchmark 13: how long a `dondoc` command takes to start, against another commit's.

    python -m bench.startup [--against e5e8768] [--rounds 5]

An admin's command (`dondoc admin list`, `export`, `--help`) and the bot's own start pay
for every module they import before they do anything. Each command below runs as an
operator runs it (`python -m bot ...`, a process of its own, on a migrated SQLite file)
from this checkout and from the commit `--against` names (exported with `git archive` to a
temporary folder, run with the same interpreter and packages), alternately, the baseline
first in odd rounds; each figure is the median of the process's CPU time (user + system)
and of the clock, and the ratio this checkout's over the baseline's.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median, print_table, write_results

HERE = Path(__file__).resolve().parents[1]
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--version",),
    ("--help",),
    ("admin", "list"),
    ("export", "--help"),
    ("run", "--help"),
    ("db", "upgrade"),
)


def export_tree(commit: str, into: Path) -> Path:
    """Write the files of `commit` under `into` (git archive) and return the folder."""
    archive = subprocess.run(
        ["git", "-C", str(HERE), "archive", commit], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_once(tree: Path, args: tuple[str, ...], db_file: Path) -> tuple[float, float]:
    """Run `python -m bot ARGS` from `tree`; return its CPU and clock seconds."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {"PYTHONPATH": str(tree), "DATABASE_URL": f"sqlite:///{db_file}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=db_file.parent,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} from {tree} exited {done.returncode}: {done.stderr!r}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="e5e8768", help="the baseline's commit")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dondoc-startup-") as tmp:
        base = export_tree(args.against, Path(tmp) / "baseline")
        trees = {"baseline": base, "this": HERE}
        files = {}
        for name, tree in trees.items():  # each its own database, migrated by its own code
            (Path(tmp) / f"{name}-db").mkdir()
            files[name] = Path(tmp) / f"{name}-db" / "startup.sqlite3"
            run_once(tree, ("db", "upgrade"), files[name])
        cpu: dict[tuple[str, str], list[float]] = {}
        wall: dict[tuple[str, str], list[float]] = {}
        for round_no in range(args.rounds):
            order = list(trees) if round_no % 2 == 0 else list(reversed(trees))
            for command in COMMANDS:
                for name in order:
                    c, w = run_once(trees[name], command, files[name])
                    cpu.setdefault((name, " ".join(command)), []).append(c)
                    wall.setdefault((name, " ".join(command)), []).append(w)
    rows: list[tuple[str, str]] = []
    figures: dict[str, dict[str, float]] = {}
    for command in COMMANDS:
        said = " ".join(command)
        b_cpu, t_cpu = median(cpu["baseline", said]), median(cpu["this", said])
        b_wall, t_wall = median(wall["baseline", said]), median(wall["this", said])
        figures[said] = {
            "baseline_cpu_s": round(b_cpu, 3),
            "this_cpu_s": round(t_cpu, 3),
            "cpu_ratio": round(t_cpu / b_cpu, 3),
            "baseline_wall_s": round(b_wall, 3),
            "this_wall_s": round(t_wall, 3),
            "wall_ratio": round(t_wall / b_wall, 3),
        }
        rows.append(
            (
                f"dondoc {said}",
                f"cpu {b_cpu:.2f} -> {t_cpu:.2f} s ({t_cpu / b_cpu:.2f}), "
                f"clock {b_wall:.2f} -> {t_wall:.2f} s ({t_wall / b_wall:.2f})",
            )
        )
    rows.append(("load average", str([round(x, 2) for x in os.getloadavg()])))
    print_table(f"Benchmark 13: a command's start, {args.against} -> this checkout", rows)
    path = write_results(
        "startup", {"against": args.against, "rounds": args.rounds, "commands": figures}
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
