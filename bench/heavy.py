"""Benchmarks 6 and 7: taps answered during heavy commands, and an admin during a flood.

    python -m bench.heavy [--assignments 50000] [--nudge-units 3300] [--import-rows 10000]
    python -m bench.heavy --flood-only
    python -m bench.heavy --heavy-only --more-only --tappers 6000   # 6's other commands
    python -m bench.heavy --heavy-only --report-only --tappers 6000  # its /report alone

The bot runs as its own process (`python -m bot run`) against the fake Bot API server in
this process, enforcing Telegram's limits (30 sends a second, 1 a second per chat, 429 with
retry_after for any excess). The bot's loop probe writes its figures to a file
(LOOP_PROBE_FILE), read here.

6. Taps during heavy commands: the generated country (`--assignments`, bench/generate.py)
   plus a task given to `--nudge-units` communes with reachable contacts and officials
   who tap. While officials press a status button at `--tap-rate` per second, an admin runs,
   one after the other: `/nudge` of that task, `/export` of every task, then sends a task
   file of `--import-rows` rows and applies it from its preview. Reported per phase: how
   long the admin waited for the answer, tap latency p50/p95/p99 (update available to
   getUpdates -> answerCallbackQuery received) and the longest loop stall the probe saw;
   the same taps with the bot idle come first, as the baseline.
   With `--more` (after those) or `--more-only` (instead), the other heavy commands of a
   coordinator or an admin at that size, one phase each: `/summary` of every task and of
   that task (a file past five pages) and its next page, `/ranking year`, `/chart` of all
   and of that task, the formal `/report` of the year, `/units`, `/contacts`, `/deadline`
   of that task, `/calendar add` of a day off every open task is given (`DAY_OFF`) and its
   `/calendar remove`, one admin typing `/export` four times in a row, `AT_ONCE`
   coordinators typing `/summary` together (generated officials made coordinators to that
   many), then a Zalo admin (the fake Zalo server, the bot on both channels) typing
   `/summary`, `/summary #task` and `/nudge #task`, the scheduled digest of the
   coordinators (the bot restarted with DIGEST_CRON every minute), and last a `/nudge`
   held until 07:30 (the bot restarted with its clock at 07:29:20) going out. Written
   to bench/results/heavy_more.json. With `--report-only`, the formal `/report` of the year
   alone after the idle baseline (bench/results/heavy_report.json). With `--only WORD`
   (repeatable), only the `--more` phases whose name holds it (bench/results/heavy_only.json).
7. Flood: a stranger sends `--flood-messages` messages in 10 s while an admin sends /help
   every second; the admin's answer latency (update available -> reply received), and the
   429s the server answered.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import (
    BENCH_NOW,
    VN,
    Official,
    percentile,
    populate,
    print_table,
    run_token,
    write_results,
)
from bench.fanout import give_buttons, stop_bot
from core.calendar import WorkingCalendar
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakebotapi import FakeBotApi
from devtools.fakebotapi.records import CallRecord
from devtools.fakezalo import FakeZalo
from handlers.telegram.report_pages import FILE_AFTER_PAGES

ADMIN = 90_001
STRANGER = 90_002
NUDGE_FIRST_USER = 400_000
TAPPER_FIRST_USER = 300_000
START_TIMEOUT_S = 120.0
COMMAND_TIMEOUT_S = 900.0
MIN_PHASE_S = 5.0
PAGES = re.compile(r"(?:Trang|Page) 1/(\d+)")
ZALO_ADMIN = "bench0zalo0admin"
REPORT_PERIOD = "01/01/2026-31/12/2026"
REPORT = "/report, the year"
NEW_DEADLINE = "30/12/2026"
BURST = 4  # an impatient admin's commands, typed while the first runs
AT_ONCE = 50  # coordinators sending the same command together
DAY_OFF = "10/12/2026"  # a Thursday: every open task is given it, for /calendar add
GIVE_DAY_OFF = """
UPDATE task SET deadline = :day WHERE status = 'open' AND id <> :keep
RETURNING id
"""
FOLLOW_DAY_OFF = """
UPDATE assignment SET deadline = :day
WHERE task_id IN (SELECT id FROM task WHERE deadline = :day) AND active
"""
# A token of this run's own: the bot refuses to start while another process holds the same
# token, and several people may run benchmarks on one machine.


@dataclass
class World:
    """The database file and who is in it."""

    db_file: Path
    tappers: list[Official]
    nudged: list[Official] = field(default_factory=list)
    nudged_task: int = 0
    coordinators: list[int] = field(default_factory=list)  # their chats, when they are reached
    day_off_tasks: int = 0  # open tasks due on DAY_OFF (`--more`)


MORE_COORDINATORS = """
UPDATE contact SET role = 'coordinator'
WHERE id IN (SELECT id FROM contact WHERE role = 'member' ORDER BY id LIMIT :more)
"""
REACH_COORDINATORS = """
UPDATE contact_identity SET reachable = true
WHERE contact_id IN (SELECT id FROM contact WHERE role = 'coordinator')
RETURNING chat_id
"""


def build(workdir: Path, args: argparse.Namespace, *, heavy: bool) -> World:
    """Generate the country, then the nudged task's communes and the tappers."""
    db_file = workdir / "heavy.sqlite3"
    engine = make_engine(f"sqlite:///{db_file}")
    coordinators: Sequence[str] = []
    if heavy and args.assignments:
        from bench.generate import generate

        generate(engine, size="country", assignments=args.assignments, progress=None)
        with engine.begin() as conn:  # the generated people are not on this fake Telegram
            conn.execute(text("UPDATE contact_identity SET reachable = false"))
            if args.more or args.more_only:  # but the coordinators are, for the digest
                if wanted("at once", args):  # the country has 5: more, to ask together
                    conn.execute(text(MORE_COORDINATORS), {"more": AT_ONCE - 5})
                coordinators = conn.execute(text(REACH_COORDINATORS)).scalars().all()
    else:
        upgrade(engine)
    quiet = WorkingCalendar().add_working_days(BENCH_NOW.date(), 15)
    assigned = BENCH_NOW - timedelta(days=10)
    nudged = []
    if heavy:
        nudged = populate(
            engine, args.nudge_units, quiet, first_user=NUDGE_FIRST_USER, assigned_at=assigned
        )
    tappers = []
    if args.tappers:
        tappers = populate(
            engine, args.tappers, quiet, first_user=TAPPER_FIRST_USER, assigned_at=assigned
        )
    task_id = 0
    if nudged:
        with engine.begin() as conn:
            task_id = conn.execute(
                text("SELECT task_id FROM assignment WHERE id = :id"),
                {"id": nudged[0].assignment_id},
            ).scalar_one()
    day_off_tasks = 0
    if heavy and (args.more or args.more_only):  # many open tasks due on the day made off
        with engine.begin() as conn:
            params = {"day": _iso(DAY_OFF), "keep": task_id}
            day_off_tasks = len(conn.execute(text(GIVE_DAY_OFF), params).all())
            conn.execute(text(FOLLOW_DAY_OFF), params)
    engine.dispose()
    world = World(db_file, tappers, nudged, task_id, [int(c) for c in coordinators])
    world.day_off_tasks = day_off_tasks
    return world


