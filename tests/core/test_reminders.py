"""The reminder plan: occasions around weekends and Tết, re-planning, escalation, catch-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.calendar import WorkingCalendar
from core.reminders import Occasion, Plan, Policy, Workdays, parse_days

CAL = WorkingCalendar()


def plan(deadline: date, start: date, policy: Policy | None = None) -> Plan:
    """Return the plan of an assignment with the default policy."""
    return Plan(deadline=deadline, start=start, policy=policy or Policy(), workdays=Workdays(CAL))


def schedule(p: Plan, first: date, last: date) -> dict[date, tuple[str, int, bool]]:
    """Return every occasion of the plan between two days, by day."""
    found: dict[date, tuple[str, int, bool]] = {}
    day = first
    while day <= last:
        occasion = p.on(day)
        if occasion is not None:
            found[day] = (occasion.kind, occasion.seq, occasion.escalate)
        day += timedelta(days=1)
    return found


def test_plan_skips_the_weekend_and_the_culture_day() -> None:
    """Working days before a deadline are counted over a weekend and 24/11/2026."""
    p = plan(date(2026, 11, 26), start=date(2026, 11, 16))
    assert schedule(p, date(2026, 11, 16), date(2026, 12, 2)) == {
        date(2026, 11, 16): ("assigned", 0, False),
        date(2026, 11, 18): ("before", 0, False),  # 5 back: 25, 23 (24 is off), 20, 19, 18
        date(2026, 11, 23): ("before", 0, False),  # 2
        date(2026, 11, 25): ("before", 0, False),  # 1
        date(2026, 11, 26): ("due", 0, False),
        date(2026, 11, 30): ("overdue", 1, False),
        date(2026, 12, 2): ("overdue", 2, True),
    }


def test_plan_around_tet_never_falls_on_a_holiday() -> None:
    """A deadline just after Tết 2027 gets its reminders before the holiday and after it."""
    p = plan(date(2027, 2, 12), start=date(2027, 1, 20))
    got = schedule(p, date(2027, 1, 20), date(2027, 2, 20))
    assert got[date(2027, 1, 29)][0] == "before"  # five working days back, across Tết
    assert got[date(2027, 2, 3)][0] == "before"
    assert got[date(2027, 2, 11)][0] == "before"
    assert got[date(2027, 2, 12)][0] == "due"
    assert got[date(2027, 2, 16)] == ("overdue", 1, False)
    assert all(CAL.is_working_day(d) for d in got)


def test_deadline_on_a_tet_holiday_rolls_forward() -> None:
    """A deadline on mùng ba Tết is due on the first working day after the holiday."""
    p = plan(date(2027, 2, 8), start=date(2027, 1, 20))
    assert p.due_day == date(2027, 2, 11)
    assert p.on(date(2027, 2, 11)) == Occasion("due", date(2027, 2, 11))


def test_deadline_change_replans_from_the_new_deadline() -> None:
    """Moving the deadline moves every reminder; the old due day is quiet."""
    old = plan(date(2026, 11, 20), start=date(2026, 11, 16))
    new = plan(date(2026, 11, 27), start=date(2026, 11, 16))
    assert old.on(date(2026, 11, 20)) == Occasion("due", date(2026, 11, 20))
    assert new.on(date(2026, 11, 20)) is None
    assert new.on(date(2026, 11, 19)) == Occasion("before", date(2026, 11, 19))
    assert new.on(date(2026, 11, 27)) == Occasion("due", date(2026, 11, 27))


def test_assigned_notice_covers_reminders_on_or_before_the_start() -> None:
    """A task given two days before its deadline gets the notice, then the rest only."""
    p = plan(date(2026, 11, 20), start=date(2026, 11, 18))
    assert schedule(p, date(2026, 11, 16), date(2026, 11, 20)) == {
        date(2026, 11, 18): ("assigned", 0, False),
        date(2026, 11, 19): ("before", 0, False),
        date(2026, 11, 20): ("due", 0, False),
    }


def test_a_task_given_already_overdue_numbers_its_overdue_reminders_from_one() -> None:
    """Given 14 days after its deadline, the unit's overdue reminders are its 1st, 2nd, ...
    after the deadline (escalated from the 2nd), looked up by day or listed as missed."""
    p = plan(date(2026, 11, 2), start=date(2026, 11, 16))
    assert schedule(p, date(2026, 11, 16), date(2026, 11, 20)) == {
        date(2026, 11, 16): ("assigned", 0, False),
        date(2026, 11, 18): ("overdue", 1, False),
        date(2026, 11, 20): ("overdue", 2, True),
    }
    missed = p.between(date(2026, 11, 16), date(2026, 11, 21))
    assert [(o.day, o.seq) for o in missed] == [(date(2026, 11, 18), 1), (date(2026, 11, 20), 2)]


def test_task_policy_overrides_the_defaults() -> None:
    """A task's own days, rhythm and threshold replace the settings' ones."""
    policy = Policy().with_overrides(days_before="3", overdue_every_days=1, escalate_after=1)
    p = plan(date(2026, 11, 20), start=date(2026, 11, 9), policy=policy)
    assert schedule(p, date(2026, 11, 10), date(2026, 11, 24)) == {
        date(2026, 11, 17): ("before", 0, False),
        date(2026, 11, 23): ("overdue", 1, True),
    }
    assert p.on(date(2026, 11, 20)) is None  # 0 is not among the task's days
    assert p.on(date(2026, 11, 23)) == Occasion("overdue", date(2026, 11, 23), 1, True)


def test_missed_occasions_are_listed_between_two_days() -> None:
    """Reminders that fell while the bot was down are found, in order, the last day excluded."""
    p = plan(date(2026, 11, 20), start=date(2026, 11, 9))
    missed = p.between(date(2026, 11, 12), date(2026, 11, 26))
    assert [(o.kind, o.day, o.seq) for o in missed] == [
        ("before", date(2026, 11, 13), 0),
        ("before", date(2026, 11, 18), 0),
        ("before", date(2026, 11, 19), 0),
        ("due", date(2026, 11, 20), 0),
        ("overdue", date(2026, 11, 25), 1),
    ]
    assert p.between(None, date(2026, 11, 10))[0].kind == "assigned"


def test_days_left_count_working_days_and_overdue_calendar_days() -> None:
    """Days left are working days; days overdue are calendar days, as reports count them."""
    p = plan(date(2026, 11, 26), start=date(2026, 11, 16))
    assert p.working_days_left(date(2026, 11, 20)) == 3
    assert p.days_overdue(date(2026, 11, 30)) == 4


def test_parse_days_refuses_garbage() -> None:
    """Reminder days are whole numbers separated by commas."""
    assert parse_days("0, 2,5,2") == (5, 2, 0)
    with pytest.raises(ValueError, match="bad reminder days"):
        parse_days("5,-1")


def test_days_overdue_count_from_the_working_day_a_deadline_on_tet_rolls_to() -> None:
    """A deadline of Saturday 06/02/2027 (Tết) is due Thursday 11/02: not overdue that day,
    4 days overdue on Monday 15/02, as the status counts them."""
    p = plan(date(2027, 2, 6), start=date(2027, 1, 4))
    assert p.days_overdue(date(2027, 2, 11)) == 0
    assert p.days_overdue(date(2027, 2, 15)) == 4


def test_an_overdue_reminder_counts_what_was_sent_not_what_was_planned() -> None:
    """Back after Tết, the plan's 12th overdue reminder is a unit's 1st when it got none (not
    escalated), its 2nd when it got one (escalated); a unit nobody can be written to gets
    none, and is escalated by the plan's number, its working days overdue. Other kinds keep
    what they are."""
    p = plan(date(2027, 1, 15), start=date(2027, 1, 4))
    planned = p.on(date(2027, 2, 25))
    assert planned == Occasion("overdue", date(2027, 2, 25), 12, escalate=True)
    policy = Policy()
    assert planned.counted(received=0, reached=True, policy=policy) == Occasion(
        "overdue", date(2027, 2, 25), 1, escalate=False
    )
    assert planned.counted(received=1, reached=True, policy=policy).escalate
    alone = planned.counted(received=0, reached=False, policy=policy)
    assert (alone.seq, alone.escalate) == (0, True)
    due = p.on(date(2027, 1, 15))
    assert due is not None
    assert due.counted(received=0, reached=True, policy=policy) is due
