"""Every command and button of a coordinator or an admin, on every channel, hunting loop stalls.

    python -m bench.stall [--tappers 6000] [--only WORD]... [--stall-ms 100]

A province of 300 units and about 300 tasks (`bench.generate --size province300`, about
52,000 assignments; kept in bench/results/stall_province300.sqlite3 once built), plus a task
given to `--nudge-units` reachable units and officials who tap a status button at
`--tap-rate` a second throughout. `dondoc serve` runs as its own process (Telegram by
webhook from the fake Bot API server, Zalo by webhook from the fake Zalo server, the
dashboard), its loop probe logging every stall over `--stall-ms` (LOOP_PROBE_STALL_MS) with
the frame the loop ran. One phase each, one after the other:

- each command a Telegram admin has (the help's list, with words that reach far: the
  largest task, every commune), then the first button of each kind in its answer;
- the hostile ones: a 20 MB CSV and a 20 MB workbook sent as files, a 10,000-line paste
  (in the 4,096-character messages Telegram cuts it into, and whole to Zalo's webhook),
  `/nudge` of the task given to every unit, `AT_ONCE` coordinators typing `/summary` and
  `/export` together;
- the same commands typed by a Zalo admin, and `AT_ONCE` Zalo coordinators typing `/summary`
  and `/ranking year` together;
- what came after (h-stall3): `/mergeunits` of two communes and of `MERGED_AT_ONCE` (the plan,
  then its Merge button), `dondoc units merge` of `CLI_MERGED` departments run beside the bot,
  `/setstatus` (its unit's coordinators told), `/report tuần này` on both channels,
  `PHOTOS_IN_A_ROW` photos a Zalo official sends in a row;
- the dashboard's pages (overview, matrix, a task's, a unit's, the overview and the matrix
  filtered) and its downloads (the export, the chart, the formal report of everything, and of
  what the filtered pages show), each shown then built; and hostile paths: a filter of
  `FILTER_CHARS` characters in a download's path and a page's query;
- what one person, or many at once, can throw at the bot (h-hostile, `bench/stall_floods.py`):
  floods (500 messages of one official in 10 s, 299 officials' replies at once, 100 presses
  of one button, 500 Zalo messages in 10 s; each checked for unfinished updates after),
  evidence of 19.5 MB (a document) and 9.5 MB (a photo), hostile files sent as an import (an
  XLSX bomb, a zip and bytes renamed .xlsx, a CSV of 1,000,000 short lines, 5,000 rows of
  formulas, XML nested 100,000 deep), and 20 requests at once of the dashboard's pages.

Per phase: how long the asker waited, the taps' p50/p95/p99 (and of their wait, the part
before the bot had the update: `fetch`), the worst lateness of the loop
and each stall over `--stall-ms` with what it ran. Written to bench/results/stall.json
(`--only`: stall_only.json); a table of the phases with a stall is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import BENCH_NOW, VN, populate, run_token, write_results
from bench.fanout import give_buttons
from bench.heavy import (
    NUDGE_FIRST_USER,
    TAPPER_FIRST_USER,
    Tapper,
    World,
    latency_figures,
    probe_figures,
    serve_ready,
)
from bench.stall_floods import flood_phases
from bench.webhook import base_env, stop
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Contact
from db.queries.web import open_session
from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo import FakeZalo
from devtools.ports import free_port
from web.auth import COOKIE

RESULTS = Path(__file__).parent / "results"
SIZE = "province300"
ADMIN = 90_001
ZALO_ADMIN = "bench0zalo0admin"
AT_ONCE = 50
ZALO_FIRST_USER = 700_000  # the Zalo coordinators' ids (as text)
MIN_PHASE_S = 2.0
ANSWER_TIMEOUT_S = 240.0
START_TIMEOUT_S = 180.0
WEB_SECRET = "bench-stall-web-secret-0123456789abcdef"
ZALO_SECRET = "bench-stall-zalo-secret"
FILE_MB = 20
PASTE_LINES = 10_000
TELEGRAM_CHARS = 4096
DAY_OFF = "10/12/2026"
# The generated people are on neither fake server; AT_ONCE of them are made coordinators
# and put on the fake Telegram (their chats returned).
MORE_COORDINATORS = """
UPDATE contact SET role = 'coordinator'
WHERE id IN (SELECT id FROM contact WHERE role = 'member' ORDER BY id LIMIT :more)
"""
REACH_COORDINATORS = """
UPDATE contact_identity SET reachable = true
WHERE contact_id IN (SELECT id FROM contact WHERE role = 'coordinator') AND channel = 'telegram'
RETURNING chat_id
"""
LARGEST_TASK = """
SELECT task_id FROM assignment GROUP BY task_id ORDER BY count(*) DESC, task_id LIMIT 1
"""
A_UNIT = "SELECT code, name FROM unit WHERE kind_key = 'commune' ORDER BY id LIMIT 1"
UNITS_OF_KIND = "SELECT code FROM unit WHERE kind_key = :kind ORDER BY id"
MERGED_AT_ONCE = 200  # the hostile merge: this many communes into one
CLI_MERGED = 20  # departments merged by `dondoc units merge` while the bot serves
PHOTOS_IN_A_ROW = 20
PHOTO_MB = 2
FILTER_CHARS = 10_000


def province() -> Path:
    """Return the generated province's file (made once, kept)."""
    path = RESULTS / f"stall_{SIZE}.sqlite3"
    if not path.exists():
        from bench.generate import generate

        RESULTS.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial.sqlite3")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        generate(engine, size=SIZE)
        engine.dispose()
        partial.rename(path)
    return path


