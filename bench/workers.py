"""Several `dondoc serve` workers on PostgreSQL (WORKERS=multi) against one: 1 vs 3 workers.

    python -m bench.workers [--reminders 3000] [--replies 300] [--tap-rate 5]
                            [--workers 1,3] [--postgres postgresql://postgres@127.0.0.1:5432/test]

For each worker count, on a fresh PostgreSQL database (created and dropped here), the
workers run as deployed (`python -m bot serve`, WORKERS=multi, each on its own port) behind
a round-robin proxy (devtools/balancer.py, standing for Caddy), the fake Bot API server in
this process enforcing Telegram's limits (30 sends in any second, 1 a second per chat) and
delivering updates by webhook to the proxy, one at a time as bench/webhook.py describes.

1. Fan-out: `--reminders` officials each have a reminder due today; the leader queues them,
   the elected sender sends them. Reported: messages/s and its ratio to the 30/s limit,
   429s, reminders lost and duplicated.
2. Taps during the fan-out: other officials press a status button at `--tap-rate` a second,
   reaching any worker; the time from the update being available to the bot's
   answerCallbackQuery reaching the server, p50/p95/p99.
3. Webhook updates: after the fan-out, `--replies` officials answer "xong" to a reminder at
   once; updates/s accepted (first delivery to the last 200) and answered (each confirmed by
   one message, which the workers' shared sending budget paces).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import (
    BENCH_NOW,
    VN,
    Official,
    populate,
    print_table,
    record_sent_reminders,
    write_results,
)
from bench.fanout import FANOUT_FIRST_USER, TAPPER_FIRST_USER, fanout_figures, give_buttons, tap
from bench.fanout import latency_figures as tap_figures
from bench.webhook import (
    accept_figures,
    answer_figures,
    replies,
    send_reminders,
    wait_accepted,
    wait_answered,
)
from core.calendar import WorkingCalendar
from db.engine import make_engine
from db.migrate import upgrade
from devtools.balancer import Balancer
from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
REPLIER_FIRST_USER = 500_000
WEB_SECRET = "bench-workers-secret-0123456789abcdef"
START_TIMEOUT_S = 180.0


def create_database(server_url: str) -> str:
    """Create an empty database on the server; return its URL."""
    name = f"dondoc_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    """Drop a database this benchmark created."""
    name = make_url(url).database
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def build(url: str, reminders: int, tappers: int, repliers: int) -> dict[str, list[Official]]:
    """Create the fan-out (due today), the tappers and the repliers (nothing due)."""
    engine = make_engine(url)
    upgrade(engine)
    today = BENCH_NOW.date()
    due = WorkingCalendar().add_working_days(today, 2)  # a "2 working days before" reminder
    quiet = WorkingCalendar().add_working_days(today, 15)
    long_ago = BENCH_NOW - timedelta(days=10)
    people = {
        "fanout": populate(
            engine,
            reminders,
            due,
            first_user=FANOUT_FIRST_USER,
            assigned_at=BENCH_NOW - timedelta(days=1),
        ),
        "tappers": populate(
            engine, tappers, quiet, first_user=TAPPER_FIRST_USER, assigned_at=long_ago
        ),
        "repliers": populate(
            engine, repliers, quiet, first_user=REPLIER_FIRST_USER, assigned_at=long_ago
        ),
    }
    engine.dispose()
    return people


def start_worker(
    server: FakeBotApi, url: str, port: int, public: str, folder: Path
) -> subprocess.Popen[bytes]:
    """Start one `dondoc serve` worker (WORKERS=multi) on `port`."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "WORKERS": "multi",
        "EVIDENCE_DIR": str((folder / "evidence").resolve()),  # one folder for every worker
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "DATABASE_URL": url,
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "PUBLIC_BASE_URL": public,
        "WEB_SECRET": WEB_SECRET,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"worker-{port}.log").open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=folder, env=env, stdout=out, stderr=out
        )


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> list[int | None]:
    """Stop every worker politely (killing any that will not); return their exit statuses."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return [worker.returncode for worker in workers]


async def one_run(args: argparse.Namespace, count: int, folder: Path) -> dict[str, Any]:
    """Run `count` workers through the fan-out with taps, then the replies."""
    url = create_database(args.postgres)
    tappers = int(args.tap_rate * args.tap_seconds)
    try:
        people = build(url, args.reminders, tappers, args.replies)
        async with FakeBotApi(f"424251:wkbench-{uuid.uuid4().hex[:16]}") as server:
            everyone = people["fanout"] + people["tappers"] + people["repliers"]
            for official in everyone:
                server.add_user(official.user_id, "Cán bộ").started = True
            buttons = await give_buttons(server, people["tappers"])
            reminders = await send_reminders(server, people["repliers"])
            engine = make_engine(url)
            record_sent_reminders(engine, list(zip(people["repliers"], reminders, strict=True)))
            engine.dispose()
            server.set_rate_limits("enforce")
            ports = [free_port() for _ in range(count)]
            with Balancer([f"http://127.0.0.1:{p}" for p in ports]) as lb:
                workers = [start_worker(server, url, p, lb.url, folder) for p in ports]
                try:
                    return await measure(server, workers, people, buttons, reminders, args)
                finally:
                    stop_workers(workers)
    finally:
        drop_database(args.postgres, url)


async def measure(
    server: FakeBotApi,
    workers: list[subprocess.Popen[bytes]],
    people: dict[str, list[Official]],
    buttons: dict[int, str],
    reminders: list[int],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Measure the fan-out, taps during it, then the replies by webhook."""
    chats = {o.user_id for o in people["fanout"]}
    started = time.monotonic()
    await server.wait_until(
        lambda: (
            any(w.poll() is not None for w in workers)
            or any(c.params.get("chat_id") in chats for c in server.calls("sendMessage"))
        ),
        START_TIMEOUT_S,
    )
    if any(w.poll() is not None for w in workers):
        raise RuntimeError("a worker exited before the fan-out began")
    result: dict[str, Any] = {"first_reminder_after_s": round(time.monotonic() - started, 1)}
    result["taps_during_fanout"] = tap_figures(await tap(server, buttons, args.tap_rate))
    deadline = time.monotonic() + START_TIMEOUT_S + len(chats) / 5
    while time.monotonic() < deadline:
        got = {c.params.get("chat_id") for c in server.calls("sendMessage") if c.ok}
        if chats <= got:
            break
        await asyncio.sleep(0.5)
    result["fanout"] = fanout_figures(server, people["fanout"])
    repliers = {o.user_id for o in people["repliers"]}
    since = time.monotonic()
    ids = {
        server.send_text(o.user_id, "xong", reply_to=m)
        for o, m in zip(people["repliers"], reminders, strict=True)
    }
    await wait_accepted(server, ids, START_TIMEOUT_S + len(ids))
    await wait_answered(server, repliers, since, workers[0])
    await asyncio.sleep(1.0)  # a second answer to anyone would show by now
    accepted = accept_figures(server, ids)
    result["webhook"] = accepted | answer_figures(
        replies(server, repliers, since), repliers, accepted["first_delivery_at"]
    )
    result["responses_429"] = sum(1 for c in server.calls() if c.status == 429)
    stats = server.rate_limit_stats()
    result["over_limit"] = {"overall": stats.overall, "per_chat": stats.private}
    fanout_chats = {o.user_id for o in people["fanout"]}
    result["over_limit_by_kind"] = {
        "fanout": sum(n for chat, n in stats.by_chat.items() if chat in fanout_chats),
        "replies": sum(n for chat, n in stats.by_chat.items() if chat in repliers),
        "tappers": sum(n for chat, n in stats.by_chat.items() if chat in set(buttons)),
    }
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """One run per worker count, in order."""
    result: dict[str, Any] = {"load_average_before": list(os.getloadavg())}
    folder = Path(tempfile.mkdtemp(prefix="dondoc-workers-"))  # the workers' logs
    result["logs"] = str(folder)
    for count in args.workers:
        result[f"workers_{count}"] = await one_run(args, count, folder / str(count))
    result["load_average_after"] = list(os.getloadavg())
    return result


