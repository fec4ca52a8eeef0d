"""The dispatcher with a controlled clock: combining, stopping, escalating, catching up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.models import Assignment, Outbox, Reminder
from db.queries.outbox import enqueue
from db.queries.reports import record_report
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_unit
from tests.scheduler.support import at, context, deliver_all, items_of, messages_to, task_for

WED = date(2026, 11, 18)
PAST_MONDAY = at(date(2026, 11, 9))
TUE = date(2026, 11, 17)


def buttons_of(message: Outbox) -> list[str]:
    """Return the data of a queued message's choices (each a button on Telegram)."""
    rows = message.payload.get("choices", [])
    return [":".join(str(part) for part in c["data"]) for row in rows for c in row]


def test_a_contacts_items_are_combined_into_one_message(engine: Engine, session: Session) -> None:
    """Three tasks due for one unit on one day make one message with each item's buttons."""
    unit = make_unit(session, "X01", "Xã Tam Xuân")
    make_contact(session, 2001, units=[unit])
    before = task_for(
        session, [unit], date(2026, 11, 20), PAST_MONDAY, "Kế hoạch CĐS", reminded=TUE
    )
    due = task_for(session, [unit], WED, PAST_MONDAY, "Báo cáo quý", reminded=TUE)
    late = task_for(
        session, [unit], date(2026, 11, 16), at(date(2026, 11, 2)), "Tổ công nghệ", reminded=TUE
    )
    task_for(session, [unit], date(2026, 11, 30), PAST_MONDAY, "Chưa đến lúc nhắc", reminded=TUE)
    result = dispatch(context(engine), at(WED))
    assert result is not None
    assert (result.messages, result.items) == (1, 3)
    [message] = messages_to(session, 2001)
    text = message.payload["text"]
    assert f"#{before.id} Kế hoạch CĐS" in text
    assert "Còn 2 ngày làm việc" in text
    assert f"#{due.id} Báo cáo quý" in text
    assert "Đến hạn hôm nay" in text
    assert f"#{late.id} Tổ công nghệ" in text
    assert "Quá hạn 2 ngày** (lần nhắc thứ 1 sau hạn)" in text
    assert "Chưa đến lúc nhắc" not in text
    assert "Xã Tam Xuân" in text
    assert len(buttons_of(message)) == 12
    assert len(items_of(session, message)) == 3


def test_the_footers_example_extension_is_a_week_after_the_deadline(
    engine: Engine, session: Session
) -> None:
    """The footer's example always read "xin gia hạn đến 15/12 vì …", in November as the
    rule, in January as a day gone by: it is a week after the deadline, or a week from
    today when the deadline has passed, in each language."""
    unit = make_unit(session, "X01", "Xã Tam Xuân")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2002, units=[unit], language="en")
    late = make_unit(session, "X02", "Xã Tam Hòa")
    make_contact(session, 2003, units=[late])
    task_for(session, [unit], date(2026, 11, 20), PAST_MONDAY, reminded=TUE)
    task_for(session, [late], date(2026, 11, 16), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED))
    [vi] = messages_to(session, 2001)
    assert "«xin gia hạn đến 27/11 vì …»" in vi.payload["text"]
    assert "15/12" not in vi.payload["text"]
    [en] = messages_to(session, 2002)
    assert '"extension to 27/11 because …"' in en.payload["text"]
    [overdue] = messages_to(session, 2003)
    assert "«xin gia hạn đến 25/11 vì …»" in overdue.payload["text"]


def test_running_again_the_same_day_queues_nothing(engine: Engine, session: Session) -> None:
    """A second run (or a restart) the same day sends nobody anything twice."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], WED, PAST_MONDAY)
    first = dispatch(context(engine), at(WED, 8))
    again = dispatch(context(engine), at(WED, 14))
    assert first is not None
    assert again is not None
    assert (first.messages, again.messages) == (1, 0)


def test_nothing_is_queued_outside_working_hours(engine: Engine, session: Session) -> None:
    """At lunch, in the evening and on Saturday the dispatcher does nothing."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], WED, PAST_MONDAY)
    assert dispatch(context(engine), at(WED, 12)) is None
    assert dispatch(context(engine), at(WED, 20)) is None
    assert dispatch(context(engine), at(date(2026, 11, 21), 9)) is None
    assert messages_to(session, 2001) == []


