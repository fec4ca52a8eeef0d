"""The words read beside the reply parser: a reason sent late, "all of them" done."""

from __future__ import annotations

from datetime import date

import pytest

from core.followups import reads_as_reason, says_all
from core.replies.parse import parse_reply

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("chờ kinh phí", True),  # read as "in progress" by the parser alone
        ("thiếu nhân lực", True),
        ("kinh phí chưa về", True),
        ("xong", False),
        ("đang làm 50%", False),
        ("đang làm", False),
        ("vướng: thiếu kinh phí", False),  # a blocker reported, in its own words
        ("#12 chờ kinh phí", False),
        ("cảm ơn", False),
        ("ok", False),
        ("tại sao?", False),
    ],
)
def test_a_reason_is_a_few_words_without_a_status_or_a_number(text: str, reason: bool) -> None:
    """What follows an extension asked without a reason is its reason only when it has no
    status word, no number, and is not a thank-you or a question."""
    assert reads_as_reason(text, parse_reply(text, today=TODAY)) is reason


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("cả 2 việc đã xong", 2),
        ("cả hai nhiệm vụ đã hoàn thành", 2),
        ("tất cả đã hoàn thành", 0),
        ("xong hết các việc", 0),
        ("all done", 0),
        ("xong", None),
        ("xong rồi", None),
        ("xong hết rồi", 0),
        ("xong cả rồi", 0),
        ("đã xong hết", 0),
        ("đã xong cả", 0),
        ("đã hoàn thành hết rồi ạ", 0),
        ("xong hết cả rồi", 0),
        ("xong heets rooif", 0),  # typed in Telex with the keyboard off
        ("xong hết phần khảo sát", None),  # a part of the work, not every task
        ("xong cả báo cáo", None),
        ("xong hết chưa?", None),
    ],
)
def test_all_of_them_and_how_many(text: str, count: int | None) -> None:
    """ "tất cả", "cả 2 việc", "xong hết rồi" say all (and how many); "xong" does not."""
    assert says_all(text) == count
