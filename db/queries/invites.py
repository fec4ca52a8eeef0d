"""Invites: creating one-time codes, redeeming them, and counting wrong tries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from core.invites import expires_at, failure_window_start, hash_code, new_code
from core.roles import Role
from core.textnorm import vi_sort_key
from db.models import Contact, Invite, InviteFailure, Unit, UnitContact
from db.queries import menu_marks

ROLE_RANK = {Role.MEMBER.value: 0, Role.COORDINATOR.value: 1, Role.ADMIN.value: 2}


def create_invite(
    session: Session,
    *,
    unit_id: int,
    role: str,
    function: str,
    created_by_id: int | None,
    now: datetime,
    ttl_days: int,
) -> tuple[Invite, str]:
    """Create an invite and return it with its code (the only time the code is known)."""
    code = new_code()
    invite = Invite(
        code_hash=hash_code(code),
        unit_id=unit_id,
        role=role,
        function=function,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=expires_at(now, ttl_days),
    )
    session.add(invite)
    session.flush()
    return invite, code


def redeemable_invite(session: Session, *, code: str, now: datetime) -> Invite | None:
    """Return the invite a code would spend now: unused, unexpired, for an active unit."""
    invite = session.exec(select(Invite).where(Invite.code_hash == hash_code(code))).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    unit = session.get(Unit, invite.unit_id)
    return invite if unit is not None and unit.active else None


def redeem_invite(
    session: Session, *, code: str, contact: Contact, now: datetime
) -> Invite | None:
    """Spend a valid code: link the contact to the unit and give them the role.

    Returns None for a used, expired or unknown code, and for a deactivated unit, without
    telling which. A role is only ever raised here: an admin who registers for a commune
    stays an admin.
    """
    invite = claim_invite(session, code=code, now=now)
    return give_invite(session, invite=invite, contact=contact, now=now) if invite else None


def claim_invite(session: Session, *, code: str, now: datetime) -> Invite | None:
    """Mark a valid code used, unless someone else did first; the invite, or None.

    Spent only if still unused when written: two people who both found it unused were both
    registered (on PostgreSQL the second write waits for the first, then went on). Claimed
    before anything else is written, so a refused newcomer leaves nothing behind.
    """
    invite = redeemable_invite(session, code=code, now=now)
    if invite is None:
        return None
    spent = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return None
    invite.used_at = now
    return invite


def give_invite(session: Session, *, invite: Invite, contact: Contact, now: datetime) -> Invite:
    """Give a claimed invite to the contact: the unit, its function, the role if higher."""
    assert contact.id is not None
    invite.used_by_id = contact.id
    link = session.get(UnitContact, (invite.unit_id, contact.id))
    if link is None:
        session.add(
            UnitContact(
                unit_id=invite.unit_id,
                contact_id=contact.id,
                function=invite.function,
                created_at=now,
            )
        )
    else:
        link.function = invite.function
    if ROLE_RANK.get(invite.role, 0) > ROLE_RANK.get(contact.role, 0):
        contact.role = invite.role
    session.flush()
    if contact.id is not None:
        menu_marks.mark(session, contact_id=contact.id)
    return invite


def find_invite(session: Session, *, code: str) -> Invite | None:
    """Return the invite of a code (used, expired or open), or None when there is none."""
    return session.exec(select(Invite).where(Invite.code_hash == hash_code(code))).first()


def revoke_invites(
    session: Session, *, now: datetime, unit_id: int | None = None, code: str | None = None
) -> list[Invite]:
    """Make a unit's open invites, or the one of a code, stop working now; return them.

    A revoked invite expires at once, so its link answers exactly like an expired one.
    """
    query = select(Invite).where(col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
    if code is not None:
        query = query.where(Invite.code_hash == hash_code(code))
    if unit_id is not None:
        query = query.where(Invite.unit_id == unit_id)
    revoked = list(session.exec(query.order_by(col(Invite.id))))
    for invite in revoked:
        invite.expires_at = now
    session.flush()
    return revoked


def recent_failures(session: Session, *, channel: str, external_id: str, now: datetime) -> int:
    """Return how many wrong codes this person tried within the rate-limit window."""
    query = select(func.count()).where(
        InviteFailure.channel == channel,
        InviteFailure.external_id == external_id,
        col(InviteFailure.at) > failure_window_start(now),
    )
    return int(session.exec(query).one())


def record_failure(session: Session, *, channel: str, external_id: str, now: datetime) -> None:
    """Remember a wrong code from this person."""
    session.add(InviteFailure(channel=channel, external_id=external_id, at=now))


def units_for_invites(session: Session, *, include_covered: bool) -> list[Unit]:
    """Return active units to invite: those without any contact, or all of them."""
    query = select(Unit).where(col(Unit.active).is_(True))
    if not include_covered:
        covered = select(UnitContact.unit_id)
        query = query.where(col(Unit.id).not_in(covered))
    units = list(session.exec(query))
    return sorted(units, key=lambda u: (u.kind_key, vi_sort_key(u.name, u.code)))
