"""The morning fan-out on Zalo: `dondoc run` with ZALO_BOT_TOKEN only, against the fake.

`--zalo-reminders` officials on Zalo each have a reminder due today. The fake Zalo Bot API
enforces ZALO_SEND_RATE_PER_S sends in any second overall and 1 per second per person,
refusing any excess with 429 (Zalo publishes no limits: these are the ones we configure).
Reported: messages/s from the first reminder to the last divided by ZALO_SEND_RATE_PER_S,
refusals, reminders lost and duplicated.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import BENCH_NOW, VN, populate
from core.calendar import WorkingCalendar
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakezalo import FakeZalo, Limits

ZALO_FIRST_USER = 400_000
RATE_PER_S = 10.0
FIRST_SEND_TIMEOUT_S = 120.0


async def zalo_run(reminders: int, rate: float = RATE_PER_S) -> dict[str, Any]:
    """Run a Zalo-only bot process through a fan-out of `reminders`; return the figures."""
    with tempfile.TemporaryDirectory(prefix="dondoc-fanout-zalo-") as tmp:
        db_file = Path(tmp) / "zalo.sqlite3"
        engine = make_engine(f"sqlite:///{db_file}")
        upgrade(engine)
        due = WorkingCalendar().add_working_days(BENCH_NOW.date(), 2)
        officials = populate(
            engine,
            reminders,
            due,
            first_user=ZALO_FIRST_USER,
            assigned_at=BENCH_NOW - timedelta(days=1),
            channel="zalo",
        )
        engine.dispose()
        chats = {str(o.user_id) for o in officials}
        limits = Limits(overall_per_s=rate, per_chat_per_s=1)
        async with FakeZalo(rate_limits="enforce", limits=limits) as server:
            for chat in chats:
                server.add_user(chat, "Cán bộ", wrote=True)
            bot = _start(server, db_file, rate)
            try:
                await server.wait_until(
                    lambda: bot.poll() is not None or bool(server.all_sent()),
                    FIRST_SEND_TIMEOUT_S,
                )
                deadline = time.monotonic() + FIRST_SEND_TIMEOUT_S + 2 * reminders / rate
                while time.monotonic() < deadline and bot.poll() is None:
                    if chats <= {m.chat_id for m in server.all_sent()}:
                        break
                    await asyncio.sleep(0.5)
            finally:
                err = _stop(bot)
            return _figures(server, chats, rate) | {"bot_stderr_tail": err[-2000:]}


def _start(server: FakeZalo, db_file: Path, rate: float) -> subprocess.Popen[bytes]:
    """Start `python -m bot run` with Zalo only, pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {
        "ZALO_BOT_TOKEN": server.token,
        "ZALO_BASE_URL": server.url,
        "ZALO_SEND_RATE_PER_S": str(rate),
        "DATABASE_URL": f"sqlite:///{db_file}",
        "FAKE_CLOCK_START": BENCH_NOW.astimezone(VN).isoformat(),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=db_file.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(bot: subprocess.Popen[bytes]) -> str:
    """Stop the bot politely (SIGTERM), or kill it; return its stderr."""
    bot.terminate()
    try:
        err = bot.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        bot.kill()
        err = bot.communicate()[1]
    return err.decode(errors="replace")


def _figures(server: FakeZalo, chats: set[str], rate: float) -> dict[str, Any]:
    """Count what reached the fan-out's chats: rate, refusals, lost, duplicated."""
    sent = [m for m in server.all_sent() if m.chat_id in chats]
    counts = Counter(m.chat_id for m in sent)
    span = max(m.at for m in sent) - min(m.at for m in sent) if sent else 0.0
    achieved = (len(sent) - 1) / span if span > 0 else 0.0
    stats = server.rate_limit_stats()
    return {
        "reminders": len(chats),
        "delivered": len(counts),
        "lost": len(chats - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values()),
        "refused_429": stats.over_overall + stats.over_per_chat,
        "rate_per_s": round(achieved, 2),
        "zalo_send_rate_per_s": rate,
        "ratio_of_setting": round(achieved / rate, 3),
        "duration_s": round(span, 1),
    }
