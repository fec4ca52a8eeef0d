"""WORKERS=multi: refused where it cannot work, the locks between the modes, roles and orphans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from bot.lock import AlreadyRunning, single_instance
from bot.settings import Settings
from db.queries import inbox
from db.queries.inbox import InboxKey
from db.queries.workers import earlier_open, heartbeat, reserve, take_orphans
from scheduler.roles import LEADER, SETTLE_S, WorkerRoles
from tests.bot.test_cli import dondoc, env_for

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def test_serve_with_multi_workers_on_sqlite_says_postgresql_is_needed(tmp_path: Path) -> None:
    """`dondoc serve` under WORKERS=multi on SQLite exits 2 with one sentence, nothing started."""
    env = env_for(tmp_path, BOT_TOKEN="424248:workers-mode-token-0123", WORKERS="multi")
    result = dondoc(tmp_path, env, "serve")
    assert result.returncode == 2
    assert "WORKERS=multi" in result.stderr
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cli.sqlite3").exists()


@pytest.mark.parametrize("evidence", [None, "data/evidence"])
def test_serve_with_multi_workers_needs_one_evidence_folder_named(
    tmp_path: Path, evidence: str | None
) -> None:
    """Under WORKERS=multi, `dondoc serve` without EVIDENCE_DIR (each worker would keep files
    beside its own working directory, and another worker would answer "missing") or with a
    relative one exits 2 with one sentence, before it touches the database."""
    env = env_for(
        tmp_path,
        BOT_TOKEN="424248:workers-mode-token-0123",
        WORKERS="multi",
        DATABASE_URL="postgresql://dondoc@127.0.0.1:9/nowhere",
    )
    if evidence is not None:
        env["EVIDENCE_DIR"] = evidence
    result = dondoc(tmp_path, env, "serve")
    assert result.returncode == 2
    assert "EVIDENCE_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_multi_workers_says_serve_is_needed(tmp_path: Path) -> None:
    """`dondoc run` (polling, one process) refuses WORKERS=multi with exit 2."""
    env = env_for(tmp_path, BOT_TOKEN="424248:workers-mode-token-0123", WORKERS="multi")
    result = dondoc(tmp_path, env, "run")
    assert result.returncode == 2
    assert "dondoc serve" in result.stderr


def settings_for(url: str, workers: str) -> Settings:
    """Return settings on the test database in a worker mode."""
    return Settings(
        _env_file=None,
        bot_token="424248:workers-mode-token-0123",
        database_url=url,
        workers=workers,
    )


def test_workers_share_the_database_but_never_with_a_single_process(
    pg_engine: Engine, pg_url: str
) -> None:
    """Two workers hold the database together; a single process is refused beside them, and
    a worker beside a single process."""
    multi, single = settings_for(pg_url, "multi"), settings_for(pg_url, "single")
    with single_instance(multi, pg_engine), single_instance(multi, pg_engine):
        with pytest.raises(AlreadyRunning) as refused, single_instance(single, pg_engine):
            pass
        assert refused.value.kind == "database"
    with single_instance(single, pg_engine):
        with pytest.raises(AlreadyRunning) as refused, single_instance(multi, pg_engine):
            pass
        assert refused.value.kind == "workers"


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_leader_acts_after_settling_and_another_takes_over_when_it_goes(
    pg_engine: Engine,
) -> None:
    """The leader's lock goes to one worker, which acts only SETTLE_S later; when it stops,
    the other wins it at its next tick, in a new term."""
    clock = Clock()
    first = WorkerRoles(pg_engine, worker="w1", wanted=[LEADER], clock=clock)
    second = WorkerRoles(pg_engine, worker="w2", wanted=[LEADER], clock=clock)
    first.tick()
    second.tick()
    assert not first.holds(LEADER)  # won, settling
    clock.now += SETTLE_S
    first.tick()
    second.tick()
    assert first.holds(LEADER)
    assert not second.holds(LEADER)
    first.stop()
    second.tick()
    clock.now += SETTLE_S
    second.tick()
    assert second.holds(LEADER)
    assert second.term(LEADER) == 1
    second.stop()
    assert not second.holds(LEADER)


def record(engine: Engine, update_id: str, *, worker: str | None, lane: str) -> InboxKey:
    """Record an unfinished update in the inbox, received a minute ago."""
    key = InboxKey("bot", 0, update_id)
    with engine.begin() as connection:
        inbox.record(
            connection,
            channel="telegram",
            key=key,
            kind="message",
            payload={"update_id": int(update_id)},
            digest="",
            now=datetime.now(UTC) - timedelta(minutes=1),
            worker=worker,
            lane=lane,
        )
    return key


def test_the_updates_of_a_dead_worker_are_taken_once_and_a_live_ones_never(
    pg_engine: Engine,
) -> None:
    """A worker not seen for long has its unfinished updates taken over, by one taker only;
    a live worker's stay its own."""
    with pg_engine.begin() as connection:
        heartbeat(connection, worker="alive")
        heartbeat(connection, worker="dead")
        connection.execute(text("UPDATE worker SET seen_at = now() - interval '1 hour'"))
        heartbeat(connection, worker="alive")
    record(pg_engine, "1", worker="alive", lane="u1")
    record(pg_engine, "2", worker="dead", lane="u2")
    with pg_engine.begin() as connection:
        taken = take_orphans(connection, channel="telegram", me="alive")
    with pg_engine.begin() as connection:
        again = take_orphans(connection, channel="telegram", me="other")
        rows = inbox.unfinished_of(connection, ids=taken, now=NOW)
    assert [row.update_id for row in rows] == ["2"]
    assert again == []


