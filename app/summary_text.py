"""Summaries as coordinators read them: counts in the taxonomy, the units of each group, pages.

The texts come from the catalogs and the result is a header and entries, which the chat
adapter cuts into pages (or a file) and the digest reuses. An entry may name an overdue
assignment, for a "request an explanation" button.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import NamedTuple

from app.i18n import format_int, format_percent
from core.deadlines import format_date
from core.markup import Markup, escape
from core.status import Counts, Status
from core.summary import STATUS_ORDER, Note, StatusLine, TaskCounts, overdue_first

Translate = Callable[..., str]  # (key, **params) -> text in the reader's language
PAGE_BUDGET = 3500  # characters of a page, under Telegram's 4096 with room for the header
PAGE_BUTTONS = 10  # explanation buttons on one page


class Entry(NamedTuple):
    """A paragraph of a summary; `explain` names an overdue assignment and its unit.

    A tuple, not a class of its own: a task's summary makes one per unit (10,000), and the
    garbage collector stops following a tuple of plain values once it has seen it.
    """

    text: str
    explain: tuple[int, str] | None = None


@dataclass(frozen=True)
class Report:
    """A summary: a header repeated on every page, then its entries."""

    header: str
    entries: list[Entry] = field(default_factory=list)

    def pages(self, budget: int = PAGE_BUDGET, buttons: int = PAGE_BUTTONS) -> list[list[Entry]]:
        """Cut the entries into pages that fit the budget and the button limit."""
        pages: list[list[Entry]] = [[]]
        size = used = 0
        for entry in self.entries:
            full = size + len(entry.text) + 1 > budget or (entry.explain and used >= buttons)
            if pages[-1] and full:
                pages.append([])
                size = used = 0
            pages[-1].append(entry)
            size += len(entry.text) + 1
            used += entry.explain is not None
        return pages

    def text(self, page: Sequence[Entry]) -> str:
        """Return the header and one page's entries as one message."""
        return "\n".join([self.header, *(e.text for e in page)])

    def full_text(self) -> str:
        """Return everything, for a file."""
        return self.text(self.entries)


def as_of(t: Translate, now_local: datetime) -> str:
    """Return 'Số liệu tính đến hh:mm ngày dd/mm/yyyy'."""
    return t("summary.as_of", time=now_local.strftime("%H:%M"), date=now_local.date())


def rate_text(t: Translate, counts: Counts, lang: str) -> str:
    """Return the completion rate line: 'done/due = 85,7%', or that nothing is due."""
    if not counts.due:
        return t("summary.rate_none")
    rate = format_percent(counts.done, counts.due, lang)
    return t("summary.rate", done=counts.done, due=counts.due, rate=rate)


def totals_text(t: Translate, counts: Counts) -> str:
    """Return the totals per status, with no report and blockers inside not done."""
    text = t(
        "summary.totals",
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
        [head, totals_text(t, total), rate_text(t, total, lang), as_of(t, now_local), ""]
    )
    title = _TaskTitles(t)
    line = _CompactLines(t, lang)
    entries = [Entry(f"{title(x)}\n{line(x.counts)}\n") for x in overdue_first(tasks)]
    return Report(header, entries)


def compact(t: Translate, c: Counts, lang: str) -> str:
    """Return one task's counts and rate on one line, the rate saying what it is over."""
    return _CompactLines(t, lang)(c)


def compiled(t: Translate, key: str, *names: str) -> Callable[..., str]:
    """Compile a catalog line into a formatter of its parameters, given already rendered.

    The parameters are filled with markers as markup, so the catalog's own text is escaped
    and placed exactly as `Catalog.get` places it; the caller renders each value (escape a
    text, `format_int` a number) and the formatter only puts them in.
    """
    text = t(key, **{name: Markup(f"\x00{i}\x00") for i, name in enumerate(names)})
    pattern = text.replace("{", "{{").replace("}", "}}")
    for i in range(len(names)):
        pattern = pattern.replace(f"\x00{i}\x00", f"{{{i}}}")
    return pattern.format


class _TaskTitles:
    """'#12 Title (CV 4824/UBND-KGVX), hạn 31/03/2025', compiled once for many tasks."""

    def __init__(self, t: Translate) -> None:
        self.head = compiled(t, "summary.task_head", "id", "title", "ref", "deadline")
        self.ref = compiled(t, "summary.directive_ref", "number")

    def __call__(self, task: TaskCounts) -> str:
        ref = self.ref(escape(task.directive)) if task.directive else ""
        return self.head(task.task_id, escape(task.title), ref, format_date(task.deadline))


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


def _template(t: Translate, key: str, lang: str) -> Callable[[str, int], str]:
    """Return a fast formatter of a per-unit catalog line (10,000 units must stay quick)."""
    line = compiled(t, key, "unit", "days")

    def render(unit: str, days: int) -> str:
        return line(escape(unit), str(days) if days < 1000 else format_int(days, lang))

    return render


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
    prefix: Callable[[StatusLine], str] | None = None,
) -> Report:
    """Return one task (or a directive's tasks) in detail: totals, the units of each group."""
    header = "\n".join(
        [head, totals_text(t, counts), rate_text(t, counts, lang), as_of(t, now.astimezone(tz))]
    )
    unit, overdue, late = (_template(t, f"summary.{k}", lang) for k in UNIT_KEYS)
    extended = " " + t("summary.extended", deadline=Markup("\x03"))
    today = now.astimezone(tz).date()
    groups: dict[str, list[Entry]] = {k: [] for k in GROUP_KEYS}
    for line in lines:
        name = prefix(line) + line.unit_name if prefix else line.unit_name
        status = STATUS_ORDER[line.status]
        if status is Status.OVERDUE:
            text = overdue(name, (today - line.deadline).days)
            groups["overdue"].append(Entry(text, (line.assignment_id, line.unit_name)))
        elif status is Status.DONE_LATE and line.done_at is not None:
            days = (line.done_at.astimezone(tz).date() - line.deadline).days
            groups["done_late"].append(Entry(late(name, days)))
        elif status is Status.IN_TIME:
            text = unit(name, 0)
            if line.percent is not None and not line.never:
                text += f" ({line.percent}%)"
            if line.extended:
                text += extended.replace("\x03", line.deadline.strftime("%d/%m/%Y"))
            groups["in_time"].append(Entry(text))
        else:
            groups["done_on_time"].append(Entry(unit(name, 0)))
        if line.never and not status.done:
            groups["no_report"].append(Entry(unit(name, 0)))
    note = "summary.note"
    groups["blocked"] = [Entry(t(note, unit=n.unit_name, text=n.text)) for n in blockers]
    groups["explained"] = [Entry(t(note, unit=n.unit_name, text=n.text)) for n in explanations]
    entries: list[Entry] = []
    for key in GROUP_KEYS:
        if groups[key]:
            entries.append(Entry("\n" + t(f"summary.group_{key}", n=len(groups[key]))))
            entries.extend(groups[key])
    return Report(header, entries)


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
