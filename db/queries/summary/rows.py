"""Running a summary's column query: plain rows, fetched a thousand at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Executable, Row
from sqlmodel import Session


def _rows(session: Session, query: Executable) -> Iterator[Row[Any]]:
    """Run a column query on the session's connection: plain rows, no ORM loading.

    The rows are fetched a thousand at a time: iterating a result asks psycopg for one row
    at a time (half the reading of a task's 10,000 units on PostgreSQL), and fetching all at
    once keeps 10,000 row objects alive for the garbage collector to go through.
    """
    for part in session.connection().execute(query).partitions(FETCH_ROWS):
        yield from part


FETCH_ROWS = 1000
