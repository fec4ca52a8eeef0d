"""Benchmark 3: dondoc's overhead against a bare python-telegram-bot echo bot.

    python -m bench.overhead [--officials 300] [--rounds 7]

Each official replies "xong" to their reminder; dondoc attributes the reply, records the
report (committed to SQLite) and confirms it with one message. The baseline is a minimal
echo bot built with the same python-telegram-bot, on the same fake Bot API server, with no
rate limit, answering each update with one message. Both run in this process, alternately,
for several rounds, in two ways:

- one at a time: each official writes once the previous one had their answer; the figure
  is the time from the update being offered to the answer's call ending, on the fake
  server's clock, summed; the bench waits for each answer without polling (the server
  wakes it), so that its own waiting costs neither bot any CPU;
- concurrently: every official writes at once; dondoc runs its lanes (four people at a
  time), the echo bot the same four at a time (PTB's `concurrent_updates`), and, as in the
  figures before, one at a time (PTB's default).

Before the rounds, one small round of each kind, not counted (imports, first-use caches);
then each round starts after a full garbage collection, once the bot is idle (its start-up
work, dondoc's first reminder sweep, done: `settled`), and who goes first alternates.
Each figure is the median of the rounds' ratios of replies per second, the two bots compared
measured one after the other in each round (`paired_ratio`); the ratio of the medians is
printed beside it. Target (issue 20): 0.8.

A second baseline: the same echo bot on dondoc's own transport (`TELEGRAM_HTTP=aiohttp`,
handlers/telegram/transport.py), so that the figures say how dondoc compares with an echo bot
that calls the Bot API as it does, as well as with python-telegram-bot's default (httpx),
the issue's baseline.

A third: the durable echo bot, the aiohttp echo bot paying dondoc's guarantees the cheapest
honest way (raw sqlite3, no ORM, the same file and pragmas as db/engine.py): each update's
JSON inserted and committed in a worker thread before it is answered, the answer sent, then
the update marked processed, the marks committed in groups from another pool as dondoc's
are. Dondoc against it says what dondoc spends beyond its guarantees; it against the echo
bots, what the guarantees alone cost.

Where the CPU goes: in the concurrent rounds, each thread's CPU time (Linux's
/proc/self/task) is read before and after, and summed per kind of thread (the event loop,
the update and database pools, the fake server), per reply. The budget the target leaves is
the echo bot's total divided by 0.8: what dondoc may spend beyond what the echo bot spends.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import (
    BENCH_NOW,
    Official,
    bench_settings,
    median,
    official_name,
    populate,
    print_table,
    record_sent_reminders,
    write_results,
)
from bot.app import build_application
from core.clock import ManualClock
from db.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_CACHE_KIB, make_engine
from db.migrate import upgrade
from devtools.botrun import App, polling
from devtools.fakebotapi import FakeBotApi
from handlers.telegram.lanes import MAX_CONCURRENT
from handlers.telegram.raw_updates import RawUpdates
from handlers.telegram.transport import AiohttpRequest
from scheduler.groupcommit import BUSY_S, GATHER_S, MOST
from scheduler.workers import UPDATE_WORKERS, WORKERS

NO_LIMIT = 1_000_000.0  # messages per second: the baseline has no rate limit either
WAIT_S = 300.0
CLOSE_WAIT_S = 10.0  # the durable echo's last answered updates, to be handed to its marks
WARM_UP = 20  # officials of the rounds run first and not counted
# A round starts once the bot is idle: its start-up work (dondoc's first reminder sweep over
# the round's reminders, its menus, its recurring tasks' catch-up) is not a reply's. Idle is
# a window in which the whole process spent at most SETTLED_CPU_S (an idle dondoc: 2 to 5 ms
# a quarter second, its sender's claims and the loop probe).
SETTLE_WINDOW_S = 0.25
SETTLED_CPU_S = 0.012
SETTLE_AT_MOST_S = 30.0
TARGET = 0.8
TARGETS = ("one_at_a_time", "concurrent")  # the ratios issue 20 sets a target for
MODES = ("one_at_a_time", "concurrent")
CLOCKS = ("wall", "cpu")
# The series whose threads are shown.
BREAKDOWN = ("echo_concurrent", "echoaio_concurrent", "dondoc_concurrent", "durable_concurrent")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer every text with one message."""
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def build_echo(server: FakeBotApi, concurrent: int = 1, *, aiohttp: bool = False) -> App:
    """Build the minimal echo bot on the fake server, `concurrent` updates at a time, on
    python-telegram-bot's default transport (httpx) or on dondoc's (aiohttp)."""
    builder = ApplicationBuilder().token(server.token).base_url(server.base_url)
    if aiohttp:
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    app = builder.concurrent_updates(concurrent).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


