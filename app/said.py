"""When a person said it: a message that waited to be handled counts from when it was sent.

The bot down overnight, a database outage waited out, a restart at midnight: "xong" sent at
23:50 on the deadline day and handled at 00:10 was recorded the next day, the unit listed
as done late (and the ranking it feeds counting it so). A channel that dates its messages
says how long one waited (`waited`: its date against the real clock, so a bot whose clock
was moved, the demo's or a trial's, is not misled); the check-in then runs as of that
moment. A message handled within `AT_LEAST` counts when handled, as always; a wait past
`AT_MOST` is no wait Telegram keeps an update for (24 hours), but a clock that is wrong.
A button press carries no date of its own: it counts when handled.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from app.services import Services
from core.clock import EarlierClock, SystemClock

AT_LEAST = timedelta(minutes=1)
AT_MOST = timedelta(hours=24)


def waited(sent_at: datetime | None) -> timedelta | None:
    """Return how long a message the channel dated `sent_at` (aware) has waited, by the real
    clock; None when the channel gave no date."""
    return None if sent_at is None else SystemClock().now() - sent_at


def as_said(services: Services, wait: timedelta | None) -> Services:
    """Return the services as of when a message that waited `wait` was said (the same
    services for one handled within `AT_LEAST`, undated, or dated by a wrong clock)."""
    if wait is None or not AT_LEAST <= wait <= AT_MOST:
        return services
    return replace(services, clock=EarlierClock(services.clock, wait))
