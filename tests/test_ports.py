"""The loopback ports tests give the servers they start in other processes."""

from __future__ import annotations

from tests.ports import first_ephemeral, free_port


def test_a_free_port_lies_below_the_ephemeral_range_and_is_given_once() -> None:
    """No outgoing connection can take a port before its server binds it, nor another test's."""
    ports = [free_port() for _ in range(50)]
    assert max(ports) < first_ephemeral()
    assert len(set(ports)) == len(ports)
