"""Which schema this code knows, apart from the migrations: the command line names it when a
database is newer, without importing the tables or Alembic (`dondoc --version` reads none)."""

from __future__ import annotations

# The newest revision in migrations/versions (a test checks it against Alembic's head).
# A database already there is not migrated, and Alembic (with Mako, ~10 MB that a running
# bot would keep) is then never imported.
HEAD = "0019"


class UnknownSchemaError(Exception):
    """The database is at a revision this code does not know: a newer dondoc migrated it."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"the database is at schema {revision}, which this code does not know")
        self.revision = revision


class BrokenKeysError(Exception):
    """Rows point at rows that are gone (written with foreign keys off: by hand, an old
    restore): the upgrade refuses to commit and changes nothing."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__(f"rows point at rows that are gone in: {', '.join(tables)}")
        self.tables = tables
