"""Freezes and losses on PostgreSQL: admins' heavy commands at once, a webhook burst, a table
locked, more work than the pool.

    python -m bench.pgstall [--postgres URL] [--tappers 3000] [--tap-rate 10] [--only WORD]...
        [--stall WORD]...

bench.stall's province (`bench.generate --size province300`, 52,000 assignments, kept on the
server as the database `dondoc_bench_province300` and copied for each run), with its nudged
task, tappers and coordinators, plus `ADMINS` Telegram admins and `--officials` officials
who reply; `dondoc serve` as its own process on PostgreSQL, Telegram and Zalo by webhook from
the fake servers, the dashboard, its loop probe logging every stall over `--stall-ms`.
Officials tap a status button at `--tap-rate` a second throughout. Phases, one after the
other, each with the taps' p50/p99 (update available to answerCallbackQuery), the loop's
worst lateness and the bot's RSS:

- idle: the baseline;
- five admins at once, each a heavy command (`/export` of everything, `/report` of the year,
  `/nudge` of the task given to every unit, an import of `--import-rows` rows previewed then
  applied, `/chart` of every task) and the dashboard's matrix, while `--officials` officials
  reply "xong" together;
- a webhook burst: `BURST` officials' "xong" posted to the webhook at once, as Telegram does
  with `max_connections` 40 (the fake server delivers one at a time);
- a table locked: another session holds `LOCK TABLE ... ACCESS EXCLUSIVE` (what a migration
  or a careless `psql` takes) on `status_report`, which every tap and reply writes, for
  `--lock-s` seconds while `--officials` others reply at once: more work waiting than the
  pool's connections;
- the same on `inbox`, where every update is recorded first.

`--stall WORD`: after them, bench.stall's phases whose name holds one of the words (its
`--only`), on PostgreSQL, each with its taps (a phase `--only` does not name is not run:
`--only idle --stall merge` runs the idle baseline and the merges).

Checked after each: every tap answered once, every reply answered and stored once (one
status report each), no traceback in the log. Written to bench/results/pgstall.json
(`--only`: pgstall_only.json).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bench import stall
from bench.common import BENCH_NOW, Official, populate, run_token, write_results
from bench.fanout import give_buttons
from bench.heavy import Tapper, latency_figures, probe_figures, serve_ready, task_file
from bench.stall import (
    ADMIN,
    SIZE,
    START_TIMEOUT_S,
    ZALO_ADMIN,
    Place,
    cli_env,
    furnish,
    loop_since,
    start,
)
from bench.webhook import stop
from bench.workers import drop_database
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakebotapi import FakeBotApi
from devtools.fakebotapi.webhook import SECRET_HEADER
from devtools.fakezalo import FakeZalo
from devtools.ports import free_port
from web.auth import COOKIE

TEMPLATE = f"dondoc_bench_{SIZE}"
ADMINS = [ADMIN + i for i in range(5)]
REPLIER_FIRST_USER = 500_000
BURST = 40
MIN_PHASE_S = 2.0
WAIT_S = 600.0
QUIET_S = 8.0  # an admin's answers are over once nothing more came for this long
REPORT = "/report 01/01/2026-31/12/2026"


def server_url(args: argparse.Namespace) -> str:
    """Return the PostgreSQL server's URL (any database on it)."""
    return str(
        args.postgres
        or os.environ.get("TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )


def _admin(url: str) -> Engine:
    return make_engine(url).execution_options(isolation_level="AUTOCOMMIT")


def province(url: str) -> None:
    """Make the province's template database once (kept on the server)."""
    admin = _admin(url)
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": TEMPLATE})
        if found.first() is not None:
            admin.dispose()
            return
        conn.execute(text(f'CREATE DATABASE "{TEMPLATE}_partial"'))
    admin.dispose()
    from bench.generate import generate

    partial = make_url(url).set(database=f"{TEMPLATE}_partial").render_as_string(False)
    engine = make_engine(partial)
    generate(engine, size=SIZE)
    engine.dispose()
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{TEMPLATE}_partial" RENAME TO "{TEMPLATE}"'))
    admin.dispose()


def copy_province(url: str) -> str:
    """Create a database copied from the province's; return its URL."""
    province(url)
    name = f"dondoc_pgstall_{uuid.uuid4().hex[:10]}"
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class Bench:
    """The running world: servers, the bot, the people."""

    def __init__(
        self,
        place: Place,
        url: str,
        repliers: list[Official],
        web: httpx.AsyncClient,
        server: FakeBotApi,
        bot: subprocess.Popen[bytes],
    ) -> None:
        self.place, self.url, self.repliers, self.web = place, url, repliers, web
        self.server, self.bot = server, bot
        self.next_replier = 0
        self.next_update = 900_000_000

    def take_repliers(self, count: int) -> list[Official]:
        """Return `count` officials who have not replied yet."""
        taken = self.repliers[self.next_replier : self.next_replier + count]
        self.next_replier += count
        return taken


def rss_mb(bot: subprocess.Popen[bytes]) -> dict[str, float]:
    """Return the bot process's resident memory now and at its peak, in MB."""
    figures: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{bot.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return figures


def answers_to(server: FakeBotApi, chat: int, after: float) -> list[tuple[float, str, str]]:
    """Return the bot's accepted sends to `chat` after `after`: (when, method, text)."""
    methods = ("sendMessage", "sendDocument", "sendPhoto", "editMessageText")
    out = []
    with server.state.lock:
        calls = list(server.state.calls)
    for call in calls:
        to_chat = str(call.params.get("chat_id")) == str(chat)
        if call.method in methods and call.ok and call.at >= after and to_chat:
            words = str(call.params.get("text") or call.params.get("caption") or "")
            out.append((call.finished_at or call.at, call.method, words))
    return out


async def answered_all(
    server: FakeBotApi, chat: int, since: float, done: Callable[[list[Any]], bool]
) -> float:
    """Wait until `done(answers)` holds for `chat`'s answers since `since`, then until they
    stop coming; return the seconds from `since` to the last (-1: never)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        got = answers_to(server, chat, since)
        if got and done(got) and time.monotonic() - got[-1][0] > QUIET_S:
            return got[-1][0] - since
        await asyncio.sleep(0.5)
    return -1.0


async def replies_together(bench: Bench, officials: list[Official]) -> dict[str, Any]:
    """Have `officials` reply "xong" through the fake server; wait for each one's answer."""
    since = time.monotonic()
    for o in officials:
        bench.server.send_text(o.user_id, "xong")
    waits = []
    for o in officials:
        waits.append(await answered_all(bench.server, o.user_id, since, bool))
    return {"answered": sum(1 for w in waits if w >= 0), "p99_s": max(waits, default=0)}


async def burst(bench: Bench, officials: list[Official]) -> dict[str, Any]:
    """Post the officials' "xong" to the bot's webhook all at once (Telegram's up to 40
    connections); return the statuses and how long each post took."""
    server = bench.server
    payloads = []
    with server.state.lock:
        hook = server.state.webhook
        for o in officials:
            chat = server.state.chats[o.user_id]
            user = server.state.user(o.user_id)
            message = server.state.add_message(
                chat, user, text="xong", sent_text="xong", entities=[]
            )
            bench.next_update += 1
            payloads.append(
                {"update_id": bench.next_update, "message": server.state.message_api(message)}
            )
    headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def post(payload: dict[str, Any]) -> tuple[int, float]:
            started = time.monotonic()
            try:
                async with http.post(hook.url, json=payload, headers=headers) as response:
                    return response.status, time.monotonic() - started
            except (aiohttp.ClientError, TimeoutError):
                return 0, time.monotonic() - started

        results = await asyncio.gather(*(post(p) for p in payloads))
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    posts = sorted(s for _, s in results)
    return {
        "statuses": statuses,
        "post_max_s": round(posts[-1], 3),
        "post_p50_s": round(posts[len(posts) // 2], 3),
    }


def reports_of(url: str, officials: list[Official]) -> dict[str, int]:
    """Count the officials with no status report, and with more than one."""
    engine = make_engine(url)
    ids = [o.assignment_id for o in officials]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT assignment_id, count(*) FROM status_report"
                " WHERE assignment_id = ANY(:ids) GROUP BY assignment_id"
            ),
            {"ids": ids},
        ).all()
    engine.dispose()
    counts = {a: c for a, c in rows}
    return {
        "without_report": sum(1 for i in ids if i not in counts),
        "with_two_or_more": sum(1 for c in counts.values() if c > 1),
    }


async def run_phase(
    name: str, bench: Bench, tapper: Tapper, command: Callable[[], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """Tap while `command` runs; return what it says, the taps and the loop's lateness."""
    world = bench.place.world
    started = time.time()
    job: asyncio.Future[dict[str, Any]] = asyncio.ensure_future(command())
    lost_before = tapper.lost
    latencies = await tapper.run(job, MIN_PHASE_S)
    said = await job
    worst, stalls = await loop_since(world, started)
    taps = latency_figures(latencies)
    row = {
        "phase": name,
        **said,
        "taps": taps,
        "taps_unanswered": tapper.lost - lost_before,
        "worst_lateness_ms": worst,
        "stalls": stalls,
        "rss_mb": rss_mb(bench.bot),
    }
    p50, p99 = taps.get("p50_ms") or 0, taps.get("p99_ms") or 0
    print(
        f"{name[:50]:50} taps p50 {p50:8.1f} p99 {p99:9.1f} ms"
        f"  unanswered {row['taps_unanswered']}  worst loop {row['worst_lateness_ms']:7.1f} ms"
        f"  {said}",
        file=sys.stderr,
        flush=True,
    )
    return row


def five_admins(bench: Bench, args: argparse.Namespace) -> Callable[[], Awaitable[dict[str, Any]]]:
    """Five admins' heavy commands and the dashboard's matrix at once, officials replying."""
    server, place = bench.server, bench.place
    codes = [f"B{o.user_id:05d}" for o in place.world.tappers]
    content = task_file(args.import_rows, codes)

    async def command() -> dict[str, Any]:
        since = time.monotonic()
        asks = {
            ADMINS[0]: "/export",
            ADMINS[1]: REPORT,
            ADMINS[2]: f"/nudge #{place.nudged}",
            ADMINS[3]: "/chart",
        }
        for admin, words in asks.items():
            server.send_text(admin, words)
        server.send_document(ADMINS[4], content, "tasks.csv", "text/csv")

        async def matrix() -> float:
            started = time.monotonic()
            answer = await bench.web.get("/matrix")
            return time.monotonic() - started if answer.status_code == 200 else -1.0

        async def imported() -> float:
            deadline = time.monotonic() + WAIT_S
            found = None
            while time.monotonic() < deadline and found is None:
                for message in reversed(server.messages(ADMINS[4])):
                    for row in (message.reply_markup or {}).get("inline_keyboard", []):
                        for b in row:
                            if b.get("callback_data", "").startswith("im:ok"):
                                found = (b["callback_data"], message.message_id)
                await asyncio.sleep(0.5)
            if found is None:
                return -1.0
            pressed = time.monotonic()
            server.press_button(ADMINS[4], found[0], found[1])
            waited = await answered_all(server, ADMINS[4], pressed, bool)
            return pressed - since + waited if waited >= 0 else -1.0

        officials = bench.take_repliers(args.officials)
        jobs = [answered_all(server, a, since, bool) for a in asks]
        replying = asyncio.ensure_future(replies_together(bench, officials))
        waits = await asyncio.gather(*jobs, imported(), matrix())
        replies = await replying
        said: dict[str, Any] = {
            f"{w[:12]}_s": round(s, 1) for w, s in zip(asks.values(), waits[:4], strict=True)
        }
        said |= {"import_s": round(waits[4], 1), "matrix_s": round(waits[5], 1)}
        said |= {"replies_answered": f"{replies['answered']}/{len(officials)}"}
        return said | reports_of(bench.url, officials)

    return command


def webhook_burst(bench: Bench) -> Callable[[], Awaitable[dict[str, Any]]]:
    """`BURST` officials' replies posted at once."""

    async def command() -> dict[str, Any]:
        officials = bench.take_repliers(BURST)
        since = time.monotonic()
        posted = await burst(bench, officials)
        waits = [await answered_all(bench.server, o.user_id, since, bool) for o in officials]
        answered = sum(1 for w in waits if w >= 0)
        return (
            posted
            | {"answered": f"{answered}/{BURST}", "last_answer_s": round(max(waits), 1)}
            | reports_of(bench.url, officials)
        )

    return command


def locked(
    bench: Bench, table: str, args: argparse.Namespace
) -> Callable[[], Awaitable[dict[str, Any]]]:
    """Another session holds `table` for `--lock-s` seconds while officials reply at once."""

    async def command() -> dict[str, Any]:
        officials = bench.take_repliers(args.officials)
        holder = make_engine(bench.url)
        connection = holder.connect()
        connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        since = time.monotonic()
        for o in officials:
            bench.server.send_text(o.user_id, "xong")
        bench.server.send_text(ADMINS[0], "/help")
        await asyncio.sleep(args.lock_s)
        connection.rollback()
        connection.close()
        holder.dispose()
        admin = await answered_all(bench.server, ADMINS[0], since, bool)
        waits = [await answered_all(bench.server, o.user_id, since, bool) for o in officials]
        said = [m[2] for o in officials for m in answers_to(bench.server, o.user_id, since)]
        answered = sum(1 for w in waits if w >= 0)
        return {
            "help_s": round(admin, 1),
            "answered": f"{answered}/{len(officials)}",
            "last_answer_s": round(max(waits), 1),
            "told_held": sum(1 for s in said if "đang được giữ" in s),
            "told_error": sum(1 for s in said if "mã lỗi" in s),
        } | reports_of(bench.url, officials)

    return command


async def pgstall(args: argparse.Namespace) -> dict[str, Any]:
    """Run the phases against one `dondoc serve` on PostgreSQL; return their figures."""
    server_at = server_url(args)
    url = copy_province(server_at)
    try:
        with tempfile.TemporaryDirectory(prefix="dondoc-pgstall-") as tmp:
            engine = make_engine(url)
            upgrade(engine)
            place = furnish(engine, Path(tmp) / "pg", args)
            repliers = populate(
                engine,
                args.officials * 3 + BURST,
                BENCH_NOW.date() + timedelta(days=21),
                first_user=REPLIER_FIRST_USER,
                assigned_at=BENCH_NOW - timedelta(days=10),
            )
            engine.dispose()
            return await _run(args, place, url, repliers)
    finally:
        drop_database(server_at, url)


async def _run(
    args: argparse.Namespace, place: Place, url: str, repliers: list[Official]
) -> dict[str, Any]:
    world = place.world
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeBotApi(run_token()) as server, FakeZalo(run_token()) as zalo:
        for admin in ADMINS:
            server.add_user(admin, "Quản trị").started = True
        for official in world.tappers + world.nudged + repliers:
            server.add_user(official.user_id, "Cán bộ").started = True
        for chat in place.coordinators:
            server.add_user(chat, "Điều phối viên").started = True
        zalo.add_user(ZALO_ADMIN, "Quản trị Zalo", wrote=True)
        for person in place.zalo_coordinators:
            zalo.add_user(person, "Điều phối viên Zalo", wrote=True)
        buttons = await give_buttons(server, world.tappers)
        server.set_rate_limits("enforce")
        extra = {"DATABASE_URL": url, "ADMIN_IDS": ",".join(str(a) for a in ADMINS)}
        bot = start(server, zalo, world, port, args.stall_ms, extra)
        rows: list[dict[str, Any]] = []
        try:
            await serve_ready(server, bot, world, START_TIMEOUT_S)
            tapper = Tapper(server, buttons, args.tap_rate)
            cookies = {COOKIE: place.cookie}
            async with httpx.AsyncClient(base_url=base, timeout=900, cookies=cookies) as web:
                bench = Bench(place, url, repliers, web, server, bot)

                async def idle() -> dict[str, Any]:
                    await asyncio.sleep(5)
                    return {}

                todo: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = [
                    ("idle (baseline)", idle),
                    ("five admins' heavy commands at once", five_admins(bench, args)),
                    (f"a webhook burst of {BURST}", webhook_burst(bench)),
                    ("status_report locked", locked(bench, "status_report", args)),
                    ("inbox locked", locked(bench, "inbox", args)),
                ]
                for name, command in todo:
                    if (
                        name.startswith("idle")
                        or not args.only
                        or any(w in name for w in args.only)
                    ):
                        rows.append(await run_phase(name, bench, tapper, command))
                if args.stall:  # bench.stall's phases, named by their words, on PostgreSQL
                    env = cli_env(server, zalo, world) | {"DATABASE_URL": url}
                    named = argparse.Namespace(only=args.stall)
                    for name, phase in stall.phases(named, server, zalo, web, place, env):
                        rows.append(await stall.run_phase(name, world, tapper, phase))
            figures = probe_figures(world)
        finally:
            stop(bot)
            err = (world.db_file.parent / "serve.log").read_bytes().decode(errors="replace")
        answers: dict[str, int] = {}
        for call in server.calls("answerCallbackQuery"):
            key = str(call.params.get("callback_query_id"))
            answers[key] = answers.get(key, 0) + 1
        return {
            "size": SIZE,
            "phases": rows,
            "taps_answered_twice": sum(1 for n in answers.values() if n > 1),
            "loop": {k: v for k, v in figures.items() if k not in ("stalls", "per_second_max_ms")},
            "tracebacks_in_log": err.count("Traceback"),
            "pool_timeouts_in_log": err.count("QueuePool limit"),
            "serve_stderr_tail": err[-6000:],
        }


def main() -> None:
    """Run and write bench/results/pgstall.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--nudge-units", type=int, default=300)
    parser.add_argument("--tappers", type=int, default=3000)
    parser.add_argument("--tap-rate", type=float, default=10.0)
    parser.add_argument("--officials", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--lock-s", type=float, default=30.0)
    parser.add_argument("--stall-ms", type=float, default=100.0)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--stall", action="append", default=[])
    args = parser.parse_args()
    result = asyncio.run(pgstall(args))
    write_results("pgstall_only" if args.only else "pgstall", result)
    print(
        f"taps answered twice: {result['taps_answered_twice']}; tracebacks in the log: "
        f"{result['tracebacks_in_log']}; pool timeouts: {result['pool_timeouts_in_log']}"
    )


if __name__ == "__main__":
    main()
