"""Single-use links on SQLite and PostgreSQL: taken once, given back, confirmed, free again
when a take was never confirmed, purged once expired."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import UsedLink
from db.queries import used_links

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, or a fresh PostgreSQL database's."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def take(engine: Engine, signature: str, now: datetime = NOW) -> bool:
    """Take a link in a transaction of its own."""
    with session_scope(engine) as s:
        return used_links.take(s, signature=signature, expires_at=NOW + DAY, now=now)


def test_a_link_is_taken_once_given_back_and_kept_only_as_a_hash(any_engine: Engine) -> None:
    """The first take wins, the next fails; given back, it can be taken again."""
    assert take(any_engine, "sig-a")
    assert not take(any_engine, "sig-a")
    assert take(any_engine, "sig-b")
    with Session(any_engine) as s:
        assert used_links.was_used(s, signature="sig-a", now=NOW)
        assert "sig-a" not in {row.key_hash for row in s.exec(select(UsedLink))}
        used_links.give_back(s, signature="sig-a")
        s.commit()
        assert not used_links.was_used(s, signature="sig-a", now=NOW)
    assert take(any_engine, "sig-a")


def test_of_concurrent_takes_one_wins(any_engine: Engine) -> None:
    """Eight threads take the same link at once: exactly one succeeds."""
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: take(any_engine, "sig-race"), range(8)))
    assert results.count(True) == 1


def test_rows_of_expired_links_are_purged_at_the_next_take(any_engine: Engine) -> None:
    """A row outlives its link by nothing: the next take after expiry deletes it."""
    assert take(any_engine, "sig-old")
    assert take(any_engine, "sig-new", now=NOW + DAY)
    with Session(any_engine) as s:
        assert len(s.exec(select(UsedLink)).all()) == 1
        assert not used_links.was_used(s, signature="sig-old", now=NOW + DAY)


def confirm(engine: Engine, signature: str) -> None:
    """Confirm a take in a transaction of its own, as a file handed over does."""
    with session_scope(engine) as s:
        used_links.confirm(s, signature=signature)


def test_a_take_never_confirmed_is_free_again_once_its_lease_passed(any_engine: Engine) -> None:
    """A take whose process died while building holds the link for its lease, no longer."""
    assert take(any_engine, "sig-crash")
    assert not take(any_engine, "sig-crash", now=NOW + used_links.LEASE / 2)
    with Session(any_engine) as s:
        assert used_links.was_used(s, signature="sig-crash", now=NOW + used_links.LEASE / 2)
        assert not used_links.was_used(s, signature="sig-crash", now=NOW + used_links.LEASE)
    assert take(any_engine, "sig-crash", now=NOW + used_links.LEASE)
    assert not take(any_engine, "sig-crash", now=NOW + used_links.LEASE * 3 / 2)


def test_a_confirmed_take_stays_used_past_its_lease(any_engine: Engine) -> None:
    """Once its file was given, a link is used until it expires; giving it back is refused."""
    assert take(any_engine, "sig-given")
    confirm(any_engine, "sig-given")
    with session_scope(any_engine) as s:
        used_links.give_back(s, signature="sig-given")
    assert not take(any_engine, "sig-given", now=NOW + used_links.LEASE * 10)
    with Session(any_engine) as s:
        assert used_links.was_used(s, signature="sig-given", now=NOW + used_links.LEASE * 10)


def test_of_concurrent_takes_of_a_lapsed_lease_one_wins(any_engine: Engine) -> None:
    """Eight threads take at once a link whose take was never confirmed: exactly one wins."""
    assert take(any_engine, "sig-lapsed")
    later = NOW + used_links.LEASE
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: take(any_engine, "sig-lapsed", now=later), range(8)))
    assert results.count(True) == 1