class Place:
    """The world, and what the commands name in it."""

    def __init__(self, world: World, cookie: str, coordinators: list[int]) -> None:
        self.world = world
        self.cookie = cookie
        self.coordinators = coordinators
        self.zalo_coordinators: list[str] = []
        self.largest = 0  # the generated task given to the most units
        self.nudged = 0  # the task of the reachable units
        self.unit_code = ""
        self.unit_name = ""
        self.unit_id = 0
        self.communes: list[str] = []  # the generated communes' codes, in order
        self.departments: list[str] = []


def build(workdir: Path, args: argparse.Namespace) -> Place:
    """Copy the province; add the nudged units, the tappers, coordinators and a web session."""
    db_file = workdir / "stall.sqlite3"
    shutil.copyfile(province(), db_file)
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    place = furnish(engine, db_file, args)
    engine.dispose()
    return place


def furnish(engine: Engine, db_file: Path, args: argparse.Namespace) -> Place:
    """Add to the province the nudged units, the tappers, coordinators and a web session
    (`db_file`: the SQLite file, or on PostgreSQL a name in the folder of the probe's file)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE contact_identity SET reachable = false"))
        conn.execute(text(MORE_COORDINATORS), {"more": AT_ONCE})
        chats = [int(c) for c in conn.execute(text(REACH_COORDINATORS)).scalars().all()]
        largest = conn.execute(text(LARGEST_TASK)).scalar_one()
        code, name = conn.execute(text(A_UNIT)).one()
        unit_id = conn.execute(
            text("SELECT id FROM unit WHERE code = :c"), {"c": code}
        ).scalar_one()
    deadline = BENCH_NOW.date() + timedelta(days=21)
    assigned = BENCH_NOW - timedelta(days=10)
    nudged = populate(
        engine, args.nudge_units, deadline, first_user=NUDGE_FIRST_USER, assigned_at=assigned
    )
    tappers = populate(
        engine, args.tappers, deadline, first_user=TAPPER_FIRST_USER, assigned_at=assigned
    )
    on_zalo_ = populate(
        engine, AT_ONCE, deadline, first_user=ZALO_FIRST_USER, assigned_at=assigned, channel="zalo"
    )
    with engine.begin() as conn:  # made coordinators: they ask together on Zalo
        conn.execute(
            text(
                "UPDATE contact SET role = 'coordinator' WHERE id IN (SELECT contact_id FROM"
                " contact_identity WHERE channel = 'zalo' AND CAST(chat_id AS INTEGER) >= :f)"
            ),
            {"f": ZALO_FIRST_USER},
        )
    with Session(engine) as session:
        admin = Contact(display_name="Bench admin", role="admin")
        session.add(admin)
        session.flush()
        assert admin.id is not None
        cookie, _ = open_session(session, contact_id=admin.id, now=BENCH_NOW)
        session.commit()
    with engine.begin() as conn:
        nudged_task = conn.execute(
            text("SELECT task_id FROM assignment WHERE id = :id"), {"id": nudged[0].assignment_id}
        ).scalar_one()
    place = Place(World(db_file, tappers, nudged, nudged_task), cookie, chats)
    place.zalo_coordinators = [str(o.user_id) for o in on_zalo_]
    place.largest, place.nudged = largest, nudged_task
    place.unit_code, place.unit_name, place.unit_id = code, name, unit_id
    with engine.begin() as conn:
        for kind, codes in (("commune", place.communes), ("department", place.departments)):
            codes += conn.execute(text(UNITS_OF_KIND), {"kind": kind}).scalars().all()
    return place


def start(
    server: FakeBotApi,
    zalo: FakeZalo,
    world: World,
    port: int,
    stall_ms: float,
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start `python -m bot serve` on the database, both fake servers, the admins set
    (`extra`: settings of the caller's, such as another DATABASE_URL)."""
    env = (
        cli_env(server, zalo, world)
        | {
            "WEB_PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "LOOP_PROBE_FILE": str(world.db_file.parent / "probe.json"),
            "LOOP_PROBE_STALL_MS": str(stall_ms),
        }
        | (extra or {})
    )
    with (world.db_file.parent / "serve.log").open("wb") as log:  # a pipe unread would fill
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=world.db_file.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def cli_env(server: FakeBotApi, zalo: FakeZalo, world: World) -> dict[str, str]:
    """Return the settings `dondoc serve` runs with, and a command of `dondoc` beside it."""
    return base_env() | {
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_BASE_URL": zalo.url,
        "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
        "ZALO_ADMIN_IDS": ZALO_ADMIN,
        "ADMIN_IDS": str(ADMIN),
        "DATABASE_URL": f"sqlite:///{world.db_file}",
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "WEB_SECRET": WEB_SECRET,
    }


