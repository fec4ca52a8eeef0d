"""An insert that skips the rows whose key is taken already, on SQLite and PostgreSQL alike.

Both dialects spell it `INSERT ... ON CONFLICT (key) DO NOTHING`, but SQLAlchemy builds it
from each dialect's own `insert`, chosen here by the session's database.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session


def insert_new(session: Session, table: Table, *, key: str) -> Insert:
    """Return an insert into the table that does nothing for a row whose `key` is taken."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=[key])
