"""Who is acting: a person as the bot's rules see them, whatever channel they wrote on."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import Lang
from core.roles import Access, access_of
from db.queries.scope import Scope, scope_of
from db.queries.snapshot import Snapshot

NO_CONTACT = 0  # the contact_id of a stranger: nobody has a row until they redeem an invite


@dataclass(frozen=True)
class Actor:
    """Who sent an update, as far as the bot's rules are concerned.

    A stranger (no contact row) has contact_id NO_CONTACT, no role above member, no units,
    and the language of their app.
    """

    contact_id: int
    external_id: str
    lang: Lang
    role: str
    unit_ids: tuple[int, ...]
    scope_group_ids: tuple[int, ...]

    @property
    def access(self) -> Access:
        """Return the highest access this person has."""
        return access_of(self.role, has_units=bool(self.unit_ids))

    @property
    def known(self) -> bool:
        """Tell whether the person has a contact row (is not a stranger)."""
        return self.contact_id != NO_CONTACT

    @property
    def scope(self) -> Scope:
        """Return the units this person may see (db.queries.scope's one rule)."""
        return scope_of(self.role, unit_ids=self.unit_ids, group_ids=self.scope_group_ids)


def actor_from(known: Snapshot) -> Actor:
    """Return the rules' view of a known contact."""
    lang: Lang = "en" if known.language == "en" else "vi"
    return Actor(
        known.contact_id,
        known.external_id,
        lang,
        known.role,
        known.unit_ids,
        known.scope_group_ids,
    )
