"""Apply Alembic migrations programmatically (at start and by `dondoc db upgrade`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import PG_LOCK_TIMEOUT_MS
from db.queries.workers import ROLE_NAMESPACE, role_key
from db.schema import HEAD, BrokenKeysError, UnknownSchemaError
from db.seed import seed_defaults

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# PostgreSQL's advisory lock of a migration: a key beside the workers' roles.
MIGRATION_LOCK = {"ns": ROLE_NAMESPACE, "k": role_key("migration")}
_MIGRATION_TURN = text("SELECT pg_advisory_xact_lock(:ns, :k)")


def alembic_config() -> Config:
    """Return an Alembic config pointing at our migrations folder."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema and make sure reference data exists.

    Raise UnknownSchemaError when a newer version of dondoc migrated it (going back to an older
    one means restoring the backup taken before the upgrade): nothing is changed then.
    """
    if not at_head(engine):
        from alembic import command
        from alembic.script import ScriptDirectory

        known = {
            s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()
        }
        for version in versions(engine):
            if version not in known:
                raise UnknownSchemaError(version)
        with migrating(engine) as config:
            command.upgrade(config, "head")
            with Session(bind=config.attributes["connection"]) as session:
                seed_defaults(session)  # in the migration's turn: a second one finds them
    with Session(engine) as session:
        seed_defaults(session)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to an older schema (tests, and a rollback by hand)."""
    from alembic import command

    with migrating(engine) as config:
        command.downgrade(config, revision)


@contextmanager
def migrating(engine: Engine) -> Iterator[Config]:
    """Yield an Alembic config on one connection, in one transaction.

    One migration at a time: on PostgreSQL a lock held until the commit (two `dondoc db
    upgrade`, or workers starting together, each read the old revision and ran the same
    migration, and the second failed: "column ... already exists"), on SQLite BEGIN
    IMMEDIATE. Alembic reads the revision once the lock is held, so the second finds head.

    On SQLite, foreign keys are off while migrating: batch mode rebuilds a table by dropping
    it, which would cascade or fail on the rows pointing at it. Every key is checked before
    the commit instead, and a violation rolls everything back.
    """
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # only outside a transaction; pysqlite opens one at the first write
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    # Python's sqlite3 begins a transaction at the first INSERT, UPDATE or
                    # DELETE only: the DDL before it (a migration's CREATE INDEX) was committed
                    # at once, so an upgrade killed or failed after it left the schema ahead
                    # of alembic_version, and every upgrade after said "already exists".
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    # waited for as long as the other migrates (the connection's
                    # lock_timeout would take it for an outage after a few seconds)
                    connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
                    connection.execute(_MIGRATION_TURN, MIGRATION_LOCK)
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {PG_LOCK_TIMEOUT_MS}")
                config.attributes["connection"] = connection
                yield config
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:  # one line for the operator (it was a traceback)
                        raise BrokenKeysError(sorted({str(row[0]) for row in broken}))
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def at_head(engine: Engine) -> bool:
    """Tell whether the database is at HEAD, reading Alembic's table without Alembic."""
    return versions(engine) == [HEAD]


def versions(engine: Engine) -> list[str]:
    """Return the revisions in Alembic's table (none for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return [v for (v,) in rows]


def current_revision(engine: Engine) -> str | None:
    """Return the schema revision the database is at (None when empty)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """Return the newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