def test_a_unit_that_reported_done_is_not_reminded(engine: Engine, session: Session) -> None:
    """Reporting done stops a unit's reminders; the other unit keeps getting them."""
    done_unit, slow_unit = make_unit(session, "X01"), make_unit(session, "X02")
    make_contact(session, 2001, units=[done_unit])
    make_contact(session, 2002, units=[slow_unit])
    task = task_for(session, [done_unit, slow_unit], date(2026, 11, 20), PAST_MONDAY)
    dispatch(context(engine), at(WED))
    assignment = session.exec(
        select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == done_unit.id)
    ).one()
    record_report(session, assignment_id=assignment.id or 0, state="done", now=at(WED, 10))
    session.commit()
    deliver_all(session)
    dispatch(context(engine), at(date(2026, 11, 19)))
    deliver_all(session)
    dispatch(context(engine), at(date(2026, 11, 20)))
    assert len(messages_to(session, 2001)) == 1  # the one before it reported
    assert len(messages_to(session, 2002)) == 3


def test_escalation_adds_leaders_and_tells_coordinators(engine: Engine, session: Session) -> None:
    """From the second overdue reminder the leader is told too, and coordinators get the list."""
    unit = make_unit(session, "X01", "Xã Bình Minh")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2002, units=[unit], function="leader")
    make_contact(session, 2003, role="coordinator")
    task_for(session, [unit], date(2026, 11, 16), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED))  # overdue #1
    deliver_all(session)
    assert len(messages_to(session, 2001)) == 1
    assert messages_to(session, 2002) == []
    assert messages_to(session, 2003, "escalation") == []
    dispatch(context(engine), at(date(2026, 11, 20)))  # overdue #2
    assert len(messages_to(session, 2001)) == 2
    [to_leader] = messages_to(session, 2002)
    assert "lãnh đạo đơn vị" in to_leader.payload["text"]
    [listing] = messages_to(session, 2003, "escalation")
    # The header and each line count the same: reminders after the deadline.
    assert "đã nhắc sau hạn từ 2 lần trở lên" in listing.payload["text"]
    assert "Xã Bình Minh: quá hạn 4 ngày, đã nhắc sau hạn 2 lần" in listing.payload["text"]
    overdue = session.exec(select(Assignment)).one()
    session.refresh(overdue)
    assert overdue.overdue_reminders == 2


def test_a_task_given_already_overdue_counts_reminders_from_its_first(
    engine: Engine, session: Session
) -> None:
    """A unit given a task two weeks past its deadline gets its first overdue reminder as the
    first after the deadline, not the sixth the plan had since the deadline (it read "nhắc
    lần 6", and the coordinators were told of it at once, "đã nhắc sau hạn 6 lần"): the
    unit's line and the coordinators' list count the reminders it was sent after it."""
    unit = make_unit(session, "X01", "Xã Bình Minh")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    task_for(session, [unit], date(2026, 11, 2), at(date(2026, 11, 16)), reminded=TUE)
    dispatch(context(engine), at(WED))
    deliver_all(session)
    [first] = messages_to(session, 2001)
    assert "Quá hạn 16 ngày** (lần nhắc thứ 1 sau hạn)" in first.payload["text"]
    assert messages_to(session, 2003, "escalation") == []
    dispatch(context(engine), at(date(2026, 11, 20)))
    assert "(lần nhắc thứ 2 sau hạn)" in messages_to(session, 2001)[1].payload["text"]
    [listing] = messages_to(session, 2003, "escalation")
    assert "Xã Bình Minh: quá hạn 18 ngày, đã nhắc sau hạn 2 lần" in listing.payload["text"]


