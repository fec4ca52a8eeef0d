"""Typed answers to a status offer: "1", "2 60%", "3 <reason>", "4 <date> <reason>", "#12 1".

Each is rewritten into the words the reply parser reads ("xong", "đang làm 60%", "vướng:
<reason>", "xin gia hạn đến <date> vì <reason>"), with the task's number when the offer was
about one task, so that it goes through the same parser, attribution and recording as any
text on Telegram. A number alone answering an offer about several tasks becomes the status
without a task, and the parser asks which one.
"""

from __future__ import annotations

import re

SHORT = re.compile(r"^\s*(?:#\s?(\d{1,9})\s+)?([1-4])(?:\s+(.*))?$", re.DOTALL)
WORDS = {"1": "xong", "2": "đang làm", "3": "vướng:", "4": "xin gia hạn đến"}


def rewrite(typed: str, single_task: int | None) -> str | None:
    """Return the words a typed status answer means, or None if it is not one."""
    found = SHORT.match(typed)
    if found is None:
        return None
    task, number, rest = found.group(1), found.group(2), (found.group(3) or "").strip()
    if task is None and single_task is not None:
        task = str(single_task)
    words = WORDS[number]
    if number == "4":
        date, _, reason = rest.partition(" ")
        if not date:
            return None
        words = f"{words} {date}" + (f" vì {reason.strip()}" if reason.strip() else "")
    elif rest:
        words = f"{words} {rest}"
    return f"#{task} {words}" if task else words
