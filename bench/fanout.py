"""Benchmarks 1, 2 and 5: the morning fan-out, taps answered during it, and memory.

    python -m bench.fanout [--reminders 3000] [--tap-rate 20] [--tap-seconds 30]
                           [--big-database 0|1000000] [--no-baselines]

The bot runs as its own process (`python -m bot run`), exactly as deployed, against the
fake Bot API server in this process, which enforces Telegram's limits (30 sends in any
second, 1 per second per chat) and answers 429 with retry_after to any excess.

1. Fan-out: `--reminders` contacts each have a reminder due today. Reported: messages/s
   achieved divided by the 30/s limit, 429s received, reminders lost and duplicated.
   Baselines in the same command, against the same server: a plain PTB send loop, and
   PTB's AIORateLimiter with its default settings (and with retries).
2. Tap latency: while a fan-out runs, officials on other chats press a status button at
   `--tap-rate` per second; the time from the update being available to getUpdates to the
   bot's answerCallbackQuery reaching the server, p50/p95/p99; then the same with the bot
   idle. With `--big-database`, the taps begin at the first reminder, while the first
   sweep still reads the rest of the country.
3. Memory (benchmark 5): the bot process's peak resident memory (VmHWM) during the fan-out;
   with `--big-database 1000000` the database first gets a country's million assignments.
   The generated country is kept in bench/results/ (git-ignored) and copied for each run,
   since the generator's seed makes it the same every time; delete the file to rebuild it.
Zalo (`bench/fanout_zalo.py`, first): `--zalo-reminders` officials on Zalo, a Zalo-only bot
process, the fake Zalo server enforcing ZALO_SEND_RATE_PER_S; `--only-zalo` runs just that.
`--claims` times the senders' claim alone instead, on SQLite and PostgreSQL, `--before REV`
too (`bench/fanout_claims.py`, its options).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from app.signing import derive_button_key, sign
from bench import fanout_claims
from bench.baselines import run_baselines
from bench.common import (
    BENCH_NOW,
    RESULTS,
    VN,
    Official,
    percentile,
    populate,
    print_table,
    run_token,
    write_results,
)
from bench.fanout_zalo import zalo_run
from core.calendar import WorkingCalendar
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakebotapi import FakeBotApi

LIMIT_PER_S = 30.0
FANOUT_FIRST_USER = 200_000
TAPPER_FIRST_USER = 300_000
START_TIMEOUT_S = 120.0
# A country's first sweep plans every open assignment before the first reminder goes out.
FIRST_SEND_TIMEOUT_S = 900.0


@dataclass
class Population:
    """Who gets a reminder today, and who taps."""

    db_file: Path
    fanout: list[Official]
    tappers: list[Official]


def build_database(workdir: Path, reminders: int, tappers: int, big: int) -> Population:
    """Create the database: optional bulk of a country, the fan-out, the tappers."""
    db_file = workdir / "fanout.sqlite3"
    if big:
        shutil.copyfile(country(big), db_file)
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    today = BENCH_NOW.date()
    yesterday = BENCH_NOW - timedelta(days=1)
    due = WorkingCalendar().add_working_days(today, 2)  # a "2 working days before" reminder
    fanout = populate(
        engine,
        reminders,
        due,
        first_user=FANOUT_FIRST_USER,
        assigned_at=yesterday,
        title="Báo cáo chuyển đổi số quý IV",
    )
    quiet = WorkingCalendar().add_working_days(today, 15)  # nothing due for the tappers
    tapping = populate(
        engine,
        tappers,
        quiet,
        first_user=TAPPER_FIRST_USER,
        assigned_at=BENCH_NOW - timedelta(days=10),
        title="Kế hoạch năm 2027",
    )
    engine.dispose()
    return Population(db_file, fanout, tapping)


def country(assignments: int) -> Path:
    """Return the generated country's database file, generating it the first time."""
    path = RESULTS / f"fanout_country_{assignments}.sqlite3"
    if path.exists():
        return path
    from bench.generate import generate

    RESULTS.mkdir(exist_ok=True)
    partial = RESULTS / f"fanout_country_{assignments}.partial.sqlite3"
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    generate(engine, size="country", assignments=assignments)
    with engine.begin() as conn:  # the generated people are not on this fake Telegram
        conn.execute(text("UPDATE contact_identity SET reachable = false"))
    with engine.begin() as conn:  # one self-contained file, to copy
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    partial.rename(path)
    return path


