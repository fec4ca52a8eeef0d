"""Group commit: writes from many tasks share transactions, and a bad one fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.models import Unit
from scheduler.groupcommit import GroupCommit


def adder(code: str) -> Callable[[Session], int]:
    """Return a write that adds a unit and returns its id."""

    def write(session: Session) -> int:
        unit = Unit(code=code, code_folded=code, name=code, name_folded=code, kind_key="commune")
        session.add(unit)
        session.flush()
        assert unit.id is not None
        return unit.id

    return write


def broken(session: Session) -> int:
    """A write with a bug in it."""
    raise ValueError("a bug in one write")


def codes(engine: Engine) -> set[str]:
    """Return the codes of the units in the database."""
    with Session(engine) as session:
        return set(session.exec(select(Unit.code)))


async def test_writes_that_arrive_together_share_transactions(engine: Engine) -> None:
    """Twenty writes at once take fewer transactions than writes, and each gets its result."""
    writes = GroupCommit(engine)
    ids = await asyncio.gather(*(writes.run(adder(f"U{i}")) for i in range(20)))
    assert len(set(ids)) == 20
    assert writes.transactions < 20
    assert codes(engine) == {f"U{i}" for i in range(20)}


async def test_a_write_that_fails_fails_only_its_own_caller(engine: Engine) -> None:
    """In a group with a faulty write, the others are committed and their callers resume."""
    writes = GroupCommit(engine)
    results = await asyncio.gather(
        writes.run(adder("A")),
        writes.run(broken),
        writes.run(adder("B")),
        return_exceptions=True,
    )
    assert isinstance(results[1], ValueError)
    assert all(isinstance(r, int) for r in (results[0], results[2]))
    assert codes(engine) == {"A", "B"}


async def test_a_write_alone_goes_at_once(engine: Engine) -> None:
    """With nothing else being written, a write does not wait to gather company."""
    writes = GroupCommit(engine, gather_s=5.0)
    await asyncio.wait_for(writes.run(adder("solo")), timeout=2.0)
    assert codes(engine) == {"solo"}


async def test_a_lone_faulty_write_raises_to_its_caller(engine: Engine) -> None:
    """The caller of a faulty write gets its error, and nothing of it is committed."""
    writes = GroupCommit(engine)
    with pytest.raises(ValueError, match="a bug"):
        await writes.run(broken)
    assert codes(engine) == set()
