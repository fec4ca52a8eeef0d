"""Typed answers to a status offer: "1", "2 60%", "3 <reason>", "4 <date> <reason>", "#12 1".

Each is rewritten into the words the reply parser reads ("xong", "đang làm 60%", "vướng:
<reason>", "xin gia hạn đến <date> vì <reason>"), with the task's number when the offer was
about one task, so that it goes through the same parser, attribution and recording as any
text on Telegram. A number alone answering an offer about several tasks becomes the status
without a task, and the parser asks which one. Several tasks in one message ("#12 1, #13 2
60%") are rewritten task by task. A number that counts something ("3 ngày nữa xong", "2 xã
đã xong") is the official's words, read as typed (core.replies.parse.counts_first).
"""

from __future__ import annotations

import re

from core.checkin import by_task
from core.replies.parse import counts_first

SHORT = re.compile(r"^\s*(?:#\s?(\d{1,9})\s+)?([1-4])(?:\s+(.*))?$", re.DOTALL)
# "4 15/12 <reason>" asks for an extension even when no status offer is pending: read as
# free text, its reason ("chờ kinh phí") was recorded as work in progress.
DATED_EXTENSION = re.compile(r"^\s*4\s+\d{1,4}[/.-]\d{1,2}")
WORDS = {"1": "xong", "2": "đang làm", "3": "vướng:", "4": "xin gia hạn đến"}


def is_dated_extension(typed: str) -> bool:
    """Tell whether a typed answer is "4 <date> ...", an extension asked for, offered or not."""
    return DATED_EXTENSION.match(typed) is not None


def rewrite(typed: str, single_task: int | None) -> str | None:
    """Return the words a typed status answer means, or None if it is not one."""
    parts = by_task(typed)
    if parts:
        lines = [rewrite(f"#{task} {words}", None) or f"#{task} {words}" for task, words in parts]
        return "\n".join(lines) if lines != [f"#{t} {w}" for t, w in parts] else None
    found = SHORT.match(typed)
    if found is None or counts_first(typed):  # "3 ngày nữa xong": no choice 3 (blocked)
        return None
    task, number, rest = found.group(1), found.group(2), (found.group(3) or "").strip()
    if task is None and single_task is not None:
        task = str(single_task)
    words = WORDS[number]
    if number == "4":
        date, _, reason = rest.partition(" ")
        if not date:  # "#12 4": asked its date, as "#12 3" is asked its reason (it was asked
            return _with_task(task, "xin gia hạn")  # the status again, 4 among the choices)
        if not any(c.isdigit() for c in date):  # "4 thứ 6 tuần sau vì …": the parser splits
            return _with_task(task, f"{words} {rest}")
        words = f"{words} {date}" + (f" vì {reason.strip()}" if reason.strip() else "")
    elif rest:
        words = f"{words} {rest}"
    return _with_task(task, words)


def _with_task(task: str | None, words: str) -> str:
    """Return the words, after the task's number when there is one."""
    return f"#{task} {words}" if task else words
