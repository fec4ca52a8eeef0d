"""A deadline as a unit is told it: the day due in effect, and the deadline as given beside
it when a day off rolled it.

A deadline on a day off is due the next working day (Civil Code 2015, art. 148): the status,
its days overdue and the reminders' days left count from that day
(`core.taskdates.effective_deadline`), so a unit told "Hạn: 06/02/2027" (a Saturday of Tết)
and "Đến hạn hôm nay" on 11/02 read two rules. Both days are named, the one in force first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from app.i18n import Catalog
from core.deadlines import format_date
from core.markup import Markup

Translate = Callable[..., str]  # (key, **params) -> text in the reader's language


def said_deadline(catalog: Catalog, lang: str, deadline: date, due: date | None) -> Markup:
    """Return the deadline as text ("11/02/2027 (hạn ghi 06/02/2027 là ngày nghỉ)"), `due`
    being the day due in effect (None or the deadline itself: the deadline alone)."""
    return deadline_words(lambda key, **p: catalog.get(lang, key, **p), deadline, due)


def deadline_words(t: Translate, deadline: date, due: date | None) -> Markup:
    """`said_deadline` with the reader's catalog lines (`t`), as markup to put in a line."""
    if not rolled(deadline, due):
        return Markup(format_date(deadline))
    return Markup(t("common.deadline_rolled", deadline=deadline, due=due))


def rolled(deadline: date, due: date | None) -> bool:
    """Return whether the deadline is on a day off, due in effect on the later day `due`."""
    return due is not None and due > deadline


def in_force(deadline: date, due: date | None) -> date:
    """Return the day a deadline is in force: `due` when it rolled off a day off."""
    return due if due is not None and due > deadline else deadline


# The reminder's example of an extension asked for: this long after the deadline.
EXAMPLE_AFTER = timedelta(days=7)


def reminder_footer(catalog: Catalog, lang: str, *, due: date | None, today: date) -> str:
    """Return a reminder's footer, its example extension ("xin gia hạn đến 27/11 vì …") a
    week after the deadline in force `due`, or a week from `today` when that has passed:
    a date the unit might ask for, not always 15/12 (which read as the rule in November, and
    as a day gone by in January). `app.checkin.text.own_reminder` knows it by its words."""
    example = max(due or today, today) + EXAMPLE_AFTER
    return catalog.get(lang, "reminders.footer", day=Markup(f"{example:%d/%m}"))
