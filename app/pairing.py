"""Pairing: a person redeems an invite code on a channel and is registered for the unit.

The same rules as Telegram's `/start <code>`: a used, expired or unknown code gets one and
the same answer, repeated wrong codes are refused for a while, a stranger becomes a contact
only with a valid code, and the admin who made the invite (else every admin) is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.checkin import Said
from app.i18n import Catalog
from app.notices import tell
from app.services import Services
from core.invites import is_rate_limited, looks_like_code, pasted_code
from core.markup import Markup
from core.roles import Role
from db.engine import session_scope
from db.models import Contact, Invite, Unit, UnitContact
from db.queries import menu_marks
from db.queries.admin_codes import spend_admin_code
from db.queries.audit import record
from db.queries.contacts import contacts_with_role_at_least, find_contact, touch_contact
from db.queries.invites import (
    ROLE_RANK,
    claim_invite,
    find_invite,
    give_invite,
    recent_failures,
    record_failure,
    redeemable_invite,
)
from db.queries.recipients import recipients_in_order


@dataclass(frozen=True)
class Newcomer:
    """Who sent the code, as their channel knows them."""

    channel: str
    external_id: str
    chat_id: str
    display_name: str
    language: str
    username: str | None = None
    call_name: str = ""  # what the welcome calls them (default: display_name)


@dataclass(frozen=True)
class Redeemed:
    """What a code did: the answer, and the contact it registered (None when refused)."""

    said: Said
    contact_id: int | None = None


def _refusal(key: str, who: Newcomer) -> str:
    """Return the refusal's key for the sender's channel: Telegram's invites are links
    (t.me/...?start=), everywhere else (Zalo) they are codes typed after /start."""
    return key if who.channel == "telegram" else f"{key}_code"


def redeem(services: Services, who: Newcomer, code: str) -> Redeemed:
    """Register the person for the invite's unit, or refuse politely (blocking).

    The result names the contact registered, so that the channel can do what it does for
    a newcomer (Telegram refreshes their command menu).
    """
    code = pasted_code(code) or code  # "/start «CODE»." reads as "/start CODE"
    now = services.clock.now()
    ids = {"channel": who.channel, "external_id": who.external_id}
    catalog = services.catalog
    with session_scope(services.engine) as session:
        known = find_contact(session, **ids)
        lang = known.language if known is not None else who.language
        name = who.call_name or who.display_name
        if is_rate_limited(recent_failures(session, now=now, **ids)):
            return Redeemed(Said(catalog.get(lang, _refusal("invites.too_many_tries", who))))
        if looks_like_code(code) and spend_admin_code(session, code=code, now=now):
            admin = _register(session, who, lang, now)
            admin.role = Role.ADMIN.value
            menu_marks.mark(session, contact_id=admin.id or 0)
            record(
                session,
                actor_id=admin.id,
                action="role.changed",
                object_type="contact",
                object_id=admin.id,
                details={"role": "admin", "by": "admin code"},
            )
            text = catalog.get(lang, "invites.admin_welcome", name=name, help=Markup("/help"))
            return Redeemed(Said(text), admin.id)
        held = _held_already(session, known, code, now)
        if held is not None:  # spent, it gave nothing and was lost to the one it was made for
            return Redeemed(Said(held.text(catalog, lang, key="invites.held_already")))
        contact, used = _spend(session, who, code, now) if looks_like_code(code) else (None, None)
        again = _used_by(session, known, code) if contact is None else None
        if again is not None:
            return Redeemed(Said(again.text(catalog, lang)))
        if contact is None or used is None or contact.id is None:
            record_failure(session, now=now, **ids)
            return Redeemed(Said(catalog.get(lang, _refusal("invites.invalid", who))))
        record(
            session,
            actor_id=contact.id,
            action="invite.redeemed",
            object_type="unit",
            object_id=used.unit_id,
            details={"invite": used.id, "role": contact.role, "function": used.function},
        )
        unit = session.get(Unit, used.unit_id)
        unit_name = unit.name if unit is not None else ""
        tell_admins(services, session, used, contact, who.external_id, unit_name, now)
        welcome = catalog.get(
            lang,
            "invites.welcome",
            name=name,
            unit=unit_name,
            role=catalog.get(lang, f"common.role_{contact.role}"),
            function=catalog.get(lang, f"common.function_{used.function}"),
            help=Markup("/help"),
        )
        return Redeemed(Said(welcome), contact.id)


@dataclass(frozen=True)
class _Again:
    """An invite the person opens again after using it: the unit and function it gave."""

    unit: str
    function: str

    def text(self, catalog: Catalog, lang: str, *, key: str = "invites.used_by_you") -> str:
        """Say they are registered already, rather than "this code cannot be used"."""
        function = catalog.get(lang, f"common.function_{self.function}")
        return catalog.get(lang, key, unit=self.unit, function=function, help=Markup("/help"))


def _held_already(
    session: Session, known: Contact | None, code: str, now: datetime
) -> _Again | None:
    """Return the unit and function an open invite would give someone who holds both already,
    and no higher role (a second invite of their unit, sent to them by mistake); None
    otherwise. It is left unspent for the person it was made for: spending it welcomed them
    as if new, and that person's code was then refused as used."""
    if known is None or known.id is None or not looks_like_code(code):
        return None
    invite = redeemable_invite(session, code=code, now=now)
    if invite is None or ROLE_RANK.get(invite.role, 0) > ROLE_RANK.get(known.role, 0):
        return None
    link = session.get(UnitContact, (invite.unit_id, known.id))
    unit = session.get(Unit, invite.unit_id)
    if link is None or unit is None or link.function != invite.function:
        return None
    return _Again(unit.name, link.function)


