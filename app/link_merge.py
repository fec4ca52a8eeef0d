"""What a person is told when `/link` made their two people one: on each of their chats.

The chat that typed the code is answered; every other chat of theirs gets the same words as
a notice (`merged:<target>:<source>:<channel>`, queued in the merge's transaction), so a
merge nobody meant is seen where the code was made. An admin may merge two people named as
/contacts names them (`merge_named`, `dondoc contacts merge`), shown first what it would do
(`plan_named`): the person is told on every chat. Either way a merge that raised a role or
widened a coordinator's scope is audited (`audit_merge`) and told to the admins
(`tell_admins`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session, col, select

from app.i18n import Catalog
from app.notices import tell
from app.people import channel_name, channel_names, identities_text
from core.markup import Markup
from core.roles import Role
from core.textnorm import vi_sort_key
from db.models import Contact, Unit, UnitContact, UnitGroup
from db.queries.audit import record
from db.queries.contact_admin import find_people
from db.queries.contacts import (
    Identities,
    contacts_with_role_at_least,
    deliverable,
    described,
    identities_by_person,
    identities_of,
    scope_group_ids,
)
from db.queries.linking import channels_of
from db.queries.merging import RANK, Merged, lock_people, merge_people, wider_scope
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.recipients import recipients_in_order


def merged_text(
    session: Session, catalog: Catalog, merged: Merged, channel: str, lang: str | None = None
) -> str:
    """Say what was joined (by default in the merged person's language): name, role, units,
    channels; `channel` is where the units joined came from."""
    person = session.get_one(Contact, merged.target_id)
    lang = lang or person.language
    t = catalog.get
    units = unit_names(session, contact_id=merged.target_id)
    added = vi_sorted(units[i] for i in merged.units_added if i in units)
    role = t(lang, f"common.role_{merged.role}")
    if merged.role != merged.role_before:
        role = t(lang, "linking.merged_role_raised", role=role)
    text = t(
        lang,
        "linking.merged",
        name=person.display_name or "-",
        role=Markup(role),
        units=", ".join(vi_sorted(units.values())) or t(lang, "contacts.no_units"),
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


def audit_merge(
    session: Session,
    merged: Merged,
    details: dict[str, object],
    *,
    actor_id: int | None,
    actor_label: str = "",
) -> None:
    """Audit a merge (`contact.merged`), and, when it raised a role or widened a coordinator's
    scope, `contact.role_raised_by_merge` / `contact.scope_widened_by_merge`: the trace a
    merge nobody meant leaves. `details`: what the caller adds (the channel, the code)."""
    details = details | {"role_before": merged.role_before, "role": merged.role}
    details |= {"source_role": merged.source_role, "units_added": list(merged.units_added)}

    def audit(action: str, data: dict[str, object]) -> None:
        record(session, actor_id=actor_id, actor_label=actor_label, action=action,
               object_type="contact", object_id=merged.target_id, details=data)  # fmt: skip

    audit("contact.merged", details)
    if merged.raised:
        audit("contact.role_raised_by_merge", details)
    if merged.scope_widened:  # a coordinator following more units, their role the same
        widened = details | {
            "scope_before": list(merged.scope_before),
            "scope": list(merged.scope),
        }
        widened |= {"source_scope": list(merged.source_scope)}
        audit("contact.scope_widened_by_merge", widened)


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


@dataclass(frozen=True)
class MergePlan:
    """An admin's merge as it would be made: the people (kept, merged in) and what it does
    (markup: both people, their channels, units and scope; the joined role and scope)."""

    target_id: int
    source_id: int
    text: str


def plan_named(
    session: Session, catalog: Catalog, lang: str, *, keep: str, other: str
) -> MergePlan | MergeAsked:
    """Say what merging the person named `other` into the one named `keep` would do, changing
    nothing; or why it cannot be made (a `MergeAsked` not made)."""
    found = _named(session, catalog, lang, keep=keep, other=other)
    if isinstance(found, MergeAsked):
        return found
    target, source = found
    refused = _refusal(session, catalog, lang, target=target, source=source)
    if refused is not None:
        return refused
    t = partial(catalog.get, lang)
    kept, merged = session.get_one(Contact, target), session.get_one(Contact, source)
    role = max(kept.role, merged.role, key=RANK.index)
    scope = wider_scope(
        (person.role, scope_group_ids(session, contact_id=person.id or 0))
        for person in (kept, merged)
    )
    units = {**unit_names(session, contact_id=source), **unit_names(session, contact_id=target)}
    found_ids = identities_by_person(session, contact_ids=[target, source])
    text = t(
        "linking.merge_plan",
        keep=Markup(_described(session, catalog, lang, kept)),
        other=Markup(_described(session, catalog, lang, merged)),
        name=kept.display_name or merged.display_name or "-",
        role=t(f"common.role_{role}"),
        scope=Markup(_scope_text(session, catalog, lang, role, scope)),
        units=", ".join(vi_sorted(units.values())) or t("contacts.no_units"),
        channels=Markup(
            identities_text(
                catalog, lang, Identities(found_ids[target].items + found_ids[source].items)
            )
        ),
    )
    return MergePlan(target, source, text)


def _described(session: Session, catalog: Catalog, lang: str, person: Contact) -> str:
    """Return one person as a merge's plan names them: name, role, channels, units, scope."""
    assert person.id is not None
    identities = identities_by_person(session, contact_ids=[person.id])[person.id]
    units = vi_sorted(unit_names(session, contact_id=person.id).values())
    groups = tuple(scope_group_ids(session, contact_id=person.id))
    return catalog.get(
        lang,
        "linking.merge_plan_person",
        name=person.display_name or "-",
        role=catalog.get(lang, f"common.role_{person.role}"),
        channels=identities_text(catalog, lang, identities),
        units=", ".join(units) or catalog.get(lang, "contacts.no_units"),
        scope=Markup(_scope_text(session, catalog, lang, person.role, groups)),
    )


def _scope_text(
    session: Session, catalog: Catalog, lang: str, role: str, groups: tuple[int, ...]
) -> str:
    """Return what a person of this role and these groups follows (markup)."""
    if role == Role.MEMBER.value:
        return catalog.get(lang, "linking.scope_own_units")
    if role == Role.ADMIN.value or not groups:
        return catalog.get(lang, "linking.scope_all")
    query = select(UnitGroup.name).where(col(UnitGroup.id).in_(groups))
    names = ", ".join(vi_sorted(session.exec(query)))
    return catalog.get(lang, "linking.scope_groups", groups=names)


def _named(
    session: Session, catalog: Catalog, lang: str, *, keep: str, other: str
) -> tuple[int, int] | MergeAsked:
    """Return the people named (kept, merged in), or why they are not found one each."""
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
    return ids[0], ids[1]


def _refusal(
    session: Session, catalog: Catalog, lang: str, *, target: int, source: int
) -> MergeAsked | None:
    """Return why these two cannot be merged (one person, or both on a channel), or None."""
    t = partial(catalog.get, lang)
    if target == source:
        return MergeAsked(False, t("linking.merge_same"))
    shared = channels_of(session, contact_id=source) & channels_of(session, contact_id=target)
    if shared:
        names = channel_names(catalog, lang, sorted(shared))
        return MergeAsked(False, t("linking.merge_same_channel", channels=names))
    return None


def merge_named(
    session: Session,
    catalog: Catalog,
    lang: str,
    *,
    keep: str,
    other: str,
    now: datetime,
    planned: MergePlan | None = None,
) -> MergeAsked:
    """Merge the person named `other` into the one named `keep`, or say why not.

    `planned`: the plan an admin was shown and agreed to; the names must still be its people.
    """
    t = partial(catalog.get, lang)
    found = _named(session, catalog, lang, keep=keep, other=other)
    if isinstance(found, MergeAsked):
        return found
    target, source = found
    if planned is not None and (planned.target_id, planned.source_id) != found:
        return MergeAsked(False, t("linking.merge_plan_changed"))
    if target == source or not lock_people(session, ids=found):
        return MergeAsked(False, t("linking.merge_same"))
    refused = _refusal(session, catalog, lang, target=target, source=source)
    if refused is not None:
        return refused
    source_channels = channels_of(session, contact_id=source)
    source_name = session.get_one(Contact, source).display_name or ""
    merged = merge_people(session, source_id=source, target_id=target, now=now)
    audit_merge(session, merged, {"merged": source}, actor_id=None, actor_label="cli")
    came_from = sorted(source_channels)[0] if source_channels else ""
    tell_other_chats(
        session, merged, "", text=merged_text(session, catalog, merged, came_from), now=now
    )
    tell_admins(session, catalog, merged, source_name=source_name, channel=came_from, now=now,
                by="cli")  # fmt: skip
    return MergeAsked(True, merged_text(session, catalog, merged, came_from, lang))


def tell_admins(
    session: Session,
    catalog: Catalog,
    merged: Merged,
    *,
    source_name: str,
    channel: str,
    now: datetime,
    by: str = "link",
) -> int:
    """Queue a notice to the admins (the merged person aside) of a merge that raised a role
    or, the role the same, widened a coordinator's scope; count them (0: neither).

    `by`: how the merge was made, "link" (`/link`) or "cli" (`dondoc contacts merge`);
    `channel`: the merged-in person's account named."""
    if not (merged.raised or merged.scope_widened):
        return 0
    person = session.get_one(Contact, merged.target_id)
    admins = contacts_with_role_at_least(session, roles=(Role.ADMIN.value,))
    others = [a for a in recipients_in_order(session, admins) if a.contact_id != person.id]
    groups = {i: name for i, name in session.exec(select(UnitGroup.id, UnitGroup.name))}

    def scope(lang: str, ids: tuple[int, ...]) -> str:
        if not ids:
            return catalog.get(lang, "linking.scope_all")
        names = ", ".join(vi_sorted(groups.get(i, str(i)) for i in ids))
        return catalog.get(lang, "linking.scope_groups", groups=names)

    suffix = "" if by == "link" else "_cli"

    def notice(lang: str) -> str:
        t = partial(catalog.get, lang)
        words = {"name": person.display_name or "-", "other": source_name or "-"}
        words["channel"] = channel_name(catalog, lang, channel)
        if not merged.raised:
            return t(
                "linking.scope_widened_notice" + suffix,
                **words,
                role=t(f"common.role_{merged.role}"),
                before=scope(lang, merged.scope_before),
                other_before=scope(lang, merged.source_scope),
                scope=scope(lang, merged.scope),
            )
        return t(
            "linking.role_raised_notice" + suffix,
            **words,
            role=t(f"common.role_{merged.role}"),
            before=t(f"common.role_{merged.role_before}"),
            other_before=t(f"common.role_{merged.source_role or merged.role}"),
        )

    kind = "raised" if merged.raised else "widened"
    key = f"merge-{kind}:{merged.target_id}:{merged.source_id}"
    return tell(session, others, key=key, text=notice, now=now)


def vi_sorted(names: Iterable[str]) -> list[str]:
    """Return names in Vietnamese alphabet order ("Đ" after every "D", "Phường 2" before
    "Phường 10"), as every list of units is shown."""
    return sorted(names, key=vi_sort_key)
