"""A task being entered by an admin, before it is created (guided or one-line /newtask)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from core.assignees import Matched
from core.directives import DirectiveDraft

__all__ = ["MAX_DESCRIPTION", "MAX_TITLE", "TaskDraft", "new_nonce"]

MAX_TITLE = 300
MAX_DESCRIPTION = 3000


def new_nonce() -> str:
    """Return a short random identity for a draft, carried by its buttons."""
    return secrets.token_urlsafe(6)[:8]


@dataclass
class TaskDraft:
    """What is known so far about a new task, and where the guided entry stands."""

    title: str = ""
    directive_id: int | None = None
    directive_number: str = ""  # for display: the existing or new directive's number
    new_directive: DirectiveDraft | None = None
    deadline: date | None = None
    moved_from: date | None = None  # the typed day, when it fell on a day off
    moved_reason: str | None = None
    unit_ids: list[int] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)  # how the assignees were named
    picked: int = 0  # units picked one by one (guided entry)
    description: str = ""
    # Guided entry only: which assignee screen is open and what was searched for.
    mode: str = ""
    search: str = ""
    # Every button of this draft carries its nonce: a button of an earlier draft is refused.
    nonce: str = field(default_factory=new_nonce)
    confirm_message_id: int | None = None  # the confirmation shown, to remove its buttons
    # One-line entry only: the part refused ("deadline" or "units") that may be typed
    # alone until fix_until, and the units as typed (resolved once the deadline is right).
    line_missing: str = ""
    line_units: str = ""
    fix_until: datetime | None = None

    def add_units(self, unit_ids: list[int]) -> int:
        """Add units not yet chosen; return how many were new."""
        known = set(self.unit_ids)
        new = [u for u in unit_ids if u not in known]
        self.unit_ids.extend(new)
        return len(new)

    def toggle_unit(self, unit_id: int) -> bool:
        """Pick or unpick one unit; return whether it is now picked."""
        if unit_id in self.unit_ids:
            self.unit_ids.remove(unit_id)
            self.picked = max(0, self.picked - 1)
            return False
        self.unit_ids.append(unit_id)
        self.picked += 1
        return True