def test_after_tet_downtime_units_are_numbered_and_escalated_by_what_they_were_sent(
    engine: Engine, session: Session
) -> None:
    """As `after_tet`, on SQLite."""
    after_tet(engine, session)


@pytest.mark.postgres
def test_after_tet_downtime_numbers_by_what_was_sent_on_postgresql(pg_engine: Engine) -> None:
    """As `after_tet`, on PostgreSQL."""
    with Session(pg_engine, expire_on_commit=False) as session:
        after_tet(pg_engine, session)


def after_tet(engine: Engine, session: Session) -> None:
    """The bot was off from 23/01 to 24/02/2027 (Tết in between). A unit that got no overdue
    reminder before read "lần nhắc thứ 12 sau hạn", was escalated at once and listed to the
    coordinators as "đã nhắc sau hạn 12 lần": now its first is "1" and not escalated. One
    that got its first before the outage gets its second, escalated, listed as reminded
    twice. One nobody can be written to is listed by its days overdue, as not reminded."""
    quiet = make_unit(session, "X01", "Xã An Hòa")
    make_contact(session, 2001, units=[quiet])
    make_contact(session, 2002, units=[quiet], function="leader")
    early = make_unit(session, "X02", "Xã Bình Minh")
    make_contact(session, 2011, units=[early])
    alone = make_unit(session, "X03", "Xã Cẩm Kim")
    make_contact(session, 2003, role="coordinator")
    task_for(session, [quiet, alone], date(2027, 1, 22), at(date(2027, 1, 4)), "Kế hoạch")
    task_for(session, [early], date(2027, 1, 20), at(date(2027, 1, 4)), "Báo cáo")
    for day in (20, 21, 22):
        dispatch(context(engine), at(date(2027, 1, day)))  # #1 of "Báo cáo" on the 22nd
        deliver_all(session)
    assert "(lần nhắc thứ 1 sau hạn)" in messages_to(session, 2011)[-1].payload["text"]
    dispatch(context(engine), at(date(2027, 2, 25)))  # back after Tết
    assert (
        "Quá hạn 34 ngày** (lần nhắc thứ 1 sau hạn)"
        in messages_to(session, 2001)[-1].payload["text"]
    )
    assert messages_to(session, 2002) == []  # the leader is not told yet
    assert "(lần nhắc thứ 2 sau hạn)" in messages_to(session, 2011)[-1].payload["text"]
    [listing] = messages_to(session, 2003, "escalation")
    text = listing.payload["text"]
    assert "Đơn vị quá hạn cần đôn đốc (25/02/2027)" in text  # no count: Cẩm Kim got none
    assert "Xã An Hòa" not in text
    assert "Xã Bình Minh: quá hạn 36 ngày, đã nhắc sau hạn 2 lần" in text
    assert "Xã Cẩm Kim: quá hạn 34 ngày, chưa nhắc được" in text
    counts = {a.unit_id: a.overdue_reminders for a in session.exec(select(Assignment))}
    assert counts == {quiet.id: 1, early.id: 2, alone.id: 0}
    deliver_all(session)
    dispatch(context(engine), at(date(2027, 3, 1)))  # the next overdue day: its second
    assert "(lần nhắc thứ 2 sau hạn)" in messages_to(session, 2001)[-1].payload["text"]
    assert len(messages_to(session, 2002)) == 1


def test_missed_reminders_fold_into_the_next_and_are_listed(
    engine: Engine, session: Session
) -> None:
    """After two days down, the due-day reminder goes out and coordinators see what was missed."""
    unit = make_unit(session, "X01", "Xã Duy Hải")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    reminded = date(2026, 11, 13)  # 5 working days before
    task = task_for(
        session, [unit], date(2026, 11, 20), PAST_MONDAY, "Kế hoạch", reminded=reminded
    )
    dispatch(context(engine), at(date(2026, 11, 20)))  # down on the 18th and 19th
    assert len(messages_to(session, 2001)) == 1
    assert "Đến hạn hôm nay" in messages_to(session, 2001)[-1].payload["text"]
    folded = session.exec(select(Reminder).where(Reminder.status == "folded")).all()
    assert sorted(r.due_on.day for r in folded) == [18, 19]
    [listing] = messages_to(session, 2003, "late")
    assert f"#{task.id} Kế hoạch, Xã Duy Hải: 18/11, 19/11" in listing.payload["text"]


