"""The reminder plan: which reminder an assignment gets on a day, derived from its deadline.

Channel-free and stateless: everything is computed from the deadline in force, the day the
unit was first told (its start day), the working calendar and the policy, so a deadline
change re-plans by itself and nothing has to be rebuilt after a restart.

Occasions, all on working days:
- "assigned": the start day (the first working moment after the assignment was made);
- "before": N working days before the deadline, for each N > 0 of the policy;
- "due": the deadline day (when 0 is in the policy), rolled forward off a day off;
- "overdue" #k: every `overdue_every` working days after the deadline, numbered from the
  first after the start day (a unit told of a task already overdue counts from its first);
  from the `escalate_after`-th one on, the unit's leaders and the coordinators are told too.
An occasion on or before the start day is covered by the "assigned" notice.

The plan's overdue number is what a unit would have had with the bot always running. What
a unit is told, and escalated by, is what it was sent (`Occasion.counted`): after the bot
was off over Tết its first overdue reminder is "1", not the plan's "6".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.calendar import WorkingCalendar

__all__ = ["KINDS", "Occasion", "Plan", "Policy", "Workdays", "parse_days"]

KINDS = ("assigned", "before", "due", "overdue")


def parse_days(text: str) -> tuple[int, ...]:
    """Parse '5,2,1,0' into distinct working-day counts, largest first."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"bad reminder days {text!r}: expected e.g. 5,2,1,0")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


@dataclass(frozen=True, slots=True)
class Policy:
    """When to remind: days before the deadline, overdue rhythm, escalation threshold."""

    days_before: tuple[int, ...] = (5, 2, 1, 0)
    overdue_every: int = 2
    escalate_after: int = 2

    def with_overrides(
        self,
        *,
        days_before: str | None = None,
        overdue_every_days: int | None = None,
        escalate_after: int | None = None,
    ) -> Policy:
        """Return this policy with a task's own settings applied (None keeps the default)."""
        return Policy(
            days_before=parse_days(days_before) if days_before else self.days_before,
            overdue_every=max(1, overdue_every_days or self.overdue_every),
            escalate_after=max(1, escalate_after or self.escalate_after),
        )


@dataclass(frozen=True, slots=True)
class Occasion:
    """One reminder of an assignment: its kind, day, overdue number and escalation."""

    kind: str
    day: date
    seq: int = 0
    escalate: bool = False

    def counted(self, *, received: int, reached: bool, policy: Policy) -> Occasion:
        """Return this occasion numbered by what the unit was sent, not by the plan.

        `received`: the overdue reminders sent to the unit since the deadline in force,
        before today. A unit someone can be written to gets reminder `received + 1` today
        and is escalated from the policy's threshold of those: never for reminders it did
        not get (the bot was off). A unit nobody can be written to gets nothing (its number
        stays `received`) and is escalated by working days overdue, the plan's number, so
        the coordinators still hear of it: no reminder will ever reach it."""
        if self.kind != "overdue":
            return self
        if reached:
            seq = received + 1
            return Occasion(self.kind, self.day, seq, escalate=seq >= policy.escalate_after)
        return Occasion(self.kind, self.day, received, escalate=self.seq >= policy.escalate_after)


