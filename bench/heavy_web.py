"""Benchmark 6 on `dondoc serve`: taps while the web side works hard.

    python -m bench.heavy_web [--assignments 1000000] [--units 3300] [--burst 1000]
    python -m bench.heavy_web --only zalo       # phases whose name holds the word

`dondoc serve` runs as its own process (uvicorn; Telegram by webhook from the fake Bot API
server in this process, Zalo beside it on the fake Zalo server), its loop probe writing to
LOOP_PROBE_FILE. Officials press a status button at `--tap-rate` a second (delivered by
webhook) while, one phase after the other:

- idle (the baseline, same command);
- a burst of `--burst` Zalo events from as many people, POSTed to /webhook/zalo
  `--burst-concurrency` at a time (a client each, as many connections): each POST's time to
  its answer and status, then the wait until every person answered 200 was answered (those
  answered 503 were not stored); counted: inbox rows, people answered none or twice,
  the process's VmRSS before and after (and VmHWM);
- an admin signed in (a session row written before the start) asking the dashboard's
  overview and its matrix over the generated country (`--assignments`, kept in
  bench/results/web_country_<N>.sqlite3) plus a task given to `--units` communes, then
  paging through the matrix (`--matrix-pages` pages, each page's "next" link);
- a task file of `--import-rows` rows posted to the upload page (its signed link), its
  preview, then Apply.

Per phase: how long the asker waited, tap latency p50/p95/p99, the longest loop stall.
Written to bench/results/heavy_web.json (with `--only`, heavy_web_<words>.json).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import Session

from app.import_files import UPLOAD_PATH
from app.links import derive_link_key, sign
from bench.common import BENCH_NOW, VN, populate, print_table, run_token, write_results
from bench.fanout import give_buttons
from bench.heavy import (
    MIN_PHASE_S,
    NUDGE_FIRST_USER,
    TAPPER_FIRST_USER,
    Tapper,
    World,
    run_phase,
    serve_ready,
    task_file,
)
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
WEB_SECRET = "bench-heavy-web-secret-0123456789abcdef"
ZALO_SECRET = "bench-zalo-webhook-secret"
ZALO_HEADER = "X-Bot-Api-Secret-Token"
START_TIMEOUT_S = 180.0
ANSWER_TIMEOUT_S = 300.0


def country(assignments: int) -> Path | None:
    """Return the generated country's file (made once, kept), or None for none."""
    if not assignments:
        return None
    path = RESULTS / f"web_country_{assignments}.sqlite3"
    if not path.exists():
        from bench.generate import generate

        RESULTS.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial.sqlite3")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        generate(engine, size="country", assignments=assignments)
        engine.dispose()
        partial.rename(path)
    return path


def build(workdir: Path, args: argparse.Namespace) -> tuple[World, int, str]:
    """Copy the country, add the big task and the tappers; return the world, the admin's
    contact id and a session cookie for them."""
    db_file = workdir / "web.sqlite3"
    source = country(args.assignments)
    if source is not None:
        shutil.copyfile(source, db_file)
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    with engine.begin() as conn:  # the generated people are not on the fake servers
        conn.execute(text("UPDATE contact_identity SET reachable = false"))
    deadline = BENCH_NOW.date() + timedelta(days=21)
    assigned = BENCH_NOW - timedelta(days=10)
    populate(engine, args.units, deadline, first_user=NUDGE_FIRST_USER, assigned_at=assigned)
    tappers = populate(
        engine, args.tappers, deadline, first_user=TAPPER_FIRST_USER, assigned_at=assigned
    )
    with Session(engine) as session:
        admin = Contact(display_name="Bench admin", role="admin")
        session.add(admin)
        session.flush()
        assert admin.id is not None
        cookie, _ = open_session(session, contact_id=admin.id, now=BENCH_NOW)
        session.commit()
        admin_id = admin.id
    engine.dispose()
    return World(db_file, tappers), admin_id, cookie


def start(server: FakeBotApi, zalo: FakeZalo, world: World, port: int) -> subprocess.Popen[bytes]:
    """Start `python -m bot serve` on the database, on both fake servers."""
    env = base_env() | {
        "BOT_TOKEN": server.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_BASE_URL": zalo.url,
        "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
        "DATABASE_URL": f"sqlite:///{world.db_file}",
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "WEB_PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_SECRET": WEB_SECRET,
        "LOOP_PROBE_FILE": str(world.db_file.parent / "probe.json"),
    }
    with (world.db_file.parent / "serve.log").open("wb") as log:  # a pipe unread would fill
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=world.db_file.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def memory(pid: int) -> dict[str, float]:
    """Return the process's VmRSS and VmHWM in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


def zalo_event(user: str, n: int) -> dict[str, Any]:
    """Return a text event as Zalo posts it (the fake server's shape)."""
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": f"burst{n:06d}",
            "date": int(time.time() * 1000),
            "chat": {"id": user, "chat_type": "PRIVATE"},
            "from": {"id": user, "display_name": "Khách", "is_bot": False},
            "text": "/help",
        },
    }


