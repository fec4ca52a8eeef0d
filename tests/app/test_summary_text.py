"""The all-tasks summary says, for every task, exactly what its catalog lines say.

`task_list` compiles its catalog lines once per summary (a country has hundreds of open
tasks); these tests hold it to the catalog filled the ordinary way, with hostile titles.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.i18n import format_percent, load_catalog
from app.summary_text import task_list
from core.markup import Markup
from core.status import Counts
from core.summary import TaskCounts

HOSTILE = ["{title}", "**đậm** và `mã`", "a\\b <b>x</b>", "{0} {1} %s", "Kế hoạch 2027"]


def the_catalog_says(lang: str, task: TaskCounts) -> str:
    """One task's entry written with `Catalog.get`, parameter by parameter."""
    catalog = load_catalog()

    def t(key: str, **params: object) -> str:
        return catalog.get(lang, key, **params)

    c = task.counts
    ref = t("summary.directive_ref", number=task.directive) if task.directive else ""
    head = t(
        "summary.task_head",
        id=Markup(str(task.task_id)),
        title=task.title,
        ref=Markup(ref),
        deadline=task.deadline,
    )
    if c.due:
        rate = t(
            "summary.compact_rate",
            done=c.done,
            due=c.due,
            rate=format_percent(c.done, c.due, lang),
        )
    else:
        rate = t("summary.compact_rate_none")
    line = t(
        "summary.compact",
        done=c.done,
        total=c.total,
        on_time=c.done_on_time,
        late=c.done_late,
        in_time=c.in_time,
        overdue=c.overdue,
        no_report=c.no_report,
        rate=Markup(rate),
    )
    return f"{head}\n{line}\n"


def tasks() -> list[TaskCounts]:
    """Tasks with hostile titles and directives, counts past a thousand, nothing due."""
    counts = [
        Counts(done_on_time=1234, done_late=7, in_time=3, overdue=2500, no_report=12),
        Counts(in_time=5),  # nothing due yet: no rate
        Counts(done_on_time=1, overdue=2),
    ]
    return [
        TaskCounts(
            task_id=10 + i,
            title=title,
            deadline=date(2026, 12, 31 - i),
            status="open",
            directive=None if i % 2 else f"{i} {{x}} **CV**",
            counts=counts[i % len(counts)],
        )
        for i, title in enumerate(HOSTILE)
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_task_entry_is_what_the_catalog_says(lang: str) -> None:
    catalog = load_catalog()

    def t(key: str, **params: object) -> str:
        return catalog.get(lang, key, **params)

    report = task_list(t, lang, tasks(), "head", datetime(2026, 12, 5, 8, 0))

    assert sorted(e.text for e in report.entries) == sorted(
        the_catalog_says(lang, x) for x in tasks()
    )


def test_numbers_use_the_readers_separators() -> None:
    catalog = load_catalog()
    big = [x for x in tasks() if x.counts.total > 1000][:1]

    def t_vi(key: str, **params: object) -> str:
        return catalog.get("vi", key, **params)

    def t_en(key: str, **params: object) -> str:
        return catalog.get("en", key, **params)

    vi = task_list(t_vi, "vi", big, "", datetime(2026, 12, 5, 8, 0)).entries[0].text
    en = task_list(t_en, "en", big, "", datetime(2026, 12, 5, 8, 0)).entries[0].text

    assert "1.241/3.744" in vi
    assert "1.241/3.741 = 33,2%" in vi
    assert "1,241/3,744" in en
    assert "1,241/3,741 = 33.2%" in en


@pytest.mark.parametrize(
    ("lang", "one", "two"), [("en", "1 day", "2 days"), ("vi", "1 ngày", "2 ngày")]
)
def test_a_units_days_are_said_as_the_catalog_says_them_one_included(
    lang: str, one: str, two: str
) -> None:
    """A unit one day overdue (or late) reads "1 day" in English, as `Catalog.get` says it."""
    from datetime import UTC

    from app.summary_text import detail
    from core.status import Status
    from core.summary import STATUS_ORDER, StatusLine
    from core.taskdates import due_at

    catalog = load_catalog()
    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    overdue, late = STATUS_ORDER.index(Status.OVERDUE), STATUS_ORDER.index(Status.DONE_LATE)
    done_at = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)
    A, B = date(2026, 11, 17), date(2026, 11, 16)  # noqa: N806
    lines = [
        StatusLine(1, 1, "Xã A", overdue, False, None, A, False, None, due_at(A, UTC)),
        StatusLine(2, 1, "Xã B", overdue, False, None, B, False, None, due_at(B, UTC)),
        StatusLine(3, 1, "Xã C", late, False, None, B, False, done_at, due_at(B, UTC)),
    ]
    report = detail(
        lambda key, **p: catalog.get(lang, key, **p),
        lang,
        "",
        Counts(),
        lines,
        [],
        [],
        now=now,
        tz=UTC,
    )
    texts = [e.text for e in report.entries]
    assert catalog.get(lang, "summary.unit_overdue", unit="Xã A", days=1) in texts
    assert catalog.get(lang, "summary.unit_overdue", unit="Xã B", days=2) in texts
    assert catalog.get(lang, "summary.unit_late", unit="Xã C", days=1) in texts
    assert any(one in t and "Xã A" in t for t in texts)
    assert any(two in t and "Xã B" in t for t in texts)
