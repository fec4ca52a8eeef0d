"""What joining a chat to a `/link` code's person does, in the transaction that spends it.

Why it may not (`refusal`: the chat is theirs already, or their person is on a channel the
code's is on), the chat attached or its person merged in (`attach`, audited as
`contact.linked`, `contact.merged`, `contact.role_raised_by_merge` when the joined person
has a role one of the two did not have, and `contact.scope_widened_by_merge` when a
coordinator follows more units with the same role), and the words of a plain link
(`linked_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.link_merge import audit_merge
from app.people import channel_name, channel_names
from app.services import Services
from db.models import Contact, LinkCode
from db.queries.audit import record
from db.queries.contacts import find_identity, identities_of
from db.queries.linking import attach_identity, channels_of
from db.queries.merging import Merged, merge_people


@dataclass(frozen=True)
class Caller:
    """The chat identity a /link came from, as its channel tells it."""

    channel: str
    external_id: str
    chat_id: str
    username: str | None = None


def refusal(
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


def attach(session: Session, caller: Caller, found: LinkCode, now: datetime) -> Merged | None:
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
    details: dict[str, object] = {"channel": caller.channel, "merged": source, "code": found.id}
    record(
        session,
        actor_id=target,
        action="contact.linked",
        object_type="contact",
        object_id=target,
        details=details,
    )
    if merged is not None:  # a raised role: the attack a confirmation guards against
        audit_merge(session, merged, details, actor_id=target)
    return merged


def linked_text(session: Session, services: Services, contact_id: int) -> str:
    """Say, in the person's language, that this chat is theirs now and what they are on."""
    person = session.get_one(Contact, contact_id)
    channels = [i.channel for i in identities_of(session, contact_id=contact_id)]
    return services.catalog.get(
        person.language,
        "linking.linked",
        name=person.display_name or "-",
        channels=channel_names(services.catalog, person.language, channels),
    )