def test_a_persons_later_update_waits_for_their_earlier_one_only(pg_engine: Engine) -> None:
    """An update sees the same person's earlier unfinished one, not another person's."""
    first = record(pg_engine, "10", worker="a", lane="u7")
    second = record(pg_engine, "11", worker="b", lane="u7")
    other = record(pg_engine, "12", worker="b", lane="u8")
    with pg_engine.begin() as connection:
        assert earlier_open(connection, channel="telegram", key=second, lane="u7")
        assert not earlier_open(connection, channel="telegram", key=first, lane="u7")
        assert not earlier_open(connection, channel="telegram", key=other, lane="u8")
        inbox.finish(connection, channel="telegram", key=first, now=NOW)
        assert not earlier_open(connection, channel="telegram", key=second, lane="u7")


def test_the_shared_budget_hands_out_one_grid_to_every_asker(pg_engine: Engine) -> None:
    """Slots asked for at once come one interval apart, whoever asks: the slots' own times
    (a wait is counted from the database's clock when asked, which a loaded machine moves)."""
    with pg_engine.begin() as connection:
        taken = [
            reserve(connection, channel="telegram", interval=10.0, calls=30, seconds=1.0)
            for _ in range(3)
        ]
        at = (
            connection.execute(
                text("SELECT slot_at FROM send_slot WHERE id IN :ids ORDER BY id").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": [slot for slot, _ in taken]},
            )
            .scalars()
            .all()
        )
    assert taken[0][1] == 0.0  # the first one at once
    assert [b - a for a, b in pairwise(at)] == [pytest.approx(10.0), pytest.approx(10.0)]
    assert all(wait > 0 for _, wait in taken[1:])


def test_the_shared_budget_keeps_a_window_of_calls(pg_engine: Engine) -> None:
    """Past `calls` slots within a window, the next waits for the window to pass from the
    call `calls` slots earlier, which has not returned: as if it arrived now."""
    with pg_engine.begin() as connection:
        waits = [
            reserve(connection, channel="zalo", interval=0.001, calls=3, seconds=10.0)[1]
            for _ in range(4)
        ]
    assert max(waits[:3]) < 1.0
    assert 9.0 < waits[3] <= 10.1
