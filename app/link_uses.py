"""Links that work once: a link opened from chat is taken when what it gives is given.

A download is taken before its file is built, for a few minutes (a lease), confirmed once
the file is handed over, and given back when the build fails (busy, a broken template, an
error), so that the person can try again; a take neither confirmed nor given back (the
process died while building) lapses with its lease. Of two uses at once only one is taken.
A link's signature names it (`app.links`); the store keeps its hash until the link expires
(`db.queries.used_links`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.links import SignedLink
from db.queries import used_links


def take(session: Session, link: SignedLink, *, now: datetime) -> bool:
    """Take the link for one use; False when it was used (or is being used) already."""
    return used_links.take(session, signature=link.signature, expires_at=link.expires, now=now)


def confirm(session: Session, link: SignedLink) -> None:
    """Mark a link taken for a use that succeeded as used for good."""
    used_links.confirm(session, signature=link.signature)


def give_back(session: Session, link: SignedLink) -> None:
    """Make a link taken for a use that failed usable again."""
    used_links.give_back(session, signature=link.signature)


def was_used(session: Session, link: SignedLink, *, now: datetime) -> bool:
    """Tell whether the link was used already (or is being used now)."""
    return used_links.was_used(session, signature=link.signature, now=now)


def link_id(link: SignedLink) -> str:
    """Return what names the link in the database (its signature's hash, not the signature)."""
    return used_links.link_key(link.signature)
