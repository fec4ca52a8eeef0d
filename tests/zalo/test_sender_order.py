"""Zalo messages to one person arrive in the order they were queued."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app.services import Services
from devtools.fakezalo import FakeZalo, FaultRule
from tests.zalo.test_sender import PEOPLE, queue, send_all, services, statuses, zalo

__all__ = ["services", "zalo"]  # the fixtures this module uses

CLOSED, REOPENED = "Đã đóng việc #7", "Đã mở lại việc #7"


def texts(zalo: FakeZalo, person: str) -> list[str]:
    """Return what arrived to a person, in arrival order."""
    return [m.text for m in zalo.messages(person)]


async def test_a_notice_retried_is_not_overtaken_by_the_one_queued_after_it(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """ "Closed" meets three 502s: "reopened", queued after it, waits and arrives second. It
    went while "closed" waited to be retried, and the person read the task reopened, then
    closed."""
    zalo.add_fault(FaultRule("server_error", methods=("sendMessage",), texts=(CLOSED,), times=3))
    queue(engine, PEOPLE[0], CLOSED, "closed")
    queue(engine, PEOPLE[0], REOPENED, "reopened")
    queue(engine, PEOPLE[1], "Việc #8 đã giao", "other")
    assert await send_all(zalo, services) == 3
    assert texts(zalo, PEOPLE[0]) == [CLOSED, REOPENED]
    assert texts(zalo, PEOPLE[1]) == ["Việc #8 đã giao"]


async def test_a_long_text_arrives_whole_before_the_one_queued_after_it(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """A text in three parts, then a short one: the parts arrive together, the short one
    after them."""
    lines = [f"{n:03d} " + "x" * 95 for n in range(50)]
    queue(engine, PEOPLE[0], "\n".join(lines), "long")
    queue(engine, PEOPLE[0], REOPENED, "after")
    assert await send_all(zalo, services) == 2
    arrived = texts(zalo, PEOPLE[0])
    assert len(arrived) == 4
    assert "\n".join(arrived[:3]).split("\n") == lines
    assert arrived[3] == REOPENED


async def test_a_notice_refused_for_good_does_not_hold_the_next_one(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """Zalo refuses the first notice (ok:false, -201): it fails, the next one still goes."""
    zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), texts=(CLOSED,), code=-201))
    queue(engine, PEOPLE[0], CLOSED, "closed")
    queue(engine, PEOPLE[0], REOPENED, "reopened")
    assert await send_all(zalo, services) == 1
    assert texts(zalo, PEOPLE[0]) == [REOPENED]
    assert statuses(engine) == ["failed", "sent"]