class Answers:
    """Wait for a chat's next answers, reading only the fake server's new calls."""

    METHODS = frozenset(
        ("sendMessage", "sendDocument", "sendPhoto", "editMessageText", "answerCallbackQuery")
    )

    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        self.seen = 0

    def mark(self) -> None:
        """Forget every call so far."""
        with self.server.state.lock:
            self.seen = len(self.server.state.calls)

    def new_to(self, chats: set[Any]) -> set[Any]:
        """Return the chats of `chats` answered since the last look."""
        with self.server.state.lock:
            new = self.server.state.calls[self.seen :]
            self.seen += len(new)
        got = set()
        for call in new:
            if call.method in self.METHODS and call.ok:
                chat = call.params.get("chat_id")
                if chat is None and call.method == "answerCallbackQuery":
                    chat = ADMIN if str(call.params.get("callback_query_id", "")) else None
                got.add(
                    int(chat) if isinstance(chat, (int, str)) and str(chat).isdigit() else chat
                )
        return got & chats

    async def all_answered(self, chats: set[Any], timeout: float = ANSWER_TIMEOUT_S) -> bool:
        """Wait until each chat of `chats` had an answer since the last look; False when
        one had none within `timeout`."""
        waiting = set(chats)

        def answered() -> bool:
            waiting.difference_update(self.new_to(waiting))
            return not waiting

        try:
            await self.server.wait_until(answered, timeout)
        except TimeoutError:
            return False
        return True


async def telegram(server: FakeBotApi, send: Callable[[], Any], chats: set[int]) -> float:
    """Send something; return the seconds until every chat of `chats` had an answer."""
    answers = Answers(server)
    answers.mark()
    started = time.monotonic()
    send()
    if not await answers.all_answered(chats):
        return -1.0
    return time.monotonic() - started


async def on_zalo(zalo: FakeZalo, words: str) -> float:
    """Have the Zalo admin type `words`; return the seconds until the bot's first answer."""
    before = len(zalo.messages(ZALO_ADMIN))
    started = time.monotonic()
    zalo.send_text(ZALO_ADMIN, words)
    try:
        await zalo.wait_until(lambda: len(zalo.messages(ZALO_ADMIN)) > before, ANSWER_TIMEOUT_S)
    except TimeoutError:
        return -1.0
    return time.monotonic() - started


