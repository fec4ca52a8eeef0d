"""Webhook throughput: updates per second `dondoc serve` accepts and answers.

    python -m bench.webhook [--updates 500] [--warmup 20]

`dondoc serve` runs as its own process (as deployed: uvicorn, its own settings from the
environment, `FAKE_CLOCK_START` on a Wednesday morning) against the fake Bot API server in
this process, which enforces Telegram's limits and delivers updates by webhook as Telegram
does: one POST per update with the secret header, retried until a 2xx. `--updates`
registered officials, each with a reminder, reply "xong" to it at once; dondoc stores each
update in its inbox before answering 200, then records the report and confirms it with one
message.

Reported: updates/s accepted (first delivery to the last 200), accept latency
p50/p95/p99 (the fake server taking the update to deliver, to its 200), updates/s answered
(first delivery to the last reply received by the server); checked: every update accepted
once and in the inbox, every official answered exactly once. The baseline, in the same
command, on the same server and machine: a bare Starlette endpoint under uvicorn
(bench/bare_webhook.py) that checks the secret and answers 200, nothing else.

The fake server delivers one update at a time (Telegram opens up to 40 connections), so the
accept rate is the inverse of a request's round trip, server side included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from telegram import Bot

from bench.common import (
    BENCH_NOW,
    VN,
    Official,
    percentile,
    populate,
    print_table,
    record_sent_reminders,
    write_results,
)
from bot.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakebotapi import FakeBotApi
from devtools.fakebotapi.records import UpdateRecord
from devtools.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
WEB_SECRET = "bench-webhook-secret-0123456789abcdef"
BARE_SECRET = "bench-bare-webhook-secret-0123456789"
START_TIMEOUT_S = 120.0
WARMUP_FIRST_USER = 700_000
BARE_FIRST_USER = 800_000
CHECK_EVERY_S = 0.1


def base_env() -> dict[str, str]:
    """Return a clean environment for a child process (no .env is read: cwd is a temp dir)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def stop(process: subprocess.Popen[bytes]) -> bytes:
    """Stop a child politely, or kill it if it does not stop; return its stderr."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[1]


def new_server() -> FakeBotApi:
    """Return a fake server with a token of this run's own (one bot process per token)."""
    return FakeBotApi(f"424250:whbench-{uuid.uuid4().hex[:16]}")


def measured(server: FakeBotApi, update_ids: set[int]) -> list[UpdateRecord]:
    """Return the server's records of the measured updates."""
    return [u for u in server.updates() if u.update_id in update_ids]


async def wait_accepted(server: FakeBotApi, update_ids: set[int], timeout: float) -> None:
    """Wait until the server has had a 2xx for every one of the updates."""

    def done() -> bool:
        return all(u.confirmed_at is not None for u in measured(server, update_ids))

    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("not every update was accepted")
        await asyncio.sleep(CHECK_EVERY_S)


