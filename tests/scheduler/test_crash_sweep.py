"""The dispatcher killed with SIGKILL in the middle of a day's first sweep, then run again.

A sweep records each chunk's reminders (today's, and the missed days folded into it) in
the chunk's transaction, and queues the coordinators' list of what was missed once it has
read everything. Killed between the two, the run after it found today's reminders recorded
and, reading them as said already, listed none of those assignments' missed days: the
coordinators never heard of them. The days folded are found again from the records.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Reminder
from scheduler.dispatcher.run import dispatch
from tests import processes
from tests.factories import make_contact, make_unit
from tests.scheduler.support import at, context, messages_to, task_for

COUNT = 30
COORDINATOR = 2003
FRIDAY = date(2026, 11, 20)  # the deadline; the sweeps of the 18th and 19th were missed
WAIT_S = 60

# A slow sweep (one candidate a chunk, a pause after each), so that it is killed halfway.
SWEEP = textwrap.dedent(
    """
    import sys
    from datetime import datetime

    from db.engine import make_engine
    from scheduler import sweep
    from scheduler.dispatcher.run import dispatch
    from tests.scheduler.support import context

    sweep.CHUNK, sweep.PAUSE_S = 1, 0.2
    dispatch(context(make_engine(sys.argv[1])), datetime.fromisoformat(sys.argv[2]))
    """
)


def recorded_today(url: str) -> int:
    """Count the reminders recorded for the day of the deadline."""
    engine = make_engine(url)
    with Session(engine) as session:
        query = select(func.count()).where(col(Reminder.due_on) == FRIDAY)
        found = session.exec(query).one()
    engine.dispose()
    return int(found)


@pytest.mark.slow
def test_sigkill_mid_sweep_keeps_the_coordinators_missed_list_whole(tmp_path: Path) -> None:
    """Killed after recording some units' reminders and folds, the sweep run again lists every
    unit's missed days for the coordinator, those recorded before the kill too."""
    url = f"sqlite:///{tmp_path / 'sweep.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        units = [make_unit(session, f"X{n:02d}", f"Xã Thử {n:02d}") for n in range(COUNT)]
        for n, unit in enumerate(units[::2]):  # half can be written to, half cannot
            make_contact(session, 7000 + n, units=[unit])
        make_contact(session, COORDINATOR, role="coordinator")
        reminded = date(2026, 11, 13)  # 5 working days before; 2 before (18/11), 1 (19/11) missed
        task = task_for(
            session, units, FRIDAY, at(date(2026, 11, 9)), "Kế hoạch", reminded=reminded
        )
    now = at(FRIDAY)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    sweeping = subprocess.Popen(
        [sys.executable, "-c", SWEEP, url, now.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = datetime.now().timestamp() + WAIT_S
        while recorded_today(url) < COUNT // 3 and datetime.now().timestamp() < deadline:
            if sweeping.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"], check=True)
    finally:
        sweeping.send_signal(signal.SIGKILL)
        processes.keep("sweep (killed)", {}, *sweeping.communicate(timeout=30))
    halfway = recorded_today(url)
    assert 0 < halfway < COUNT, "the sweep was not killed halfway; the test proves nothing"
    with Session(engine) as session:
        assert messages_to(session, COORDINATOR, "late") == []
    dispatch(context(engine), now)
    with Session(engine) as session:
        [listing] = messages_to(session, COORDINATOR, "late")
    text = listing.payload["text"]
    for n in range(COUNT):
        assert f"#{task.id} Kế hoạch, Xã Thử {n:02d}: 18/11, 19/11" in text
    engine.dispose()
