"""The status an admin's `/setstatus` names: a unit's report set by hand (a "done" tapped by
mistake, by the wrong unit or on the wrong task, undone), in Vietnamese or English words.

`state_named("đang thực hiện 40%")` is (in_progress, 40); "chưa báo cáo" / "none" sets it back
to no report. A state word is taken whole, never guessed from a part of it: the admin's
command changes what the province's report counts.
"""

from __future__ import annotations

import re

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


def state_named(text: str) -> tuple[ReportState, int | None] | None:
    """Return the state (and an in-progress share, 0-100) the words name; None otherwise."""
    folded = fold(text).strip(" .")
    percent: int | None = None
    found = _PERCENT.match(folded)
    if found is not None:
        folded, percent = found.group(1).strip(), int(found.group(2))
        if percent > 100:
            return None
    state = WORDS.get(folded)
    if state is None or (percent is not None and state != ReportState.IN_PROGRESS):
        return None
    return state, percent