def start_bot(
    server: FakeBotApi, db_file: Path, clock_start: datetime, send_rate: float | None = None
) -> subprocess.Popen[bytes]:
    """Start the bot process on the database, pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "FAKE_CLOCK_START": clock_start.isoformat(),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    if send_rate is not None:
        env["SEND_RATE_PER_S"] = str(send_rate)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=db_file.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_bot(bot: subprocess.Popen[bytes]) -> bytes:
    """Stop the bot politely, or kill it if it does not stop; return its stderr."""
    bot.terminate()
    try:
        return bot.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        bot.kill()
        return bot.communicate()[1]


def children_peak_rss_mb(pid: int) -> list[float]:
    """Return the peak resident memory of the process's children (its worker processes)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue  # a thread that ended since the folder was listed
    return sorted((peak_rss_mb(child) for child in children), reverse=True)


def peak_rss_mb(pid: int) -> float:
    """Return a process's peak resident memory in MB (Linux VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def give_buttons(server: FakeBotApi, tappers: list[Official]) -> dict[int, str]:
    """Send each tapper a message with a signed status button (setup, not measured)."""
    key = derive_button_key(server.token)
    data: dict[int, str] = {}
    async with Bot(server.token, base_url=server.base_url) as bot:
        for official in tappers:
            callback = sign(key, str(official.user_id), "st", "progress", official.assignment_id)
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("⏳", callback_data=callback)]])
            await bot.send_message(official.user_id, "Nhiệm vụ #2", reply_markup=markup)
            data[official.user_id] = callback
    return data


async def tap(server: FakeBotApi, buttons: dict[int, str], rate: float) -> list[float]:
    """Press each official's button once, at `rate` per second; return the answer latencies.

    A press replaces that message's buttons (so a second tap cannot record twice), so every
    tap is a different official.
    """
    pressed: list[tuple[int, str]] = []
    for user, data in buttons.items():
        update_id = server.press_button(user, data)
        pressed.append((update_id, server.callback_id(update_id)))
        await asyncio.sleep(1 / rate)
    latencies = []
    for update_id, callback_id in pressed:
        await server.wait_for_answer(callback_id, timeout=60)
        available = next(u.available_at for u in server.updates() if u.update_id == update_id)
        answered = next(
            c.finished_at or c.at
            for c in server.calls("answerCallbackQuery")
            if c.params.get("callback_query_id") == callback_id
        )
        latencies.append(answered - available)
    return latencies


def fanout_figures(server: FakeBotApi, fanout: list[Official]) -> dict[str, Any]:
    """Count what reached the fan-out's chats: rate, 429s, lost, duplicated."""
    chats = {o.user_id for o in fanout}
    sends = [c for c in server.calls("sendMessage") if c.params.get("chat_id") in chats]
    delivered = [c for c in sends if c.ok]
    unique = {c.params["chat_id"] for c in delivered}
    span = max(c.at for c in delivered) - min(c.at for c in delivered) if delivered else 0.0
    rate = (len(delivered) - 1) / span if span > 0 else 0.0
    return {
        "reminders": len(fanout),
        "delivered": len(unique),
        "lost": len(chats - unique),
        "duplicated": len(delivered) - len(unique),
        "responses_429": sum(1 for c in server.calls() if c.status == 429),
        "rate_per_s": round(rate, 2),
        "ratio_of_limit": round(rate / LIMIT_PER_S, 3),
        "duration_s": round(span, 1),
    }


async def wait_fanout(
    server: FakeBotApi, fanout: list[Official], bot: subprocess.Popen[bytes]
) -> None:
    """Wait until every fan-out chat got its reminder (or the bot died)."""
    chats = {o.user_id for o in fanout}
    deadline = time.monotonic() + START_TIMEOUT_S + len(fanout) / 5
    while time.monotonic() < deadline:
        got = {c.params.get("chat_id") for c in server.calls("sendMessage") if c.ok}
        if chats <= got or bot.poll() is not None:
            return
        await asyncio.sleep(0.5)


