"""A Zalo send whose answer is cut after Zalo took it: sent again, and the log says so."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine

from app.services import Services
from devtools.fakezalo import FakeZalo, FaultRule
from tests.zalo.test_sender import PEOPLE, queue, send_all, services, statuses, zalo

__all__ = ["services", "zalo"]  # the fixtures this module's test takes


async def test_a_send_answered_with_cut_json_is_sent_again_and_said_to_maybe_repeat(
    zalo: FakeZalo, services: Services, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Zalo takes the message and its answer is cut: the row is sent again (the person may
    get it twice, the one way besides a crash) and a warning says so, as Telegram's sender
    does; the Zalo sender said nothing, and an operator could not tell why."""
    zalo.add_fault(
        FaultRule(
            "raw",
            methods=("sendMessage",),
            chat_ids=(PEOPLE[5],),
            body='{"ok": true, "result": {"message_id": ',
            status=200,
            apply=True,
            times=1,
        )
    )
    queue(engine, PEOPLE[5], "Có thể đến hai lần", "cut")
    with caplog.at_level(logging.WARNING, logger="scheduler.zalo_sender"):
        await send_all(zalo, services)
    assert [m.text for m in zalo.messages(PEOPLE[5])] == ["Có thể đến hai lần"] * 2
    assert statuses(engine) == ["sent"]
    assert [r for r in caplog.records if "it may arrive twice" in r.getMessage()]