@dataclass
class Workdays:
    """A calendar's working days as a sorted list, for fast arithmetic over many plans."""

    calendar: WorkingCalendar
    _years: set[int] = field(default_factory=set)
    _days: list[date] = field(default_factory=list)

    def _cover(self, *days: date) -> None:
        """Make sure the years of these days (and the next one) are listed."""
        wanted = {y for d in days for y in (d.year, d.year + 1)} - self._years
        if not wanted:
            return
        for year in wanted:
            day = date(year, 1, 1)
            while day.year == year:
                if self.calendar.is_working_day(day):
                    self._days.append(day)
                day += timedelta(days=1)
        self._years |= wanted
        self._days.sort()

    def is_working(self, day: date) -> bool:
        """Tell whether officials work on the day."""
        return self.calendar.is_working_day(day)

    def roll(self, day: date) -> date:
        """Return the day itself if it is a working day, else the next working day."""
        self._cover(day)
        return self._days[bisect_left(self._days, day)]

    def between(self, a: date, b: date) -> int:
        """Count working days after `a` up to and including `b` (negative when b < a)."""
        self._cover(a, b)
        return bisect_right(self._days, b) - bisect_right(self._days, a)

    def shift(self, day: date, n: int) -> date:
        """Return the n-th working day after a working day (before it when n < 0)."""
        self._cover(day)
        pos = bisect_left(self._days, day) + n
        while pos >= len(self._days):
            self._cover(self._days[-1] + timedelta(days=366))
            pos = bisect_left(self._days, day) + n
        while pos < 0:
            self._cover(self._days[0] - timedelta(days=366))
            pos = bisect_left(self._days, day) + n
        return self._days[pos]


@dataclass(frozen=True, slots=True)
class Plan:
    """The reminders of one assignment, from its deadline in force and its start day."""

    deadline: date
    start: date
    policy: Policy
    workdays: Workdays

    @property
    def due_day(self) -> date:
        """Return the deadline rolled forward off a day off (Civil Code 2015, art. 148)."""
        return self.workdays.roll(self.deadline)

    @property
    def first_day(self) -> date:
        """Return the working day of the 'assigned' notice."""
        return self.workdays.roll(self.start)

    def on(self, day: date) -> Occasion | None:
        """Return the reminder due on the day, if any."""
        first = self.first_day
        if day < first or not self.workdays.is_working(day):
            return None
        if day == first:
            return Occasion("assigned", day)
        offset = self.workdays.between(self.due_day, day)
        if offset <= 0:
            if -offset not in self.policy.days_before:
                return None
            return Occasion("due" if offset == 0 else "before", day)
        if offset % self.policy.overdue_every:
            return None
        return self._overdue(offset // self.policy.overdue_every, day)

    def between(self, after: date | None, before: date) -> list[Occasion]:
        """List the reminders due after `after` (or from the start) and before `before`."""
        low = self.first_day if after is None else after + timedelta(days=1)
        days = {self.first_day, *self._before_days()}
        found = [self.on(d) for d in sorted(days) if low <= d < before]
        found += self._overdue_between(low, before)
        return sorted((o for o in found if o is not None), key=lambda o: o.day)

    def working_days_left(self, today: date) -> int:
        """Return working days left until the deadline day (0 on it, negative after)."""
        return self.workdays.between(today, self.due_day)

    def days_overdue(self, today: date) -> int:
        """Return calendar days past the deadline day (rolled off a day off, as the status
        counts them: `core.status`), as the official reports count them."""
        return max(0, (today - self.due_day).days)

    def _before_days(self) -> list[date]:
        """Return the days of the 'before' and 'due' reminders."""
        due = self.due_day
        return [self.workdays.shift(due, -n) for n in self.policy.days_before]

    def _overdue_between(self, low: date, before: date) -> list[Occasion | None]:
        """Return the overdue reminders in [low, before)."""
        due, every = self.due_day, self.policy.overdue_every
        k = max(1, self.workdays.between(due, low - timedelta(days=1)) // every)
        found: list[Occasion | None] = []
        while (day := self.workdays.shift(due, k * every)) < before:
            if day >= low and day > self.first_day:
                found.append(self._overdue(k, day))
            k += 1
        return found

    def _overdue(self, k: int, day: date) -> Occasion:
        """Return the k-th overdue occasion as the reminder it is: numbered among those after
        the "assigned" notice (a unit given a task already overdue got none of the earlier
        ones: its first is "1", not "6"), escalated from the policy's threshold."""
        seq = k - max(0, self.workdays.between(self.due_day, self.first_day)) // (
            self.policy.overdue_every
        )
        return Occasion("overdue", day, seq, escalate=seq >= self.policy.escalate_after)
