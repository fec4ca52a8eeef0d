"""A Bot API call whose connection the server closes at that moment (a kept-alive connection
closed as the call goes out, a proxy dying): aiohttp raises NetworkError, whether or not
Telegram read the call, and cannot tell which (the request was handed to the socket before
the reset came back), so the transport does not send it again itself.

The outbox's rule for an outcome it cannot know (as for a timeout) is to send again: a
reminder is never lost, and repeated only where Telegram had taken it before the connection
dropped. An answer to an official is not sent again: the check-in is kept and its
confirmation is not doubled.
"""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from db.models import Outbox
from devtools.fakebotapi import CallRecord, Fault, FaultRule
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest
from tests.scheduler.test_sender import FIRST_USER, fan_out


def sends(bot: BotUnderTest) -> list[CallRecord]:
    """Return the sendMessage calls to the fan-out's first chat, whatever became of them."""
    return [
        c for c in bot.server.calls("sendMessage") if int(c.params.get("chat_id", 0)) == FIRST_USER
    ]


async def reminded(bot: BotUnderTest, *, applied: bool) -> list[CallRecord]:
    """Queue one reminder and let the sender deliver it, the first call's connection dropped
    (after the call took effect when `applied`); return its calls once the row is sent."""
    fault = Fault.drop(apply=applied)
    bot.server.add_fault(FaultRule(fault, methods=("sendMessage",), times=1))
    await fan_out(bot, 1)

    def sent() -> bool:
        with bot.session() as s:
            return [r.status for r in s.exec(select(Outbox))] == ["sent"]

    await bot.server.wait_until(sent, timeout=30)
    return sends(bot)


async def test_a_reminder_whose_connection_drops_before_it_is_read_is_sent_once(
    bot: BotUnderTest,
) -> None:
    """The server closes the connection without taking the reminder: sent again, once."""
    calls = await reminded(bot, applied=False)
    assert [(c.fault, c.applied) for c in calls] == [("drop", False), (None, True)]
    assert len(bot.server.messages(FIRST_USER)) == 1


async def test_a_reminder_whose_connection_drops_after_it_was_taken_is_not_lost(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The server takes the reminder, then closes the connection unanswered: the sender
    cannot know it arrived, and sends it again (as after a timeout): never lost, repeated
    only in this case, and said in the log with the row's id. The row's attempts stay 1
    (one claim), so the log is what tells this repeat (tests/faults/test_workers.py reads
    it) from a double-send."""
    caplog.set_level(logging.WARNING, logger="scheduler.sender")
    calls = await reminded(bot, applied=True)
    assert [(c.fault, c.applied) for c in calls] == [("drop", True), (None, True)]
    assert len(bot.server.messages(FIRST_USER)) == 2
    with bot.session() as session:
        (row,) = session.exec(select(Outbox))
    assert row.attempts == 1
    said = [r.getMessage() for r in caplog.records if r.name == "scheduler.sender"]
    head = f"outbox {row.id}: no answer from Telegram ("
    assert [m for m in said if m.startswith(head) and m.endswith("may arrive twice")], said


@pytest.mark.parametrize("applied", [False, True], ids=["before", "after"])
async def test_an_answer_whose_connection_drops_keeps_the_report_and_says_to_check(
    bot: BotUnderTest, applied: bool
) -> None:
    """Lan's "xong" is recorded; the connection of its confirmation drops (before or after
    Telegram took it): it was followed by "what you sent may not have been recorded, send
    it again", inviting a second report. Now it is not sent again, and she is told the
    answer may not have arrived and to check /mytasks; the report is kept once."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    fault = Fault.drop(apply=applied)
    bot.server.add_fault(FaultRule(fault, methods=("sendMessage",), chat_ids=(OFFICIAL,), times=1))
    after = reminder.message_id
    bot.server.send_text(OFFICIAL, "xong", reply_to=reminder.message_id)
    note = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "/mytasks" in (m.text or "") or "mã lỗi" in (m.text or ""), after=after
    )
    assert "Kết nối tới Telegram bị gián đoạn" in (note.text or "")
    said = [m.text or "" for m in bot.server.messages(OFFICIAL) if m.message_id > after]
    assert sum("Đã ghi nhận" in t for t in said) == (1 if applied else 0)
    assert not any("mã lỗi" in t for t in said)
    assert len([c for c in bot.server.calls("sendMessage") if c.fault == "drop"]) == 1
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(aid, "done")]