class Burst:
    """POST a burst of Zalo events to the webhook; keep each POST's status and time."""

    def __init__(self, base: str, zalo: FakeZalo, count: int, concurrency: int) -> None:
        self.base, self.zalo, self.concurrency = base, zalo, concurrency
        self.users = [f"burst{n:05d}" for n in range(count)]
        for user in self.users:
            zalo.add_user(user, "Khách", wrote=True)
        self.posts: list[tuple[int, float]] = []
        self.kept: list[str] = []  # those answered 200: stored, to be answered

    async def send(self) -> float:
        """Post every event, `concurrency` at a time; return seconds until the last answer.

        Each connection is a client of its own, as Zalo's servers are: one httpx pool of 100
        connections made each request scan them all (a poll of each socket, in httpcore) on
        the benchmark's loop, which was most of every POST's time (bench/README, h-zburst).
        The clients are made before the clock starts, sharing one SSL context (each its own
        took 33 ms of the benchmark's loop: 3.3 s for 100, the taps' server frozen meanwhile).
        """
        tls = httpx.create_ssl_context()
        clients = [
            httpx.AsyncClient(base_url=self.base, timeout=30, verify=tls)
            for _ in range(self.concurrency)
        ]
        todo = iter(enumerate(self.users))

        async def lane(client: httpx.AsyncClient) -> None:
            async with client:
                for n, user in todo:
                    began = time.monotonic()
                    try:
                        answer = await client.post(
                            "/webhook/zalo",
                            json=zalo_event(user, n),
                            headers={ZALO_HEADER: ZALO_SECRET},
                        )
                        status = answer.status_code
                    except httpx.HTTPError:
                        status = 0
                    self.posts.append((status, time.monotonic() - began))
                    if status == 200:
                        self.kept.append(user)

        started = time.monotonic()
        await asyncio.gather(*(lane(client) for client in clients))
        return time.monotonic() - started

    async def answered(self) -> float:
        """Wait until every person answered 200 was answered (or `ANSWER_TIMEOUT_S`); return
        the seconds. Those refused (503) were not stored: Zalo would send them again, the
        benchmark does not (waiting for them only ran out the timeout)."""
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):  # counted as unanswered in the figures
            await self.zalo.wait_until(
                lambda: all(self.zalo.messages(u) for u in self.kept), ANSWER_TIMEOUT_S
            )
        return time.monotonic() - started

    def figures(self, db_file: Path) -> dict[str, Any]:
        """Statuses, POST latencies, and what was stored and answered."""
        engine = make_engine(f"sqlite:///{db_file}")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT update_id FROM inbox WHERE update_id LIKE 'burst%'")
            ).all()
        engine.dispose()
        answers = Counter(u for u in self.users for _ in self.zalo.messages(u))
        waits = [s for _, s in self.posts]
        return {
            "statuses": dict(Counter(str(s) for s, _ in self.posts)),
            "post_ms": latency_ms(waits),
            "inbox_rows": len(rows),
            "unanswered": sum(1 for u in self.kept if not answers[u]),
            "answered_twice": sum(1 for u in self.users if answers[u] > 1),
        }


def latency_ms(values: list[float]) -> dict[str, Any]:
    """Return p50/p95/p99/max in milliseconds."""
    from bench.heavy import latency_figures

    return latency_figures(values)


async def heavy_web(args: argparse.Namespace) -> dict[str, Any]:
    """Run the phases against one `dondoc serve`; return their figures."""
    with tempfile.TemporaryDirectory(prefix="dondoc-heavy-web-") as tmp:
        world, admin_id, cookie = build(Path(tmp), args)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        async with FakeBotApi(run_token()) as server, FakeZalo(run_token()) as zalo:
            for official in world.tappers:
                server.add_user(official.user_id, "Cán bộ").started = True
            buttons = await give_buttons(server, world.tappers)
            server.set_rate_limits("enforce")
            bot = start(server, zalo, world, port)
            phases: list[dict[str, Any]] = []
            extra: dict[str, Any] = {}
            try:
                await serve_ready(server, bot, world, START_TIMEOUT_S)
                tapper = Tapper(server, buttons, args.tap_rate)

                async def idle() -> float:
                    await asyncio.sleep(MIN_PHASE_S)
                    return 0.0

                phases.append(await run_phase("idle (baseline)", server, world, tapper, idle))
                web = httpx.AsyncClient(base_url=base, timeout=900, cookies={COOKIE: cookie})
                async with web:
                    for name, phase in web_phases(
                        args, zalo, web, base, admin_id, world, extra, bot.pid
                    ):
                        if not args.only or any(w.lower() in name.lower() for w in args.only):
                            phases.append(await run_phase(name, server, world, tapper, phase))
                    extra["rss_end"] = memory(bot.pid)
            finally:
                stop(bot)
                err = (world.db_file.parent / "serve.log").read_bytes()
                if bot.returncode not in (0, -15):
                    print(err.decode(errors="replace")[-6000:], file=sys.stderr)
            return {
                "assignments": args.assignments,
                "units": args.units,
                "phases": phases,
                **extra,
                "serve_stderr_tail": err.decode(errors="replace")[-3000:],
            }