def _used_by(session: Session, known: Contact | None, code: str) -> _Again | None:
    """Return what the invite of this code gave when this person used it, and still holds
    (they are in its unit); None otherwise.

    A link tapped twice is common: "cannot be used, ask for a new one" sent them back to the
    admin for nothing. Only the person who used it is told; anyone else learns nothing.
    """
    if known is None or known.id is None or not looks_like_code(code):
        return None
    invite = find_invite(session, code=code)
    if invite is None or invite.used_by_id != known.id:
        return None
    link = session.get(UnitContact, (invite.unit_id, known.id))
    unit = session.get(Unit, invite.unit_id)
    if link is None or unit is None or not unit.active:
        return None
    return _Again(unit.name, link.function)


def _spend(
    session: Session, who: Newcomer, code: str, now: datetime
) -> tuple[Contact | None, Invite | None]:
    """Spend a code for the person; a stranger becomes a contact only with a valid code."""
    contact = find_contact(session, channel=who.channel, external_id=who.external_id)
    invite = claim_invite(session, code=code, now=now)  # before a newcomer is written
    if invite is None:
        return None, None
    contact = _register(session, who, contact.language if contact else who.language, now)
    return contact, give_invite(session, invite=invite, contact=contact, now=now)


def _register(session: Session, who: Newcomer, language: str, now: datetime) -> Contact:
    """Create (or refresh) the person's contact on their channel."""
    return touch_contact(
        session,
        channel=who.channel,
        external_id=who.external_id,
        chat_id=who.chat_id,
        display_name=who.display_name,
        username=who.username,
        language=language,
        now=now,
    )


def tell_admins(
    services: Services,
    session: Session,
    used: Invite,
    contact: Contact,
    external_id: str,
    unit: str,
    now: datetime,
) -> None:
    """Queue a notice of the registration to the invite's admin (else every admin).

    The person is named by their contact's name, else by their id on their channel.
    """
    creator = session.get(Contact, used.created_by_id) if used.created_by_id else None
    admins = [creator] if creator is not None and creator.role == Role.ADMIN.value else []
    if not admins:
        admins = contacts_with_role_at_least(session, roles=(Role.ADMIN.value,))
    name = contact.display_name or external_id

    def notice(lang: str) -> str:
        return services.catalog.get(
            lang,
            "invites.used_notice",
            name=name,
            unit=unit,
            function=services.catalog.get(lang, f"common.function_{used.function}"),
        )

    others = [a for a in recipients_in_order(session, admins) if a.contact_id != contact.id]
    tell(session, others, key=f"invite-used:{used.id}", text=notice, now=now)
