"""The Zalo-only bot process killed with SIGKILL in the middle of a fan-out, then restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Outbox
from devtools.fakezalo import FakeZalo, Limits
from scheduler.dispatcher.run import dispatch
from tests import processes
from tests.factories import make_contact, make_unit
from tests.scheduler.support import VN, context, task_for

TOKEN = f"31415926:zalo-crash-{uuid.uuid4().hex[:12]}"
START = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
FIRST_USER = 9000
COUNT = 120
WAIT_S = 90


def queue_reminders(db: Path) -> None:
    """Create a province on Zalo whose units are all due today, and queue their reminders."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        units = [make_unit(session, f"Z{i:04d}", f"Xã Zalo {i:04d}") for i in range(COUNT)]
        for i, unit in enumerate(units):
            person = str(FIRST_USER + i)
            make_contact(session, 0, units=[unit], channel="zalo", external_id=person)
        session.commit()
        task_for(session, units, START.date(), START - timedelta(hours=2))
    result = dispatch(context(engine, token=TOKEN), START)
    engine.dispose()
    assert result is not None
    assert result.messages == COUNT


def bot_env(db: Path, server: FakeZalo, clock: datetime) -> dict[str, str]:
    """Return the environment of a Zalo-only bot process, its clock at `clock`."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return env | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": f"sqlite:///{db}",
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_BASE_URL": server.url,
        "ZALO_SEND_RATE_PER_S": "10",
        "FAKE_CLOCK_START": clock.isoformat(),
    }


def start_bot(db: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `python -m bot run` with the environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=db.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivered(server: FakeZalo) -> Counter[str]:
    """Count the reminders each fan-out chat received."""
    return Counter(m.chat_id for m in server.all_sent())


def in_flight(db: Path) -> int:
    """Count the messages marked as being sent (their fate unknown)."""
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.status == "sending")).all()
    engine.dispose()
    return len(rows)


@pytest.mark.slow
def test_sigkill_mid_zalo_fan_out_loses_nothing_and_repeats_only_in_flight(
    tmp_path: Path,
) -> None:
    """After SIGKILL and a restart every Zalo official has their reminder; dups <= in flight."""
    db = tmp_path / "crash.sqlite3"
    queue_reminders(db)
    chats = {str(FIRST_USER + i) for i in range(COUNT)}
    # Idle polls end quickly: the restarted bot's stop waits for its open poll.
    with FakeZalo(
        TOKEN, rate_limits="enforce", limits=Limits(10, 1), longest_poll_s=0.1
    ) as server:
        for chat in chats:
            server.add_user(chat, "Cán bộ", wrote=True)
        first_env = bot_env(db, server, START + timedelta(minutes=1))
        first = start_bot(db, first_env)
        try:
            server.wait_for_sync(lambda: sum(delivered(server).values()) >= COUNT // 3, WAIT_S)
        finally:
            first.send_signal(signal.SIGKILL)
            processes.keep("dondoc run, Zalo (killed)", first_env, *first.communicate(timeout=30))
        unsure = in_flight(db)
        assert sum(delivered(server).values()) < COUNT, "finished before the kill: proves nothing"
        second_env = bot_env(db, server, START + timedelta(minutes=11))
        second = start_bot(db, second_env)
        try:
            server.wait_for_sync(lambda: set(delivered(server)) >= chats, WAIT_S)
        finally:
            second.terminate()
            out, err = second.communicate(timeout=30)
            processes.keep("dondoc run, Zalo (restarted)", second_env, out, err)
        counts = delivered(server)
    assert "Traceback" not in err
    assert set(counts) == chats
    assert sum(n - 1 for n in counts.values()) <= unsure
    assert server.rate_limit_stats().over_overall == 0
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        statuses = {r.status for r in session.exec(select(Outbox))}
    engine.dispose()
    assert statuses == {"sent"}
