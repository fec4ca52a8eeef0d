"""A deactivated unit's contact on Zalo: /mytasks and a photo say it is no longer followed
up, as a report would (`app.reporting.unit_inactive`), rather than list its tasks or ask
which task a photo is about."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.actor import Actor
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from handlers.zalo import everyone, evidence
from tests.factories import make_contact, make_task, make_unit
from zalo import Event

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
HOA = "7f3a9c0e51d24b8e"


def test_mytasks_and_a_photo_follow_the_deactivation(engine: Engine, settings: Settings) -> None:
    """The unit's two open tasks are neither listed nor asked about once it is deactivated."""
    services = Services(settings, engine, load_catalog(), ManualClock(NOW), b"test-key")
    with Session(engine) as s:
        unit = make_unit(s, "XA", "Xã Tam Xuân")
        for n in (1, 2):
            make_task(s, f"Kế hoạch CĐS {n}", date(2026, 11, 30), [unit])
        unit.active = False
        s.add(unit)
        hoa = make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 9001, role="admin", name="Chị Quản Trị")
        s.commit()
        actor = Actor(hoa.id or 0, HOA, "vi", "member", (unit.id or 0,), ())
    told = (
        "Đơn vị Xã Tam Xuân đã ngừng được theo dõi, đôn đốc trên hệ thống; không ghi nhận gì. "
        "Cần hỏi thêm, xin liên hệ quản trị viên: Chị Quản Trị."
    )
    [listed] = everyone.mytasks(services, actor, "", "mytasks")
    assert listed.text == told
    photo = Event("message.image.received", "m1", 0, HOA, "PRIVATE", HOA, "Hoa")
    assert evidence.keep(services, actor, photo, b"\xff\xd8\xff" + b"0" * 64).text == told
