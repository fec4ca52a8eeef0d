"""/link: one person on several channels, whatever channel they ask on.

On a channel where they are registered, a person asks `/link` and gets a one-time code; on
another channel they send `/link <code>`, and that chat becomes theirs too: their role,
units and reports are the same there, and their messages go to the chat they used last.
When that chat was someone already (registered again there, with units and reports of
its own), typing the code could make that person part of the code's: the chat is asked
first, Join or Cancel (`app/link_confirm.py`), and only Join, from that chat while the code
is unused and unexpired, merges them (`db/queries/merging.py`) in the transaction that
spends the code; they are told what was joined on each of their channels
(`app/link_merge.py`). What joining does is `app/link_attach.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.choices import Rows
from app.expiry import expiry
from app.link_attach import Caller, attach, linked_text, refusal
from app.link_confirm import parse, question
from app.link_merge import merged_text, tell_admins, tell_other_chats
from app.services import Services
from core.invites import is_rate_limited
from core.linking import LINK_TTL, looks_like_link_code
from core.markup import Markup
from db.engine import session_scope
from db.models import Contact, LinkCode
from db.queries.contacts import find_identity
from db.queries.invites import recent_failures, record_failure
from db.queries.linking import create_link_code, spend_link_code, usable_link_code
from db.queries.merging import lock_people

__all__ = ["Caller", "Linked", "confirm", "is_live_code", "link"]


@dataclass(frozen=True)
class Linked:
    """What to answer (markup) and offer, and the person the caller now is, when that changed."""

    text: str
    contact_id: int | None = None
    choices: Rows = field(default_factory=list)  # a merge's Join and Cancel


def link(services: Services, actor: Actor, caller: Caller, typed: str) -> Linked:
    """Answer `/link` (a new code for a known person) or `/link <code>` (attach this chat)."""
    if typed.strip():
        return _redeem(services, actor, caller, typed.strip())
    t = partial(services.catalog.get, actor.lang)
    if not [c for c in services.settings.channels if c != caller.channel]:
        # A province on this channel alone (Zalo, where Telegram is blocked): no other to link.
        return Linked(t("linking.one_channel"))
    if not actor.known:
        return Linked(t("linking.how"))
    with session_scope(services.engine) as session:
        code = create_link_code(session, contact_id=actor.contact_id, now=services.clock.now())
    minutes = int(LINK_TTL.total_seconds() // 60)
    ends = expiry(services.clock.now() + LINK_TTL, services.settings.tz)
    return Linked(t("linking.code", code=Markup(code), minutes=minutes, **ends))


def is_live_code(services: Services, typed: str) -> bool:
    """Tell whether a message is a link code alone, unused and unexpired ("5VG8-TEZW").

    The bot shows "/link 5VG8-TEZW", and people copy the code alone: read as `/link` it is
    joined (or asked first), where a registered person's text would be read as a status
    report. Only a code there is counts, and nothing else is counted as a wrong try.
    """
    if not looks_like_link_code(typed):
        return False
    with session_scope(services.engine) as session:
        return usable_link_code(session, code=typed, now=services.clock.now()) is not None


def confirm(services: Services, actor: Actor, caller: Caller, data: Sequence[str]) -> Linked:
    """Answer the Join or Cancel of a merge's question (`app/link_confirm.py`).

    Join merges only from the chat and channel asked, while that chat is still the person it
    was and the code unused and unexpired; Cancel changes nothing (the code stays usable).
    """
    t = partial(services.catalog.get, actor.lang)
    asked = parse(data)
    if asked is None or asked.channel != caller.channel:
        return Linked(t("linking.merge_stale"))
    if not asked.join:
        return Linked(t("linking.merge_cancelled"))
    with session_scope(services.engine) as session:
        found = session.get(LinkCode, asked.code_id)
        if found is not None:
            session.expunge(found)
    if found is None:
        return Linked(t("linking.merge_gone"))
    return _joined(services, actor, caller, found, source=asked.source_id)


class _RefusedError(Exception):
    """A link refused after its code was taken: the transaction is rolled back, the code kept."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _redeem(services: Services, actor: Actor, caller: Caller, typed: str) -> Linked:
    """Attach the caller's chat to the person whose code this is, ask first when that would
    merge the chat's person into the code's, or say why not."""
    t = partial(services.catalog.get, actor.lang)
    now = services.clock.now()
    who = {"channel": caller.channel, "external_id": caller.external_id}
    with session_scope(services.engine) as session:
        if is_rate_limited(recent_failures(session, now=now, **who)):
            return Linked(t("linking.too_many_tries"))
        found = (
            usable_link_code(session, code=typed, now=now) if looks_like_link_code(typed) else None
        )
        if found is None:
            record_failure(session, now=now, **who)
            return Linked(t("linking.invalid"))
        asked = _ask(session, services, actor, caller, found)
        if asked is not None:
            return asked
        session.expunge(found)
    return _joined(services, actor, caller, found, source=None)


def _ask(
    session: Session, services: Services, actor: Actor, caller: Caller, found: LinkCode
) -> Linked | None:
    """Return the question a merge asks first, or why it cannot be; None: the chat is nobody's."""
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    if identity is None:
        return None
    refused = refusal(session, services, actor, caller, found)
    if refused is not None:
        return Linked(refused)
    text, rows = question(
        session, services.catalog, actor.lang, found, identity.contact_id, caller.channel
    )
    return Linked(text, choices=rows)


def _joined(
    services: Services, actor: Actor, caller: Caller, found: LinkCode, *, source: int | None
) -> Linked:
    """Join in one transaction; say why not when the code or the people changed meanwhile."""
    try:
        with session_scope(services.engine) as session:
            joined = _join(session, services, actor, caller, found, services.clock.now(), source)
    except _RefusedError as refused:
        return Linked(refused.text)
    if joined is None:
        key = "linking.invalid" if source is None else "linking.merge_gone"
        return Linked(services.catalog.get(actor.lang, key))
    return joined


def _join(
    session: Session,
    services: Services,
    actor: Actor,
    caller: Caller,
    found: LinkCode,
    now: datetime,
    source: int | None,
) -> Linked | None:
    """Lock the people, spend the code, then join (two tries at once: one waits, then finds
    the code spent or a person merged away). `source`: the chat's person a confirmed merge
    joins; None, the chat must still be nobody's. None: the code or the people changed.

    Raises `_RefusedError` when the chat may not join the code's person: nothing is kept.
    """
    assert found.id is not None
    target = found.contact_id
    if not lock_people(session, ids={target} | ({source} if source is not None else set())):
        return None  # merged away meanwhile: a new code will do
    session.expire_all()  # read again, as the links before this one left it
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    chat_person = identity.contact_id if identity is not None else None
    if chat_person not in (source, target):
        return None  # someone's now (or no longer the person asked about): never unasked
    if not spend_link_code(session, code_id=found.id, now=now):
        return None
    refused = refusal(session, services, actor, caller, found)
    if refused is not None:
        raise _RefusedError(refused)
    source_name = session.get_one(Contact, source).display_name if source is not None else None
    merged = attach(session, caller, found, now)
    if merged is None:
        return Linked(linked_text(session, services, target), target)
    text = merged_text(session, services.catalog, merged, caller.channel)
    tell_other_chats(session, merged, caller.channel, text=text, now=now)
    tell_admins(session, services.catalog, merged, source_name=source_name or "",
                channel=caller.channel, now=now)  # fmt: skip
    return Linked(text, target)
