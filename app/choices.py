"""Choices: the actions a message offers, as data that every channel can render.

Telegram shows a choice as an inline button whose callback data is the choice's `data`
signed for the recipient; a text-only channel numbers the choices and reads the typed
number back. A message's choices are rows (a row is one line of buttons on a phone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.i18n import Catalog

STATUS_PREFIX = "st"
STATUS_ACTIONS = ("done", "progress", "blocked", "extension")


@dataclass(frozen=True)
class Choice:
    """One action: what the person sees, and the data that names it (e.g. st:done:12)."""

    label: str
    data: tuple[str | int, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the choice as stored in an outbox payload."""
        return {"label": self.label, "data": list(self.data)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Choice:
        """Read a choice stored in an outbox payload."""
        return cls(str(raw["label"]), tuple(raw["data"]))


Rows = list[list[Choice]]


def rows_to_json(rows: Sequence[Sequence[Choice]]) -> list[list[dict[str, Any]]]:
    """Return rows of choices as stored in an outbox payload."""
    return [[choice.to_json() for choice in row] for row in rows]


def rows_from_json(raw: Sequence[Sequence[Mapping[str, Any]]]) -> Rows:
    """Read rows of choices stored in an outbox payload."""
    return [[Choice.from_json(choice) for choice in row] for row in raw]


def status_assignments(rows: Sequence[Sequence[Choice]]) -> list[int]:
    """Return the assignments of choices that are all status choices (else [])."""
    choices = [choice for row in rows for choice in row]
    if not choices or any(c.data[:1] != (STATUS_PREFIX,) for c in choices):
        return []
    return list(dict.fromkeys(int(c.data[-1]) for c in choices))


def status_choices(catalog: Catalog, lang: str, assignment_id: int, label: str = "") -> Rows:
    """Return the status choices for one assignment (two per row, fits phones)."""
    prefix = f"{label} " if label else ""
    choices = [
        Choice(
            prefix + catalog.get(lang, f"buttons.{action}"),
            (STATUS_PREFIX, action, assignment_id),
        )
        for action in STATUS_ACTIONS
    ]
    return [choices[:2], choices[2:]]
