"""Work refused for now: a receiver already holds as much as it may take."""

from __future__ import annotations


class BusyError(Exception):
    """Too much is waiting to be handled: nothing was taken, send it again later.

    A webhook's sink raises it before storing anything; the web adapter answers 503 with
    Retry-After, and the platform sends the update again.
    """