def _iso(day: str) -> str:
    """Return dd/mm/yyyy as yyyy-mm-dd."""
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


def start(
    server: FakeBotApi, world: World, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start the bot process with the admin and the loop probe's file (and `extra` settings)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "DATABASE_URL": f"sqlite:///{world.db_file}",
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "ADMIN_IDS": str(ADMIN),
        "LOOP_PROBE_FILE": str(world.db_file.parent / "probe.json"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    } | (extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=world.db_file.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def serve_ready(
    server: FakeBotApi, bot: subprocess.Popen[bytes], world: World, timeout: float
) -> None:
    """Wait until `dondoc serve` has set its webhook and its loop probe writes (raise if it
    exited first)."""
    await server.wait_until(
        lambda: bool(server.webhook_info().url and probe_figures(world)) or bot.poll() is not None,
        timeout,
    )
    if bot.poll() is not None:
        raise RuntimeError(f"dondoc serve exited with status {bot.returncode}")


def probe_figures(world: World) -> dict[str, Any]:
    """Return the loop probe's latest figures (empty before its first write)."""
    path = world.db_file.parent / "probe.json"
    try:
        figures: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return figures


async def wait_started(server: FakeBotApi, bot: subprocess.Popen[bytes], world: World) -> None:
    """Wait until the bot answers the admin (it is up and polling)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise RuntimeError(f"the bot exited with status {bot.returncode}")
        if probe_figures(world):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot did not start")


class Tapper:
    """Press status buttons at a steady rate, each official once, and time the answers."""

    def __init__(self, server: FakeBotApi, buttons: dict[int, str], rate: float) -> None:
        self.server = server
        self.left = list(buttons.items())
        self.rate = rate
        self.lost = 0
        self.fetch: list[float] = []  # available -> handed out by getUpdates, per tap

    async def run(self, until: asyncio.Future[Any], min_s: float) -> list[float]:
        """Tap until `until` is done (and at least min_s); return the latencies."""
        pressed: list[tuple[int, str]] = []
        started = time.monotonic()
        while self.left and (not until.done() or time.monotonic() - started < min_s):
            user, data = self.left.pop()
            update_id = self.server.press_button(user, data)
            pressed.append((update_id, self.server.callback_id(update_id)))
            await asyncio.sleep(1 / self.rate)
        latencies = []
        for _, callback_id in pressed:  # a tap never answered counts as lost, not a crash
            try:
                await self.server.wait_for_answer(callback_id, timeout=60)
            except TimeoutError:
                self.lost += 1
        # Read the server's records once (copying them per tap would slow the fake server,
        # which shares this process, and with it every figure).
        records = {u.update_id: u for u in self.server.updates()}
        available = {i: u.available_at for i, u in records.items()}
        answered = {
            c.params.get("callback_query_id"): c.finished_at or c.at
            for c in self.server.calls("answerCallbackQuery")
        }
        for update_id, callback_id in pressed:
            if callback_id in answered:
                latencies.append(answered[callback_id] - available[update_id])
                fetched = records[update_id].delivered_at
                if fetched is not None:
                    self.fetch.append(fetched - available[update_id])
        return latencies


async def admin_command(server: FakeBotApi, send: Any, method: str) -> float:
    """Have the admin send something; return seconds until the bot's `method` reached them.

    Only a call the server accepted counts: a send refused with 429 reached nobody.
    """

    def delivered() -> list[CallRecord]:
        return [c for c in server.calls(method) if c.params.get("chat_id") == ADMIN and c.ok]

    before = len(delivered())
    count = server.call_count(method)
    update_id = send()

    def answered() -> bool:  # cheap first: copying every call record slows the server
        nonlocal count
        if server.call_count(method) == count:
            return False
        count = server.call_count(method)
        return len(delivered()) > before

    await server.wait_until(answered, COMMAND_TIMEOUT_S)
    available = next(u.available_at for u in server.updates() if u.update_id == update_id)
    done = delivered()[before]
    return (done.finished_at or done.at) - available


async def report_command(server: FakeBotApi, send: Any) -> float:
    """Have the admin ask for a report shown in pages; return seconds until it was all sent.

    Past FILE_AFTER_PAGES pages the first page is followed by the whole report as a file.
    """
    before = server.call_count("sendDocument")
    waited = await admin_command(server, send, "sendMessage")
    shown = PAGES.search(server.messages(ADMIN)[-1].text or "")
    if shown is None or int(shown.group(1)) <= FILE_AFTER_PAGES:
        return waited
    started = time.monotonic()
    await server.wait_until(lambda: server.call_count("sendDocument") > before, COMMAND_TIMEOUT_S)
    return waited + time.monotonic() - started


def task_file(rows: int, units: list[str]) -> bytes:
    """Return a CSV of `rows` tasks, each given to one of `units` (by code)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "title", "deadline", "assignees", "directive", "description"])
    deadline = (BENCH_NOW.date() + timedelta(days=60)).strftime("%d/%m/%Y")
    for i in range(rows):
        unit = units[i % len(units)]
        writer.writerow([f"NV-{i:05d}", f"Nhiệm vụ thử {i}", deadline, unit, "", ""])
    return out.getvalue().encode()


