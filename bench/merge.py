"""How long a merge of two people holds SQLite's write lock, with and without 0014's indexes.

    .venv/bin/python -m bench.merge                    # 200,000 outbox rows and reports
    .venv/bin/python -m bench.merge --rows 50000 --runs 3

A fresh SQLite file (bench/results/merge-<rows>.sqlite3, made again each run) gets 2,000
officials (bench/common.populate), `--rows` outbox rows and as many status reports spread
over them, 50 of each naming the person merged away. `merging.merge_people` (what `/link`
and `dondoc contacts merge` run, inside the transaction that holds the write lock) is timed
`--runs` times, each rolled back; then 0014's two indexes are dropped, as the schema was
before, and it is timed again on the same rows. Prints the median and the longest of each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import BENCH_NOW, RESULTS, populate, print_table
from db.engine import make_engine
from db.migrate import upgrade
from db.queries.merging import merge_people

OFFICIALS = 2_000
THEIRS = 50  # rows of each kind naming the person merged away
INDEXES = {"outbox": "ix_outbox_contact_id", "status_report": "ix_status_report_contact_id"}


def build(engine: Engine, rows: int) -> tuple[int, int]:
    """Fill the database; return the people merged (source, target)."""
    officials = populate(engine, OFFICIALS, date(2026, 12, 31))
    source, target = officials[0], officials[1]
    at = BENCH_NOW.isoformat()
    outbox, reports = [], []
    for n in range(rows):
        person = source if n < THEIRS else officials[2 + n % (OFFICIALS - 2)]
        outbox.append(
            {
                "key": f"bench:{n}",
                "chat": str(person.user_id),
                "contact": person.contact_id,
                "at": at,
            }
        )
        reports.append(
            {"assignment": person.assignment_id, "contact": person.contact_id, "at": at}
        )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox (key, channel, chat_id, contact_id, kind, priority, payload,"
                " status, attempts, not_before, created_at) VALUES (:key, 'telegram', :chat,"
                " :contact, 'notice', 10, '{}', 'sent', 1, :at, :at)"
            ),
            outbox,
        )
        conn.execute(
            text(
                "INSERT INTO status_report (assignment_id, contact_id, state, text, source,"
                " created_at) VALUES (:assignment, :contact, 'in_progress', '', 'text', :at)"
            ),
            reports,
        )
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return source.contact_id, target.contact_id


def timed(engine: Engine, source: int, target: int, runs: int) -> list[float]:
    """Time the merge `runs` times (ms), each in a transaction rolled back."""
    times = []
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            merge_people(session, source_id=source, target_id=target, now=BENCH_NOW)
            session.flush()
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return times


def main() -> None:
    """Build, time with the indexes, drop them, time again."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = RESULTS / f"merge-{args.rows}.sqlite3"
    for stale in path.parent.glob(f"{path.name}*"):
        stale.unlink()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    source, target = build(engine, args.rows)
    built = timedelta(seconds=round(time.perf_counter() - started))
    with_index = timed(engine, source, target, args.runs)
    with engine.begin() as conn:
        for name in INDEXES.values():
            conn.execute(text(f"DROP INDEX {name}"))
    without = timed(engine, source, target, args.runs)
    engine.dispose()

    def shown(times: list[float]) -> str:
        return f"median {statistics.median(times):.1f} ms, longest {max(times):.1f} ms"

    print_table(
        f"A merge at {args.rows:,} outbox rows and reports ({args.runs} runs; built in {built})",
        [
            ("without the indexes (0013)", shown(without)),
            ("with 0014's indexes", shown(with_index)),
        ],
    )


if __name__ == "__main__":
    main()
