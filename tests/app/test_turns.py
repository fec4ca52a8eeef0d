"""One file at a time per person, also among several workers on one database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.services import Services
from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import UsedLink
from db.queries.used_links import LEASE

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest) -> Engine:
    """Return the database the workers share: SQLite's file, or PostgreSQL's."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def workers(settings: Settings, engine: Engine, clock: ManualClock) -> tuple[Services, Services]:
    """Return the services of two `WORKERS=multi` workers on one database (one clock)."""
    multi = settings.model_copy(update={"workers": "multi"})
    token = multi.bot_token.get_secret_value() if multi.bot_token else ""
    first, second = (build_services(multi, token, clock=clock, engine=engine) for _ in range(2))
    return first, second


async def test_a_persons_turn_holds_on_every_worker_sharing_the_database(
    settings: Settings, shared: Engine
) -> None:
    """While one worker builds a person's workbook, another worker (where the proxy sent
    their second tap, or their dashboard download) tells them to wait; other people and
    other kinds of file go on; once it is built, the turn is free on every worker."""
    first, second = workers(settings, shared, ManualClock(NOW))
    async with first.turns.turn("export", 7) as mine:
        async with second.turns.turn("export", 7) as again:
            assert mine
            assert not again
        async with second.turns.turn("export", 8) as someone_else:
            assert someone_else
        async with second.turns.turn("report", 7) as a_report:
            assert a_report
    async with second.turns.turn("export", 7) as after:
        assert after
    with shared.connect() as connection:
        assert connection.execute(select(func.count()).select_from(UsedLink)).scalar() == 0


async def test_a_turn_held_by_a_worker_that_died_lapses(
    settings: Settings, shared: Engine
) -> None:
    """A worker killed mid-build never gives its turn back: the person is told to wait
    until the lease lapses, then is served."""
    clock = ManualClock(NOW)
    first, second = workers(settings, shared, clock)
    dying = first.turns.turn("export", 7)
    assert await dying.__aenter__()  # and never leaves: the process is gone
    async with second.turns.turn("export", 7) as meanwhile:
        assert not meanwhile
    clock.advance(LEASE)
    async with second.turns.turn("export", 7) as later:
        assert later