def test_a_missed_reminder_is_sent_late_on_a_quiet_day(engine: Engine, session: Session) -> None:
    """A reminder missed the day before goes out the next working day, saying it is late."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], date(2026, 11, 26), at(date(2026, 11, 16)))
    dispatch(context(engine), at(date(2026, 11, 16)))  # assigned
    dispatch(context(engine), at(date(2026, 11, 19)))  # the 18th (5 before) was missed
    late = messages_to(session, 2001)[-1].payload["text"]
    assert "lẽ ra đã gửi ngày 18/11/2026" in late
    assert "Còn 4 ngày làm việc" in late


def test_a_deadline_change_replans_the_reminders(engine: Engine, session: Session) -> None:
    """An extension moves the next reminders to the new deadline's plan."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], date(2026, 11, 20), PAST_MONDAY)
    dispatch(context(engine), at(WED))
    assignment = session.exec(select(Assignment)).one()
    assignment.deadline = date(2026, 11, 27)
    session.add(assignment)
    session.commit()
    deliver_all(session)
    dispatch(context(engine), at(date(2026, 11, 19)))  # 5 working days before the 27th
    deliver_all(session)
    dispatch(context(engine), at(date(2026, 11, 20)))  # 4 before: quiet
    sent = messages_to(session, 2001)
    assert len(sent) == 2
    assert "Còn 5 ngày làm việc" in sent[1].payload["text"]
    assert "27/11/2026" in sent[1].payload["text"]


def test_leaders_stand_in_for_a_unit_without_a_reachable_focal_point(
    engine: Engine, session: Session
) -> None:
    """No started, reachable focal point: the leader gets the reminder; others get nothing."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit], started=False)
    make_contact(session, 2002, units=[unit], function="leader")
    task_for(session, [unit], WED, PAST_MONDAY)
    dispatch(context(engine), at(WED))
    assert messages_to(session, 2001) == []
    assert len(messages_to(session, 2002)) == 1


def test_unsent_reminders_of_yesterday_are_cancelled_and_folded(
    engine: Engine, session: Session
) -> None:
    """A reminder still queued the next morning is replaced by today's, which covers it."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    task_for(session, [unit], date(2026, 11, 20), PAST_MONDAY, reminded=TUE)
    dispatch(context(engine), at(WED))  # never sent: no sender runs here
    dispatch(context(engine), at(date(2026, 11, 19)))
    yesterday, today = messages_to(session, 2001)
    session.refresh(yesterday)
    assert (yesterday.status, today.status) == ("cancelled", "pending")
    assert len(messages_to(session, 2003, "late")) == 1


def test_only_the_unsent_reminder_counts_as_missed_not_those_sent_before(
    engine: Engine, session: Session
) -> None:
    """Sent on 09/11 and 13/11, left unsent on 18/11: the next morning only 18/11 is missed,
    to the unit and to the coordinators; the two that went out are not said never sent."""
    unit = make_unit(session, "X01", "Xã Duy Hải")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    task = task_for(session, [unit], date(2026, 11, 20), at(date(2026, 11, 9)), "Kế hoạch")
    for day in (9, 13):
        dispatch(context(engine), at(date(2026, 11, day)))
        deliver_all(session)
    dispatch(context(engine), at(WED))  # never sent: no sender runs here
    dispatch(context(engine), at(date(2026, 11, 19)))
    [listing] = messages_to(session, 2003, "late")
    assert f"#{task.id} Kế hoạch, Xã Duy Hải: 18/11\n" in listing.payload["text"] + "\n"
    folded = session.exec(select(Reminder).where(Reminder.status == "folded")).all()
    assert [r.due_on for r in folded] == [WED]