class DurableInbox:
    """The durable echo bot's inbox: raw sqlite3 on one file, a connection per thread.

    `store` runs in a pool of update threads (dondoc's count) and commits the update's row
    before the answer; `finish` marks it processed afterwards, the marks that come meanwhile
    committed together from a second pool (dondoc's `GroupCommit`: its waits, its group size).
    """

    SCHEMA = (
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, update_id INTEGER NOT NULL UNIQUE, "
        "received_at REAL NOT NULL, processed_at REAL, payload TEXT)"
    )
    STORE = "INSERT INTO inbox (update_id, received_at, payload) VALUES (?, ?, ?)"
    FINISH = (
        "UPDATE inbox SET processed_at = ?, payload = NULL "
        "WHERE update_id = ? AND processed_at IS NULL"
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._updates = ThreadPoolExecutor(UPDATE_WORKERS, thread_name_prefix="durable-update")
        self._marks = ThreadPoolExecutor(WORKERS, thread_name_prefix="durable-db")
        self._pending: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._last = 0.0
        self.stored = 0  # updates whose row is committed
        self.finishing = 0  # updates handed to `finish` so far
        self._all_handed = asyncio.Event()  # every update stored was handed to `finish`
        self._connection().execute(self.SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        """Return this thread's connection, opened with db/engine.py's pragmas."""
        found: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if found is None:
            found = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
            for pragma in (
                "journal_mode=WAL",
                "foreign_keys=ON",
                "synchronous=NORMAL",
                f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                f"cache_size=-{SQLITE_CACHE_KIB}",
            ):
                found.execute(f"PRAGMA {pragma}")
            self._local.connection = found
        return found

    def _store(self, update_id: int, payload: dict[str, object]) -> None:
        """Insert the update's row and commit it (in an update thread)."""
        connection = self._connection()
        connection.execute(self.STORE, (update_id, time.time(), json.dumps(payload)))
        connection.commit()

    def _finish(self, update_ids: list[int]) -> None:
        """Mark updates processed in one transaction (in the marks' pool)."""
        connection = self._connection()
        now = time.time()
        connection.executemany(self.FINISH, [(now, i) for i in update_ids])
        connection.commit()

    async def store(self, update_id: int, payload: dict[str, object]) -> None:
        """Record an update; return once its row is committed."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._updates, self._store, update_id, payload)
        self.stored += 1
        self._all_handed.clear()

    def finish(self, update_id: int) -> None:
        """Have the update marked processed with the next group of marks."""
        self.finishing += 1
        if self.finishing >= self.stored:
            self._all_handed.set()
        self._pending.append(update_id)
        if self._task is None:
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        """Commit the pending marks, group after group (dondoc's waits), until none is left."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                if time.monotonic() - self._last < BUSY_S:
                    await asyncio.sleep(GATHER_S)
                group, self._pending = self._pending[:MOST], self._pending[MOST:]
                await loop.run_in_executor(self._marks, self._finish, group)
                self._last = time.monotonic()
        finally:
            self._task = None

    async def close(self) -> tuple[int, int]:
        """Wait for the last marks, close the pools; return the rows and the unprocessed.

        An update answered may not have been handed to `finish` yet (the answer's call ends
        before its handler goes on): those are waited for, a few seconds at most."""
        if self.finishing < self.stored:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._all_handed.wait(), CLOSE_WAIT_S)
        while self._task is not None:
            await asyncio.shield(self._task)
        rows, open_ = (
            self._connection()
            .execute("SELECT count(*), count(*) - count(processed_at) FROM inbox")
            .fetchone()
        )
        for pool in (self._updates, self._marks):
            pool.shutdown(wait=True)
        return int(rows), int(open_)


def build_durable_echo(server: FakeBotApi, inbox: DurableInbox, concurrent: int = 1) -> App:
    """Build the echo bot on aiohttp that stores each update before answering it and marks
    it processed after (`DurableInbox`); the update's JSON is kept from getUpdates as
    dondoc's is (handlers/telegram/raw_updates.py), not rebuilt."""
    raw = RawUpdates(AiohttpRequest(connection_pool_size=1))
    builder = ApplicationBuilder().token(server.token).base_url(server.base_url)
    builder = builder.request(AiohttpRequest()).get_updates_request(raw)
    app = builder.concurrent_updates(concurrent).build()

    async def durable_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Store the update, answer it with one message, then have it marked processed."""
        await inbox.store(update.update_id, raw.take(update))
        await echo(update, context)
        inbox.finish(update.update_id)

    app.add_handler(MessageHandler(filters.TEXT, durable_echo))
    return app


class Rate(NamedTuple):
    """Replies per second of the clock, and per second of the process's CPU time."""

    wall: float
    cpu: float
    threads: Mapping[str, float] = MappingProxyType({})  # CPU ms per reply, by thread kind


def thread_cpu() -> dict[int, float]:
    """Return each thread's CPU seconds so far, by its native id (empty off Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        found[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return found


def thread_kind(name: str) -> str:
    """Name a kind of thread: its pool's prefix without the numbers ("dondoc-update")."""
    if name == "MainThread":
        return "event loop"
    return re.sub(r"(-\d+)?_\d+$", "", name)


def cpu_by_thread(before: dict[int, float], replies: int) -> dict[str, float]:
    """Return the CPU ms per reply each kind of thread spent since `before`."""
    after = thread_cpu()
    names = {t.native_id: t.name for t in threading.enumerate()}
    spent: dict[str, float] = {}
    for tid, seconds in after.items():
        kind = thread_kind(names.get(tid, "ended threads"))
        spent[kind] = spent.get(kind, 0.0) + (seconds - before.get(tid, 0.0)) * 1000 / replies
    return {k: round(v, 3) for k, v in spent.items() if v > 0}


async def replies_per_second(
    server: FakeBotApi, app: App, sends: Sequence[tuple[int, int]], mode: str
) -> Rate:
    """Have each (user, reminder message) reply "xong" as `mode` says, once the bot is
    idle; return the rates."""
    async with polling(app):
        await settled()
        if mode == "one_at_a_time":
            return await _one_at_a_time(server, sends)
        return await _all_at_once(server, sends)


async def settled() -> float:
    """Wait until the process is idle (a window of SETTLE_WINDOW_S spending at most
    SETTLED_CPU_S of CPU); return the CPU seconds spent meanwhile. Not idle within
    SETTLE_AT_MOST_S: an error (a bot busy forever would make every figure a guess)."""
    spent, deadline = 0.0, time.monotonic() + SETTLE_AT_MOST_S
    while time.monotonic() < deadline:
        cpu = time.process_time()
        await asyncio.sleep(SETTLE_WINDOW_S)
        used = time.process_time() - cpu
        spent += used
        if used <= SETTLED_CPU_S:
            return spent
    raise AssertionError(f"the bot was not idle within {SETTLE_AT_MOST_S:.0f} s")


async def _all_at_once(server: FakeBotApi, sends: Sequence[tuple[int, int]]) -> Rate:
    """Send every reply at once; time until every user has an answer."""
    expected = server.call_count("sendMessage") + len(sends)
    threads = thread_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    for user, reminder_id in sends:
        server.send_text(user, "xong", reply_to=reminder_id or None)
    # Woken by the server when the last answer is in: no polling shares the GIL with the bots.
    await server.wait_for_count("sendMessage", expected, timeout=WAIT_S)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    spent = cpu_by_thread(threads, len(sends))
    _check_answers(server, sends)
    return Rate(len(sends) / elapsed, len(sends) / cpu, spent)


async def _one_at_a_time(server: FakeBotApi, sends: Sequence[tuple[int, int]]) -> Rate:
    """Send each reply once the previous one was answered; sum the server-side latencies."""
    cpu = time.process_time()
    total = 0.0
    for user, reminder_id in sends:
        expected = server.call_count("sendMessage") + 1
        server.send_text(user, "xong", reply_to=reminder_id or None)
        offered = server.last_update()
        await server.wait_for_count("sendMessage", expected, timeout=WAIT_S)
        answer = server.last_call("sendMessage")
        assert offered is not None
        assert answer is not None
        total += answer.finished_at - offered.available_at
    cpu = time.process_time() - cpu
    _check_answers(server, sends)
    return Rate(len(sends) / total, len(sends) / cpu)


def _check_answers(server: FakeBotApi, sends: Sequence[tuple[int, int]]) -> None:
    """Check that every official got exactly one answer."""
    answered = {c.params["chat_id"] for c in server.calls("sendMessage")[-len(sends) :]}
    if answered != {user for user, _ in sends}:
        raise AssertionError("some officials got no answer, others more than one")


def add_users(server: FakeBotApi, user_ids: Sequence[int]) -> None:
    """Create users who have already started the bot, named as `populate` names them: a
    name the server gives differently would rename the contact at every reply, a write a
    real morning's replies seldom pay."""
    for user_id in user_ids:
        server.add_user(user_id, official_name(user_id)).started = True


async def dondoc_round(officials_count: int, workdir: Path, mode: str) -> Rate:
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
        rate = await replies_per_second(server, app, [(o.user_id, m) for o, m in sent], mode)
        engine.dispose()
        return rate


async def send_reminders(app: App, officials: Sequence[Official]) -> list[tuple[Official, int]]:
    """Send each official a reminder directly (setup, not measured) and return the ids."""
    ids = await remind(app, [o.user_id for o in officials])
    return list(zip(officials, ids, strict=True))


async def remind(app: App, users: Sequence[int]) -> list[int]:
    """Have the bot send each user a reminder (setup, not measured); return the message ids,
    for each user to reply to: every bot measured gets the same updates, a reply carrying
    the message it answers."""
    await app.bot.initialize()
    ids = [(await app.bot.send_message(user, "Nhắc việc #1")).message_id for user in users]
    await app.bot.shutdown()
    return ids


async def echo_round(
    officials_count: int, mode: str, concurrent: int = 1, *, aiohttp: bool = False
) -> Rate:
    """Measure the echo bot, `concurrent` updates at a time (on aiohttp: `aiohttp`)."""
    async with FakeBotApi() as server:
        users = [100_000 + i for i in range(officials_count)]
        add_users(server, users)
        app = build_echo(server, concurrent, aiohttp=aiohttp)
        sends = list(zip(users, await remind(app, users), strict=True))
        return await replies_per_second(server, app, sends, mode)


async def durable_round(officials_count: int, workdir: Path, mode: str, concurrent: int) -> Rate:
    """Measure the durable echo bot on a fresh SQLite file; check every update was stored
    and marked processed."""
    async with FakeBotApi() as server:
        users = [100_000 + i for i in range(officials_count)]
        add_users(server, users)
        inbox = DurableInbox(workdir / f"durable-{time.monotonic_ns()}.sqlite3")
        app = build_durable_echo(server, inbox, concurrent)
        sends = list(zip(users, await remind(app, users), strict=True))
        rate = await replies_per_second(server, app, sends, mode)
        rows, open_ = await inbox.close()
        if rows != officials_count or open_:
            raise AssertionError(f"durable echo: {rows} rows stored, {open_} not processed")
        return rate


SERIES = (
    "echo_one_at_a_time",
    "echoaio_one_at_a_time",
    "durable_one_at_a_time",
    "dondoc_one_at_a_time",
    "echo_concurrent",
    "echoaio_concurrent",
    "durable_concurrent",
    "echo_concurrent_serial",
    "dondoc_concurrent",
)
RATIOS = {  # name: (dondoc's series, the baseline's)
    "one_at_a_time": ("dondoc_one_at_a_time", "echo_one_at_a_time"),
    "concurrent": ("dondoc_concurrent", "echo_concurrent"),
    "concurrent_vs_serial_echo": ("dondoc_concurrent", "echo_concurrent_serial"),
    "one_at_a_time_vs_aiohttp_echo": ("dondoc_one_at_a_time", "echoaio_one_at_a_time"),
    "concurrent_vs_aiohttp_echo": ("dondoc_concurrent", "echoaio_concurrent"),
    "one_at_a_time_vs_durable_echo": ("dondoc_one_at_a_time", "durable_one_at_a_time"),
    "concurrent_vs_durable_echo": ("dondoc_concurrent", "durable_concurrent"),
    "durable_one_at_a_time_vs_echo": ("durable_one_at_a_time", "echo_one_at_a_time"),
    "durable_concurrent_vs_echo": ("durable_concurrent", "echo_concurrent"),
    "durable_one_at_a_time_vs_aiohttp_echo": ("durable_one_at_a_time", "echoaio_one_at_a_time"),
    "durable_concurrent_vs_aiohttp_echo": ("durable_concurrent", "echoaio_concurrent"),
}


async def run(officials: int, rounds: int) -> dict[str, object]:
    """Alternate baseline and dondoc rounds in each mode; return the figures.

    A small round of each first, not counted: the first of a kind pays for imports and
    first-use caches. Who goes first alternates between rounds, and each round starts
    after a full garbage collection, so that neither pays for the garbage of the other.
    """
    rates: dict[str, list[Rate]] = {name: [] for name in SERIES}
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:

        async def measure(name: str, count: int) -> Rate:
            gc.collect()
            if name == "echo_concurrent_serial":
                return await echo_round(count, "concurrent")
            who, mode = name.split("_", 1)
            if who == "dondoc":
                return await dondoc_round(count, Path(tmp), mode)
            at_once = MAX_CONCURRENT if mode == "concurrent" else 1
            if who == "durable":
                return await durable_round(count, Path(tmp), mode, at_once)
            return await echo_round(count, mode, at_once, aiohttp=who == "echoaio")

        for name in SERIES:
            await measure(name, WARM_UP)
        for number in range(rounds):
            for mode in MODES:
                # The echo bot and dondoc one after the other: the pair the target compares.
                bots = [f"echoaio_{mode}", f"durable_{mode}", f"echo_{mode}", f"dondoc_{mode}"]
                for name in bots if number % 2 == 0 else reversed(bots):
                    rates[name].append(await measure(name, officials))
            rates["echo_concurrent_serial"].append(
                await measure("echo_concurrent_serial", officials)
            )
    figures: dict[str, object] = {"cpu_ms_per_reply_by_thread": by_thread(rates)}
    for clock in CLOCKS:
        series = {name: [getattr(r, clock) for r in values] for name, values in rates.items()}
        figures[f"{clock}_replies_per_s"] = {
            name: [round(r, 1) for r in values] for name, values in series.items()
        }
        figures[f"{clock}_ratios"] = {
            name: round(paired_ratio(series[ours], series[base]), 3)
            for name, (ours, base) in RATIOS.items()
        }
        figures[f"{clock}_ratio_of_medians"] = {
            name: round(median(series[ours]) / median(series[base]), 3)
            for name, (ours, base) in RATIOS.items()
        }
        figures[f"{clock}_rounds_ratios"] = {
            name: [round(a / b, 3) for a, b in zip(series[ours], series[base], strict=True)]
            for name, (ours, base) in RATIOS.items()
            if name in TARGETS
        }
    return {
        "officials": officials,
        "rounds": rounds,
        "concurrent_updates": MAX_CONCURRENT,
        **figures,
        "target_ratio": TARGET,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": "sqlite",
    }


def paired_ratio(ours: Sequence[float], base: Sequence[float]) -> float:
    """Return the median of the rounds' ratios, each of two bots measured in the same round.

    The machine's speed moves from one round to the next by as much as a third, both bots
    alike (a slow round is slow for both); a ratio of the medians could set one bot's fast
    round against the other's slow one. Each round's ratio compares two runs seconds apart
    (the echo bot and dondoc one after the other), and the median of those is the figure."""
    return median([a / b for a, b in zip(ours, base, strict=True)])


def by_thread(rates: dict[str, list[Rate]]) -> dict[str, dict[str, float]]:
    """Return the median CPU ms per reply of each kind of thread, for the concurrent series."""
    found: dict[str, dict[str, float]] = {}
    for name in BREAKDOWN:
        kinds = sorted({kind for r in rates[name] for kind in r.threads})
        found[name] = {
            k: round(median([r.threads.get(k, 0.0) for r in rates[name]]), 3) for k in kinds
        }
    return found


def print_budget(spent: dict[str, dict[str, float]]) -> None:
    """Print where each bot's CPU goes per reply, and what the target leaves dondoc (beside
    each echo bot: python-telegram-bot's default transport, and aiohttp); then what dondoc
    spends beyond the durable echo bot, which pays the same guarantees."""
    echo, aio, ours, durable = (spent.get(name, {}) for name in BREAKDOWN)
    if not echo or not ours:
        return  # no per-thread figures on this system
    bots = (echo, aio, ours, durable)
    kinds = sorted(set().union(*bots), key=lambda k: (-ours.get(k, 0.0), -durable.get(k, 0.0)))
    rows = [(k, "   ".join(f"{one.get(k, 0.0):8.3f}" for one in bots)) for k in kinds]
    total_echo, total_aio, total_ours, total_durable = (sum(one.values()) for one in bots)
    rows += [
        (
            "total",
            "   ".join(
                f"{total:8.3f}" for total in (total_echo, total_aio, total_ours, total_durable)
            ),
        )
    ]
    for label, total in (("echo", total_echo), ("aiohttp echo", total_aio)):
        budget = total / TARGET
        rows += [
            (f"dondoc's budget at {TARGET} ({label} / {TARGET})", f"{budget:8.3f}"),
            (
                f"beyond the {label} bot: allowed / spent",
                f"{budget - total:8.3f}   {total_ours - total:8.3f}",
            ),
        ]
    if durable:
        rows += [
            (
                "the guarantees: durable echo beyond the echo / aiohttp echo",
                f"{total_durable - total_echo:8.3f}   {total_durable - total_aio:8.3f}",
            ),
            ("dondoc beyond the durable echo", f"{total_ours - total_durable:8.3f}"),
        ]
    print_table(
        "CPU ms per reply by thread, concurrent rounds (medians)",
        [("", "    echo   echo/aio     dondoc    durable"), *rows],
    )


def main() -> None:
    """Run the benchmark, print a table and write bench/results/overhead.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    result = asyncio.run(run(args.officials, args.rounds))
    path = write_results("overhead", result)
    labels = {
        "echo_one_at_a_time": "one at a time: echo bot",
        "echoaio_one_at_a_time": "one at a time: echo bot on aiohttp",
        "dondoc_one_at_a_time": "one at a time: dondoc",
        "echo_concurrent": f"concurrent: echo bot, {MAX_CONCURRENT} at a time",
        "echoaio_concurrent": f"concurrent: echo bot on aiohttp, {MAX_CONCURRENT} at a time",
        "echo_concurrent_serial": "concurrent: echo bot, one at a time",
        "dondoc_concurrent": f"concurrent: dondoc, {MAX_CONCURRENT} lanes",
        "one_at_a_time": f"one at a time: ratio (target >= {TARGET})",
        "concurrent": f"concurrent: ratio (target >= {TARGET})",
        "concurrent_vs_serial_echo": "concurrent: ratio to the serial echo",
        "one_at_a_time_vs_aiohttp_echo": "one at a time: ratio to the aiohttp echo",
        "concurrent_vs_aiohttp_echo": "concurrent: ratio to the aiohttp echo",
        "durable_one_at_a_time": "one at a time: durable echo bot",
        "durable_concurrent": f"concurrent: durable echo bot, {MAX_CONCURRENT} at a time",
        "one_at_a_time_vs_durable_echo": "one at a time: ratio to the durable echo",
        "concurrent_vs_durable_echo": "concurrent: ratio to the durable echo",
        "durable_one_at_a_time_vs_echo": "one at a time: durable echo / echo",
        "durable_concurrent_vs_echo": "concurrent: durable echo / echo",
        "durable_one_at_a_time_vs_aiohttp_echo": "one at a time: durable echo / aiohttp echo",
        "durable_concurrent_vs_aiohttp_echo": "concurrent: durable echo / aiohttp echo",
    }
    rows = []
    for name, label in labels.items():
        cells = []
        for clock in CLOCKS:
            if name in RATIOS:
                cells.append(f"{result[f'{clock}_ratios'][name]:.3f}")  # type: ignore[index]
            else:
                series = result[f"{clock}_replies_per_s"][name]  # type: ignore[index]
                cells.append(f"{median(series):.1f}/s")
        rows.append((label, "   ".join(c.rjust(8) for c in cells)))
    for name in TARGETS:
        cells = [
            f"{result[f'{clock}_ratio_of_medians'][name]:.3f}"  # type: ignore[index]
            for clock in CLOCKS
        ]
        rows.append(
            (
                f"{name.replace('_', ' ')}: ratio of the medians",
                "   ".join(c.rjust(8) for c in cells),
            )
        )
        for clock in CLOCKS:
            each = result[f"{clock}_rounds_ratios"][name]  # type: ignore[index]
            rows.append(
                (
                    f"{name.replace('_', ' ')}: each round ({clock})",
                    " ".join(f"{r:.2f}" for r in each),
                )
            )
    rows += [("load average", str(result["load_average"])), ("results", str(path))]
    print_table(
        "Benchmark 3: replies per second (medians; by the clock, and per CPU second), "
        "dondoc vs a bare echo bot (SQLite)",
        [("", "   ".join(f.rjust(8) for f in CLOCKS)), *rows],
    )
    print_budget(result["cpu_ms_per_reply_by_thread"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
