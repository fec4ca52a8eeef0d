"""A merge by `/link <code>` is asked before it is made: who joins whom, Join or Cancel.

A chat that is someone already (B) typing another person's code (A's) would make B part of
A: every row of B's becomes A's, the chat acts as A, with the higher role of the two. Someone
could talk an admin into typing their code, so the chat is first told who the code is (A's
name, role, units) and who the chat is (B's), what the joined person's role will be, and
offered `lk:ok|no:<code id>:<B>:<channel>`: Telegram's buttons are signed for the chat's
user, a text channel's numbered choices are kept as the person's pending choices in the
database. The code is not spent until Join; Join does the merge only while the code is
unused and unexpired, the chat still B's and on the channel asked (`app.linking.confirm`).
A merge that gives anyone a role they did not have, or a coordinator more units to follow
with the same role (a scope widened), is told to the admins (`tell_admins`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session, select

from app.choices import Choice, Rows
from app.i18n import Catalog
from app.link_merge import unit_names
from app.notices import tell
from app.people import channel_name
from core.markup import Markup
from core.roles import Role
from db.models import Contact, LinkCode, UnitGroup
from db.queries.contacts import contacts_with_role_at_least
from db.queries.merging import RANK, Merged
from db.queries.recipients import recipients_in_order

PREFIX = "lk"
JOIN, CANCEL = "ok", "no"
SHOWN_UNITS = 3  # the units named of each person; more are counted


@dataclass(frozen=True)
class Asked:
    """A Join or Cancel pressed or typed: the code, the chat's person then, its channel."""

    join: bool
    code_id: int
    source_id: int
    channel: str


def parse(data: Sequence[str]) -> Asked | None:
    """Read a choice's data; None when it is not one this module offered."""
    if len(data) != 5 or data[0] != PREFIX or data[1] not in (JOIN, CANCEL):
        return None
    if not (data[2].isdigit() and data[3].isdigit()):
        return None
    return Asked(data[1] == JOIN, int(data[2]), int(data[3]), data[4])


def question(
    session: Session, catalog: Catalog, lang: str, found: LinkCode, source_id: int, channel: str
) -> tuple[str, Rows]:
    """Say who would join whom and with what role; offer Join and Cancel."""
    t = partial(catalog.get, lang)
    code_person = session.get_one(Contact, found.contact_id)
    chat_person = session.get_one(Contact, source_id)
    role = max(code_person.role, chat_person.role, key=RANK.index)
    text = t(
        "linking.merge_question",
        code_name=code_person.display_name or "-",
        code_about=Markup(_about(session, catalog, lang, code_person)),
        chat_name=chat_person.display_name or "-",
        chat_about=Markup(_about(session, catalog, lang, chat_person)),
        channel=channel_name(catalog, lang, channel),
        role=t(f"common.role_{role}"),
    )
    data = (str(found.id), str(source_id), channel)
    rows = [
        [
            Choice(t("linking.merge_join"), (PREFIX, JOIN, *data)),
            Choice(t("linking.merge_cancel"), (PREFIX, CANCEL, *data)),
        ]
    ]
    return text, rows


def _about(session: Session, catalog: Catalog, lang: str, person: Contact) -> str:
    """Return a person's role and first few units, as the question names them."""
    assert person.id is not None
    names = sorted(unit_names(session, contact_id=person.id).values())
    more = len(names) - SHOWN_UNITS
    return catalog.get(
        lang,
        "linking.merge_person",
        role=catalog.get(lang, f"common.role_{person.role}"),
        units=", ".join(names[:SHOWN_UNITS]) or catalog.get(lang, "contacts.no_units"),
        more=Markup(catalog.get(lang, "linking.merge_more_units", count=more) if more > 0 else ""),
    )


def tell_admins(
    session: Session,
    catalog: Catalog,
    merged: Merged,
    *,
    source_name: str,
    channel: str,
    now: datetime,
) -> int:
    """Queue a notice to the admins (the merged person aside) of a merge that raised a role
    or, the role the same, widened a coordinator's scope; count them (0: neither)."""
    if not (merged.raised or merged.scope_widened):
        return 0
    person = session.get_one(Contact, merged.target_id)
    admins = contacts_with_role_at_least(session, roles=(Role.ADMIN.value,))
    others = [a for a in recipients_in_order(session, admins) if a.contact_id != person.id]
    groups = {i: name for i, name in session.exec(select(UnitGroup.id, UnitGroup.name))}

    def scope(lang: str, ids: tuple[int, ...]) -> str:
        if not ids:
            return catalog.get(lang, "linking.scope_all")
        names = ", ".join(sorted(groups.get(i, str(i)) for i in ids))
        return catalog.get(lang, "linking.scope_groups", groups=names)

    def notice(lang: str) -> str:
        t = partial(catalog.get, lang)
        words = {"name": person.display_name or "-", "other": source_name or "-"}
        words["channel"] = channel_name(catalog, lang, channel)
        if not merged.raised:
            return t(
                "linking.scope_widened_notice",
                **words,
                role=t(f"common.role_{merged.role}"),
                before=scope(lang, merged.scope_before),
                other_before=scope(lang, merged.source_scope),
                scope=scope(lang, merged.scope),
            )
        return t(
            "linking.role_raised_notice",
            **words,
            role=t(f"common.role_{merged.role}"),
            before=t(f"common.role_{merged.role_before}"),
            other_before=t(f"common.role_{merged.source_role or merged.role}"),
        )

    kind = "raised" if merged.raised else "widened"
    key = f"merge-{kind}:{merged.target_id}:{merged.source_id}"
    return tell(session, others, key=key, text=notice, now=now)