def test_reminders_not_due_while_the_unit_was_done_are_not_missed_when_it_reopens(
    engine: Engine, session: Session
) -> None:
    """Done from 16/11, reopened on 26/11 ("nhầm, chưa xong"): the overdue reminder of 25/11
    the sweep rightly left out is no missed one, neither to the coordinators nor to the unit;
    a day the bot did not run (27/11) still is."""
    unit = make_unit(session, "X01", "Xã Duy Hải")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    task_for(session, [unit], date(2026, 11, 20), at(date(2026, 11, 9)), "Kế hoạch")
    for day in (9, 13):  # assigned, then 5 working days before
        dispatch(context(engine), at(date(2026, 11, day)))
        deliver_all(session)
    assignment = session.exec(select(Assignment)).one()
    assignment.state = "done"
    session.add(assignment)
    session.commit()
    for day in (16, 17, 18, 19, 20, 23, 25):  # 24/11 is a holiday
        dispatch(context(engine), at(date(2026, 11, day)))
    assignment.state = "in_progress"
    session.add(assignment)
    session.commit()
    dispatch(context(engine), at(date(2026, 11, 26)))
    assert len(messages_to(session, 2001)) == 2
    assert messages_to(session, 2003, "late") == []
    dispatch(context(engine), at(date(2026, 11, 30)))  # down on 27/11 (overdue #2)
    late = messages_to(session, 2001)[-1].payload["text"]
    assert "lẽ ra đã gửi ngày 27/11/2026" in late
    [listing] = messages_to(session, 2003, "late")
    assert "Xã Duy Hải: 27/11\n" in listing.payload["text"] + "\n"


def test_a_long_list_is_split_within_telegrams_limits(engine: Engine, session: Session) -> None:
    """Twelve items due at once make two messages, each short enough with usable keyboards."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    for n in range(12):
        task_for(session, [unit], WED, PAST_MONDAY, f"Nhiệm vụ số {n} " + "rất dài " * 30)
    dispatch(context(engine), at(WED))
    parts = messages_to(session, 2001)
    assert len(parts) == 2
    assert all(len(p.payload["text"]) <= 4096 for p in parts)
    assert all(len(buttons_of(p)) <= 32 for p in parts)
    assert sum(len(items_of(session, p)) for p in parts) == 12
    assert "(phần 1/2)" in parts[0].payload["text"]
    assert session.exec(select(Outbox).where(col(Outbox.kind) != "reminder")).all() == []


@pytest.mark.postgres
def test_dispatch_runs_on_postgresql(pg_engine: Engine) -> None:
    """The same sweep works on PostgreSQL, and a second run adds nothing."""
    with Session(pg_engine, expire_on_commit=False) as session:
        unit = make_unit(session, "X01")
        make_contact(session, 2001, units=[unit])
        make_contact(session, 2003, role="coordinator")
        task_for(session, [unit], WED, PAST_MONDAY)
        task_for(session, [unit], date(2026, 11, 16), at(date(2026, 11, 2)))
        first = dispatch(context(pg_engine), at(WED))
        again = dispatch(context(pg_engine), at(WED, 10))
        assert first is not None
        assert again is not None
        assert (first.messages, first.items, again.messages) == (1, 2, 0)
        assert len(messages_to(session, 2003, "late")) == 1


def test_a_task_assigned_during_the_day_is_announced_at_once(
    engine: Engine, session: Session
) -> None:
    """After the morning sweep, a new task's notice goes out on the next run, on its own."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], WED, PAST_MONDAY, reminded=TUE)
    dispatch(context(engine), at(WED, 8))
    new = task_for(session, [unit], date(2026, 12, 4), at(WED, 10), "Việc mới")
    later = dispatch(context(engine), at(WED, 10, 1))
    assert later is not None
    assert later.messages == 1
    notice = messages_to(session, 2001)[-1].payload["text"]
    assert f"#{new.id} Việc mới" in notice
    assert "Nhiệm vụ mới được giao, còn 11 ngày làm việc" in notice  # 24/11 is off


