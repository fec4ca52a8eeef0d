"""The column helpers every table module uses: a created-at time, an optional time (UTC)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field

from db.types import UTCDateTime, utcnow


def _created() -> Any:
    """Return a created-at column defaulting to now (UTC)."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _when(*, index: bool = False) -> Any:
    """Return an optional UTC datetime column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)
