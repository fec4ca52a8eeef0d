"""A task being entered by an admin, before it is created (guided or one-line /newtask)."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from core.assignees import Matched
from core.directives import DirectiveDraft

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_TITLE",
    "TaskDraft",
    "draft_from_data",
    "draft_to_data",
    "new_nonce",
]

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


_DAYS = ("deadline", "moved_from")


def draft_to_data(draft: TaskDraft) -> dict[str, Any]:
    """Return the draft as JSON-ready data (dates as ISO text), to keep it over a restart."""
    data = {f.name: getattr(draft, f.name) for f in fields(TaskDraft)}
    for name in _DAYS:
        data[name] = _iso(data[name])
    data["fix_until"] = _iso(draft.fix_until)
    data["matched"] = [asdict(m) for m in draft.matched]
    directive = draft.new_directive
    if directive is not None:
        data["new_directive"] = {**asdict(directive), "issued_on": _iso(directive.issued_on)}
    data["unit_ids"] = list(draft.unit_ids)
    return data


def draft_from_data(data: object) -> TaskDraft | None:
    """Return the draft `draft_to_data` gave, or None for data it could not have given."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(TaskDraft)}:
        return None
    try:
        values = dict(data)
        for name in _DAYS:
            values[name] = _day(values[name])
        values["fix_until"] = None if not values["fix_until"] else _moment(values["fix_until"])
        values["matched"] = [Matched(**m) for m in values["matched"]]
        directive = values["new_directive"]
        if directive is not None:
            directive = {**directive, "issued_on": _day(directive["issued_on"])}
            values["new_directive"] = DirectiveDraft(**directive)
        values["unit_ids"] = [int(u) for u in values["unit_ids"]]
        return TaskDraft(**values)
    except (TypeError, ValueError, KeyError):
        return None


def _iso(value: date | None) -> str | None:
    """Return a day or moment as ISO text (None stays None)."""
    return None if value is None else value.isoformat()


def _day(value: object) -> date | None:
    """Return the day ISO text names (None stays None)."""
    return None if value is None else date.fromisoformat(str(value))


def _moment(value: object) -> datetime:
    """Return the moment ISO text names."""
    return datetime.fromisoformat(str(value))
