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
with the same role (a scope widened), is told to the admins (`app.link_merge.tell_admins`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session

from app.choices import Choice, Rows
from app.i18n import Catalog
from app.link_merge import unit_names
from app.people import channel_name
from core.markup import Markup
from db.models import Contact, LinkCode
from db.queries.merging import RANK

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
