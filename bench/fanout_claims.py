"""The fan-out's claim alone: how long one claim of the senders takes, SQLite and PostgreSQL.

    python -m bench.fanout --claims [--chats 3000] [--history 20] [--repeat 40] [--before REV]
                           [--rounds 1] [--postgres URL]

A fan-out's queue, `--chats` chats each with one reminder due, and, per chat, `--history`
messages sent before (a chat with a year of them reads more to find its head), written by
the code's own migrations into a SQLite file and into a fresh PostgreSQL database
(`--postgres`, else `TEST_POSTGRES_URL`; dropped after). On each, `--repeat` claims of the
Telegram sender's batch (`db.queries.outbox_claim.claim`, 29 rows), each rolled back so
that every claim reads the same queue (one first, not counted, opens the connection;
PostgreSQL's statistics are taken first, as its autovacuum keeps them); their median and
90th percentile in ms. With
`--before REV` the same runs first on REV's code (`bench.common.on_revision`: its own
migrations, so its own indexes), after over before beside; with `--rounds N`, N times
alternately, each side's claims pooled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

BATCH = 29  # the Telegram sender's claim at SEND_RATE_PER_S 29


def queue(url: str, chats: int, history: int) -> None:
    """Migrate the database at `url` and write the fan-out's queue and its history."""
    from sqlalchemy import insert, text
    from sqlmodel import Session

    from bench.common import BENCH_NOW
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.models import Outbox

    engine = make_engine(url)
    upgrade(engine)
    now = BENCH_NOW
    rows: list[dict[str, Any]] = []
    for n in range(chats):
        chat = str(500_000 + n)
        for day in range(history, 0, -1):
            at = now - timedelta(days=day)
            rows.append(_row(f"old:{chat}:{day}", chat, "sent", at, sent_at=at))
        rows.append(_row(f"today:{chat}", chat, "pending", now - timedelta(minutes=1)))
    with Session(engine) as session:
        table = Outbox.__table__  # type: ignore[attr-defined]
        for start in range(0, len(rows), 5000):
            session.connection().execute(insert(table), rows[start : start + 5000])
        session.commit()
    if engine.dialect.name == "postgresql":  # its statistics, as autovacuum keeps them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE outbox"))
    engine.dispose()


def _row(key: str, chat: str, status: str, at: Any, sent_at: Any = None) -> dict[str, Any]:
    """Return an outbox row of the bench: a reminder to `chat`, queued at `at`."""
    return {
        "key": key, "channel": "telegram", "chat_id": chat, "kind": "reminder",
        "priority": 10, "payload": {"text": "Nhắc việc"}, "status": status,
        "attempts": 1 if sent_at else 0, "not_before": at, "created_at": at, "sent_at": sent_at,
    }  # fmt: skip


def timed(url: str, repeat: int) -> list[float]:
    """Return the ms of `repeat` claims of a batch on the database at `url`, each rolled back."""
    from sqlmodel import Session

    from bench.common import BENCH_NOW
    from db.engine import make_engine
    from db.queries.outbox_claim import claim

    engine = make_engine(url)
    found = []
    try:
        for n in range(-1, repeat):  # the first opens the connection: not counted
            with Session(engine) as session:
                started = time.perf_counter()
                got = claim(
                    session, owner=f"bench-{n}", now=BENCH_NOW, limit=BATCH,
                    lease=timedelta(minutes=2),
                )  # fmt: skip
                if n >= 0:
                    found.append(round((time.perf_counter() - started) * 1000, 2))
                assert len(got) == BATCH, len(got)
                session.rollback()
    finally:
        engine.dispose()
    return found


def measure(server: str, chats: int, history: int, repeat: int) -> dict[str, list[float]]:
    """Queue the fan-out on SQLite and on a fresh PostgreSQL database; time the claims."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bench.workers import drop_database
    from db.engine import make_engine

    name = f"dondoc_claims_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    pg_url = make_url(server).set(database=name).render_as_string(hide_password=False)
    tmp = tempfile.mkdtemp(prefix="dondoc-claims-")
    figures: dict[str, list[float]] = {}
    try:
        sqlite_url = f"sqlite:///{Path(tmp) / 'claims.sqlite3'}"
        for label, url in (("sqlite", sqlite_url), ("postgresql", pg_url)):
            queue(url, chats, history)
            figures[label] = timed(url, repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(server, pg_url)
    return figures


def summary(ms: list[float]) -> str:
    """Return the median and 90th percentile of claims' ms."""
    from bench.common import median, percentile

    return f"{median(ms):.1f} ms (p90 {percentile(ms, 90):.1f})"


def main(argv: list[str] | None = None) -> None:
    """Time the claims (before and after), print them, write bench/results/fanout_claims.json."""
    parser = argparse.ArgumentParser(prog="bench.fanout --claims")
    parser.add_argument("--chats", type=int, default=3000)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--before", metavar="REV")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    server = str(
        args.postgres
        or os.environ.get("TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    sizes = ["--chats", str(args.chats), "--history", str(args.history)]
    sizes += ["--repeat", str(args.repeat), "--postgres", server]
    if args.measure_only:
        print(json.dumps(measure(server, args.chats, args.history, args.repeat)))
        return
    from bench.common import median, on_revision, print_table, write_results

    then: dict[str, list[float]] | None = {"sqlite": [], "postgresql": []} if args.before else None
    now: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for _ in range(args.rounds):  # alternately, so that a busy minute weighs on both
        if then is not None:
            said = on_revision(args.before, Path(__file__), [*sizes, "--measure-only"])
            for label, ms in json.loads(said.strip().splitlines()[-1]).items():
                then[label] += ms
        for label, ms in measure(server, args.chats, args.history, args.repeat).items():
            now[label] += ms
    rows = []
    for label in ("sqlite", "postgresql"):
        line = summary(now[label])
        if then:
            ratio = median(now[label]) / median(then[label])
            line = f"{summary(then[label])} -> {line} ({ratio:.2f} x)"
        rows.append((f"{label}: a claim of {BATCH}", line))
    title = f"The fan-out's claim: {args.chats} chats due, {args.history} sent rows a chat"
    keep = {"chats": args.chats, "history": args.history, "before": args.before}
    keep |= {"rounds": args.rounds}
    path = write_results("fanout_claims", keep | {"then": then, "now": now})
    print_table(title, [*rows, ("results", str(path))])


if __name__ == "__main__":
    main()
