"""What the /calendar replies share: a day's weekday, tasks named by number, a reason."""

from __future__ import annotations

from datetime import date

from app.services import Services
from core.markup import Markup

MAX_LISTED_TASKS = 30  # tasks moved off a new day off, named by number; more are counted


def task_refs(ids: list[int]) -> str:
    """Return tasks as "#12, #13", the first MAX_LISTED_TASKS of them and how many more."""
    shown = ", ".join(f"#{i}" for i in ids[:MAX_LISTED_TASKS])
    more = len(ids) - MAX_LISTED_TASKS
    return f"{shown}, … (+{more})" if more > 0 else shown


def weekday(services: Services, lang: str, day: date) -> str:
    """Return the day of the week in the person's language."""
    return services.catalog.get(lang, f"calendar.wd_{day.weekday()}")


def reason_clause(services: Services, lang: str, reason: str, *, listed: bool = False) -> Markup:
    """Return the reason typed with a day as its answer (": Tết") or the list (", Tết") say
    it, or nothing when none was typed."""
    if not reason:
        return Markup("")
    key = "calendar.reason_listed" if listed else "calendar.reason_said"
    return Markup(services.catalog.get(lang, key, reason=reason))