async def run_phase(
    name: str,
    server: FakeBotApi,
    world: World,
    tapper: Tapper,
    command: Any,
) -> dict[str, Any]:
    """Tap while the admin's command runs; return its wait, the taps and the loop's stalls."""
    started = time.time()
    job: asyncio.Future[Any] = asyncio.ensure_future(command())
    tapper.fetch = []
    latencies = await tapper.run(job, MIN_PHASE_S)
    waited = await job
    await asyncio.sleep(1.5)  # the probe writes every second
    stalls = [s for s in probe_figures(world).get("stalls", []) if s["at"] >= started]
    longest = max(stalls, key=lambda s: s["ms"], default=None)
    seconds = [ms for at, ms in probe_figures(world).get("per_second_max_ms", []) if at >= started]
    return {
        "phase": name,
        "admin_wait_s": round(waited, 2) if isinstance(waited, float) else None,
        **latency_figures(latencies),
        "taps_unanswered": tapper.lost,
        "tap_fetch": latency_figures(tapper.fetch),
        "stalls_over_200ms": len(stalls),
        "loop_lag_per_second_max_ms": {
            "p50": percentile(seconds, 50) if seconds else None,
            "p90": percentile(seconds, 90) if seconds else None,
            "max": max(seconds, default=None),
        },
        "longest_stall_ms": longest["ms"] if longest else 0.0,
        "longest_stall_running": (longest or {}).get("running", ""),
        "longest_stall_updates": (longest or {}).get("updates", ""),
    }


