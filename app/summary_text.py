"""Summaries as coordinators read them: counts in the taxonomy, the units of each group, pages.

The texts come from the catalogs and the result is a header and entries, which the chat
adapter cuts into pages (or a file) and the digest reuses. An entry may name an overdue
assignment, for a "request an explanation" button.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import NamedTuple

from app.due_words import deadline_words
from app.i18n import format_int, format_percent
from core.markup import Markup, escape
from core.states import TaskStatus
from core.status import Counts, Status
from core.summary import STATUS_ORDER, Note, StatusLine, TaskCounts, overdue_first
from core.taskdates import effective_deadline

Translate = Callable[..., str]  # (key, **params) -> text in the reader's language
PAGE_BUDGET = 3500  # characters of a page, under Telegram's 4096 with room for the header
PAGE_BUTTONS = 10  # explanation buttons on one page
MESSAGE_ROOM = 4096 - 64  # Telegram's most characters in a message, less the page's footer
MIN_ROOM = 500  # the least room a page's entries get, whatever the header
HEAD_ROOM = 100  # what a piece of an entry cut over pages leaves for its group's heading


class Entry(NamedTuple):
    """A paragraph of a summary; `explain` names an overdue assignment and its unit.

    A NamedTuple rather than a frozen dataclass: a task's summary makes one per unit
    (10,000), and a tuple is made in a fraction of the time, with no dict of its own.
    """

    text: str
    explain: tuple[int, str] | None = None


@dataclass(frozen=True)
class Report:
    """A summary: a header repeated on every page, then its entries."""

    header: str
    entries: list[Entry] = field(default_factory=list)

    def pages(self, budget: int = PAGE_BUDGET, buttons: int = PAGE_BUTTONS) -> list[list[Entry]]:
        """Cut the entries into pages that fit the budget and the button limit.

        A page is the header, its entries and a footer ("Trang 2/5") in one message: the
        entries get the budget, or what Telegram's 4,096 characters leave beside the header
        (a task's title of 300 characters and a long directive number) and the footer,
        whichever is less. An entry longer than that (a blocker's reason of 4,000
        characters) is cut between lines or words over several pages, nothing left out.
        Lengths are counted in UTF-16 units on the markup, never shorter than what Telegram
        counts once it is shown.
        """
        room = max(min(budget, MESSAGE_ROOM - _units(self.header) - 1), MIN_ROOM)
        pages: list[list[Entry]] = [[]]
        page = pages[0]
        size = used = 0
        for whole in self.entries:
            length = len(whole.text.encode("utf-16-le")) // 2 + 1  # as Telegram counts
            parts = (whole,) if length <= room else _cut(whole, room - HEAD_ROOM)
            for entry in parts:
                if entry is not whole:
                    length = _units(entry.text) + 1
                explain = entry.explain is not None
                if page and (size + length > room or (explain and used >= buttons)):
                    # A group's heading ("Vướng mắc (1):") goes over with its first unit.
                    head = page[-1] if len(page) > 1 and _is_head(page[-1]) else None
                    size = _units(head.text) + 1 if head is not None else 0
                    if head is not None and size + length <= room:
                        page.pop()
                        page = [head]
                    else:
                        page, size = [], 0
                    pages.append(page)
                    used = 0
                page.append(entry)
                size += length
                used += explain
        return pages

    def text(self, page: Sequence[Entry]) -> str:
        """Return the header and one page's entries as one message."""
        return "\n".join([self.header, *(e.text for e in page)])

    def full_text(self) -> str:
        """Return everything, for a file."""
        return self.text(self.entries)


def _units(text: str) -> int:
    """Return the length of text as Telegram counts it (UTF-16 code units)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _is_head(entry: Entry) -> bool:
    """Tell whether an entry is a group's heading (`detail` starts each with a blank line)."""
    return entry.explain is None and entry.text.startswith("\n")


def _cut(entry: Entry, room: int) -> list[Entry]:
    """Return an entry too long for a page as pieces of at most `room` units each, cut
    after a line or a space when there is one, else anywhere; the first keeps `explain`."""
    pieces: list[Entry] = []
    text = entry.text
    while _units(text) > room:
        end = room
        while _units(text[:end]) > room:
            end -= 1
        at = max(text.rfind("\n", 0, end), text.rfind(" ", 0, end))
        at = at + 1 if at > 0 else end
        if (at - len(text[:at].rstrip("\\"))) % 2:  # never part an escape from its character
            at -= 1
        pieces.append(Entry(text[:at].rstrip("\n"), entry.explain if not pieces else None))
        text = text[at:]
    pieces.append(Entry(text, entry.explain if not pieces else None))
    return pieces


def as_of(t: Translate, now_local: datetime) -> str:
    """Return 'Số liệu tính đến hh:mm ngày dd/mm/yyyy'."""
    return t("summary.as_of", time=now_local.strftime("%H:%M"), date=now_local.date())


def rate_text(t: Translate, counts: Counts, lang: str) -> str:
    """Return the completion rate line: 'done/due = 85,7%', or that nothing is due."""
    if not counts.due:
        return t("summary.rate_none")
    rate = format_percent(counts.done, counts.due, lang)
    return t("summary.rate", done=counts.done, due=counts.due, rate=rate)


def on_time_text(t: Translate, counts: Counts, lang: str) -> str:
    """Return a unit's on-time rate line: 'on time/due = 75,0%', or that nothing is due."""
    if not counts.due:
        return t("summary.on_time_rate_none")
    rate = format_percent(counts.done_on_time, counts.due, lang)
    return t("summary.on_time_rate", on_time=counts.done_on_time, due=counts.due, rate=rate)


def totals_text(t: Translate, counts: Counts, *, many: bool = False) -> str:
    """Return the totals per status, with no report and blockers inside not done.

    Over `many` tasks the counts are of assignments, a unit once per task it has: "7 lượt
    đơn vị", as the formal report says, not "7 đơn vị" of a province of 5.
    """
    text = t(
        "summary.totals_many" if many else "summary.totals",
        total=counts.total,
        done=counts.done,
        on_time=counts.done_on_time,
        late=counts.done_late,
        not_done=counts.not_done,
        in_time=counts.in_time,
        overdue=counts.overdue,
    )
    if counts.no_report:
        text += "\n" + t("summary.no_report_count", n=counts.no_report)
    if counts.blocked:
        text += "\n" + t("summary.blocked_count", n=counts.blocked)
    return text


def task_title(t: Translate, task: TaskCounts) -> str:
    """Return '#12 Title (CV 4824/UBND-KGVX), hạn 31/03/2025'."""
    return _TaskTitles(t)(task)


def task_list(
    t: Translate, lang: str, tasks: Sequence[TaskCounts], head: str, now_local: datetime
) -> Report:
    """Return the summary of many tasks: one compact entry each, overdue first.

    A country has hundreds of open tasks: each entry fills catalog lines compiled once per
    summary (`compiled`), with the parameters rendered as `Catalog.get` renders them.
    """
    total = sum((x.counts for x in tasks), Counts())
    header = "\n".join(
        [
            head,
            totals_text(t, total, many=len(tasks) > 1),
            rate_text(t, total, lang),
            as_of(t, now_local),
            "",
        ]
    )
    title = _TaskTitles(t)
    line = _CompactLines(t, lang)
    closed = "\n" + t("summary.task_closed")
    entries = [
        Entry(f"{title(x)}{closed if x.status != TaskStatus.OPEN else ''}\n{line(x.counts)}\n")
        for x in overdue_first(tasks)
    ]
    return Report(header, entries)


def compact(t: Translate, c: Counts, lang: str) -> str:
    """Return one task's counts and rate on one line, the rate saying what it is over."""
    return _CompactLines(t, lang)(c)


def compiled(t: Translate, key: str, *names: str, **fixed: object) -> Callable[..., str]:
    """Compile a catalog line into a formatter of its parameters, given already rendered.

    The parameters are filled with markers as markup, so the catalog's own text is escaped
    and placed exactly as `Catalog.get` places it; the caller renders each value (escape a
    text, `format_int` a number) and the formatter only puts them in. `fixed` parameters are
    given their value now (a count of 1, which picks English's singular).
    """
    markers = {name: Markup(f"\x00{i}\x00") for i, name in enumerate(names)}
    text = t(key, **markers, **fixed)
    pattern = text.replace("{", "{{").replace("}", "}}")
    for i in range(len(names)):
        pattern = pattern.replace(f"\x00{i}\x00", f"{{{i}}}")
    return pattern.format


class _TaskTitles:
    """'#12 Title (CV 4824/UBND-KGVX), hạn 31/03/2025', compiled once for many tasks."""

    def __init__(self, t: Translate) -> None:
        self.t = t
        self.head = compiled(t, "summary.task_head", "id", "title", "ref", "deadline")
        self.ref = compiled(t, "summary.directive_ref", "number")

    def __call__(self, task: TaskCounts) -> str:
        ref = self.ref(escape(task.directive)) if task.directive else ""
        # The day in force, the deadline as given beside it when a day off rolled it.
        said = deadline_words(self.t, task.deadline, task.due)
        return self.head(task.task_id, escape(task.title), ref, said)


class _CompactLines:
    """One task's counts and rate on one line, compiled once for many tasks."""

    def __init__(self, t: Translate, lang: str) -> None:
        self.lang = lang
        self.line = compiled(
            t,
            "summary.compact",
            *("done", "total", "on_time", "late", "in_time", "overdue", "no_report", "rate"),
        )
        self.rate = compiled(t, "summary.compact_rate", "done", "due", "rate")
        self.no_rate = t("summary.compact_rate_none")

    def __call__(self, c: Counts) -> str:
        n = self.lang
        if c.due:
            percent = escape(format_percent(c.done, c.due, n))
            rate = self.rate(format_int(c.done, n), format_int(c.due, n), percent)
        else:
            rate = self.no_rate
        return self.line(
            *(format_int(v, n) for v in (c.done, c.total, c.done_on_time, c.done_late)),
            *(format_int(v, n) for v in (c.in_time, c.overdue, c.no_report)),
            rate,
        )


UNIT_KEYS = ("unit", "unit_overdue", "unit_late")


class _UnitLines:
    """The lines of one unit in a task's detail, compiled once for its 10,000 units."""

    def __init__(self, t: Translate, lang: str, now: datetime, tz: tzinfo) -> None:
        self.lang = lang
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.unit, self.overdue, self.late = (
            compiled(t, f"summary.{k}", "unit", "days") for k in UNIT_KEYS
        )
        # One day: English says "1 day overdue", so that line is compiled apart.
        self.overdue_one, self.late_one = (
            compiled(t, f"summary.{k}", "unit", days=1) for k in UNIT_KEYS[1:]
        )
        self.t = t
        self.extended = " " + t("summary.extended", deadline=Markup("\x03"))
        self.overdue_since: dict[date, str] = {}  # a deadline's days overdue, as text

    def days(self, days: int) -> str:
        """Return a number of days as the catalog line shows it."""
        return str(days) if days < 1000 else format_int(days, self.lang)

    def extension(self, deadline: date, in_force: date) -> str:
        """Return what follows a unit given an extension: the day it is in force, and the
        day granted beside it when that is a day off (the in-time list said "gia hạn đến
        12/12" of a unit still in time on Sunday the 13th, due on Monday the 14th)."""
        if in_force <= deadline:
            return self.extended.replace("\x03", deadline.strftime("%d/%m/%Y"))
        return " " + self.t("summary.extended_rolled", due=in_force, deadline=deadline)

    def fill(
        self, lines: Sequence[StatusLine], prefix: Prefix | None, closed: frozenset[int]
    ) -> dict[str, list[Entry]]:
        """Return the entries of each group of units, in the order of `lines`.

        Each entry is made with its `explain` given, None or not: a NamedTuple filling in
        its default is twice as slow, and there are 10,000 of them.
        """
        groups: dict[str, list[Entry]] = {k: [] for k in GROUP_KEYS}
        overdue, no_report = groups["overdue"], groups["no_report"]
        in_time, late, on_time = groups["in_time"], groups["done_late"], groups["done_on_time"]
        since = self.overdue_since
        for line in lines:
            aid, task_id, unit_name, status, never, percent, deadline, extended, done_at, due = (
                line
            )
            name = escape(prefix(line) + unit_name if prefix else unit_name)
            if status in (_OVERDUE, _DONE_LATE):
                deadline = effective_deadline(deadline, due, self.tz)  # off a day off
            if status == _OVERDUE:
                days = since.get(deadline)
                if days is None:
                    days = since[deadline] = self.days((self.today - deadline).days)
                explain = None if task_id in closed else (aid, unit_name)
                text = self.overdue_one(name) if days == "1" else self.overdue(name, days)
                if percent is not None and not never:  # how far it got, as when in time
                    text += f" ({percent}%)"
                if extended:  # overdue past the extended deadline: say it was extended
                    text += self.extension(line.deadline, deadline)
                overdue.append(Entry(text, explain))
            elif status == _DONE_LATE and done_at is not None:
                days_late = (done_at.astimezone(self.tz).date() - deadline).days
                text = (
                    self.late_one(name)
                    if days_late == 1
                    else self.late(name, self.days(days_late))
                )
                late.append(Entry(text, None))
            elif status == _IN_TIME:
                text = self.unit(name, "0")
                if percent is not None and not never:
                    text += f" ({percent}%)"
                if extended:
                    text += self.extension(deadline, effective_deadline(deadline, due, self.tz))
                in_time.append(Entry(text, None))
            else:
                on_time.append(Entry(self.unit(name, "0"), None))
            if never and status in _NOT_DONE:
                no_report.append(Entry(self.unit(name, "0"), None))
        return groups


Prefix = Callable[[StatusLine], str]
_DONE_LATE, _IN_TIME, _OVERDUE = (
    STATUS_ORDER.index(s) for s in (Status.DONE_LATE, Status.IN_TIME, Status.OVERDUE)
)
_NOT_DONE = frozenset(i for i, s in enumerate(STATUS_ORDER) if not s.done)


def detail(
    t: Translate,
    lang: str,
    head: str,
    counts: Counts,
    lines: Sequence[StatusLine],
    blockers: Sequence[Note],
    explanations: Sequence[Note],
    *,
    now: datetime,
    tz: tzinfo,
    prefix: Prefix | None = None,
    closed: frozenset[int] = frozenset(),
) -> Report:
    """Return one task (or a directive's tasks) in detail: totals, the units of each group.

    No unit of a task in `closed` is offered to be asked for an explanation: nobody follows
    that task up any more.
    """
    header = "\n".join(
        [
            head,
            totals_text(t, counts, many=len({line.task_id for line in lines}) > 1),
            rate_text(t, counts, lang),
            as_of(t, now.astimezone(tz)),
        ]
    )
    groups = _UnitLines(t, lang, now, tz).fill(lines, prefix, closed)
    note = compiled(t, "summary.note", "unit", "text")
    # A note is prefixed as its unit's line is ("#2 Xã A"): a directive's reader is told
    # which task a blocker or an explanation is of, as the lists above tell them.
    named = {ln.assignment_id: ln for ln in lines} if prefix else {}
    for key, notes in (("blocked", blockers), ("explained", explanations)):
        groups[key] = [
            Entry(note(escape(_noted(n, named, prefix)), escape(n.text)), None) for n in notes
        ]
    entries: list[Entry] = []
    for key in GROUP_KEYS:
        if groups[key]:
            entries.append(Entry("\n" + t(f"summary.group_{key}", n=len(groups[key]))))
            entries.extend(groups[key])
    return Report(header, entries)


def _noted(note: Note, lines: dict[int, StatusLine], prefix: Prefix | None) -> str:
    """Return a note's unit name, prefixed as the unit's line of the same assignment is."""
    line = lines.get(note.assignment_id)
    return prefix(line) + note.unit_name if prefix and line is not None else note.unit_name


GROUP_KEYS = (
    "overdue",
    "no_report",
    "blocked",
    "explained",
    "in_time",
    "done_late",
    "done_on_time",
)


def status_label(t: Translate, status: Status, days: int = 0, never: bool = False) -> str:
    """Return the official label of a status, with its days and 'never reported' if so."""
    label = t(f"summary.status_{status.value}")
    if days:
        label = t("summary.days", status=Markup(label), days=days)
    if never and not status.done:
        label += f" ({t('summary.no_report')})"
    return label