def test_a_task_assigned_after_the_days_last_run_is_new_the_next_morning_not_missed(
    engine: Engine, session: Session
) -> None:
    """A task entered at 16:59:30, after the day's last run: the unit is told the next
    morning that it is newly assigned, not that the bot missed telling it yesterday, and
    no coordinator is given a list of missed reminders (the bot was up all along); told
    once: the morning after, nothing is due."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2003, role="coordinator")
    dispatch(context(engine), at(WED, 8))
    dispatch(context(engine), at(WED, 16, 59))
    task = task_for(
        session, [unit], date(2026, 12, 18), at(WED, 16, 59) + timedelta(seconds=30), "Việc mới"
    )
    assert dispatch(context(engine), at(WED, 17)) is None  # office time is over
    result = dispatch(context(engine), at(date(2026, 11, 19), 7, 30))
    assert result is not None
    assert (result.messages, result.folded) == (1, 0)
    [notice] = messages_to(session, 2001)
    assert f"#{task.id} Việc mới" in notice.payload["text"]
    assert "Nhiệm vụ mới được giao" in notice.payload["text"]
    assert "lẽ ra đã gửi" not in notice.payload["text"]
    assert messages_to(session, 2003, "late") == []
    assert session.exec(select(Reminder).where(Reminder.status == "folded")).all() == []
    deliver_all(session)
    after = dispatch(context(engine), at(date(2026, 11, 20), 7, 30))
    assert after is not None
    assert (after.messages, after.folded) == (0, 0)


def test_a_task_assigned_at_the_end_of_a_day_before_a_day_down_is_missed_that_day(
    engine: Engine, session: Session
) -> None:
    """Entered at 16:59:30 on Wednesday, the bot down all Thursday: its notice was due on
    Thursday, and is folded into Friday's as missed on Thursday."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    dispatch(context(engine), at(WED, 16, 59))
    task_for(
        session, [unit], date(2026, 12, 18), at(WED, 16, 59) + timedelta(seconds=30), "Việc mới"
    )
    result = dispatch(context(engine), at(date(2026, 11, 20), 7, 30))
    assert result is not None
    assert result.folded == 1
    [notice] = messages_to(session, 2001)
    assert "(Lời nhắc này lẽ ra đã gửi ngày 19/11/2026.)" in notice.payload["text"]