def accept_figures(server: FakeBotApi, update_ids: set[int]) -> dict[str, Any]:
    """Rate and latency of acceptance, and how many deliveries each update took."""
    records = measured(server, update_ids)
    start = min(u.delivered_at or 0.0 for u in records)
    end = max(u.confirmed_at or 0.0 for u in records)
    latencies = [(u.confirmed_at or 0.0) - (u.delivered_at or 0.0) for u in records]
    tries = Counter(d.update_id for d in server.webhook_deliveries() if d.update_id in update_ids)
    statuses = Counter(d.status for d in server.webhook_deliveries() if d.update_id in update_ids)
    return {
        "updates": len(update_ids),
        "accepted": sum(1 for u in records if u.confirmed_at is not None),
        "deliveries": sum(tries.values()),
        "redelivered": sum(1 for n in tries.values() if n > 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "accepted_per_s": round(len(records) / (end - start), 1) if end > start else 0.0,
        "accept_p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "accept_p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "accept_p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "accept_max_ms": round(max(latencies) * 1000, 2),
        "first_delivery_at": start,
    }


async def set_webhook(server: FakeBotApi, url: str, secret: str) -> None:
    """Point the fake server's webhook at url, as a bot does with setWebhook."""
    async with Bot(server.token, base_url=server.base_url) as bot:
        await bot.set_webhook(url=url, secret_token=secret)


# --- the baseline ----------------------------------------------------------------------------


async def bare_run(count: int, warmup: int) -> dict[str, Any]:
    """Deliver updates to the bare endpoint: only the webhook's round trip is measured."""
    port = free_port()
    process = start_bare(port)
    try:
        async with new_server() as server:
            await server.wait_until(lambda: _listening(port) or process.poll() is not None, 60)
            if process.poll() is not None:
                raise RuntimeError(f"the bare endpoint exited with status {process.returncode}")
            await set_webhook(server, f"http://127.0.0.1:{port}/webhook/telegram", BARE_SECRET)
            server.set_rate_limits("enforce")  # as for dondoc (the baseline sends nothing)
            users = [BARE_FIRST_USER + i for i in range(warmup + count)]
            for user in users:
                server.add_user(user, "Cán bộ").started = True
            ids = [server.send_text(u, "xong") for u in users[:warmup]]
            await wait_accepted(server, set(ids), START_TIMEOUT_S)
            ids = [server.send_text(u, "xong") for u in users[warmup:]]
            await wait_accepted(server, set(ids), START_TIMEOUT_S + count)
            return accept_figures(server, set(ids))
    finally:
        stop(process)


def start_bare(port: int) -> subprocess.Popen[bytes]:
    """Start the bare endpoint under uvicorn, configured as `dondoc serve` configures it."""
    where = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    options = ["--no-access-log", "--no-server-header", "--lifespan", "off"]
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.bare_webhook:app", *where, *options],
        env=base_env() | {"BARE_WEBHOOK_SECRET": BARE_SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _listening(port: int) -> bool:
    """Tell whether something accepts connections on the loopback port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- dondoc serve ----------------------------------------------------------------------------


def build_database(db_file: Path, count: int) -> list[Official]:
    """Create the database: `count` officials, each with one open assignment."""
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    officials = populate(engine, count, (BENCH_NOW + timedelta(days=7)).date())
    engine.dispose()
    return officials


async def send_reminders(server: FakeBotApi, officials: list[Official]) -> list[int]:
    """Send each official a reminder from the bot's account (setup); return the message ids."""
    async with Bot(server.token, base_url=server.base_url) as bot:
        return [
            (await bot.send_message(o.user_id, "Nhắc việc: Kế hoạch chuyển đổi số")).message_id
            for o in officials
        ]


def start_serve(
    server: FakeBotApi, db_file: Path, port: int, send_rate: float
) -> subprocess.Popen[bytes]:
    """Start `python -m bot serve` on the database, pointed at the fake server."""
    env = base_env() | {
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "WEB_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_SECRET": WEB_SECRET,
        "SEND_RATE_PER_S": str(send_rate),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=db_file.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def replies(server: FakeBotApi, chats: set[int], after: float) -> list[tuple[int, float]]:
    """Return the bot's delivered sendMessage calls to `chats` since `after`: (chat, when)."""
    return [
        (int(c.params["chat_id"]), c.finished_at or c.at)
        for c in server.calls("sendMessage")
        if c.ok and c.at >= after and int(c.params.get("chat_id", 0)) in chats
    ]


async def wait_answered(
    server: FakeBotApi, chats: set[int], after: float, process: subprocess.Popen[bytes]
) -> None:
    """Wait until every chat had a reply (or the bot died, or it took far too long)."""
    deadline = time.monotonic() + START_TIMEOUT_S + len(chats)
    while len({chat for chat, _ in replies(server, chats, after)}) < len(chats):
        if process.poll() is not None:
            raise RuntimeError(f"dondoc serve exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError("not every update was answered")
        await asyncio.sleep(CHECK_EVERY_S)


def inbox(db_file: Path) -> dict[str, int]:
    """Count the inbox's rows by update id, and those the bot finished."""
    engine = make_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT update_id, processed_at FROM inbox")).all()
        reports = conn.execute(text("SELECT count(*) FROM status_report")).scalar_one()
    engine.dispose()
    counts = Counter(str(r[0]) for r in rows)
    return {
        "rows": len(rows),
        "distinct": len(counts),
        "processed": sum(1 for r in rows if r[1] is not None),
        "reports": int(reports),
        **{f"id:{k}": v for k, v in counts.items()},
    }


async def dondoc_run(count: int, warmup: int, send_rate: float, workdir: Path) -> dict[str, Any]:
    """Deliver the officials' replies to `dondoc serve` by webhook; count what came back."""
    db_file = workdir / "webhook.sqlite3"
    officials = build_database(db_file, count)
    port = free_port()
    async with new_server() as server:
        for official in officials:
            server.add_user(official.user_id, "Cán bộ").started = True
        reminders = await send_reminders(server, officials)
        engine = make_engine(f"sqlite:///{db_file}")
        record_sent_reminders(engine, list(zip(officials, reminders, strict=True)))
        engine.dispose()
        server.set_rate_limits("enforce")  # from here on, Telegram's limits apply
        process = start_serve(server, db_file, port, send_rate)
        result: dict[str, Any] = {}
        try:
            await server.wait_until(
                lambda: bool(server.webhook_info().url) or process.poll() is not None,
                START_TIMEOUT_S,
            )
            if process.poll() is not None:
                raise RuntimeError(f"dondoc serve exited with status {process.returncode}")
            strangers = {WARMUP_FIRST_USER + i for i in range(warmup)}
            for user in strangers:
                server.add_user(user, "Khách").started = True
            since = time.monotonic()
            for user in sorted(strangers):
                server.send_text(user, "/help")
            await wait_answered(server, strangers, since, process)
            chats = {o.user_id for o in officials}
            since = time.monotonic()
            ids = {
                server.send_text(o.user_id, "xong", reply_to=m)
                for o, m in zip(officials, reminders, strict=True)
            }
            await wait_accepted(server, ids, START_TIMEOUT_S + count)
            await wait_answered(server, chats, since, process)
            await asyncio.sleep(1.0)  # a second answer to anyone would show by now
            accepted = accept_figures(server, ids)
            answers = replies(server, chats, since)
            result = accepted | answer_figures(answers, chats, accepted["first_delivery_at"])
            result["responses_429"] = sum(1 for c in server.calls() if c.status == 429)
        finally:
            err = stop(process)
        stored = inbox(db_file)
        result["inbox_rows_of_measured"] = sum(stored.get(f"id:{i}", 0) for i in ids)
        result["inbox_missing"] = sum(1 for i in ids if f"id:{i}" not in stored)
        result["inbox_processed"] = stored["processed"]
        result["reports_recorded"] = stored["reports"]
        result["serve_exit"] = process.returncode
        result["serve_stderr_tail"] = err.decode(errors="replace")[-2000:]
        return result


def answer_figures(
    answers: list[tuple[int, float]], chats: set[int], start: float
) -> dict[str, Any]:
    """Rate of answers, and who got none or more than one."""
    per_chat = Counter(chat for chat, _ in answers)
    end = max(when for _, when in answers)
    latencies = sorted(when - start for _, when in answers)
    return {
        "answered": len(per_chat),
        "unanswered": len(chats - set(per_chat)),
        "answered_twice": sum(1 for n in per_chat.values() if n > 1),
        "answered_per_s": round(len(per_chat) / (end - start), 1) if end > start else 0.0,
        "last_answer_after_s": round(latencies[-1], 2),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The baseline, then dondoc, then the baseline again (the machine's load drifts)."""
    bare = [await bare_run(args.updates, args.warmup)]
    with tempfile.TemporaryDirectory(prefix="dondoc-webhook-") as tmp:
        dondoc = await dondoc_run(args.updates, args.warmup, args.send_rate, Path(tmp))
    bare.append(await bare_run(args.updates, args.warmup))
    bare_rate = sum(b["accepted_per_s"] for b in bare) / len(bare)
    for figures in (*bare, dondoc):
        figures.pop("first_delivery_at", None)
    return {
        "updates": args.updates,
        "warmup": args.warmup,
        "database": "sqlite",
        "dondoc": dondoc,
        "bare_starlette": bare,
        "bare_accepted_per_s_mean": round(bare_rate, 1),
        "accepted_ratio": round(dondoc["accepted_per_s"] / bare_rate, 3) if bare_rate else 0.0,
        "send_rate_per_s": args.send_rate,
        "answered_ratio_of_send_rate": round(dondoc["answered_per_s"] / args.send_rate, 3),
    }


def main() -> int:
    """Run, print the table and write bench/results/webhook.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--send-rate",
        type=float,
        default=Settings.model_fields["send_rate_per_s"].default,
        help="the bot's SEND_RATE_PER_S (default: the setting's; Telegram allows 30)",
    )
    args = parser.parse_args()
    result = asyncio.run(run(args))
    path = write_results("webhook", result)
    d, bare = result["dondoc"], result["bare_starlette"]
    lost = d["updates"] - d["accepted"] + d["inbox_missing"] + d["unanswered"]
    rows = [
        ("updates (distinct officials)", str(d["updates"])),
        (
            "accepted / s: dondoc, bare (x2)",
            f"{d['accepted_per_s']}, {bare[0]['accepted_per_s']} / {bare[1]['accepted_per_s']}",
        ),
        ("accepted ratio", str(result["accepted_ratio"])),
        (
            "accept p50/p95/p99 ms: dondoc",
            f"{d['accept_p50_ms']} / {d['accept_p95_ms']} / {d['accept_p99_ms']}",
        ),
        *(
            (
                f"accept p50/p95/p99 ms: bare {n + 1}",
                f"{b['accept_p50_ms']} / {b['accept_p95_ms']} / {b['accept_p99_ms']}",
            )
            for n, b in enumerate(bare)
        ),
        (
            f"answered / s: dondoc (send rate {result['send_rate_per_s']}/s)",
            f"{d['answered_per_s']} = {result['answered_ratio_of_send_rate']} of the send rate",
        ),
        (
            "lost / answered twice / redelivered",
            f"{lost} / {d['answered_twice']} / {d['redelivered']}",
        ),
        (
            "inbox rows / reports / 429s",
            f"{d['inbox_rows_of_measured']} / {d['reports_recorded']} / {d['responses_429']}",
        ),
        ("results", str(path)),
    ]
    print_table("Webhook: updates accepted and answered by dondoc serve", rows)
    return 0 if lost == 0 and d["answered_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
