"""The engine's per-connection settings, read back from the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db.engine import PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS


@pytest.mark.postgres
def test_postgres_connections_have_lock_and_statement_timeouts(pg_engine: Engine) -> None:
    """Every PostgreSQL connection waits at most 5 s for a lock and runs a statement 60 s."""
    for _ in range(2):  # a fresh connection and one from the pool
        with pg_engine.connect() as conn:
            shown = {
                name: conn.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("lock_timeout", "statement_timeout")
            }
            rows = conn.execute(
                text(
                    "SELECT name, setting FROM pg_settings "
                    "WHERE name IN ('lock_timeout', 'statement_timeout')"
                )
            )
            in_ms = {str(name): str(setting) for name, setting in rows}
    assert shown == {"lock_timeout": "5s", "statement_timeout": "1min"}
    assert in_ms == {
        "lock_timeout": str(PG_LOCK_TIMEOUT_MS),
        "statement_timeout": str(PG_STATEMENT_TIMEOUT_MS),
    }
