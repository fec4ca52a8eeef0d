"""The statements every update runs, compiled once and executed on the driver's cursor.

Executing a built Core statement through SQLAlchemy costs about 80 µs on SQLite (its cache
key walked, an execution context, a result object), where SQLite runs the statement in
about 6 µs. A `Prepared` statement is compiled once per dialect (and per length of its IN
lists) and then only has its values converted by the column types and handed to the
driver, whose own statement cache (sqlite3's; psycopg's server-side prepared statements,
after a few runs) keeps it prepared.

What SQLAlchemy gives its statements, these keep: they run on the SQLAlchemy connection's
driver connection, inside its transaction (begun if none is); the engine's cursor listeners
see them (the writers' turn, db.retry's count of writes, tests/loopguard.py); a driver
error comes out as SQLAlchemy's (IntegrityError, OperationalError), through its own handler,
the connection invalidated on a disconnect; values go through the column types both ways
(UTC-aware datetimes, dates, booleans, JSON). What they skip is SQLAlchemy's wrapping of
each of those steps (its pooled cursor, a joined dispatch per statement). `transaction` is
`engine.begin()` for such work, committed on the driver.

A statement whose columns have Python-side defaults must be given every such value: they
are computed by SQLAlchemy's execution context, which this path skips (refused at compile).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Form:
    """A statement as one dialect runs it with one shape of values."""

    sql: str
    positions: Sequence[str] | None  # the values' names in order (positional drivers)
    constants: Mapping[str, Any]  # values the statement carries itself, converted
    binds: Mapping[str, Processor]  # the caller's values that need converting
    expansion: Mapping[str, Sequence[str]]  # an IN list's name: the names of its items
    results: Sequence[tuple[int, Processor]]  # the result columns that need converting
    row: Any  # the named tuple of a result row


class Prepared:
    """A Core statement compiled once per dialect and run on the connection's cursor.

    `expanding` names its IN lists (bindparam(..., expanding=True)): one form per length.
    """

    def __init__(self, statement: ClauseElement, *, expanding: Sequence[str] = ()) -> None:
        self.statement = statement
        self.expanding = tuple(expanding)
        self._forms: dict[tuple[Any, ...], _Form] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Run the statement; return its rows (named tuples), none for one without."""
        form = self._form(connection.dialect, params)
        values = {**form.constants, **params} if form.constants else dict(params)
        for name in form.expansion:
            values.update(zip(form.expansion[name], values.pop(name), strict=True))
        for name, convert in form.binds.items():
            values[name] = convert(values[name])
        args: Any = values if form.positions is None else [values[n] for n in form.positions]
        if not connection.in_transaction():
            connection.begin()  # as SQLAlchemy's autobegin: the caller commits
        found = _execute(connection, form.sql, args, form.row is not None)
        if form.results:
            found = [list(row) for row in found]
            for row in found:
                for index, convert in form.results:
                    row[index] = convert(row[index])
        return [form.row._make(row) for row in found] if form.row is not None else []

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Any | None:
        """Run the statement; return its first row, or None."""
        found = self.rows(connection, params)
        return found[0] if found else None

    def run(self, connection: Connection, params: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        self.rows(connection, params)

    def _form(self, dialect: Dialect, params: Mapping[str, Any]) -> _Form:
        """Return the statement's form for this dialect and these values, made on first use."""
        # By the kind of dialect, not the instance: every engine on one database compiles
        # alike, and a process that opens many (the tests) keeps one form of each.
        kind = _kinds.get(dialect)
        if kind is None:
            kind = _kinds[dialect] = _kind(dialect)
        shape = (kind, tuple(params), *(len(params[n]) for n in self.expanding))
        form = self._forms.get(shape)
        if form is None:
            form = self._forms[shape] = self._compile(dialect, params)
        return form

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _Form:
        """Compile the statement for this dialect and shape of values."""
        compiled = self.statement.compile(dialect=dialect, column_keys=list(params))
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            missing = [c.name for c in [*compiled.insert_prefetch, *compiled.update_prefetch]]
            raise ValueError(f"give the prepared statement a value for {missing}")
        state = compiled.construct_expanded_state(dict(params))
        expansion = {n: tuple(state.parameter_expansion.get(n, ())) for n in self.expanding}
        given = set(params) | {item for items in expansion.values() for item in items}
        processors = {
            name: convert
            for name, bind in compiled.binds.items()
            if (convert := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        processors.update(state.processors)  # an IN list's items
        constants = {
            name: processors[name](value) if name in processors else value
            for name, value in state.parameters.items()
            if name not in given
        }
        binds = {name: processors[name] for name in given if name in processors}
        columns = list(getattr(self.statement, "exported_columns", ()))
        results = []
        for index, column in enumerate(columns):
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                results.append((index, convert))
        keys = [column.key for column in columns]
        row = namedtuple("Row", keys, rename=True) if keys else None
        positions = list(state.positiontup) if state.positiontup is not None else None
        return _Form(state.statement, positions, constants, binds, expansion, results, row)


# The kind of each dialect met (see `Prepared._form`), by the dialect: read once, not per run.
_kinds: WeakKeyDictionary[Dialect, tuple[Any, ...]] = WeakKeyDictionary()


def _kind(dialect: Dialect) -> tuple[Any, ...]:
    """Return what a statement's compiled form depends on in a dialect."""
    return (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)


def _execute(connection: Connection, sql: str, args: Any, fetch: bool) -> list[Any]:
    """Run one statement on the connection's driver cursor, as SQLAlchemy's `_cursor_execute`
    does (its cursor events, the driver's execute, its errors), without its wrappers: the
    engine's listeners called from their list, the driver's cursor itself, not the pool's.

    A connection with listeners of its own, or echoing, goes SQLAlchemy's way."""
    if connection._has_events or connection._echo or connection.dialect._has_events:
        cursor = connection.connection.cursor()
        try:
            connection._cursor_execute(cursor, sql, args)
            return list(cursor.fetchall()) if fetch else []
        finally:
            cursor.close()
    engine = connection.engine
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if engine._has_events:
            for before in engine.dispatch.before_cursor_execute:
                sql, args = before(connection, cursor, sql, args, None, False)
        try:
            cursor.execute(sql, args)
        except BaseException as exc:
            # SQLAlchemy's own handling: the error wrapped (IntegrityError, OperationalError),
            # the transaction rolled back, a lost connection invalidated.
            connection._handle_dbapi_exception(exc, sql, args, cursor, None)
        if engine._has_events:
            for after in engine.dispatch.after_cursor_execute:
                after(connection, cursor, sql, args, None, False)
        return list(cursor.fetchall()) if fetch else []
    finally:
        cursor.close()


class _Begun(Connection):
    """A connection whose transaction `transaction` began and ends itself on the driver.

    It says it is in a transaction from the start, so prepared statements do not begin
    SQLAlchemy's; a statement run the usual way (`execute`, a session bound to it) begins
    one as SQLAlchemy's autobegin does, on the same driver transaction, and `transaction`
    then ends it SQLAlchemy's way.
    """

    def in_transaction(self) -> bool:
        return True


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """Run the block in one transaction of a pooled connection, committed at its end and
    rolled back if it raises: `engine.begin()`, for work of prepared statements (a status
    reply's), without SQLAlchemy's transaction objects around the driver's commit.

    What `engine.begin()` gives is kept: the pool's checkout and return, the engine's
    "commit" and "rollback" listeners (db.retry counts the committed writes), the driver's
    errors as SQLAlchemy's.
    """
    connection = _Begun(engine)
    try:
        yield connection
        _end(connection, commit=True)
    except BaseException:
        _end(connection, commit=False)
        raise
    finally:
        connection.close()


def _end(connection: Connection, *, commit: bool) -> None:
    """Commit or roll back the driver's transaction, as SQLAlchemy's `_commit_impl` and
    `_rollback_impl` do (their listeners first, then the driver's, its errors wrapped)."""
    if connection._transaction is not None:  # SQLAlchemy's own began meanwhile
        if commit:
            connection.commit()
        else:
            connection.rollback()
        return
    if connection.invalidated:  # lost: nothing to end (SQLAlchemy's rollback does the same)
        return
    engine = connection.engine
    if engine._has_events:
        for listener in engine.dispatch.commit if commit else engine.dispatch.rollback:
            listener(connection)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    try:
        dbapi.commit() if commit else dbapi.rollback()
    except BaseException as exc:
        connection._handle_dbapi_exception(exc, None, None, None, None)
