"""Crontab lines as APScheduler triggers: `DIGEST_CRON`, read by the settings when they load
and by the digest job when it is scheduled.

Apart from the digest job itself so that reading the settings (every `dondoc` command does)
imports no more than APScheduler's trigger.
"""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: 0 = Sunday
APS_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler 3: 0 = Monday


def cron_fields(cron: str) -> dict[str, str]:
    """Return APScheduler CronTrigger fields for a standard crontab line."""
    minute, hour, day, month, day_of_week = cron.split()
    return {
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": aps_days(day_of_week),
    }


def aps_days(field: str) -> str:
    """Translate a crontab day-of-week field (numbers, names, ranges, steps) to day names."""
    days: set[int] = set()
    for item in field.lower().split(","):
        body, _, step = item.partition("/")
        stride = int(step) if step else 1
        if body == "*":
            low, high = 0, 6
        elif "-" in body:
            first, last = body.split("-", 1)
            low, high = _day(first), _day(last)
        else:
            low = _day(body)
            high = 6 if step else low  # "1/2": from Monday to the end of the week
        if high < low or stride < 1:
            raise ValueError(f"bad day-of-week {item!r}")
        days |= {d % 7 for d in range(low, high + 1, stride)}
    if len(days) == len(CRON_DAYS):
        return "*"
    return ",".join(name for name in APS_DAYS if CRON_DAYS.index(name) in days)


def _day(text: str) -> int:
    """Return a crontab day number (0-7, 7 = Sunday again) from a number or a name."""
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text[:3] in CRON_DAYS:
        return CRON_DAYS.index(text[:3])
    raise ValueError(f"bad day {text!r}")


def trigger_for(cron: str, tz: Any) -> CronTrigger:
    """Return the APScheduler trigger of a crontab line in the time zone."""
    return CronTrigger(timezone=tz, **cron_fields(cron))
