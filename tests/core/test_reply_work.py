"""The reply parser's work grows with the reply's length, not with its square.

Work is counted, not timed: every pattern of :mod:`core.replies` is wrapped so that each
scan (``search``, ``finditer``, ``sub``, …) counts the characters it was offered and each
anchored ``match`` counts one. A rule that scanned from a clause to the end of the reply
for each clause (as "nửa" did) offers the patterns a number of characters that grows as the
square of the reply's length: sixteen times the work for four times the text. Reading four
times the text must cost no more than six times the work (a longer reply may reach a rule
a shorter one was decided before). The scan limit is lifted for the count, so the growth
shows beyond 2,000 characters.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from typing import Any

import pytest

import core.replies.parse as parse_module
from core.replies.parse import parse_reply

TODAY = date(2026, 12, 7)
_MODULES = (
    "dates",
    "evidence",
    "extension",
    "parse",
    "percent",
    "reading",
    "rules_status",
    "rules_unclear",
    "telex",
    "vocabulary",
)
_SCANS = frozenset({"search", "finditer", "findall", "sub", "subn", "split", "fullmatch"})
# Replies built to make the parser work: clause after clause, a guarded word rejected again
# and again, dates by the hundred, a report repeated.
SHAPES = [
    "xong r, nhưng ",
    "hk do . ",
    "r 5/12 ",
    "xông nhưng 5/12 ",
    "nữa tháng, ",
    "mái chậm ko 100% ",
    "tưởng, ",
    "sẻ ư ",
    "ạ ",
    "Dạ em báo cáo: xã em đã hoàn thành 3/5 nội dung, còn 2 việc vướng do thiếu kinh phí,"
    " dự kiến thứ 6 xong, xin gia hạn đến 20/12 ạ. ",
]


class _Counted:
    """A compiled pattern that adds the characters each scan is offered to a tally."""

    def __init__(self, pattern: re.Pattern[str], tally: list[int]) -> None:
        self._pattern = pattern
        self._tally = tally

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._pattern, name)
        if not callable(found):
            return found
        return lambda *args, **kwargs: self._call(name, found, args, kwargs)

    def _call(self, name: str, method: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
        """Count the call's characters (a scan) or one step (an anchored match)."""
        text = args[1] if name.startswith("sub") else args[0] if args else None
        if name in _SCANS and isinstance(text, str):
            ranged = name in ("search", "finditer", "findall", "fullmatch")
            pos = args[1] if ranged and len(args) > 1 else 0
            endpos = args[2] if ranged and len(args) > 2 else len(text)
            self._tally[0] += max(0, min(endpos, len(text)) - pos)
        else:
            self._tally[0] += 1
        return method(*args, **kwargs)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the parser's pattern work in a tally; the scan limit lifted."""
    tally = [0]
    wrapped: dict[int, _Counted] = {}
    for module_name in _MODULES:
        module = importlib.import_module(f"core.replies.{module_name}")
        for name, value in list(vars(module).items()):
            if isinstance(value, re.Pattern):
                counted = wrapped.setdefault(id(value), _Counted(value, tally))
                monkeypatch.setattr(module, name, counted)
            elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], re.Pattern):
                counted = wrapped.setdefault(id(value[0]), _Counted(value[0], tally))
                monkeypatch.setattr(module, name, (counted, value[1]))
    monkeypatch.setattr(parse_module, "MAX_SCAN_CHARS", 100_000)
    return tally


def _work_for(tally: list[int], piece: str, size: int) -> int:
    """Return the work of reading ``piece`` repeated to ``size`` characters."""
    tally[0] = 0
    parse_reply((piece * (size // len(piece) + 1))[:size], today=TODAY)
    return tally[0]


@pytest.mark.parametrize("piece", SHAPES)
def test_reading_four_times_the_text_is_not_sixteen_times_the_work(
    work: list[int], piece: str
) -> None:
    short, long = _work_for(work, piece, 2_000), _work_for(work, piece, 8_000)
    assert short > 0
    assert long <= 6 * short, f"{piece!r}: {short} at 2,000 characters, {long} at 8,000"