def rows_of(result: dict[str, Any], counts: list[int], path: Path) -> list[tuple[str, str]]:
    """Return the table's rows."""
    rows: list[tuple[str, str]] = []
    for count in counts:
        r = result[f"workers_{count}"]
        f, t, w = r["fanout"], r["taps_during_fanout"], r["webhook"]
        rows += [
            (
                f"{count} worker(s): fan-out",
                f"{f['rate_per_s']}/s ({f['ratio_of_limit']} of 30/s)",
            ),
            (
                "  lost / duplicated / 429",
                f"{f['lost']} / {f['duplicated']} / {f['responses_429']}",
            ),
            ("  tap p50 / p99 during it", f"{t['p50_ms']} / {t['p99_ms']} ms"),
            ("  webhook accepted", f"{w['accepted_per_s']}/s, p99 {w['accept_p99_ms']} ms"),
            ("  webhook answered", f"{w['answered_per_s']}/s, twice: {w['answered_twice']}"),
            ("  all 429s", str(r["responses_429"])),
        ]
    load = f"{result['load_average_before']} -> {result['load_average_after']}"
    return [*rows, ("load average", load), ("results", str(path))]


def main() -> None:
    """Run, print the table and write bench/results/workers.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=3000)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--tap-rate", type=float, default=5.0)
    parser.add_argument("--tap-seconds", type=float, default=20.0)
    parser.add_argument("--workers", default="1,3", help="worker counts, in order")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server URL (a database is created and dropped per run)",
    )
    args = parser.parse_args()
    args.workers = [int(n) for n in args.workers.split(",")]
    logging.basicConfig(level=logging.CRITICAL)
    result = asyncio.run(run(args))
    path = write_results("workers", result)
    print_table(
        "Several workers (WORKERS=multi) on PostgreSQL", rows_of(result, args.workers, path)
    )


if __name__ == "__main__":
    main()
