"""The bot process killed with SIGKILL in the middle of a fan-out, then started again."""

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
from devtools.fakebotapi import FakeBotApi
from scheduler.dispatcher.run import dispatch
from tests import processes
from tests.scheduler.support import VN, context, province, start_users, task_for

# Unique per run: the host keeps a lock per token, and two test runs may share a machine.
TOKEN = f"424243:crash-test-token-{uuid.uuid4().hex[:12]}"
START = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
FIRST_USER = 8000
COUNT = 150
WAIT_S = 90


def queue_reminders(db: Path) -> None:
    """Create a province whose units are all due today, and queue their reminders."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        units = province(session, COUNT, first_user=FIRST_USER)
        task_for(session, units, START.date(), START - timedelta(hours=2))
    result = dispatch(context(engine, token=TOKEN), START)
    engine.dispose()
    assert result is not None
    assert result.messages == COUNT


def bot_env(tmp_path: Path, server: FakeBotApi, clock: datetime) -> dict[str, str]:
    """Return the environment of a bot process on the test's database, its clock at `clock`."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return env | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "FAKE_CLOCK_START": clock.isoformat(),
        "PTB_TIMEDELTA": "true",
    }


def start_bot(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `python -m bot run` with the environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivered(server: FakeBotApi) -> Counter[int]:
    """Count the reminders each fan-out chat received."""
    return Counter(
        int(c.params["chat_id"])
        for c in server.calls("sendMessage")
        if c.applied and int(c.params.get("chat_id", 0)) >= FIRST_USER
    )


def in_flight(db: Path) -> int:
    """Count the messages marked as being sent (their fate unknown) in the database."""
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.status == "sending")).all()
    engine.dispose()
    return len(rows)


@pytest.mark.slow
def test_sigkill_mid_fan_out_loses_nothing_and_repeats_only_in_flight(tmp_path: Path) -> None:
    """After SIGKILL and a restart every unit has its reminder; duplicates <= in flight."""
    db = tmp_path / "crash.sqlite3"
    queue_reminders(db)
    with FakeBotApi(TOKEN) as server:
        server.set_rate_limits("enforce")
        start_users(server, [FIRST_USER + i for i in range(COUNT)])
        first_env = bot_env(tmp_path, server, START + timedelta(minutes=1))
        first = start_bot(tmp_path, first_env)
        try:
            server.wait_for_sync(
                lambda: sum(delivered(server).values()) >= COUNT // 3 or None, WAIT_S, "sends"
            )
        finally:
            first.send_signal(signal.SIGKILL)
            processes.keep("dondoc run (killed)", first_env, *first.communicate(timeout=30))
        unsure = in_flight(db)
        before = sum(delivered(server).values())
        assert before < COUNT, "the fan-out finished before the kill; the test proves nothing"
        # Back ten minutes later: the dead process's leases have expired.
        second_env = bot_env(tmp_path, server, START + timedelta(minutes=11))
        second = start_bot(tmp_path, second_env)
        try:
            server.wait_for_sync(
                lambda: len(delivered(server)) >= COUNT or None, WAIT_S, "every reminder"
            )
        finally:
            second.terminate()
            out, err = second.communicate(timeout=30)
            processes.keep("dondoc run (restarted)", second_env, out, err)
        counts = delivered(server)
    assert "Traceback" not in err
    assert set(counts) == {FIRST_USER + i for i in range(COUNT)}
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= unsure
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        statuses = {r.status for r in session.exec(select(Outbox))}
    engine.dispose()
    assert statuses == {"sent"}
