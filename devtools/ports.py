"""Loopback ports for the servers that tests and benchmarks start in processes of their own.

A port asked of the kernel (a bind to port 0) comes from its ephemeral range, the range every
outgoing connection on the machine takes its local port from. Between the moment a test
closes that probe and the moment its server binds the port (seconds under load: a migration
may run in between), a connection of anyone's to PostgreSQL, say, can take it; the server
then dies on "address already in use" while the test waits for it at a port where nothing
will ever listen ("Connection refused"). A port below that range is handed out by no one:
only a test (or a benchmark) that names it can take it.

The test suite runs in several processes (pytest-xdist names each in `PYTEST_XDIST_WORKER`,
"gw0", "gw1", ..., and their number in `PYTEST_XDIST_WORKER_COUNT`). Each process keeps a
set of the ports it gave, but not the others': so each takes its ports from a slice of the
span of its own, and two processes never hand out the same port.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LINUX_FIRST_EPHEMERAL = 32768  # the kernel's default, where /proc does not say
SPAN = 10_000  # how many ports below the ephemeral range to choose among
TRIES = 500

_given: set[int] = set()


def first_ephemeral() -> int:
    """Return the first port of the kernel's ephemeral range."""
    try:
        return int(EPHEMERAL_RANGE.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return LINUX_FIRST_EPHEMERAL


def _slice(low: int, high: int) -> tuple[int, int]:
    """Return this test process's share of [low, high): all of it outside a parallel run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        index = int(worker.removeprefix("gw"))
        count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", ""))
    except ValueError:
        return low, high
    if not 0 <= index < count:
        return low, high
    size = (high - low) // count
    return low + index * size, low + (index + 1) * size


def free_port() -> int:
    """Return a loopback port below the ephemeral range, free now and not given before."""
    low, high = _slice(max(1024, first_ephemeral() - SPAN), first_ephemeral())
    for _ in range(TRIES):
        port = random.randrange(low, high)
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {low}-{high - 1} after {TRIES} tries")
