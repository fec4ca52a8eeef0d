"""Flow 'summary' (being built)."""

from __future__ import annotations

from handlers.registry import Flow


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(name="summary")
