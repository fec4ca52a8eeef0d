"""Zalo: plain text within 2000 characters; status choices as one legend of typed answers.

A reminder about one item shows its four answers once ("1 = Hoàn thành", "2 = Đang thực
hiện (vd. 2 60%)", ...); about several, how to answer each (`#12 1`). Other choices are
numbered as on any text channel (`render/text.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.choices import STATUS_PREFIX, Choice
from app.i18n import Catalog
from render.text import numbered, render

LIMIT = 2000
TASK_LABEL = re.compile(r"^#(\d+)\b")


def status_assignments(rows: Sequence[Sequence[Choice]]) -> list[int]:
    """Return the assignments of choices that are all status choices (else [])."""
    choices = numbered(rows)
    if not choices or any(c.data[:1] != (STATUS_PREFIX,) for c in choices):
        return []
    return list(dict.fromkeys(int(c.data[-1]) for c in choices))


def show(
    catalog: Catalog, lang: str, text: str, rows: Sequence[Sequence[Choice]], limit: int = LIMIT
) -> list[str]:
    """Return the messages that show a text and its choices on Zalo."""
    assignments = status_assignments(rows)
    if not assignments:
        intro = catalog.get(lang, "common.reply_with_number")
        return render(text, rows, intro=intro, limit=limit)
    if len(assignments) == 1:
        legend = catalog.get(lang, "zalo.status_one")
    else:
        first = TASK_LABEL.match(numbered(rows)[0].label)
        legend = catalog.get(lang, "zalo.status_many", task=first.group(1) if first else "12")
    return render(f"{text}\n\n{legend}", [], intro="", limit=limit)
