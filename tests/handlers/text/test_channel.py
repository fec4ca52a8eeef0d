"""The text-only channel's adapter: what a typed number costs the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment
from db.queries.pending import set_pending
from handlers.text.channel import TextChannel
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW

NOW = DEFAULT_NOW
LAN, HOA = "z3001", "z3002"


@contextmanager
def transactions(engine: Engine) -> Iterator[list[int]]:
    """Yield a list that counts the transactions begun on the engine meanwhile."""
    begun: list[int] = []

    def began(_connection: Any) -> None:
        begun.append(1)

    event.listen(engine, "begin", began)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", began)


def reminded(engine: Engine) -> None:
    """Lan (Xã A) and Hoa (Xã B) on a text channel, each sent a reminder an hour ago whose
    numbers are their task's statuses."""
    with Session(engine) as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        people = {
            make_contact(s, 3001, units=[a], channel="text", external_id=LAN).id or 0: a.id or 0,
            make_contact(s, 3002, units=[b], channel="text", external_id=HOA).id or 0: b.id or 0,
        }
        make_task(s, "Kế hoạch chuyển đổi số", date(2026, 12, 18), [a, b])
        rows = {row.unit_id: row.id for row in s.exec(select(Assignment))}
        for n, (contact_id, unit_id) in enumerate(people.items(), start=1):
            offered = [["st", action, rows[unit_id]] for action in ("done", "progress")]
            data = {"offer": f"outbox:{n}", "choices": offered}
            set_pending(
                s, contact_id=contact_id, data=data, now=NOW - timedelta(hours=1),
                kind="choices",
            )  # fmt: skip
        s.commit()


def test_a_dated_number_costs_no_transaction_more_than_an_undated_one(
    engine: Engine, settings: Settings
) -> None:
    """A number the channel dates (Zalo's) is checked against when its choices were offered
    from the read that finds those choices: Hoa's dated "1" begins as many transactions as
    Lan's undated "1", and both are recorded."""
    reminded(engine)
    channel = TextChannel(Services(settings, engine, load_catalog(), ManualClock(NOW), b"k"))
    with transactions(engine) as undated:
        [lan] = channel.receive(LAN, "1", "1")
    with transactions(engine) as dated:
        [hoa] = channel.receive(HOA, "1", "2", wait=timedelta(minutes=1))
    assert lan.startswith("Đã ghi nhận: Hoàn thành")
    assert hoa.startswith("Đã ghi nhận: Hoàn thành")
    assert len(dated) == len(undated)