async def run_phase(
    name: str, world: World, tapper: Tapper, command: Callable[[], Awaitable[float]]
) -> dict[str, Any]:
    """Tap while `command` runs; return its wait, the taps and the loop's stalls meanwhile."""
    started, since = time.time(), time.monotonic()
    job: asyncio.Future[float] = asyncio.ensure_future(command())
    tapper.fetch = []
    latencies = await tapper.run(job, MIN_PHASE_S)
    waited = await job
    worst, stalls = await loop_since(world, started)
    taps = latency_figures(latencies)
    row: dict[str, Any] = {
        "phase": name,
        "waited_s": round(waited, 2),
        "taps": taps,
        # of the taps' wait, the part before the bot had the update (the fake server's
        # webhook delivers one at a time, as getUpdates hands them out in order)
        "fetch": latency_figures(tapper.fetch),
        # how long the bot took to answer each webhook post of the phase (its share of fetch)
        "posts": latency_figures(
            [d.took_s for d in tapper.server.webhook_deliveries() if d.at >= since]
        ),
        "worst_lateness_ms": worst,
        "stalls": stalls,
    }
    flag = " <-- STALL" if stalls else ""
    print(
        f"{name[:60]:60} waited {waited:7.2f}s  taps p99 {taps.get('p99_ms') or 0:8.1f}  "
        f"(fetch p99 {row['fetch'].get('p99_ms') or 0:8.1f}, "
        f"{row['posts']['n']} posts p50 {row['posts'].get('p50_ms') or 0:6.1f})  "
        f"worst {row['worst_lateness_ms']:7.1f} ms{flag}",
        file=sys.stderr,
        flush=True,
    )
    for s in row["stalls"]:
        print(
            f"    {s['ms']:8.1f} ms (cpu {s['cpu_ms']} ms)  {s['running']}  [{s['updates']}]",
            file=sys.stderr,
        )
    return row


async def loop_since(world: World, started: float) -> tuple[float, list[dict[str, Any]]]:
    """Return the event loop's worst lateness in a second since `started` (epoch seconds) and
    its stalls meanwhile (how long, its CPU, what ran), as the bot's probe wrote them, once
    it has written its next second."""
    await asyncio.sleep(1.2)  # the probe writes every second
    figures = probe_figures(world)
    seconds = [ms for at, ms in figures.get("per_second_max_ms", []) if at >= started]
    stalls = [
        {
            "ms": s["ms"],
            "cpu_ms": s.get("cpu_ms"),
            "running": s["running"],
            "updates": s.get("updates"),
        }
        for s in figures.get("stalls", [])
        if s["at"] >= started - 0.5
    ]
    return max(seconds, default=0.0), stalls


def admin_commands(place: Place) -> list[str]:
    """Return what an admin types: every command of the help, reaching as far as it can."""
    big, mine, unit = place.largest, place.nudged, place.unit_code
    return [
        "/help",
        "/whoami",
        "/mytasks",
        "/tasks",
        f"/tasks #{big}",
        "/units",
        "/contacts",
        "/invites",
        f"/invite {unit} coordinator",
        "/summary",
        f"/summary #{big}",
        "/ranking",
        "/ranking year",
        f"/unit {unit}",
        "/digest on",
        "/digest off",
        "/export",
        f"/export #{big}",
        "/chart",
        f"/chart #{big}",
        "/report 01/01/2026-31/12/2026",
        f"/report #{big}",
        f"/nudge #{big}",
        f"/nudge #{mine}",
        f"/deadline #{big} 30/12/2026",
        f"/assign #{mine} communes",
        f"/unassign #{mine} {unit}",
        f"/renametask #{big} Nhiệm vụ đổi tên",
        "/calendar",
        f"/calendar add {DAY_OFF} bench",
        f"/calendar remove {DAY_OFF}",
        "/scope",
        "/recurring",
        "/import",
        "/newtask",
        "/cancel",
        "/newtask Nhiệm vụ cho mọi đơn vị | 30/12/2026 | communes, departments",
        "/addunit X-BENCH | Xã Bench | commune",
        "/editunit X-BENCH",
        "/deactivate X-BENCH",
        "/activate X-BENCH",
        f"/explain #{big} {place.unit_name}",
        "/approve 1",
        "/reject 2 bench",
        f"/evidence #{big} {place.unit_name}",
        "/web",
        "/link",
        "/lang en",
        "/lang vi",
        f"/closetask #{mine}",
    ]


