"""The loopback ports tests and benchmarks give the servers they start in other processes."""

from __future__ import annotations

import pytest

from bench import webhook
from devtools.ports import first_ephemeral, free_port


def test_a_free_port_lies_below_the_ephemeral_range_and_is_given_once() -> None:
    """No outgoing connection can take a port before its server binds it, nor another test's."""
    ports = [free_port() for _ in range(50)]
    assert max(ports) < first_ephemeral()
    assert len(set(ports)) == len(ports)


def test_the_webhook_benchmark_takes_its_ports_below_the_ephemeral_range() -> None:
    """bench/webhook.py (and bench/workers.py through it) gives its servers the same ports."""
    pick = vars(webhook)["free_port"]  # the name the benchmark calls (not re-exported)
    ports = [pick() for _ in range(50)]
    assert max(ports) < first_ephemeral()
    assert len(set(ports)) == len(ports)


def test_parallel_test_processes_take_their_ports_from_slices_of_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each process of a parallel run keeps only its own record of ports given: the two
    processes of `./scripts/test` draw from disjoint slices, so they never give one port twice."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    given: dict[str, set[int]] = {}
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        given[worker] = {free_port() for _ in range(200)}
    assert len(given["gw0"]) == len(given["gw1"]) == 200
    assert max(given["gw0"]) < min(given["gw1"])
