"""Typed status answers on Zalo become the words the reply parser reads."""

from __future__ import annotations

from datetime import date

import pytest

from core.replies.parse import parse_reply
from core.replies.result import ReplyKind
from handlers.zalo.shorthand import rewrite


@pytest.mark.parametrize(
    ("typed", "single", "expected"),
    [
        ("1", 12, "#12 xong"),
        ("2 60%", 12, "#12 đang làm 60%"),
        ("3 thiếu kinh phí", 12, "#12 vướng: thiếu kinh phí"),
        ("4 15/12 chờ kinh phí", 12, "#12 xin gia hạn đến 15/12 vì chờ kinh phí"),
        ("#7 1", None, "#7 xong"),
        ("#7 2 40%", 12, "#7 đang làm 40%"),
        ("1", None, "xong"),
        ("5", 12, None),
        ("4", 12, "#12 xin gia hạn"),  # its date asked next
        ("#7 4", None, "#7 xin gia hạn"),
        ("4 thứ 6 tuần sau vì chờ", 12, "#12 xin gia hạn đến thứ 6 tuần sau vì chờ"),
        ("xong", 12, None),
        ("#7 1, #8 2 60%", None, "#7 xong\n#8 đang làm 60%"),
        ("#7 3 thiếu kinh phí\n#8 1", 12, "#7 vướng: thiếu kinh phí\n#8 xong"),
        ("#7 1, #8 đang làm", None, "#7 xong\n#8 đang làm"),
        ("#7 xong, #8 đang làm", None, None),  # words already: read as typed
    ],
)
def test_typed_answers_are_rewritten(typed: str, single: int | None, expected: str | None) -> None:
    """Each shorthand becomes its words, with the task number when there is one task."""
    assert rewrite(typed, single) == expected


def test_the_rewritten_words_parse_as_the_statuses_they_name() -> None:
    """The parser reads each rewriting as the status its number stands for."""
    today = date(2026, 11, 18)
    kinds = [
        parse_reply(rewrite(t, 12) or "", today=today).kind
        for t in ("1", "2 60%", "3 thiếu kinh phí", "4 15/12 chờ kinh phí")
    ]
    assert kinds == [ReplyKind.DONE, ReplyKind.IN_PROGRESS, ReplyKind.BLOCKED, ReplyKind.EXTENSION]
    progress = parse_reply(rewrite("2 60%", 12) or "", today=today)
    assert progress.percent == 60