def csv_file(megabytes: int) -> bytes:
    """Return a task file of about `megabytes` MB (rows of long, distinct text)."""
    out = io.StringIO()
    out.write("code,title,deadline,assignees,directive,description\n")
    rng = random.Random(7)
    n = 0
    while out.tell() < megabytes * 1_000_000:
        words = " ".join(f"{rng.getrandbits(40):x}" for _ in range(20))
        out.write(f"NV-{n:07d},Nhiệm vụ {n} {words},30/12/2026,X-{n % 300},,{words}\n")
        n += 1
    return out.getvalue().encode()


def xlsx_file(megabytes: int) -> bytes:
    """Return a real workbook of about `megabytes` MB (incompressible cells, many rows)."""
    from bench.hostile_files import workbook

    rng = random.Random(11)

    def rows() -> Any:
        size, r = 0, 1
        while size < megabytes * 1_000_000:
            cells = "".join(
                f'<c r="{col}{r}" t="inlineStr"><is><t>{rng.getrandbits(160):x}</t></is></c>'
                for col in "ABCDEF"
            )
            row = f'<row r="{r}">{cells}</row>'.encode()
            size += len(row) // 2  # random hex deflates to about half
            r += 1
            yield row

    return workbook(rows())


def paste(lines: int) -> str:
    """Return a pasted list of `lines` lines (status words, numbers, names)."""
    return "\n".join(f"#{i % 300 + 1} xong {i % 100}% Xã Thử {i}" for i in range(lines))


def cut(words: str, size: int) -> list[str]:
    """Cut a text into messages of at most `size` characters, between lines."""
    parts, part = [], ""
    for line in words.split("\n"):
        if len(part) + len(line) + 1 > size:
            parts.append(part)
            part = ""
        part = f"{part}\n{line}" if part else line
    return [*parts, part]


def buttons_of(server: FakeBotApi, chat: int) -> list[tuple[str, int]]:
    """Return the first button of each kind (its data's first part) in the chat's last answer."""
    for message in reversed(server.messages(chat)):
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        found: dict[str, tuple[str, int]] = {}
        for row in rows:
            for button in row:
                data = button.get("callback_data", "")
                kind = data.split(":", 1)[0]
                if data and kind not in found:
                    found[kind] = (data, message.message_id)
        if rows:
            return list(found.values())
    return []


def merges(
    server: FakeBotApi, place: Place, env: dict[str, str]
) -> list[tuple[str, Callable[[], Awaitable[float]]]]:
    """Return the merges' phases: two communes into one, then `MERGED_AT_ONCE` (the plan, then
    its Merge button), and `CLI_MERGED` departments by `dondoc units merge` meanwhile."""
    two, many = place.communes[10:13], place.communes[20 : 21 + MERGED_AT_ONCE]

    def typed(codes: list[str]) -> str:
        return f"/mergeunits {', '.join(codes[:-1])} | {codes[-1]}"

    def planned(codes: list[str]) -> Callable[[], Awaitable[float]]:
        async def command() -> float:  # a heavy command: "queued" may come before the plan
            before = len(server.messages(ADMIN))
            started = time.monotonic()
            server.send_text(ADMIN, typed(codes))

            def shown() -> bool:
                return any(m.reply_markup for m in server.messages(ADMIN)[before:])

            try:
                await server.wait_until(shown, ANSWER_TIMEOUT_S)
            except TimeoutError:
                return -1.0
            return time.monotonic() - started

        return command

    async def confirmed() -> float:  # until the outcome: the press is answered before it
        found = buttons_of(server, ADMIN)
        if not found:
            print("      no Merge button", file=sys.stderr)
            return -1.0
        before = len(server.messages(ADMIN))
        started = time.monotonic()
        server.press_button(ADMIN, *found[0])
        try:
            await server.wait_until(lambda: len(server.messages(ADMIN)) > before, ANSWER_TIMEOUT_S)
        except TimeoutError:
            return -1.0
        said = server.messages(ADMIN)[-1].text or ""
        print(f"      merged: {said[:120]!r}", file=sys.stderr)
        return time.monotonic() - started

    async def from_cli() -> float:
        codes = place.departments[: CLI_MERGED + 1]
        started = time.monotonic()
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "units", "merge", *codes[:-1], "--into", codes[-1],
            "--yes", env=env, cwd=place.world.db_file.parent,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await done.communicate()
        print(f"      dondoc units merge: {done.returncode} {err[-300:]!r}", file=sys.stderr)
        return time.monotonic() - started

    return [
        ("TG /mergeunits of 2 communes (the plan)", planned(two)),
        ("TG /mergeunits of 2 communes: Merge", confirmed),
        (f"TG hostile: /mergeunits of {MERGED_AT_ONCE} communes (the plan)", planned(many)),
        (f"TG hostile: /mergeunits of {MERGED_AT_ONCE} communes: Merge", confirmed),
        (f"CLI: dondoc units merge of {CLI_MERGED} departments while serving", from_cli),
    ]


