"""What a status reply's check-in costs the thread that runs it, alone and beside the loop.

    .venv/bin/python -m bench.checkin [--officials 2600] [--before REV]

Each official of a fresh SQLite database (one task, each official's unit on it, a reminder
recorded as sent) answers "xong" to their reminder through the use case every channel calls,
`app.checkin.text.answer_text`, once: in batches of 100 officials, the batches alternately
run alone and beside a thread that runs Python all the time, as the event loop runs beside
the update pool while replies come in (bench.overhead's concurrent rounds), the two kinds
in turn. The figure is the CPU time of the calling thread a reply (median of the batches).
Beside a busy thread each step of a statement waits for the GIL: a thread that never lets it
go is harsher than the event loop, which does at each of its waits, so on a quiet machine
that figure is mostly the contention's; "alone" is the reply's own work.
`--before REV` first runs the same on REV's code (`git archive`, this module copied in) and
prints after over before. Writes bench/results/checkin.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

BATCH = 100
WARM_UP = 200
KINDS = ("alone", "beside a busy thread")


class _NoServer(NamedTuple):
    """The Bot API the settings name: nothing is sent, the use case only returns words."""

    token: str = "1:bench"
    base_url: str = "http://127.0.0.1:9/bot"
    base_file_url: str = "http://127.0.0.1:9/file"


def measure(officials: int) -> dict[str, list[float]]:
    """Return the CPU microseconds a reply of each batch, by kind."""
    from sqlalchemy import text

    from app.actor import Actor
    from app.checkin import RepliedTo
    from app.checkin.text import answer_text
    from bench.common import BENCH_NOW, bench_settings, populate, record_sent_reminders
    from bot.app import build_services
    from core.clock import ManualClock
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.retry import count_commits

    tmp = Path(tempfile.mkdtemp(prefix="dondoc-checkin-"))
    try:
        engine = make_engine(f"sqlite:///{tmp / 'checkin.sqlite3'}")
        upgrade(engine)
        count_commits(engine)
        people = populate(engine, officials, (BENCH_NOW + timedelta(days=7)).date())
        first_message = 1000
        record_sent_reminders(engine, [(o, first_message + i) for i, o in enumerate(people)])
        settings = bench_settings(tmp / "checkin.sqlite3", _NoServer())  # type: ignore[arg-type]
        services = build_services(settings, "1:bench", clock=ManualClock(BENCH_NOW), engine=engine)
        with engine.connect() as connection:
            query = text("SELECT contact_id, unit_id FROM unit_contact")
            unit_of = {int(c): int(u) for c, u in connection.execute(query)}

        def reply(number: int) -> None:
            official = people[number]
            actor = Actor(
                official.contact_id, str(official.user_id), "vi", "member",
                (unit_of[official.contact_id],), (),
            )  # fmt: skip
            replied = RepliedTo(str(official.user_id), first_message + number, "Nhắc việc #1")
            answer = answer_text(services, actor, "xong", key=f"bench:{number}", replied=replied)
            assert answer.recorded is not None, answer
            assert answer.recorded.ok, answer

        for number in range(WARM_UP):
            reply(number)
        found: dict[str, list[float]] = {kind: [] for kind in KINDS}
        batches = [range(s, s + BATCH) for s in range(WARM_UP, officials - BATCH + 1, BATCH)]
        for index, batch in enumerate(batches):
            kind = KINDS[(index + index // 2) % 2]  # alone, busy, busy, alone, alone, ...
            cpu = _beside_busy(reply, batch) if kind == KINDS[1] else _cpu(reply, batch)
            found[kind].append(round(cpu / len(batch) * 1e6, 1))
        engine.dispose()
        return found
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cpu(reply: Callable[[int], None], batch: Sequence[int]) -> float:
    """Return the calling thread's CPU seconds to answer a batch."""
    started = time.thread_time()
    for number in batch:
        reply(number)
    return time.thread_time() - started


def _beside_busy(reply: Callable[[int], None], batch: Sequence[int]) -> float:
    """Answer a batch while another thread runs Python without pause; return the CPU time."""
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(200))

    thread = threading.Thread(target=busy, name="bench-busy")
    thread.start()
    try:
        return _cpu(reply, batch)
    finally:
        stop.set()
        thread.join()


def before(rev: str, officials: int) -> dict[str, list[float]]:
    """Run `measure` on the code of `rev` (exported, this module copied in)."""
    from bench.common import on_revision

    said = on_revision(rev, Path(__file__), ["--measure-only", str(officials)])
    figures: dict[str, list[float]] = json.loads(said.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Measure (before, then after), print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=2600)
    parser.add_argument("--before", metavar="REV")
    parser.add_argument("--measure-only", type=int, metavar="OFFICIALS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.measure_only)))
        return
    from bench.common import print_table, write_results

    then = before(args.before, args.officials) if args.before else None
    now = measure(args.officials)
    rows: list[tuple[str, Any]] = []
    for kind in KINDS:
        line = f"{statistics.median(now[kind]):.0f} us"
        if then:
            old = statistics.median(then[kind])
            line = f"{old:.0f} us -> {line} ({statistics.median(now[kind]) / old:.2f})"
        rows.append((f"CPU a reply, {kind}", line))
    rows.append(("load average", [round(x, 2) for x in os.getloadavg()]))
    print_table(f"A status reply's check-in, {args.officials} officials", rows)
    keep = {"officials": args.officials, "before": args.before, "then": then, "now": now}
    print(f"figures written to {write_results('checkin', keep)}")


if __name__ == "__main__":
    main()
