"""Benchmark 3: dondoc's overhead against a bare python-telegram-bot echo bot.

    python -m bench.overhead [--officials 300] [--rounds 7]

Each official replies "xong" to their reminder; dondoc attributes the reply, records the
report (committed to SQLite) and confirms it with one message. The baseline is a minimal
echo bot built with the same python-telegram-bot, on the same fake Bot API server, with
the same concurrency (updates one at a time, PTB's default) and no rate limit, answering
each update with one message. Both run in this process, alternately, for several rounds;
the figure is the ratio of replies per second. Target: at least 0.5 on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import (
    BENCH_NOW,
    Official,
    bench_settings,
    median,
    populate,
    print_table,
    record_sent_reminders,
    write_results,
)
from bot.app import build_application
from core.clock import ManualClock
from db.engine import make_engine
from db.migrate import upgrade
from devtools.botrun import App, polling
from devtools.fakebotapi import FakeBotApi

NO_LIMIT = 1_000_000.0  # messages per second: the baseline has no rate limit either
WAIT_S = 300.0
CHECK_EVERY_S = 0.05


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer every text with one message."""
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def build_echo(server: FakeBotApi) -> App:
    """Build the minimal echo bot on the fake server."""
    app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def replies_per_second(
    server: FakeBotApi, app: App, sends: Sequence[tuple[int, int]]
) -> float:
    """Have each (user, reminder message) reply "xong"; time until every user has an answer."""
    expected = server.call_count("sendMessage") + len(sends)
    async with polling(app):
        started = time.perf_counter()
        for user, reminder_id in sends:
            server.send_text(user, "xong", reply_to=reminder_id or None)
        # Count answers cheaply and seldom: the check shares this process with both bots.
        while server.call_count("sendMessage") < expected:
            if time.perf_counter() - started > WAIT_S:
                raise TimeoutError("the bot did not answer every reply")
            await asyncio.sleep(CHECK_EVERY_S)
        elapsed = time.perf_counter() - started
    answered = {c.params["chat_id"] for c in server.calls("sendMessage")[-len(sends) :]}
    if answered != {user for user, _ in sends}:
        raise AssertionError("some officials got no answer, others more than one")
    return len(sends) / elapsed


def add_users(server: FakeBotApi, user_ids: Sequence[int]) -> None:
    """Create users who have already started the bot."""
    for user_id in user_ids:
        server.add_user(user_id, "Cán bộ").started = True


async def dondoc_round(officials_count: int, workdir: Path) -> float:
    """Measure dondoc on a fresh database with reminders already sent."""
    async with FakeBotApi() as server:
        db_file = workdir / f"dondoc-{time.monotonic_ns()}.sqlite3"
        engine = make_engine(f"sqlite:///{db_file}")
        upgrade(engine)
        officials = populate(engine, officials_count, (BENCH_NOW + timedelta(days=7)).date())
        add_users(server, [o.user_id for o in officials])
        settings = bench_settings(db_file, server, send_rate_per_s=NO_LIMIT)
        app = build_application(settings, clock=ManualClock(BENCH_NOW), engine=engine)
        sent = await send_reminders(app, officials)
        record_sent_reminders(engine, sent)
        rate = await replies_per_second(server, app, [(o.user_id, m) for o, m in sent])
        engine.dispose()
        return rate


async def send_reminders(app: App, officials: Sequence[Official]) -> list[tuple[Official, int]]:
    """Send each official a reminder directly (setup, not measured) and return the ids."""
    await app.bot.initialize()
    sent = []
    for official in officials:
        message = await app.bot.send_message(official.user_id, "Nhắc việc #1")
        sent.append((official, message.message_id))
    await app.bot.shutdown()
    return sent


async def echo_round(officials_count: int) -> float:
    """Measure the echo bot."""
    async with FakeBotApi() as server:
        users = [100_000 + i for i in range(officials_count)]
        add_users(server, users)
        return await replies_per_second(server, build_echo(server), [(u, 0) for u in users])


async def run(officials: int, rounds: int) -> dict[str, object]:
    """Alternate baseline and dondoc rounds; return the figures."""
    echo_rates: list[float] = []
    dondoc_rates: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:
        for _ in range(rounds):
            echo_rates.append(await echo_round(officials))
            dondoc_rates.append(await dondoc_round(officials, Path(tmp)))
    ratio = median(dondoc_rates) / median(echo_rates)
    return {
        "officials": officials,
        "rounds": rounds,
        "echo_replies_per_s": [round(r, 1) for r in echo_rates],
        "dondoc_replies_per_s": [round(r, 1) for r in dondoc_rates],
        "ratio": round(ratio, 3),
        "target_ratio": 0.5,
        "database": "sqlite",
    }


def main() -> None:
    """Run the benchmark, print a table and write bench/results/overhead.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    result = asyncio.run(run(args.officials, args.rounds))
    path = write_results("overhead", result)
    print_table(
        "Benchmark 3: replies processed per second, dondoc vs bare echo bot (SQLite)",
        [
            ("echo bot (median)", f"{median(result['echo_replies_per_s']):.1f}/s"),  # type: ignore[arg-type]
            ("dondoc (median)", f"{median(result['dondoc_replies_per_s']):.1f}/s"),  # type: ignore[arg-type]
            ("ratio (target >= 0.5)", f"{result['ratio']}"),
            ("results", str(path)),
        ],
    )


if __name__ == "__main__":
    main()