def web_phases(
    args: argparse.Namespace,
    zalo: FakeZalo,
    web: httpx.AsyncClient,
    base: str,
    admin_id: int,
    world: World,
    extra: dict[str, Any],
    pid: int,
) -> list[tuple[str, Any]]:
    """Return the phases: (name, the command a phase times)."""
    burst = Burst(base, zalo, args.burst, args.burst_concurrency)

    async def send() -> float:
        extra["rss_before_burst"] = memory(pid)
        waited = await burst.send()
        extra["rss_after_burst_posts"] = memory(pid)
        return waited

    async def answered() -> float:
        waited = await burst.answered()
        extra["burst"] = burst.figures(world.db_file)
        extra["rss_after_burst"] = memory(pid)
        return waited

    def get(path: str) -> Any:
        async def command() -> float:
            started = time.monotonic()
            answer = await web.get(path)
            extra[f"GET {path}"] = {"status": answer.status_code, "bytes": len(answer.content)}
            return time.monotonic() - started

        return command

    async def browse() -> float:
        started, path, sizes = time.monotonic(), "/matrix", list[int]()
        while path and len(sizes) < args.matrix_pages:
            answer = await web.get(path)
            sizes.append(len(answer.content))
            found = re.search(r'<a href="([^"]*)"[^>]*id="matrix-next"', answer.text)
            path = html.unescape(found[1]) if found else ""
        extra["matrix pages"] = {"pages": len(sizes), "bytes": sizes}
        return time.monotonic() - started

    link = sign(
        derive_link_key(WEB_SECRET),
        path=UPLOAD_PATH,
        person=str(admin_id),
        expires=BENCH_NOW + timedelta(hours=3),
    )
    content = task_file(args.import_rows, [f"B{o.user_id:05d}" for o in world.tappers])
    token: list[str] = []

    async def preview() -> float:
        started = time.monotonic()
        sent = {"file": ("tasks.csv", content, "text/csv")}
        answer = await web.post(link, files=sent, follow_redirects=True)  # to the preview page
        found = answer.text.split('name="token" value="', 1)
        token.append(found[1].split('"', 1)[0] if len(found) > 1 else "")
        extra["upload preview"] = {"status": answer.status_code, "token": bool(token[-1])}
        return time.monotonic() - started

    async def apply() -> float:
        started = time.monotonic()
        fields = {"action": "apply", "token": token[-1] if token else ""}
        answer = await web.post(link, files={k: (None, v) for k, v in fields.items()})
        said = answer.text.split('id="said">', 1)[-1][:300]
        extra["upload apply"] = {"status": answer.status_code, "said": said}
        return time.monotonic() - started

    return [
        (f"Zalo webhook, {args.burst} events posted", send),
        (f"Zalo webhook, {args.burst} events answered", answered),
        ("dashboard overview", get("/")),
        ("dashboard matrix", get("/matrix")),
        (f"dashboard matrix, {args.matrix_pages} pages in a row", browse),
        (f"upload {args.import_rows} tasks, preview", preview),
        (f"upload {args.import_rows} tasks, apply", apply),
    ]


def main() -> None:
    """Run, print the table and write bench/results/heavy_web.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--tappers", type=int, default=2000)
    parser.add_argument("--tap-rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--burst-concurrency", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--matrix-pages", type=int, default=10)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    result = asyncio.run(heavy_web(args))
    rows = [
        (
            p["phase"],
            f"waited {p['admin_wait_s']} s; taps {p['n']} p50/p95/p99 "
            f"{p['p50_ms']}/{p['p95_ms']}/{p['p99_ms']} ms; "
            f"longest stall {p['longest_stall_ms']} ms ({p['stalls_over_200ms']} over 200 ms)",
        )
        for p in result["phases"]
    ]
    for key in ("burst", "rss_before_burst", "rss_after_burst", "rss_end"):
        if key in result:
            rows.append((key, str(result[key])))
    print_table("6 on dondoc serve: taps while the web side works", rows)
    name = "_".join(["heavy_web", *(w.lower() for w in args.only)])  # each run keeps its own
    print(f"figures written to {write_results(name, result)}")


if __name__ == "__main__":
    main()
