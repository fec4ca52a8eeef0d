"""/link: one person on several channels, whatever channel they ask on.

On a channel where they are registered, a person asks `/link` and gets a one-time code; on
another channel they send `/link <code>`, and that chat becomes theirs too: their role,
units and reports are the same there, and their messages go to the chat they used last.
When that chat was someone already (registered again there, with units and reports of
its own), typing the code proves one person holds both chats: that person is merged into
the code's (`db/queries/merging.py`), in the transaction that spends the code, and told
what was joined on each of their channels (`app/link_merge.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.link_merge import merged_text, tell_other_chats
from app.people import channel_name, channel_names
from app.services import Services
from core.invites import is_rate_limited
from core.linking import LINK_TTL, looks_like_link_code
from core.markup import Markup
from db.engine import session_scope
from db.models import Contact, LinkCode
from db.queries.audit import record
from db.queries.contacts import find_identity, identities_of
from db.queries.invites import recent_failures, record_failure
from db.queries.linking import (
    attach_identity,
    channels_of,
    create_link_code,
    spend_link_code,
    usable_link_code,
)
from db.queries.merging import Merged, lock_people, merge_people


@dataclass(frozen=True)
class Caller:
    """The chat identity a /link came from, as its channel tells it."""

    channel: str
    external_id: str
    chat_id: str
    username: str | None = None


@dataclass(frozen=True)
class Linked:
    """What to answer (markup), and the person the caller now is, when that changed."""

    text: str
    contact_id: int | None = None


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
    return Linked(t("linking.code", code=Markup(code), minutes=minutes))


class _RefusedError(Exception):
    """A link refused after its code was taken: the transaction is rolled back, the code kept."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _redeem(services: Services, actor: Actor, caller: Caller, typed: str) -> Linked:
    """Attach the caller's chat to the person whose code this is, or say why not."""
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
    try:
        with session_scope(services.engine) as session:
            return _join(session, services, actor, caller, found, now)
    except _RefusedError as refused:
        return Linked(refused.text)


def _join(
    session: Session,
    services: Services,
    actor: Actor,
    caller: Caller,
    found: LinkCode,
    now: datetime,
) -> Linked:
    """Lock the people, spend the code, then join (two tries at once: one waits, then finds
    the code spent or a person merged away).

    Raises `_RefusedError` when the chat may not join the code's person: nothing is kept.
    """
    assert found.id is not None
    invalid = services.catalog.get(actor.lang, "linking.invalid")
    target = found.contact_id
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    people = {target} | ({identity.contact_id} if identity is not None else set())
    if not lock_people(session, ids=people):
        return Linked(invalid)  # merged away meanwhile: a new code will do
    session.expire_all()  # read again, as the links before this one left it
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    if identity is not None and identity.contact_id not in people:
        return Linked(invalid)
    if not spend_link_code(session, code_id=found.id, now=now):
        return Linked(invalid)
    refusal = _refusal(session, services, actor, caller, found)
    if refusal is not None:
        raise _RefusedError(refusal)
    merged = _attach(session, caller, found, now)
    if merged is None:
        return Linked(_linked_text(session, services, target), target)
    text = merged_text(session, services.catalog, merged, caller.channel)
    tell_other_chats(session, merged, caller.channel, text=text, now=now)
    return Linked(text, target)


def _refusal(
    session: Session, services: Services, actor: Actor, caller: Caller, found: LinkCode
) -> str | None:
    """Return why this chat cannot join the code's person (None: it can)."""
    t = partial(services.catalog.get, actor.lang)
    channel = channel_name(services.catalog, actor.lang, caller.channel)
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    if identity is not None and identity.contact_id == found.contact_id:
        return t("linking.already", channel=channel)
    joining = {caller.channel}
    if identity is not None:
        joining = channels_of(session, contact_id=identity.contact_id)
    if joining & channels_of(session, contact_id=found.contact_id):
        return t("linking.one_per_channel", channel=channel)
    return None


def _attach(session: Session, caller: Caller, found: LinkCode, now: datetime) -> Merged | None:
    """Give the code's person the caller's chat, merging in the person it was (if any).

    Returns what the merge did, None when the chat was nobody's.
    """
    target = found.contact_id
    identity = find_identity(session, channel=caller.channel, external_id=caller.external_id)
    merged = None
    if identity is not None:
        merged = merge_people(session, source_id=identity.contact_id, target_id=target, now=now)
        session.refresh(identity)
        identity.chat_id, identity.started, identity.reachable = caller.chat_id, True, True
        identity.unreachable_since, identity.last_seen_at = None, now
        session.add(identity)
    else:
        attach_identity(
            session,
            contact_id=target,
            channel=caller.channel,
            external_id=caller.external_id,
            chat_id=caller.chat_id,
            username=caller.username,
            now=now,
        )
    source = merged.source_id if merged is not None else None
    details = {"channel": caller.channel, "merged": source, "code": found.id}
    record(
        session,
        actor_id=target,
        action="contact.linked",
        object_type="contact",
        object_id=target,
        details=details,
    )
    if merged is not None:
        record(
            session,
            actor_id=target,
            action="contact.merged",
            object_type="contact",
            object_id=target,
            details={
                **details,
                "role_before": merged.role_before,
                "role": merged.role,
                "units_added": list(merged.units_added),
            },
        )
    return merged


def _linked_text(session: Session, services: Services, contact_id: int) -> str:
    """Say, in the person's language, that this chat is theirs now and what they are on."""
    person = session.get_one(Contact, contact_id)
    channels = [i.channel for i in identities_of(session, contact_id=contact_id)]
    return services.catalog.get(
        person.language,
        "linking.linked",
        name=person.display_name or "-",
        channels=channel_names(services.catalog, person.language, channels),
    )
