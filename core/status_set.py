"""The status an admin's `/setstatus` names: a unit's report set by hand (a "done" tapped by
mistake, by the wrong unit or on the wrong task, undone), in Vietnamese or English words.

`state_named("đang thực hiện 40%")` is (in_progress, 40); "chưa báo cáo" / "none" sets it back
to no report; "hoàn thành 09/11/2026" is done on that day (a unit that said so by phone
before its deadline is done on time, not late by the day the admin typed it). A state word is
taken whole, never guessed from a part of it: the admin's command changes what the
province's report counts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.deadlines import parse_date
from core.states import ReportState
from core.textnorm import fold

WORDS: dict[str, ReportState] = {
    **dict.fromkeys(
        ("done", "completed", "xong", "hoan thanh", "da hoan thanh", "da xong"), ReportState.DONE
    ),
    **dict.fromkeys(
        (
            "in progress",
            "in_progress",
            "not done",
            "dang thuc hien",
            "dang lam",
            "chua hoan thanh",
            "chua xong",
        ),
        ReportState.IN_PROGRESS,
    ),
    **dict.fromkeys(("blocked", "vuong", "vuong mac", "bi vuong"), ReportState.BLOCKED),
    **dict.fromkeys(
        ("none", "no report", "not reported", "chua bao cao", "khong bao cao"), ReportState.NONE
    ),
}
_PERCENT = re.compile(r"^(.*?)\s*(\d{1,3})\s*%$")
_DAY = re.compile(r"^(.*?)\s+(?:on |ngay )?(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$")


@dataclass(frozen=True)
class Named:
    """A status as an admin typed it: the state, an in-progress share, the day it was done."""

    state: ReportState
    percent: int | None = None
    day: dt.date | None = None


def state_named(text: str) -> Named | None:
    """Return the state (an in-progress share, 0-100; the day a done was done) the words
    name; None otherwise (a day that does not exist, or given with another state)."""
    folded = fold(text).strip(" .")
    day: dt.date | None = None
    if (dated := _DAY.match(folded)) is not None:
        folded, day = dated.group(1).strip(), parse_date(dated.group(2))
        if day is None:
            return None
    percent: int | None = None
    found = _PERCENT.match(folded)
    if found is not None:
        folded, percent = found.group(1).strip(), int(found.group(2))
        if percent > 100:
            return None
    state = WORDS.get(folded)
    if state is None or (percent is not None and state != ReportState.IN_PROGRESS):
        return None
    if day is not None and state != ReportState.DONE:
        return None
    return Named(state, percent, day)
