"""The sweep's worker process, started by `dondoc run` before it imports the bot itself.

A large database's sweep runs in a worker process (`delivery.sweep`), whose start is a
second or two of imports (SQLAlchemy, the tables, the dispatcher). Started as the bot
starts polling, that second came before a country's first reminder; started here, right
after the single-instance lock and before the bot's own modules (python-telegram-bot's
application, every flow) are imported, it imports on the other core while the bot does
(bench/README.md, issue 20). This module imports neither the tables nor the dispatcher.
"""

from __future__ import annotations

from sqlalchemy import Integer, column, func, select, table
from sqlalchemy.engine import Engine

from scheduler.workers import start_warm_up

# A database past this many assignments is swept in a worker process: a country's first
# sweep is minutes of Python, which in a thread would hold the GIL the bot answers with
# (taps waited seconds during it: bench/README.md, issue 20). Below it, a thread is quicker
# to start and the sweep takes a moment.
SWEEP_PROCESS_FROM = 20_000
# What the sweep's process imports ahead (`scheduler.dispatcher.run.run_dispatch`'s module).
SWEEP_MODULE = "scheduler.dispatcher.run"


def sweeps_in_process(engine: Engine, bound: int = SWEEP_PROCESS_FROM) -> bool:
    """Tell whether the database holds more than `bound` assignments (by their ids)."""
    highest = select(func.max(column("id", Integer))).select_from(table("assignment"))
    with engine.connect() as conn:
        return int(conn.execute(highest).scalar() or 0) > bound


def start_sweep_process(engine: Engine, bound: int = SWEEP_PROCESS_FROM) -> bool:
    """Start the sweep's worker process now if the database is large; return whether it was."""
    if not sweeps_in_process(engine, bound):
        return False
    return start_warm_up(engine, SWEEP_MODULE) is not None
