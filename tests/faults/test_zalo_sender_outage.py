"""The Zalo sender's connection cut by PostgreSQL as it marks a reminder `sending`."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from db.engine import make_engine
from devtools.fakezalo import FakeZalo
from scheduler.dispatcher.run import dispatch
from tests import processes
from tests.factories import make_contact, make_unit
from tests.scheduler.support import VN, context, task_for
from tests.scheduler.test_crash import start_bot

TOKEN = f"31415927:zalo-outage-{uuid.uuid4().hex[:12]}"
START = datetime(2026, 11, 18, 16, 50, tzinfo=VN)  # ten minutes of office time left
FIRST_USER = 9100
COUNT = 5
WAIT_S = 20.0

# The first `sending` mark fails as a connection PostgreSQL terminated does (57P01, what
# pg_terminate_backend and a restart give), at the one moment a test cannot aim a real cut
# at. A sequence counts the tries: it is not rolled back with the failed statement.
CUT_ONCE = """
CREATE SEQUENCE cut_tries;
CREATE FUNCTION cut_first_sending() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'sending' AND OLD.status <> 'sending' AND nextval('cut_tries') = 1 THEN
        RAISE EXCEPTION 'terminating connection due to administrator command'
            USING ERRCODE = '57P01';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER cut_first_sending BEFORE UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION cut_first_sending();
"""


def queue_reminders(url: str) -> None:
    """Create COUNT units on Zalo due today, queue their reminders, and arm the cut."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        units = [make_unit(session, f"Q{i:03d}", f"Xã Cắt {i:03d}") for i in range(COUNT)]
        for i, unit in enumerate(units):
            make_contact(session, 0, units=[unit], channel="zalo", external_id=str(FIRST_USER + i))
        session.commit()
        task_for(session, units, START.date(), START - timedelta(hours=2))
    result = dispatch(context(engine, token=TOKEN), START)
    assert result is not None
    assert result.messages == COUNT
    with engine.begin() as connection:
        connection.exec_driver_sql(CUT_ONCE)
    engine.dispose()


def cuts(url: str) -> int:
    """Return how many `sending` marks the trigger saw."""
    engine = make_engine(url)
    with engine.connect() as connection:
        seen = connection.execute(text("SELECT last_value, is_called FROM cut_tries")).one()
    engine.dispose()
    return int(seen[0]) if seen[1] else 0


@pytest.mark.slow
@pytest.mark.postgres
def test_a_reminder_whose_sending_mark_is_cut_goes_at_once_without_a_traceback(
    pg_url: str, tmp_path: Path
) -> None:
    """The connection cut as a Zalo reminder is marked `sending`: it is claimed again and
    sent, once, in the minutes left of office time, and the log says so in one line. It
    was put off for five minutes, with a traceback: past 17:00, to the next day's reminder."""
    queue_reminders(pg_url)
    chats = {str(FIRST_USER + i) for i in range(COUNT)}
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": pg_url,
        "ZALO_BOT_TOKEN": TOKEN,
        "FAKE_CLOCK_START": (START + timedelta(minutes=1)).isoformat(),
    }
    with FakeZalo(TOKEN, longest_poll_s=0.1) as server:
        for chat in chats:
            server.add_user(chat, "Cán bộ", wrote=True)
        env["ZALO_BASE_URL"] = server.url
        bot = start_bot(tmp_path, env)
        try:
            server.wait_for_sync(
                lambda: {m.chat_id for m in server.all_sent()} >= chats, timeout=WAIT_S
            )
        finally:
            bot.terminate()
            out, err = bot.communicate(timeout=30)
            processes.keep("dondoc run, Zalo (a connection cut)", env, out, err)
        counts = Counter(m.chat_id for m in server.all_sent())
    assert cuts(pg_url) > COUNT  # the cut one was marked again
    assert counts == dict.fromkeys(chats, 1)
    assert "Traceback" not in err
    assert "the database is out of reach" in err