async def heavy(args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark 6: idle taps, then taps during /nudge, /export and a task import.

    With `--more`, then taps during the other heavy commands (`more_phases`); with
    `--more-only`, those alone after the idle baseline.
    """
    more = args.more or args.more_only
    with tempfile.TemporaryDirectory(prefix="dondoc-heavy-") as tmp:
        world = build(Path(tmp), args, heavy=True)
        async with FakeBotApi(run_token()) as server, FakeZalo(run_token()) as zalo:
            server.add_user(ADMIN, "Quản trị").started = True
            for official in world.tappers + world.nudged:
                server.add_user(official.user_id, "Cán bộ").started = True
            for chat in world.coordinators:
                server.add_user(chat, "Điều phối viên").started = True
            buttons = await give_buttons(server, world.tappers)
            server.set_rate_limits("enforce")
            zalo.add_user(ZALO_ADMIN, "Quản trị Zalo", wrote=True)
            extra = zalo_settings(zalo) if more else None
            bots = [start(server, world, extra)]
            phases: list[dict[str, Any]] = []
            try:
                await wait_started(server, bots[-1], world)
                tapper = Tapper(server, buttons, args.tap_rate)

                async def idle() -> float:
                    await asyncio.sleep(MIN_PHASE_S)
                    return 0.0

                phases.append(await run_phase("idle (baseline)", server, world, tapper, idle))
                if args.report_only:
                    phases.append(await run_phase(REPORT, server, world, tapper, report(server)))
                elif not args.more_only:
                    phases += await base_phases(server, world, tapper, args)
                if more:
                    phases += await more_phases(server, zalo, world, tapper, args)

                    async def restart(settings: dict[str, str]) -> None:
                        stop_bot(bots[-1])
                        (world.db_file.parent / "probe.json").unlink(missing_ok=True)
                        bots.append(start(server, world, (extra or {}) | settings))
                        await wait_started(server, bots[-1], world)

                    if wanted("digest", args):
                        phases += await digest_phases(server, world, tapper, restart)
                    if wanted("07:30", args):
                        phases += await morning_phases(server, world, tapper, restart)
                figures = probe_figures(world)
            except BaseException:
                print(stop_bot(bots[-1]).decode(errors="replace")[-6000:], file=sys.stderr)
                print(json.dumps(phases, indent=1), file=sys.stderr)
                raise
            finally:
                err = stop_bot(bots[-1]) if bots[-1].returncode is None else b""
            return {
                "assignments": args.assignments,
                "nudge_units": args.nudge_units,
                "import_rows": args.import_rows,
                "phases": phases,
                "loop": {k: v for k, v in figures.items() if k != "stalls"},
                "responses_429": sum(1 for c in server.calls() if c.status == 429),
                "responses_429_by": refusals(
                    server,
                    admin={ADMIN},
                    tappers={o.user_id for o in world.tappers},
                    nudged={o.user_id for o in world.nudged},
                ),
                "admin_answers": [
                    (m.text or m.caption or "")[:200] for m in server.messages(ADMIN)[-4:]
                ],
                "bot_stderr_tail": err.decode(errors="replace")[-3000:],
            }


async def base_phases(
    server: FakeBotApi, world: World, tapper: Tapper, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Tap during /nudge, /export, then a task file's preview and its Apply."""
    phases = []

    async def nudge() -> float:
        return await admin_command(
            server,
            lambda: server.send_text(ADMIN, f"/nudge #{world.nudged_task}"),
            "sendMessage",
        )

    phases.append(await run_phase("/nudge", server, world, tapper, nudge))

    async def export() -> float:
        return await admin_command(
            server, lambda: server.send_text(ADMIN, "/export"), "sendDocument"
        )

    phases.append(await run_phase("/export", server, world, tapper, export))
    codes = [f"B{o.user_id:05d}" for o in world.tappers]
    content = task_file(args.import_rows, codes)

    async def import_tasks() -> float:
        return await admin_command(
            server,
            lambda: server.send_document(ADMIN, content, "tasks.csv", "text/csv"),
            "sendMessage",
        )

    phases.append(await run_phase("import preview", server, world, tapper, import_tasks))

    async def apply_import() -> float:
        # Files over 20 rows are previewed first: the admin presses Apply.
        data, message_id = last_button(server, "im:ok")
        return await admin_command(
            server, lambda: server.press_button(ADMIN, data, message_id), "sendMessage"
        )

    phases.append(await run_phase("import apply", server, world, tapper, apply_import))
    return phases


def last_button(server: FakeBotApi, prefix: str, nth: int = 0) -> tuple[str, int]:
    """Return the callback data of the admin's latest button starting with `prefix` (and the
    message's id); `nth` counts such buttons from the message's last."""
    for message in reversed(server.messages(ADMIN)):
        found = [
            b["callback_data"]
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
            for b in row
            if b.get("callback_data", "").startswith(prefix)
        ]
        if len(found) > nth:
            return found[-1 - nth], message.message_id
    raise LookupError(f"no button {prefix!r} in the admin's chat")


def zalo_settings(zalo: FakeZalo) -> dict[str, str]:
    """Return the bot's settings for Zalo beside Telegram, with its admin."""
    return {
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_BASE_URL": zalo.url,
        "ZALO_ADMIN_IDS": ZALO_ADMIN,
    }


async def more_phases(
    server: FakeBotApi,
    zalo: FakeZalo,
    world: World,
    tapper: Tapper,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Tap during the other heavy commands of a coordinator or an admin at this size."""
    phases: list[dict[str, Any]] = []
    task = world.nudged_task

    async def phase(name: str, *rest: Any) -> dict[str, Any]:
        return await run_phase(name, *rest) if wanted(name, args) else {}

    def telegram(text: str, method: str = "sendMessage") -> Any:
        async def command() -> float:
            return await admin_command(server, lambda: server.send_text(ADMIN, text), method)

        return command

    def pages(text: str) -> Any:
        async def command() -> float:
            return await report_command(server, lambda: server.send_text(ADMIN, text))

        return command

    for name, command in [
        ("/summary, every open task", pages("/summary")),
        (f"/summary #{task}, {len(world.nudged):,} units", pages(f"/summary #{task}")),
    ]:
        phases.append(await phase(name, server, world, tapper, command))

    async def next_page() -> float:
        data, message_id = last_button(server, "sm:")
        return await admin_command(
            server, lambda: server.press_button(ADMIN, data, message_id), "editMessageText"
        )

    phases.append(await phase(f"/summary #{task}, next page", server, world, tapper, next_page))
    for name, command in [
        ("/ranking year", pages("/ranking year")),
        ("/chart, every open task", telegram("/chart", "sendPhoto")),
        (f"/chart #{task}", telegram(f"/chart #{task}", "sendPhoto")),
        (REPORT, report(server)),
        ("/units", telegram("/units")),
        ("/contacts", telegram("/contacts")),
        (f"/deadline #{task}", telegram(f"/deadline #{task} {NEW_DEADLINE}")),
        (
            f"/calendar add, {world.day_off_tasks} tasks due that day",
            telegram(f"/calendar add {DAY_OFF} bench"),
        ),
        (
            f"/calendar remove, {world.day_off_tasks} tasks moved back",
            telegram(f"/calendar remove {DAY_OFF}"),
        ),
    ]:
        phases.append(await phase(name, server, world, tapper, command))

    def on_zalo(text: str) -> Any:
        async def command() -> float:
            return await zalo_command(zalo, text)

        return command

    burst = f"{BURST} /export in a row, one admin"

    async def exports() -> float:  # the second to fourth wait for the first, in its lane
        before, started = server.call_count("sendDocument"), time.monotonic()
        for _ in range(BURST):
            server.send_text(ADMIN, "/export")
        await server.wait_until(
            lambda: server.call_count("sendDocument") >= before + BURST, COMMAND_TIMEOUT_S
        )
        return time.monotonic() - started

    phases.append(await phase(burst, server, world, tapper, exports))
    askers = world.coordinators[:AT_ONCE]
    phases.append(
        await phase(
            f"/summary, {len(askers)} coordinators at once",
            server,
            world,
            tapper,
            lambda: at_once(server, askers, "/summary"),
        )
    )
    if any(wanted(name, args) for name in ("Zalo /summary", "Zalo /nudge")):
        await zalo_command(zalo, "/help")  # the Zalo admin's first message makes them known
    for name, command in [
        ("Zalo /summary, every open task", on_zalo("/summary")),
        (f"Zalo /summary #{task}", on_zalo(f"/summary #{task}")),
        (f"Zalo /nudge #{task}", on_zalo(f"/nudge #{task}")),
    ]:
        phases.append(await phase(name, server, world, tapper, command))
    return [p for p in phases if p]


async def at_once(server: FakeBotApi, users: list[int], text: str) -> float:
    """Have the users send `text` together; return seconds until the last was answered."""
    with server.state.lock:
        seen = len(server.state.calls)
    waiting, started = set(users), time.monotonic()
    for user in users:
        server.send_text(user, text)

    def answered() -> bool:  # only the calls since the last look (see `digest_phases`)
        nonlocal seen
        with server.state.lock:
            new = server.state.calls[seen:]
            seen += len(new)
        waiting.difference_update(c.params.get("chat_id") for c in new if c.ok)
        return not waiting

    await server.wait_until(answered, COMMAND_TIMEOUT_S)
    return time.monotonic() - started


def wanted(name: str, args: argparse.Namespace) -> bool:
    """Tell whether `--only` leaves the phase named `name` in (every phase without it)."""
    return not args.only or any(word in name for word in args.only)


def report(server: FakeBotApi) -> Any:
    """Return the admin's `/report` of the year, as a phase's command."""

    async def command() -> float:
        text = f"/report {REPORT_PERIOD}"
        return await admin_command(server, lambda: server.send_text(ADMIN, text), "sendDocument")

    return command


async def zalo_command(zalo: FakeZalo, text: str) -> float:
    """Have the Zalo admin type `text`; return seconds until the bot's first answer."""
    before = len(zalo.messages(ZALO_ADMIN))
    sent = time.monotonic()
    zalo.send_text(ZALO_ADMIN, text)
    await zalo.wait_until(lambda: len(zalo.messages(ZALO_ADMIN)) > before, COMMAND_TIMEOUT_S)
    return zalo.messages(ZALO_ADMIN)[before].at - sent


async def digest_phases(
    server: FakeBotApi, world: World, tapper: Tapper, restart: Any
) -> list[dict[str, Any]]:
    """Tap while the scheduled digest is made for every coordinator, and just before.

    DIGEST_CRON fires on the wall clock: the bot is started again with the digest due every
    minute. The taps from the restart to shortly before the minute are the baseline (the
    restarted bot may still be sweeping); the digest's phase lasts from then until each
    coordinator got it.
    """
    await restart({"DIGEST_CRON": "* * * * *"})
    fires = (time.time() // 60 + 1) * 60
    if fires - time.time() < MIN_PHASE_S + 4:
        fires += 60
    chats = set(world.coordinators)

    async def before() -> float:
        await asyncio.sleep(max(0.0, fires - 3 - time.time()))
        return 0.0

    got: set[Any] = set()
    seen = 0

    def received() -> bool:
        # Only the calls since the last look: copying every record (the nudges' thousands)
        # many times a second slowed the fake server, which shares this process, and the taps.
        nonlocal seen
        with server.state.lock:
            new = server.state.calls[seen:]
            seen += len(new)
        got.update(c.params.get("chat_id") for c in new if c.method == "sendMessage" and c.ok)
        return chats <= got

    async def digest() -> float:
        await server.wait_until(received, 180)
        return time.time() - fires

    return [
        await run_phase("restarted, before the digest", server, world, tapper, before),
        await run_phase(f"digest, {len(chats)} coordinators", server, world, tapper, digest),
    ]


async def morning_phases(
    server: FakeBotApi, world: World, tapper: Tapper, restart: Any
) -> list[dict[str, Any]]:
    """Tap while a /nudge held overnight goes out at 07:30, as the day's reminders come due.

    The bot is started again with its clock (FAKE_CLOCK_START) at the next working day's
    07:29:20; the admin's /nudge is held until office time. The first phase lasts until
    shortly before 07:30 (the restarted bot's first sweep in it); the second from 07:30
    until every unit of the nudged task got its message.
    """
    day = WorkingCalendar().add_working_days(BENCH_NOW.date(), 1)
    office = datetime.combine(day, dtime(7, 30), tzinfo=VN)
    start_at = office - timedelta(seconds=40)
    started = time.time()
    await restart({"FAKE_CLOCK_START": start_at.isoformat()})
    opens = started + 40  # the bot's clock began a little after `started`: 07:30 or later
    users = {o.user_id for o in world.nudged}

    async def before() -> float:
        waited = await admin_command(
            server,
            lambda: server.send_text(ADMIN, f"/nudge #{world.nudged_task}"),
            "sendMessage",
        )
        await asyncio.sleep(max(0.0, opens - 2 - time.time()))
        return waited

    got: set[Any] = set()
    with server.state.lock:
        seen = len(server.state.calls)

    def received() -> bool:  # only the calls since the last look (see `digest_phases`)
        nonlocal seen
        with server.state.lock:
            new = server.state.calls[seen:]
            seen += len(new)
        got.update(c.params.get("chat_id") for c in new if c.method == "sendMessage" and c.ok)
        return users <= got

    async def released() -> float:
        await server.wait_until(received, COMMAND_TIMEOUT_S)
        return time.time() - opens

    return [
        await run_phase("restarted at 07:29:20, /nudge held", server, world, tapper, before),
        await run_phase(
            f"07:30, held /nudge to {len(users):,} units and the day's reminders",
            server,
            world,
            tapper,
            released,
        ),
    ]


async def flood(args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark 7: a stranger floods while the admin asks for /help every second."""
    with tempfile.TemporaryDirectory(prefix="dondoc-flood-") as tmp:
        args_small = argparse.Namespace(**{**vars(args), "tappers": 0})
        world = build(Path(tmp), args_small, heavy=False)
        async with FakeBotApi(run_token()) as server:
            server.add_user(ADMIN, "Quản trị").started = True
            server.add_user(STRANGER, "Người lạ")
            server.set_rate_limits("enforce")
            bot = start(server, world)
            try:
                await wait_started(server, bot, world)

                async def stranger() -> None:
                    for n in range(args.flood_messages):
                        server.send_text(STRANGER, f"alo {n}")
                        await asyncio.sleep(10 / args.flood_messages)

                async def admin() -> list[float]:
                    waits = []
                    for _ in range(args.flood_seconds):
                        started = time.monotonic()
                        waits.append(
                            await admin_command(
                                server, lambda: server.send_text(ADMIN, "/help"), "sendMessage"
                            )
                        )
                        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
                    return waits

                _, waits = await asyncio.gather(stranger(), admin())
                await asyncio.sleep(2)
                figures = probe_figures(world)
            finally:
                err = stop_bot(bot)
            return {
                "stranger_messages": args.flood_messages,
                "stranger_answers": len(server.messages(STRANGER)),
                "admin": latency_figures(waits),
                "responses_429": sum(1 for c in server.calls() if c.status == 429),
                "responses_429_by": refusals(server, admin={ADMIN}, stranger={STRANGER}),
                "admin_timeline": timeline(server, ADMIN),
                "loop": {k: v for k, v in figures.items() if k != "stalls"},
                "bot_stderr_tail": err.decode(errors="replace")[-2000:],
            }


def timeline(server: FakeBotApi, user: int) -> list[str]:
    """Return the user's updates and the sends to their chat, in order, timed from the first."""
    events = [(u.available_at, f"update {u.kind}") for u in server.updates() if _from(u, user)]
    events += [
        (c.at, f"{c.method} {c.status}")
        for c in server.calls()
        if c.method != "getUpdates" and c.params.get("chat_id") == user
    ]
    events.sort()
    first = events[0][0] if events else 0.0
    return [f"{at - first:7.3f} {what}" for at, what in events]


def _from(update: Any, user: int) -> bool:
    """Tell whether an update record was sent by `user`."""
    body = update.payload.get(update.kind)
    return isinstance(body, dict) and body.get("from", {}).get("id") == user


def refusals(server: FakeBotApi, **groups: set[int]) -> dict[str, Any]:
    """Count the 429s the server answered, by method and by whose chat."""
    by: dict[str, int] = {}
    for c in server.calls():
        if c.status != 429:
            continue
        chat = c.params.get("chat_id")
        who = next((name for name, chats in groups.items() if chat in chats), "other")
        key = f"{c.method} to {who}"
        by[key] = by.get(key, 0) + 1
    return by


def latency_figures(latencies: list[float]) -> dict[str, Any]:
    """Return p50/p95/p99 and the max, in milliseconds."""
    return {
        "n": len(latencies),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
    }


def results_name(args: argparse.Namespace) -> str:
    """Return the results file's name: each file keeps what its phases measured."""
    if args.report_only:
        return "heavy_report"
    if args.only:  # a few phases: the full runs' files keep theirs
        return "heavy_only"
    return "heavy_more" if args.more or args.more_only else "heavy"


def main() -> None:
    """Run, print the tables and write bench/results/heavy.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--nudge-units", type=int, default=3300)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--tap-rate", type=float, default=20.0)
    parser.add_argument("--tappers", type=int, default=4000)
    parser.add_argument("--flood-messages", type=int, default=200)
    parser.add_argument("--flood-seconds", type=int, default=12)
    parser.add_argument("--flood-only", action="store_true")
    parser.add_argument("--heavy-only", action="store_true")
    parser.add_argument("--more", action="store_true", help="then the other heavy commands")
    parser.add_argument("--more-only", action="store_true", help="those alone, after idle")
    parser.add_argument("--report-only", action="store_true", help="/report alone, after idle")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="with --more: only the phases whose name holds this (repeatable)",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {}
    if not args.flood_only:
        result["heavy"] = asyncio.run(heavy(args))
        rows = []
        for p in result["heavy"]["phases"]:
            rows.append(
                (
                    p["phase"],
                    f"admin {p['admin_wait_s']} s; taps {p['n']} p50/p95/p99 "
                    f"{p['p50_ms']}/{p['p95_ms']}/{p['p99_ms']} ms; "
                    f"longest stall {p['longest_stall_ms']} ms "
                    f"({p['stalls_over_200ms']} over 200 ms)",
                )
            )
        rows.append(("429s", str(result["heavy"]["responses_429"])))
        print_table("6. Taps during heavy commands", rows)
    if not args.heavy_only:
        result["flood"] = asyncio.run(flood(args))
        f = result["flood"]
        print_table(
            "7. Flood",
            [
                (
                    "stranger messages / answers",
                    f"{f['stranger_messages']} / {f['stranger_answers']}",
                ),
                (
                    "admin /help p50/p95/p99/max",
                    f"{f['admin']['p50_ms']}/{f['admin']['p95_ms']}/{f['admin']['p99_ms']}/"
                    f"{f['admin']['max_ms']} ms",
                ),
                ("429s", str(f["responses_429"])),
            ],
        )
    # The other commands' figures apart, so that each file keeps what its command measured.
    path = write_results(results_name(args), result)
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
