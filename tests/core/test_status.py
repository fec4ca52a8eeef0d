"""The status taxonomy at its edges, and the rates on a hand-computed example."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.status import AssignmentStatus, Counts, Status, classify, count
from core.taskdates import due_at

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = date(2026, 11, 20)  # a Friday
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


def status_of(
    *,
    state: str = "none",
    deadline: date = DEADLINE,
    done_at: datetime | None = None,
    last_report_at: datetime | None = None,
    now: datetime = NOW,
) -> AssignmentStatus:
    """Classify an assignment whose deadline in force is `deadline`."""
    return classify(
        state=state,
        deadline=deadline,
        due_at=due_at(deadline, VN),
        done_at=done_at,
        last_report_at=last_report_at if last_report_at is not None else done_at,
        now=now,
        tz=VN,
    )


def test_done_at_2359_on_the_deadline_day_is_on_time() -> None:
    """A report of done one minute before local midnight of the deadline day is on time."""
    done = datetime(2026, 11, 20, 23, 59, tzinfo=VN)
    assert status_of(state="done", done_at=done).status is Status.DONE_ON_TIME


def test_done_at_0001_the_next_day_is_late_by_one_day() -> None:
    """A report of done just after midnight is late, one calendar day."""
    done = datetime(2026, 11, 21, 0, 1, tzinfo=VN)
    result = status_of(state="done", done_at=done)
    assert result.status is Status.DONE_LATE
    assert result.days_overdue == 1


def test_extended_deadline_counts_instead_of_the_original() -> None:
    """Done after the original deadline but before the extended one is on time."""
    extended = date(2026, 11, 27)
    done = datetime(2026, 11, 24, 10, 0, tzinfo=VN)
    assert status_of(state="done", deadline=extended, done_at=done).status is Status.DONE_ON_TIME
    assert status_of(deadline=extended, last_report_at=done).status is Status.IN_TIME


def test_task_due_today_is_within_deadline_until_midnight() -> None:
    """Not done on the deadline day itself is still within the deadline, even at 23:59."""
    today = date(2026, 11, 25)
    late_evening = datetime(2026, 11, 25, 23, 59, tzinfo=VN)
    assert status_of(deadline=today).status is Status.IN_TIME
    assert status_of(deadline=today, now=late_evening).status is Status.IN_TIME
    after = status_of(deadline=today, now=late_evening + timedelta(minutes=2))
    assert (after.status, after.days_overdue) == (Status.OVERDUE, 1)


def test_in_progress_then_silence_is_overdue_but_reported() -> None:
    """A unit that said in progress and then nothing is overdue, not 'no report'."""
    reported = datetime(2026, 11, 10, 8, 0, tzinfo=VN)
    result = status_of(state="in_progress", last_report_at=reported)
    assert result == AssignmentStatus(Status.OVERDUE, 5, never_reported=False)


def test_never_reported_is_overdue_and_flagged() -> None:
    """A unit that never answered is overdue with calendar days and flagged as no report."""
    assert status_of() == AssignmentStatus(Status.OVERDUE, 5, never_reported=True)


def test_rates_on_a_hand_computed_example() -> None:
    """10 on time, 2 late, 1 within deadline, 2 overdue: 12/14 done, 10/14 on time."""
    on_time = datetime(2026, 11, 19, 9, 0, tzinfo=VN)
    late = datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    items = (
        [(status_of(state="done", done_at=on_time), "done")] * 10
        + [(status_of(state="done", done_at=late), "done")] * 2
        + [(status_of(deadline=date(2026, 12, 1)), "none")]
        + [(status_of(state="blocked", last_report_at=late), "blocked")]
        + [(status_of(), "none")]
    )
    counts = count(items)
    assert counts == Counts(10, 2, 1, 2, no_report=2, blocked=1)
    assert (counts.done, counts.not_done, counts.due, counts.total) == (12, 3, 14, 15)
    assert counts.completion_rate == Fraction(12, 14)
    assert counts.on_time_rate == Fraction(10, 14)


def test_rates_are_undefined_when_nothing_is_due() -> None:
    """With only items still within their deadline there is no rate, not 0%."""
    assert Counts(in_time=3).completion_rate is None
    assert (Counts(1, 0, 0, 1) + Counts(0, 1, 2, 0)).due == 3


def test_a_deadline_on_a_day_off_counts_from_the_working_day_it_rolls_to() -> None:
    """Deadline Saturday 06/02/2027 (Tết), due in effect Thursday 11/02 (`due_at` the end of
    it): in time on the 11th, 1 day overdue on the 12th, done on the 11th on time, done on
    the 15th 4 days late; not "quá hạn 5 ngày" on the day it is due."""
    nominal, effective = date(2027, 2, 6), date(2027, 2, 11)

    def on(now: datetime, done_at: datetime | None = None) -> AssignmentStatus:
        return classify(
            state="done" if done_at else "none",
            deadline=nominal,
            due_at=due_at(effective, VN),
            done_at=done_at,
            last_report_at=done_at,
            now=now,
            tz=VN,
        )

    assert on(datetime(2027, 2, 11, 10, 0, tzinfo=VN)) == AssignmentStatus(Status.IN_TIME, 0, True)
    assert on(datetime(2027, 2, 12, 10, 0, tzinfo=VN)) == AssignmentStatus(Status.OVERDUE, 1, True)
    done = datetime(2027, 2, 11, 16, 0, tzinfo=VN)
    assert on(done, done).status is Status.DONE_ON_TIME
    late = datetime(2027, 2, 15, 9, 0, tzinfo=VN)
    assert on(late, late) == AssignmentStatus(Status.DONE_LATE, 4, False)
