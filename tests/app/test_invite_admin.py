"""Making an invite, as every channel's /invite does: a unit deactivated meanwhile (its
card's button pressed late) gets none; an active one gets one, audited."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import invite_admin
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Function, Role
from db.models import AuditLog, Invite
from tests.factories import make_contact, make_unit
from tests.harness import DEFAULT_NOW


def test_no_invite_for_a_unit_deactivated_meanwhile(engine: Engine, settings: Settings) -> None:
    """The unit was deactivated after its button was offered: no invite, nothing audited;
    an active unit's invite is made and audited with its unit, role and function."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with Session(engine) as s:
        admin = make_contact(s, 9201, role="admin")
        gone, kept = make_unit(s, "X-OFF"), make_unit(s, "X-ON")
        gone.active = False
        s.add(gone)
        s.commit()
        admin_id, gone_id, kept_id = admin.id, gone.id or 0, kept.id or 0

    assert invite_admin.create(services, admin_id, gone_id, Role.MEMBER, Function.FOCAL) is None
    made = invite_admin.create(services, admin_id, kept_id, Role.COORDINATOR, Function.FOCAL)

    assert made is not None
    assert made.unit == "Xã X-ON"
    assert made.code
    with Session(engine) as s:
        assert [i.unit_id for i in s.exec(select(Invite)).all()] == [kept_id]
        audits = s.exec(select(AuditLog).where(AuditLog.action == "invite.created")).all()
    assert [a.details for a in audits] == [
        {"unit": "X-ON", "role": "coordinator", "function": "focal"}
    ]
