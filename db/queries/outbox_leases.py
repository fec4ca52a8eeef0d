"""The outbox's sender side, leases given back: a sender stopping, or taking over a channel."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox
from db.queries.outbox import READY


def release(session: Session, *, outbox_ids: Iterable[int], owner: str) -> None:
    """Give back leased messages never tried (the sender is stopping)."""
    ids = list(outbox_ids)
    if ids:
        session.execute(
            update(Outbox)
            .where(
                col(Outbox.id).in_(ids),
                col(Outbox.lease_owner) == owner,
                col(Outbox.status) == SendStatus.PENDING,
            )
            .values(lease_owner=None, lease_until=None)
        )


def take_over_leases(session: Session, *, channel: str) -> int:
    """Free every lease on the channel's rows; return how many.

    For the one elected sender of a channel (WORKERS=multi), before its first drain of a
    term: any lease is a dead or cut-off sender's, or its own from a drain the lost role
    stopped, whose rows would otherwise wait for the lease to run out. A row marked
    `sending` is tried again, as after a crash.
    """
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.channel) == channel,
            col(Outbox.status).in_(READY),
            col(Outbox.lease_owner).is_not(None),
        )
        .values(lease_owner=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0))