def test_a_task_assigned_before_the_bot_stopped_for_the_day_is_still_missed(
    engine: Engine, session: Session
) -> None:
    """A task entered on a day no run ever covered (the bot down from the morning): its
    notice is folded into the next day's as missed, as before."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task_for(session, [unit], date(2026, 12, 18), at(WED, 10), "Việc mới")
    result = dispatch(context(engine), at(date(2026, 11, 19), 7, 30))
    assert result is not None
    assert result.folded == 1
    [notice] = messages_to(session, 2001)
    assert "(Lời nhắc này lẽ ra đã gửi ngày 18/11/2026.)" in notice.payload["text"]


def test_a_long_missed_list_shows_the_first_units_and_counts_the_rest(
    engine: Engine, session: Session
) -> None:
    """Fifty units' misses: the coordinator's list names the first forty and counts ten more."""
    units = [make_unit(session, f"X{n:02d}", f"Xã Thử {n:02d}") for n in range(50)]
    make_contact(session, 2003, role="coordinator")
    task_for(
        session, units, date(2026, 11, 20), PAST_MONDAY, "Kế hoạch", reminded=date(2026, 11, 13)
    )
    result = dispatch(context(engine), at(date(2026, 11, 20)))  # down on the 18th and 19th
    assert result is not None
    assert result.folded == 100
    [listing] = messages_to(session, 2003, "late")
    lines = listing.payload["text"].split("\n")
    assert [line.split(", ")[1].split(":")[0] for line in lines[1:-1]] == [
        f"Xã Thử {n:02d}" for n in range(40)
    ]
    assert lines[-1] == "… và 10 mục khác."


def test_new_marks_only_tasks_assigned_since_the_previous_reminder(
    engine: Engine, session: Session
) -> None:
    """Monday's reminder marks 🆕 only a task assigned since Friday's nudge and not reported."""
    friday, saturday, sunday, monday = (date(2026, 11, d) for d in (20, 21, 22, 23))
    unit = make_unit(session, "X01", "Xã Tam Xuân")
    person = make_contact(session, 2001, units=[unit])
    reported = task_for(session, [unit], date(2026, 12, 11), at(friday, 18), "Đã báo cáo")
    nudged = task_for(session, [unit], date(2026, 12, 11), at(friday, 18, 30), "Đã được nhắc")
    fresh = task_for(session, [unit], date(2026, 12, 11), at(sunday, 10), "Giao chủ nhật")
    row = session.exec(select(Assignment).where(Assignment.task_id == reported.id)).one()
    record_report(session, assignment_id=row.id or 0, state="in_progress", now=at(saturday))
    nudge = session.exec(select(Assignment).where(Assignment.task_id == nudged.id)).one()
    enqueue(
        session,
        key="nudge:friday",
        chat_id="2001",
        contact_id=person.id,
        kind="nudge",
        text="📣",
        now=at(friday, 20),
        assignment_ids=[nudge.id or 0],
    )
    session.commit()
    deliver_all(session)
    result = dispatch(context(engine), at(monday))
    assert result is not None
    [message] = messages_to(session, 2001)
    blocks = {b.split("\n")[0]: b for b in message.payload["text"].split("\n\n")}
    [old_report] = [b for head, b in blocks.items() if f"#{reported.id} Đã báo cáo" in head]
    [old_nudge] = [b for head, b in blocks.items() if f"#{nudged.id} Đã được nhắc" in head]
    [new] = [b for head, b in blocks.items() if f"#{fresh.id} Giao chủ nhật" in head]
    assert "🆕" not in old_report
    assert "🆕" not in old_nudge
    assert "Còn 13 ngày làm việc" in old_report  # 24/11 is off
    assert "🆕 Nhiệm vụ mới được giao" in new


def test_a_reminder_says_what_the_unit_last_reported(engine: Engine, session: Session) -> None:
    """A unit that reported "đang làm 60%" (or a blocker) is reminded with it and its day: the
    official sees what the province has on record. Before, every reminder read alike, a
    unit that reported nothing or 90% the same, and only `/mytasks` told them apart."""
    busy, stuck, silent = (make_unit(session, f"X0{n}", f"Xã {n}") for n in range(3))
    for n, unit in enumerate((busy, stuck, silent)):
        make_contact(session, 2001 + n, units=[unit])
    task = task_for(session, [busy, stuck, silent], date(2026, 11, 20), PAST_MONDAY)
    rows = {a.unit_id: a.id or 0 for a in session.exec(select(Assignment))}
    record_report(
        session, assignment_id=rows[busy.id or 0], state="in_progress", percent=60, now=at(TUE)
    )
    record_report(session, assignment_id=rows[stuck.id or 0], state="blocked", now=at(TUE))
    session.commit()

    dispatch(context(engine), at(WED))

    [to_busy], [to_stuck], [to_silent] = (messages_to(session, 2001 + n) for n in range(3))
    assert f"#{task.id}" in to_busy.payload["text"]
    assert "Đơn vị đã báo: Đang thực hiện 60% (ngày 17/11/2026)." in to_busy.payload["text"]
    assert "Đơn vị đã báo: Vướng mắc (ngày 17/11/2026)." in to_stuck.payload["text"]
    assert "Đơn vị đã báo" not in to_silent.payload["text"]
