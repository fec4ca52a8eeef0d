"""The messages held for office time on a day off: moved past it, and brought back.

Each in the transaction that sets or removes the day off (app.notices moves them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from app.notices import bring_back_held, hold_past_day_off
from app.services import Services


def hold(services: Services, session: Session, day: date) -> tuple[int, datetime | None]:
    """Move the messages held for office time on the new day off `day` to the next office
    moment, in the day off's transaction; return how many and when they go."""
    return hold_past_day_off(
        session,
        day=day,
        now=services.clock.now(),
        hours=services.settings.work_hours,
        tz=services.settings.tz,
    )


def bring_back(services: Services, session: Session, day: date) -> tuple[int, datetime | None]:
    """Bring back the messages held past `day`, a day off no longer, in its transaction;
    return how many and when the first goes."""
    return bring_back_held(
        session,
        day=day,
        now=services.clock.now(),
        hours=services.settings.work_hours,
        tz=services.settings.tz,
    )


def held_back_line(services: Services, lang: str, back: tuple[int, datetime | None]) -> str:
    """Return the line saying how many held messages go earlier, and from when ("": none)."""
    count, at = back
    if not count or at is None:
        return ""
    at = at.astimezone(services.settings.tz)
    return "\n" + services.catalog.get(lang, "calendar.off_held_back", count=count, at=at)
