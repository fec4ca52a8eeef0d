"""A deadline as a unit is told it: the day due in effect, and the deadline as given beside
it when a day off rolled it.

A deadline on a day off is due the next working day (Civil Code 2015, art. 148): the status,
its days overdue and the reminders' days left count from that day
(`core.taskdates.effective_deadline`), so a unit told "Hạn: 06/02/2027" (a Saturday of Tết)
and "Đến hạn hôm nay" on 11/02 read two rules. Both days are named, the one in force first.
"""

from __future__ import annotations

from datetime import date

from app.i18n import Catalog
from core.deadlines import format_date


def said_deadline(catalog: Catalog, lang: str, deadline: date, due: date | None) -> str:
    """Return the deadline as text ("11/02/2027 (hạn ghi 06/02/2027 là ngày nghỉ)"), `due`
    being the day due in effect (None or the deadline itself: the deadline alone)."""
    if due is None or due <= deadline:
        return format_date(deadline)
    return catalog.get(lang, "reminders.deadline_rolled", deadline=deadline, due=due)
