"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store aware datetimes as UTC; refuse naive ones, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes whatever the database gave."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class AwareDateTime(UTCDateTime):
    """An aware datetime read as the database gives it, for long lists of rows.

    PostgreSQL's timestamptz comes back aware (in the session's zone) and is passed on as
    it is; SQLite's naive UTC gets UTC attached. `UTCDateTime` also moves PostgreSQL's
    values to UTC, a Python call per row that a task's 10,000 units felt. Read-only: for
    expressions of a query, not for columns of a model.
    """

    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        """Return None where the driver's value is already aware, else attach UTC."""
        if dialect.name != "sqlite":
            return None
        parse = self.impl_instance.result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            found = cast(datetime, parse(value) if parse is not None else value)
            return found if found.tzinfo is not None else found.replace(tzinfo=UTC)

        return process


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)
