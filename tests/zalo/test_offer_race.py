"""A typed number takes the choices of the message that reached the person last.

A reminder's choices are kept once Zalo took it (`scheduler.zalo_sender._sent`); a direct
answer's as it is worked out, before it waits its turn to be sent. An answer worked out while
a reminder to the person is on its way goes after it, and its choices are the ones shown last.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from app.choices import rows_to_json, status_choices
from db.models import Assignment, Outbox, StatusReport
from db.queries.outbox import enqueue
from devtools.fakezalo import FaultRule
from tests.factories import person
from tests.zalo.conftest import ZaloBot
from tests.zalo.test_commands import HOA, province


async def test_a_number_answers_the_question_sent_after_a_reminder_on_its_way(
    zbot: ZaloBot,
) -> None:
    """A reminder about task 2 is on its way to Hoa (Zalo slow to take it) when she types
    "xong": the question "which task?" is worked out meanwhile and reaches her after the
    reminder. Her "1" takes the question's task 1, as she read it; it took the reminder's
    first choice, task 2 done."""
    first, second = province(zbot, tasks=2)
    with zbot.session() as s:
        hoa = person(s, HOA, "zalo").id
        on_second = s.exec(select(Assignment.id).where(Assignment.task_id == second)).one()
        rows = status_choices(zbot.services.catalog, "vi", on_second or 0)
        zbot.zalo.add_fault(
            FaultRule("delay", methods=("sendMessage",), chat_ids=(HOA,), seconds=2, times=1)
        )
        enqueue(s, key="race:reminder", chat_id=HOA, contact_id=hoa, kind="reminder",
                text="Nhắc việc\nNhiệm vụ thứ 2", now=zbot.services.clock.now(),
                choices=rows_to_json(rows), channel="zalo",
                assignment_ids=[on_second or 0])  # fmt: skip
        s.commit()
    await zbot.zalo.wait_until(lambda: bool(zbot.zalo.calls("sendMessage")), timeout=10)
    zbot.tg.clock.advance(timedelta(seconds=1))  # she reads her tasks and types, meanwhile
    await zbot.say(HOA, "xong")
    reminder, question = [m.text for m in zbot.zalo.messages(HOA)]  # the question last
    assert reminder.startswith("Nhắc việc\n")
    assert "1 = Hoàn thành" in reminder
    assert "nhiệm vụ nào?" in question
    assert "1 = #1 Nhiệm vụ thứ 1" in question

    def reminder_sent() -> bool:
        with zbot.session() as s:
            return (
                s.exec(select(Outbox.status).where(Outbox.key == "race:reminder")).one() == "sent"
            )

    await zbot.zalo.wait_until(reminder_sent, timeout=10)
    zbot.tg.clock.advance(timedelta(seconds=30))
    await zbot.say(HOA, "1")
    with zbot.session() as s:
        done = s.exec(
            select(Assignment.task_id)
            .join(StatusReport, col(StatusReport.assignment_id) == col(Assignment.id))
            .where(StatusReport.state == "done")
        ).all()
    assert done == [first]