async def one_run(args: argparse.Namespace, *, taps: bool) -> dict[str, Any]:
    """Run one bot process through a fan-out; with taps, officials press buttons during it."""
    with tempfile.TemporaryDirectory(prefix="dondoc-fanout-") as tmp:
        tappers = 2 * int(args.tap_rate * args.tap_seconds) if taps else 0
        big = args.big_database  # taps at a country's size are answered during its first sweep
        population = build_database(Path(tmp), args.reminders, tappers, big)
        async with FakeBotApi(run_token()) as server:
            for official in population.fanout + population.tappers:
                server.add_user(official.user_id, "Cán bộ").started = True
            buttons = await give_buttons(server, population.tappers)
            server.set_rate_limits("enforce")  # from here on, Telegram's limits apply
            bot = start_bot(server, population.db_file, BENCH_NOW.astimezone(VN), args.send_rate)
            result: dict[str, Any] = {"database_assignments": big + args.reminders + tappers}
            chats = {o.user_id for o in population.fanout}
            try:
                started = time.monotonic()
                await server.wait_until(  # the bot is up and its fan-out has begun (or died)
                    lambda: (
                        bot.poll() is not None
                        or any(
                            c.params.get("chat_id") in chats for c in server.calls("sendMessage")
                        )
                    ),
                    FIRST_SEND_TIMEOUT_S,
                )
                if bot.poll() is not None:
                    raise RuntimeError(f"the bot exited with status {bot.returncode}")
                result["first_reminder_after_s"] = round(time.monotonic() - started, 1)
                half = len(buttons) // 2
                if taps:
                    result["busy"] = await tap(
                        server, dict(list(buttons.items())[:half]), args.tap_rate
                    )
                await wait_fanout(server, population.fanout, bot)
                result["peak_rss_mb"] = round(peak_rss_mb(bot.pid), 1)
                result["workers_peak_rss_mb"] = [
                    round(mb, 1) for mb in children_peak_rss_mb(bot.pid)
                ]
                if taps:
                    result["idle"] = await tap(
                        server, dict(list(buttons.items())[half:]), args.tap_rate
                    )
                result["fanout"] = fanout_figures(server, population.fanout)
            finally:
                err = stop_bot(bot)
            result["bot_stderr_tail"] = err.decode(errors="replace")[-2000:]
            return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark 1 and 5 (fan-out alone), then 2 (a fan-out with taps, then taps alone)."""
    zalo = await zalo_run(args.zalo_reminders) if args.zalo_reminders else None
    if args.only_zalo:
        return {"zalo_fanout": zalo}
    alone = await one_run(args, taps=False)
    result: dict[str, Any] = {
        "send_rate_per_s": args.send_rate,
        "fanout": alone["fanout"],
        "peak_rss_mb": alone["peak_rss_mb"],
        "workers_peak_rss_mb": alone["workers_peak_rss_mb"],
        "first_reminder_after_s": alone["first_reminder_after_s"],
        "database_assignments": alone["database_assignments"],
        "bot_stderr_tail": alone["bot_stderr_tail"],
    }
    if args.taps:
        tapped = await one_run(args, taps=True)
        result |= {
            "fanout_with_taps": tapped["fanout"],
            "first_reminder_with_taps_s": tapped["first_reminder_after_s"],
            "taps_during_fanout": latency_figures(tapped["busy"]),
            "taps_idle": latency_figures(tapped["idle"]),
            "bot_stderr_tail": alone["bot_stderr_tail"] + tapped["bot_stderr_tail"],
        }
    if zalo is not None:
        result["zalo_fanout"] = zalo
    if args.baselines:
        result["baselines"] = await run_baselines(args.reminders)
    return result


def latency_figures(latencies: list[float]) -> dict[str, Any]:
    """Return p50/p95/p99 in milliseconds."""
    return {
        "taps": len(latencies),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def main() -> None:
    """Run, print the tables and write bench/results/fanout.json."""
    if "--claims" in sys.argv[1:]:  # a bench of its own, with its own options
        fanout_claims.main([a for a in sys.argv[1:] if a != "--claims"])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=3000)
    parser.add_argument("--tap-rate", type=float, default=20.0)
    parser.add_argument("--tap-seconds", type=float, default=30.0)
    parser.add_argument("--big-database", type=int, default=0)
    parser.add_argument("--no-baselines", dest="baselines", action="store_false")
    parser.add_argument("--send-rate", type=float, help="SEND_RATE_PER_S (default: the bot's)")
    parser.add_argument("--no-taps", dest="taps", action="store_false")
    parser.add_argument("--zalo-reminders", type=int, default=600)
    parser.add_argument("--only-zalo", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the baselines' 429 tracebacks are expected
    result = asyncio.run(run(args))
    name = "fanout_big" if args.big_database else "fanout_zalo" if args.only_zalo else "fanout"
    path = write_results(name, result)
    if args.only_zalo:
        print_table(
            "Benchmark 1 on Zalo: fan-out against ZALO_SEND_RATE_PER_S",
            [*_zalo_rows(result.get("zalo_fanout")), ("results", str(path))],
        )
        return
    print_table("Benchmarks 1, 2, 5: fan-out against Telegram's limits", rows_of(result, path))


def rows_of(result: dict[str, Any], path: Path) -> list[tuple[str, str]]:
    """Return the table's rows."""
    f = result["fanout"]
    rows = [
        ("reminders / delivered", f"{f['reminders']} / {f['delivered']}"),
        ("rate / 30 per s limit (target >= 0.95)", f"{f['rate_per_s']}/s = {f['ratio_of_limit']}"),
        (
            "429 received / lost / duplicated",
            f"{f['responses_429']} / {f['lost']} / {f['duplicated']}",
        ),
        ("first reminder after the bot started", f"{result['first_reminder_after_s']} s"),
    ]
    if "taps_during_fanout" in result:
        busy, idle, t = (
            result["taps_during_fanout"],
            result["taps_idle"],
            result["fanout_with_taps"],
        )
        rows += [
            (
                "with taps: rate / 429 / lost / duplicated",
                f"{t['ratio_of_limit']} / {t['responses_429']} / {t['lost']} / {t['duplicated']}",
            ),
            ("first reminder with taps", f"{result['first_reminder_with_taps_s']} s"),
            (
                "tap p50/p95/p99 during fan-out (ms)",
                f"{busy['p50_ms']} / {busy['p95_ms']} / {busy['p99_ms']}",
            ),
            (
                "tap p50/p95/p99 idle (ms)",
                f"{idle['p50_ms']} / {idle['p95_ms']} / {idle['p99_ms']}",
            ),
        ]
    rows.append(
        (
            "bot peak RSS (MB)",
            f"{result['peak_rss_mb']} with {result['database_assignments']} assignments",
        )
    )
    if result.get("workers_peak_rss_mb"):
        workers = ", ".join(str(mb) for mb in result["workers_peak_rss_mb"])
        rows.append(("its worker processes' peak RSS (MB)", workers))
    for name_, base in result.get("baselines", {}).items():
        rows.append(
            (
                f"baseline {name_}",
                f"{base['delivered']} delivered, {base['lost']} lost, "
                f"{base['responses_429']} x 429, {base['rate_per_s']}/s",
            )
        )
    rows += _zalo_rows(result.get("zalo_fanout"))
    rows.append(("results", str(path)))
    return rows


def _zalo_rows(z: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return the table rows of the Zalo run, if there was one."""
    if z is None:
        return []
    return [
        ("Zalo reminders / delivered", f"{z['reminders']} / {z['delivered']}"),
        (
            "Zalo rate / ZALO_SEND_RATE_PER_S (target >= 0.8)",
            f"{z['rate_per_s']}/s / {z['zalo_send_rate_per_s']} = {z['ratio_of_setting']}",
        ),
        (
            "Zalo refused / lost / duplicated",
            f"{z['refused_429']} / {z['lost']} / {z['duplicated']}",
        ),
    ]


if __name__ == "__main__":
    main()
