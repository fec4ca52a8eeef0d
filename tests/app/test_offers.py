"""How long a typed number takes the choices last offered on a channel without buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from app.offers import CHOICES, OUTBOX, last_offer
from db.queries.pending import set_pending

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # a Friday morning in Hà Nội


def offered_then_read(engine: Engine, offer: str, later: timedelta) -> bool:
    """Offer two choices named `offer` at NOW; tell whether they are taken `later`."""
    data = {"offer": offer, "choices": [["st", "done", "7"], ["st", "progress", "7"]]}
    with engine.begin() as connection:
        set_pending(connection, contact_id=3, data=data, now=NOW, kind=CHOICES)
        return last_offer(connection, contact_id=3, now=NOW + later) is not None


def test_a_reminders_choices_hold_a_week_and_an_answers_a_day(engine: Engine) -> None:
    """A reminder's numbered answers (the outbox's offer) still take a number typed on Monday,
    as its buttons on Telegram would, and not past a week; an answer's hold a day."""
    assert offered_then_read(engine, f"{OUTBOX}12", timedelta(days=3))
    assert not offered_then_read(engine, f"{OUTBOX}12", timedelta(days=8))
    assert offered_then_read(engine, "offer:1.0", timedelta(hours=23))
    assert not offered_then_read(engine, "offer:1.0", timedelta(hours=25))
