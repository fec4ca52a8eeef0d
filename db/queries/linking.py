"""Linking identities: one-time codes, attaching an identity to a person, merging a person.

A person with no units and no history (nothing they did or were given is recorded) can be
merged into another: their identities move over and their row goes. Anyone else is kept
apart, since moving their history would rewrite who did what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from core.linking import hash_link_code, link_expires_at, new_link_code
from core.roles import Role
from db.models import (
    AuditLog,
    CalendarOverride,
    Contact,
    ContactIdentity,
    ContactScope,
    Directive,
    Evidence,
    Explanation,
    ExtensionRequest,
    Invite,
    LinkCode,
    Outbox,
    RecurringTask,
    StatusReport,
    Task,
    UnitContact,
)
from db.queries import menu_marks
from db.queries.pending import forget_all_of

RANK = (Role.MEMBER.value, Role.COORDINATOR.value, Role.ADMIN.value)

# Every column that records something a person did or was given: any row there is history.
HISTORY = (
    col(UnitContact.contact_id),
    col(ContactScope.contact_id),
    col(StatusReport.contact_id),
    col(ExtensionRequest.contact_id),
    col(ExtensionRequest.decided_by_id),
    col(Explanation.requested_by_id),
    col(Explanation.answered_by_id),
    col(Evidence.contact_id),
    col(Invite.created_by_id),
    col(Invite.used_by_id),
    col(Directive.created_by_id),
    col(RecurringTask.created_by_id),
    col(Task.created_by_id),
    col(CalendarOverride.created_by_id),
    col(AuditLog.actor_id),
)


def create_link_code(session: Session, *, contact_id: int, now: datetime) -> str:
    """Make a person's new code (their older unused ones stop working); return it."""
    session.execute(
        update(LinkCode)
        .where(
            col(LinkCode.contact_id) == contact_id,
            col(LinkCode.used_at).is_(None),
            col(LinkCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    code = new_link_code()
    session.add(
        LinkCode(
            code_hash=hash_link_code(code),
            contact_id=contact_id,
            created_at=now,
            expires_at=link_expires_at(now),
        )
    )
    session.flush()
    return code


def usable_link_code(session: Session, *, code: str, now: datetime) -> LinkCode | None:
    """Return the unused, unexpired code typed, if there is one."""
    query = select(LinkCode).where(
        LinkCode.code_hash == hash_link_code(code),
        col(LinkCode.used_at).is_(None),
        col(LinkCode.expires_at) > now,
    )
    return session.exec(query.order_by(col(LinkCode.id).desc())).first()


def spend_link_code(session: Session, *, code_id: int, now: datetime) -> bool:
    """Mark a code used; False when another request spent it first (two at once)."""
    result = session.execute(
        update(LinkCode)
        .where(col(LinkCode.id) == code_id, col(LinkCode.used_at).is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def has_history(session: Session, *, contact_id: int) -> bool:
    """Tell whether anything a person did or was given is recorded (units included)."""
    for column in HISTORY:
        query = select(func.count()).where(column == contact_id)
        if session.exec(query).one():
            return True
    return False


def attach_identity(
    session: Session,
    *,
    contact_id: int,
    channel: str,
    external_id: str,
    chat_id: str,
    username: str | None,
    now: datetime,
) -> ContactIdentity:
    """Give a person a new identity, seen now (so their messages go there first)."""
    identity = ContactIdentity(
        contact_id=contact_id,
        channel=channel,
        external_id=external_id,
        chat_id=chat_id,
        username=username,
        started=True,
        last_seen_at=now,
        created_at=now,
    )
    session.add(identity)
    session.flush()
    return identity


def channels_of(session: Session, *, contact_id: int) -> set[str]:
    """Return the channels a person has an identity on."""
    query = select(ContactIdentity.channel).where(ContactIdentity.contact_id == contact_id)
    return set(session.exec(query))


def merge_person(session: Session, *, source_id: int, target_id: int, now: datetime) -> None:
    """Move a person without history into another: identities, queued messages, role.

    The target keeps the higher of the two roles; the source's pending questions and codes
    go with their row.
    """
    source, target = session.get_one(Contact, source_id), session.get_one(Contact, target_id)
    if RANK.index(source.role) > RANK.index(target.role):
        target.role = source.role
        menu_marks.mark(session, contact_id=target_id)
    identities = select(ContactIdentity).where(ContactIdentity.contact_id == source_id)
    for identity in session.exec(identities):
        identity.contact_id = target_id
        identity.last_seen_at = now
        session.add(identity)
    session.execute(
        update(Outbox).where(col(Outbox.contact_id) == source_id).values(contact_id=target_id)
    )
    session.execute(delete(LinkCode).where(col(LinkCode.contact_id) == source_id))
    forget_all_of(session, contact_id=source_id)
    session.flush()
    session.delete(source)
    session.flush()
