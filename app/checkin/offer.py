"""A status typed on a channel without buttons, read against the statuses it last offered.

Zalo's reminder shows its status choices as typed answers ("1 = Hoàn thành", "#12 1" with
several tasks); the typed answer answers that offer as a reply to the reminder would on
Telegram (`RepliedTo.assignment_ids`). The rule: a number alone answers the offer's own
tasks (with several, the person is asked which, `act`), never a task they were not shown
(one of a unit they moved to since: they are told it is not their unit's any more); "#12 1"
answers the offer's #12, the unit's it was offered for, even when #12 was given to another
of their units too. A number alone answering an offer about one item is the offered choice
itself, as its button would be. The adapter reads the typed words (`handlers/zalo/shorthand`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from app.checkin import RepliedTo
from app.choices import Choice, status_assignments
from app.my_tasks import tasks_of
from app.services import Services
from core.checkin import task_numbers
from core.numbers import chosen_number


@dataclass
class StatusOffer:
    """The status choices last offered to a person: their assignments, and each one's task."""

    services: Services
    assignments: tuple[int, ...]

    @cached_property
    def tasks(self) -> dict[int, int]:
        """Return each offered assignment's task (blocking: read once, when needed)."""
        return tasks_of(self.services, self.assignments)

    @property
    def single_task(self) -> int | None:
        """Return the task a number alone names: the offer's, when it is about one item."""
        return self.tasks.get(self.assignments[0]) if len(self.assignments) == 1 else None

    def takes(self, typed: str) -> bool:
        """Tell whether a typed number is the offered choice itself (an offer of one item)."""
        return len(self.assignments) == 1 and chosen_number(typed) is not None

    def answered(self, words: str) -> RepliedTo | None:
        """Return the offered assignments the words answer: those of the tasks they name,
        every one when they name none (None: none of them)."""
        named = task_numbers(words)
        about = tuple(a for a in self.assignments if self.tasks.get(a) in named or not named)
        return RepliedTo("", 0, "", about) if about else None


def status_offer(services: Services, choices: Sequence[Sequence[Any]]) -> StatusOffer:
    """Return the statuses among an offer's stored choices (none when it offers other things)."""
    rows = [[Choice("", tuple(str(part) for part in choice)) for choice in choices]]
    return StatusOffer(services, tuple(status_assignments(rows)))
