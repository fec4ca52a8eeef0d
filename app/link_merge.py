"""What a person is told when `/link` made their two people one: on each of their chats.

The chat that typed the code is answered; every other chat of theirs gets the same words as
a notice (`merged:<target>:<source>:<channel>`, queued in the merge's transaction), so a
merge nobody meant is seen where the code was made. An admin may merge two people named as
/contacts names them (`merge_named`, `dondoc contacts merge`): the person is told on every
chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session, col, select

from app.i18n import Catalog
from app.people import channel_name, channel_names
from core.markup import Markup
from db.models import Contact, Unit, UnitContact
from db.queries.audit import record
from db.queries.contact_admin import find_people
from db.queries.contacts import deliverable, described, identities_of
from db.queries.linking import channels_of
from db.queries.merging import Merged, lock_people, merge_people
from db.queries.outbox import PRIORITY_NOTICE, enqueue


def merged_text(
    session: Session, catalog: Catalog, merged: Merged, channel: str, lang: str | None = None
) -> str:
    """Say what was joined (by default in the merged person's language): name, role, units,
    channels; `channel` is where the units joined came from."""
    person = session.get_one(Contact, merged.target_id)
    lang = lang or person.language
    t = catalog.get
    units = unit_names(session, contact_id=merged.target_id)
    added = [units[i] for i in merged.units_added if i in units]
    role = t(lang, f"common.role_{merged.role}")
    if merged.role != merged.role_before:
        role = t(lang, "linking.merged_role_raised", role=role)
    text = t(
        lang,
        "linking.merged",
        name=person.display_name or "-",
        role=Markup(role),
        units=", ".join(sorted(units.values())) or t(lang, "contacts.no_units"),
        channels=channel_names(
            catalog, lang, [i.channel for i in identities_of(session, contact_id=merged.target_id)]
        ),
    )
    if added:
        where = channel_name(catalog, lang, channel)
        text += "\n" + t(lang, "linking.merged_units", channel=where, units=", ".join(added))
    return text


def unit_names(session: Session, *, contact_id: int) -> dict[int, str]:
    """Return the person's units by id: their names."""
    query = (
        select(Unit.id, Unit.name)
        .join(UnitContact, col(UnitContact.unit_id) == col(Unit.id))
        .where(UnitContact.contact_id == contact_id)
    )
    return {i: name for i, name in session.exec(query) if i is not None}


def tell_other_chats(
    session: Session, merged: Merged, caller_channel: str, *, text: str, now: datetime
) -> int:
    """Queue the words of a merge to the person's chats other than the caller's; count them."""
    told = 0
    for identity in identities_of(session, contact_id=merged.target_id):
        if identity.channel == caller_channel or not identity.chat_id:
            continue
        if not deliverable(identity):
            continue
        queued = enqueue(
            session,
            key=f"merged:{merged.target_id}:{merged.source_id}:{identity.channel}",
            chat_id=identity.chat_id,
            channel=identity.channel,
            contact_id=merged.target_id,
            kind="notice",
            text=text,
            now=now,
            priority=PRIORITY_NOTICE,
        )
        told += queued is not None
    return told


@dataclass(frozen=True)
class MergeAsked:
    """What an admin's merge did: whether it was made, and what to say (markup)."""

    made: bool
    text: str


def merge_named(
    session: Session, catalog: Catalog, lang: str, *, keep: str, other: str, now: datetime
) -> MergeAsked:
    """Merge the person named `other` into the one named `keep`, or say why not."""
    t = partial(catalog.get, lang)
    ids = []
    for text in (keep, other):
        people = find_people(session, text=text)
        if not people:
            return MergeAsked(False, t("contacts.scope_person_not_found", text=text))
        if len(people) > 1:
            who = "\n".join(described(session, people))
            return MergeAsked(False, t("contacts.scope_which_person", people=who))
        ids.append(people[0].id or 0)
    target, source = ids
    if target == source or not lock_people(session, ids=ids):
        return MergeAsked(False, t("linking.merge_same"))
    source_channels = channels_of(session, contact_id=source)
    shared = source_channels & channels_of(session, contact_id=target)
    if shared:
        names = channel_names(catalog, lang, sorted(shared))
        return MergeAsked(False, t("linking.merge_same_channel", channels=names))
    merged = merge_people(session, source_id=source, target_id=target, now=now)
    details = {"merged": source, "role_before": merged.role_before, "role": merged.role}
    details["units_added"] = list(merged.units_added)
    record(session, actor_id=None, actor_label="cli", action="contact.merged",
           object_type="contact", object_id=target, details=details)  # fmt: skip
    came_from = sorted(source_channels)[0] if source_channels else ""
    tell_other_chats(
        session, merged, "", text=merged_text(session, catalog, merged, came_from), now=now
    )
    return MergeAsked(True, merged_text(session, catalog, merged, came_from, lang))
