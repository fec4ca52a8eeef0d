"""Zalo: plain text within 2000 characters; status choices as one legend of typed answers.

A reminder about one item shows its four answers once ("1 = Hoàn thành", "2 = Đang thực
hiện (vd. 2 60%)", ...); about several, how to answer each (`#12 1`), its example a task
listed once. A task listed for two of the person's units (its choices labelled "#12 <unit>")
is asked by unit after `#12 1`: the legend says so, rather than promise a one-step answer.
Other choices are numbered as on any text channel (`render/text.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from app.choices import Choice, status_assignments
from app.i18n import Catalog
from render.text import numbered, render

LIMIT = 2000
TASK_LABEL = re.compile(r"^#(\d+)\b")


def show(
    catalog: Catalog, lang: str, text: str, rows: Sequence[Sequence[Choice]], limit: int = LIMIT
) -> list[str]:
    """Return the messages that show a text and its choices on Zalo."""
    assignments = status_assignments(rows)
    if not assignments:
        intro = catalog.get(lang, "common.reply_with_number")
        return render(text, rows, intro=intro, limit=limit)
    legend = (
        catalog.get(lang, "zalo.status_one")
        if len(assignments) == 1
        else _many(catalog, lang, rows)
    )
    return render(f"{text}\n\n{legend}", [], intro="", limit=limit)


def _many(catalog: Catalog, lang: str, rows: Sequence[Sequence[Choice]]) -> str:
    """Return how to answer an offer about several items: `#12 1` of a task listed once, and,
    for the tasks listed for several units, that the unit is asked next."""
    tasks = _task_of_assignments(rows)
    listed = Counter(tasks.values())
    once = [task for task, n in listed.items() if n == 1]
    twice = [task for task, n in listed.items() if n > 1]
    example = (once or twice or ["12"])[0]
    legend = catalog.get(lang, "zalo.status_many", task=example)
    if not twice:
        return legend
    named = ", ".join(f"#{task}" for task in twice)
    return legend + "\n" + catalog.get(lang, "zalo.status_by_unit", tasks=named, task=twice[0])


def _task_of_assignments(rows: Sequence[Sequence[Choice]]) -> dict[int, str]:
    """Return the task number each offered assignment's choices are labelled with."""
    tasks: dict[int, str] = {}
    for choice in numbered(rows):
        found = TASK_LABEL.match(choice.label)
        if found is not None:
            tasks.setdefault(int(choice.data[-1]), found.group(1))
    return tasks
