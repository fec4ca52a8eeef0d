"""The engine's per-connection settings, read back from the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from db.engine import PG_CONNECTION_ARGS, PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS, make_engine


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


@pytest.mark.postgres
def test_postgres_connections_give_up_on_a_silent_server_and_probe_idle_ones(
    pg_url: str,
) -> None:
    """Every PostgreSQL connection is opened with libpq's connect_timeout and TCP keepalives
    (db.engine.PG_CONNECTION_ARGS), so a server gone silent fails it instead of holding a
    thread of the bot for minutes or forever; a value the DATABASE_URL gives wins."""
    given = make_url(pg_url).update_query_dict({"connect_timeout": "3"})
    for url, timeout in ((pg_url, "10"), (given.render_as_string(hide_password=False), "3")):
        engine = make_engine(url)
        with engine.connect() as conn:
            parameters = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        engine.dispose()
        assert parameters["connect_timeout"] == timeout
        assert {k: parameters[k] for k in PG_CONNECTION_ARGS if k != "connect_timeout"} == {
            k: v for k, v in PG_CONNECTION_ARGS.items() if k != "connect_timeout"
        }
