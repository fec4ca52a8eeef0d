"""The bot stopped while Telegram's 429s hold every send of a fan-out."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import Outbox
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from tests import processes
from tests.scheduler.support import start_users
from tests.scheduler.test_crash import (
    COUNT,
    FIRST_USER,
    START,
    TOKEN,
    bot_env,
    queue_reminders,
    start_bot,
)

HELD_S = 600  # a retry_after longer than any stop may wait
STOP_S = 30  # what systemd gives a stop (deploy/dondoc.service's TimeoutStopSec)
WAIT_S = 60


def delivered(server: FakeBotApi) -> Counter[int]:
    """Count the reminders each chat of the province received."""
    return Counter(
        int(c.params["chat_id"])
        for c in server.calls("sendMessage")
        if c.applied and int(c.params.get("chat_id", 0)) >= FIRST_USER
    )


@pytest.mark.slow
def test_a_stop_while_429s_hold_the_fan_out_ends_and_loses_nothing(tmp_path: Path) -> None:
    """Two chats answered 429 with a long retry_after hold every send (the bot went too
    fast); SIGTERM then ends the bot within systemd's time, not after the retry_after, and
    the next start sends every reminder, once."""
    db = tmp_path / "crash.sqlite3"
    queue_reminders(db)
    chats = {FIRST_USER + i for i in range(COUNT)}
    with FakeBotApi(TOKEN) as server:
        start_users(server, sorted(chats))
        server.add_fault(FaultRule(Fault.flood(HELD_S), methods=["sendMessage"], skip=5, times=2))
        first_env = bot_env(tmp_path, server, START + timedelta(minutes=1))
        first = start_bot(tmp_path, first_env)
        out, err = "", ""
        try:
            server.wait_for_sync(
                lambda: len(server.calls("sendMessage")) >= 7 or None, WAIT_S, "the 429s"
            )
            first.terminate()
            out, err = first.communicate(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            first.kill()
            out, err = first.communicate()
            pytest.fail(f"the stop did not end within {STOP_S} s")
        finally:
            processes.keep("dondoc run (stopped while held)", first_env, out, err)
        assert len(delivered(server)) < COUNT, "sent before the stop: proves nothing"
        server.clear_faults()
        # Past the leases of the messages the stop left marked `sending` (scheduler/sender.py).
        second_env = bot_env(tmp_path, server, START + timedelta(minutes=4))
        second = start_bot(tmp_path, second_env)
        try:
            server.wait_for_sync(lambda: set(delivered(server)) >= chats or None, WAIT_S, "all")
        finally:
            second.terminate()
            out, err = second.communicate(timeout=STOP_S)
            processes.keep("dondoc run (after the stop)", second_env, out, err)
        assert delivered(server) == dict.fromkeys(chats, 1)
    assert "Traceback" not in err
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        assert {r.status for r in session.exec(select(Outbox))} == {"sent"}
    engine.dispose()
