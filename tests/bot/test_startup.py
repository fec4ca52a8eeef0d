"""What `dondoc run` and `dondoc serve` set in their process before anything else."""

from __future__ import annotations

import platform

import pytest

from bot.commands.startup import bound_malloc_arenas

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="malloc's arenas are glibc's")
def test_malloc_arenas_bounded_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    """glibc is told to keep one arena for all the bot's threads (about 2 MB less at the
    fan-out's peak, bench/README.md issue 20)."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert bound_malloc_arenas() is True


def test_an_operators_malloc_arena_max_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """MALLOC_ARENA_MAX set in the environment (read by glibc itself) is not overridden."""
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas() is False