async def photos(zalo: FakeZalo, place: Place) -> float:
    """Have a Zalo official (a coordinator with a unit) send `PHOTOS_IN_A_ROW` photos of
    `PHOTO_MB` MB in a row; return the seconds until each had an answer."""
    person = place.zalo_coordinators[0]
    before = len(zalo.messages(person))
    started = time.monotonic()
    rng = random.Random(5)
    for _ in range(PHOTOS_IN_A_ROW):
        zalo.send_photo(person, b"\xff\xd8\xff" + rng.randbytes(PHOTO_MB * 1_000_000))
    try:
        await zalo.wait_until(
            lambda: len(zalo.messages(person)) >= before + PHOTOS_IN_A_ROW, ANSWER_TIMEOUT_S
        )
    except TimeoutError:
        print(f"      {len(zalo.messages(person)) - before} answers", file=sys.stderr)
        return -1.0
    return time.monotonic() - started


def phases(
    args: argparse.Namespace,
    server: FakeBotApi,
    zalo: FakeZalo,
    web: httpx.AsyncClient,
    place: Place,
    env: dict[str, str],
) -> list[tuple[str, Callable[[], Awaitable[float]]]]:
    """Return the phases: (name, the command a phase times)."""
    todo: list[tuple[str, Callable[[], Awaitable[float]]]] = []
    admin = {ADMIN}

    def say(words: str) -> Callable[[], Awaitable[float]]:
        return lambda: telegram(server, lambda: server.send_text(ADMIN, words), admin)

    def press(data: str, message_id: int) -> Callable[[], Awaitable[float]]:
        return lambda: telegram(
            server, lambda: server.press_button(ADMIN, data, message_id), admin
        )

    async def buttons_after(words: str) -> float:
        """The command's buttons, each kind pressed once (each its own answer awaited)."""
        total = 0.0
        for data, message_id in buttons_of(server, ADMIN)[:6]:
            waited = await press(data, message_id)()
            total += max(waited, 0)
            print(f"      pressed {data[:40]} after {words[:30]}: {waited:.2f}s", file=sys.stderr)
        return total

    for words in admin_commands(place):
        todo.append((f"TG {words}", say(words)))
        todo.append((f"TG buttons of {words}", partial(buttons_after, words)))

    def send_file(name: str, content: bytes, mime: str) -> Callable[[], Awaitable[float]]:
        return lambda: telegram(
            server, lambda: server.send_document(ADMIN, content, name, mime), admin
        )

    todo.append(
        (f"TG hostile: a {FILE_MB} MB CSV", send_file("big.csv", csv_file(FILE_MB), "text/csv"))
    )
    todo.append(
        (
            f"TG hostile: a {FILE_MB} MB workbook",
            send_file(
                "big.xlsx",
                xlsx_file(FILE_MB),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        )
    )

    async def pasted() -> float:
        parts = cut(paste(PASTE_LINES), TELEGRAM_CHARS)
        started = time.monotonic()
        for part in parts:
            await telegram(server, partial(server.send_text, ADMIN, part), admin)
        return time.monotonic() - started

    todo.append((f"TG hostile: a {PASTE_LINES:,}-line paste (Telegram's parts)", pasted))
    todo.append(
        (
            f"TG hostile: a {PASTE_LINES:,}-line paste, one message",
            say(paste(PASTE_LINES)),
        )
    )

    def together(words: str) -> Callable[[], Awaitable[float]]:
        chats = set(place.coordinators)
        return lambda: telegram(server, lambda: [server.send_text(c, words) for c in chats], chats)

    todo.append((f"TG {AT_ONCE} coordinators: /summary at once", together("/summary")))
    todo.append((f"TG {AT_ONCE} coordinators: /ranking year at once", together("/ranking year")))

    async def zalo_hello() -> float:
        return await on_zalo(zalo, "/help")

    todo.append(("Zalo /help (first)", zalo_hello))
    for words in admin_commands(place):
        todo.append((f"Zalo {words}", partial(on_zalo, zalo, words)))

    def zalo_together(words: str) -> Callable[[], Awaitable[float]]:
        async def command() -> float:
            people = place.zalo_coordinators
            before = {p: len(zalo.messages(p)) for p in people}
            started = time.monotonic()
            for person in people:
                zalo.send_text(person, words)
            try:
                await zalo.wait_until(
                    lambda: all(len(zalo.messages(p)) > before[p] for p in people),
                    ANSWER_TIMEOUT_S,
                )
            except TimeoutError:
                return -1.0
            return time.monotonic() - started

        return command

    for words in ("/summary", "/ranking year"):
        todo.append((f"Zalo {AT_ONCE} coordinators: {words} at once", zalo_together(words)))
    todo.append(
        (f"Zalo hostile: a {PASTE_LINES:,}-line paste", lambda: on_zalo(zalo, paste(PASTE_LINES)))
    )

    todo += merges(server, place, env)
    todo += [
        (f"TG /setstatus #{place.largest}", say(f"/setstatus #{place.largest} "
         f"{place.unit_code} | hoàn thành | bench")),
        ("TG /report tuần này", say("/report tuần này")),
        ("Zalo /report tuần này", partial(on_zalo, zalo, "/report tuần này")),
        (f"Zalo {PHOTOS_IN_A_ROW} photos in a row", partial(photos, zalo, place)),
    ]  # fmt: skip

    links: dict[str, str] = {}

    def page(path: str) -> Callable[[], Awaitable[float]]:
        async def command() -> float:
            started = time.monotonic()
            answer = await web.get(path)
            for found in re.finditer(r'<a href="(/files/[^"]+)"[^>]*id="([^"]+)"', answer.text):
                links[f"{found[2]} of {path}"] = html.unescape(found[1])
            print(
                f"      {path}: {answer.status_code}, {len(answer.content):,} bytes",
                file=sys.stderr,
            )
            return time.monotonic() - started

        return command

    def fetched(path: str) -> Callable[[], Awaitable[float]]:
        async def command() -> float:
            started = time.monotonic()
            answer = await web.get(path)
            print(f"      {path[:40]}: {answer.status_code}", file=sys.stderr)
            return time.monotonic() - started

        return command

    def download(name: str) -> Callable[[], Awaitable[float]]:
        async def command() -> float:
            started = time.monotonic()
            link = links.get(name)
            if link is None:
                print(f"      no link {name}", file=sys.stderr)
                return -1.0
            shown = await web.get(link)
            form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', shown.text, re.S)
            if form is None:
                print(f"      {link}: {shown.status_code}, no form", file=sys.stderr)
                return time.monotonic() - started
            fields = dict(re.findall(r'name="([^"]+)"\s+value="([^"]*)"', form[2]))
            built = await web.post(html.unescape(form[1]) or link, data=fields)
            print(
                f"      {link}: {shown.status_code} then {built.status_code}, "
                f"{len(built.content):,} bytes",
                file=sys.stderr,
            )
            return time.monotonic() - started

        return command

    filtered = ("/?kind=commune&overdue=1", "/matrix?kind=commune&overdue=1")
    for path in ("/", "/matrix", f"/tasks/{place.largest}", f"/units/{place.unit_id}", *filtered):
        todo.append((f"web {path}", page(path)))
    for name in ("export-all of /", "report-all of /"):
        todo.append((f"web download {name}", download(name)))
    for path in filtered:  # the downloads following the filters (`~<filters>`)
        for name in ("export-all", "report-all"):
            todo.append((f"web download {name} of {path}", download(f"{name} of {path}")))
    hostile = "A" * FILTER_CHARS
    for path in (f"/files/export/all~{hostile}", f"/files/report/all~{hostile}",
                 f"/?q={hostile}", f"/matrix?kind={hostile}"):  # fmt: skip
        todo.append((f"web hostile: {path[:30]}... ({FILTER_CHARS:,} characters)", fetched(path)))
    for name in ("export-task", "report-task", "chart-task"):
        todo.append((f"web download {name}", download(f"{name} of /tasks/{place.largest}")))
    todo += flood_phases(server, zalo, web, place, env, ADMIN)
    # Last: fifty exports take the three heavy slots for many minutes (each its worker process).
    todo.append((f"TG {AT_ONCE} coordinators: /export at once", together("/export")))
    return [(n, c) for n, c in todo if not args.only or any(w in n for w in args.only)]


async def stall_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Run every phase against one `dondoc serve`; return their figures."""
    with tempfile.TemporaryDirectory(prefix="dondoc-stall-") as tmp:
        place = build(Path(tmp), args)
        world = place.world
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        async with FakeBotApi(run_token()) as server, FakeZalo(run_token()) as zalo:
            server.add_user(ADMIN, "Quản trị").started = True
            for official in world.tappers + world.nudged:
                server.add_user(official.user_id, "Cán bộ").started = True
            for chat in place.coordinators:
                server.add_user(chat, "Điều phối viên").started = True
            zalo.add_user(ZALO_ADMIN, "Quản trị Zalo", wrote=True)
            for person in place.zalo_coordinators:
                zalo.add_user(person, "Điều phối viên Zalo", wrote=True)
            buttons = await give_buttons(server, world.tappers)
            server.set_rate_limits("enforce")
            bot = start(server, zalo, world, port, args.stall_ms)
            rows: list[dict[str, Any]] = []
            try:
                await serve_ready(server, bot, world, START_TIMEOUT_S)
                tapper = Tapper(server, buttons, args.tap_rate)

                async def idle() -> float:
                    await asyncio.sleep(5)
                    return 0.0

                rows.append(await run_phase("idle (baseline)", world, tapper, idle))
                cookies = {COOKIE: place.cookie}
                async with httpx.AsyncClient(base_url=base, timeout=900, cookies=cookies) as web:
                    todo = phases(args, server, zalo, web, place, cli_env(server, zalo, world))
                    for name, command in todo:
                        rows.append(await run_phase(name, world, tapper, command))
                figures = probe_figures(world)
            finally:
                stop(bot)
                err = (world.db_file.parent / "serve.log").read_bytes()
            tracebacks = err.decode(errors="replace").count("Traceback")
            return {
                "size": SIZE,
                "stall_ms": args.stall_ms,
                "phases": rows,
                "loop": {
                    k: v for k, v in figures.items() if k not in ("stalls", "per_second_max_ms")
                },
                "tracebacks_in_log": tracebacks,
                "serve_stderr_tail": err.decode(errors="replace")[-4000:],
            }


def main() -> None:
    """Run, print the phases that stalled and write bench/results/stall.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nudge-units", type=int, default=300)
    parser.add_argument("--tappers", type=int, default=6000)
    parser.add_argument("--tap-rate", type=float, default=10.0)
    parser.add_argument("--stall-ms", type=float, default=100.0)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    result = asyncio.run(stall_bench(args))
    name = "stall_only" if args.only else "stall"
    write_results(name, result)
    stalled = [p for p in result["phases"] if p["stalls"]]
    print(f"\n{len(stalled)} of {len(result['phases'])} phases stalled over {args.stall_ms} ms")
    for p in stalled:
        worst = max(p["stalls"], key=lambda s: s["ms"])
        print(
            f"  {p['phase'][:50]:50} {worst['ms']:8.1f} ms (cpu {worst['cpu_ms']})  "
            f"{worst['running']}"
        )
    idle = result["phases"][0]["taps"]
    logged = result["tracebacks_in_log"]
    print(f"idle taps p99 {idle.get('p99_ms')} ms; tracebacks in the log: {logged}")


if __name__ == "__main__":
    main()
