"""How an expiry is said: the local hour and the day ("hết hạn lúc 14:30 ngày 02/12/2026").

An invite, a link code or a sign-in link stops working at the minute it was made plus its
lifetime, not at the end of a day: saying only the day let people think it lasted till
midnight. The catalogs take ``{at}`` (hh:mm) and ``{expires}`` (the day).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def expiry(when: datetime, tz: tzinfo) -> dict[str, str | date]:
    """Return the catalog parameters for an expiry: ``at`` (local hh:mm), ``expires`` (day)."""
    local = when.astimezone(tz)
    return {"at": f"{local:%H:%M}", "expires": local.date()}


def expiry_stamp(when: datetime, tz: tzinfo) -> datetime:
    """Return an expiry as one cell of a sheet: the local time without its zone (a sheet's
    cells hold none), written hh:mm dd/mm/yyyy (core.tablefile)."""
    return when.astimezone(tz).replace(tzinfo=None)
