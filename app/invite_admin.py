"""Invites on any channel: one made for a unit (`/invite`), audited, and what to say of it
(`create_typed`: `/invite <unit>` as a channel without buttons reads it); revoking
(`/invites revoke <code, link or unit>`): a code's invite, or every open invite of a unit;
each revoked invite audited, what happened said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session

from app import unit_form
from app.expiry import expiry
from app.services import Services
from app.unit_form import UNITS_LISTED
from core.invites import invite_link, parse_invite_args
from core.roles import Function, Role
from core.taskdates import local_day
from db.engine import session_scope
from db.models import Contact, Invite, Unit
from db.queries.audit import record
from db.queries.contacts import name_of
from db.queries.invites import create_invite, find_invite, revoke_invites
from db.queries.units import find_units


@dataclass(frozen=True)
class Made:
    """An invite made: its code, for whom, until when."""

    code: str
    unit: str  # the unit's name
    role: Role
    function: Function
    expires_at: datetime


def create(
    services: Services, actor_id: int | None, unit_id: int, role: Role, function: Function
) -> Made | None:
    """Make a one-time invite for an active unit and audit it; None when the unit no longer
    exists or is inactive (blocking)."""
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id)
        if unit is None or not unit.active:
            return None
        made, code = create_invite(
            session,
            unit_id=unit_id,
            role=role,
            function=function,
            created_by_id=actor_id,
            now=services.clock.now(),
            ttl_days=services.settings.invite_ttl_days,
        )
        record(
            session,
            actor_id=actor_id,
            action="invite.created",
            object_type="invite",
            object_id=made.id,
            details={"unit": unit.code, "role": role.value, "function": function.value},
        )
        return Made(code, unit.name, role, function, made.expires_at)


def created_text(services: Services, lang: str, made: Made, bot_username: str) -> str:
    """Say the invite made: its unit, role, deep link, code and expiry (and that Zalo takes
    the code, when the bot runs there too)."""
    t = services.catalog.get
    created = t(
        lang,
        "invites.created",
        unit=made.unit,
        role=t(lang, f"common.role_{made.role.value}"),
        function=t(lang, f"common.function_{made.function.value}"),
        link=invite_link(bot_username, made.code),
        code=made.code,
        **expiry(made.expires_at, services.settings.tz),
    )
    if "zalo" in services.settings.channels:  # the same code pairs on Zalo
        created += "\n" + t(lang, "zalo.invite_code", code=made.code)
    return created


def code_of(text: str) -> str:
    """Return the code typed, or the one at the end of a deep link (`...?start=<code>`)."""
    return text.strip().rsplit("start=", 1)[-1]


def revoke_code(services: Services, lang: str, actor_id: int, code: str) -> str | None:
    """Revoke the invite of a code and say so; None when no invite has this code."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        invite = find_invite(session, code=code)
        if invite is None:
            return None
        revoked = revoke_invites(session, now=now, code=code)
        _audit(session, actor_id, revoked)
        unit = session.get(Unit, invite.unit_id)
        name = unit.name if unit is not None else ""
        used_by = session.get(Contact, invite.used_by_id) if invite.used_by_id else None
        if not revoked and used_by is not None and invite.used_at is not None:
            # A code that reached the wrong person: who has it, and how to undo it.
            return services.catalog.get(
                lang,
                "invites.revoke_used_by",
                unit=name,
                name=name_of(session, used_by),
                date=local_day(invite.used_at, services.settings.tz),
            )
    key = "invites.revoked_code" if revoked else "invites.revoke_spent"
    return services.catalog.get(lang, key, unit=name)


def revoke_for_unit(services: Services, lang: str, actor_id: int, unit_id: int) -> str:
    """Revoke every open invite of a unit and say how many."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id)
        revoked = revoke_invites(session, now=now, unit_id=unit_id)
        _audit(session, actor_id, revoked)
        name = unit.name if unit is not None else str(unit_id)
    return services.catalog.get(lang, "invites.revoked_unit", unit=name, count=len(revoked))


def _audit(session: Session, actor_id: int, revoked: list[Invite]) -> None:
    """Record each revoked invite in the audit log."""
    for invite in revoked:
        record(
            session,
            actor_id=actor_id,
            action="invite.revoked",
            object_type="invite",
            object_id=invite.id,
            details={"unit_id": invite.unit_id},
        )


def stray_word(services: Services, lang: str, unit_text: str) -> str | None:
    """Say that the last word of `/invite <unit> <word>` is no role or function, when the
    words before it name a unit and the whole names none ("/invite XA boss"), else None.

    The unknown word was read as part of the unit's name: "no unit «XA boss»" sent the admin
    looking for a unit that is there (blocking)."""
    unit, _, word = unit_text.rpartition(" ")
    if not unit.strip():
        return None
    with session_scope(services.engine) as session:
        if find_units(session, text=unit_text) or not find_units(session, text=unit):
            return None
    return services.catalog.get(lang, "invites.stray_word", word=word, unit=unit.strip())


def create_typed(services: Services, lang: str, actor_id: int, args: str) -> str:
    """`/invite <unit> [role] [function]` typed on a channel without buttons: make the invite
    for the one unit named (as `create`: active, audited) and say its pairing code (and
    Telegram's link when Telegram runs too), or say why not (no unit named, none or several
    fit)."""
    t = partial(services.catalog.get, lang)
    unit_text, role, function = parse_invite_args(args)
    if not unit_text:
        return t("invites.usage")
    with session_scope(services.engine) as session:
        units = find_units(session, text=unit_text)
        if not units:
            return stray_word(services, lang, unit_text) or unit_form.not_found(
                services, lang, unit_text
            )
        if len(units) > 1:
            listed = "\n".join(f"{u.code}: {u.name}" for u in units[:UNITS_LISTED])
            return t("zalo.unit_ambiguous", text=unit_text, units=listed)
        unit_id = units[0].id
    assert unit_id is not None
    made = create(services, actor_id, unit_id, role, function)
    if made is None:  # deactivated or removed since it was read
        return unit_form.not_found(services, lang, unit_text)
    if services.bot_username:  # Telegram runs too: its deep link works as well
        return created_text(services, lang, made, services.bot_username)
    created = t(
        "zalo.invite_created",
        unit=made.unit,
        role=t(f"common.role_{made.role.value}"),
        function=t(f"common.function_{made.function.value}"),
        code=made.code,
        **expiry(made.expires_at, services.settings.tz),
    )
    return created + "\n" + t("zalo.invite_code", code=made.code)
