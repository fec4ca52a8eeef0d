"""What one run of the dispatcher queued."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    """What one run queued."""

    items: int = 0
    messages: int = 0
    folded: int = 0
    escalated: int = 0
