"""Adding a unit when another admin adds one with the same code: the first stands, the
second is told, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import unit_form
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.imports import units as unit_import
from db.models import AuditLog, Unit
from tests.factories import make_contact, make_unit
from tests.harness import DEFAULT_NOW


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def services(request: pytest.FixtureRequest, settings: Settings) -> Services:
    """Return services on this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))


def two_admins(services: Services) -> tuple[int, int]:
    """Create two admins; return their ids."""
    with Session(services.engine) as s:
        first, second = make_contact(s, 9101, role="admin"), make_contact(s, 9102, role="admin")
        s.commit()
        return first.id or 0, second.id or 0


def cells(name: str) -> dict[str, str]:
    """Return the form of a commune X-NEW with this name."""
    return {"code": "X-NEW", "name": name, "kind": "xã", "parent_code": "", "groups": ""}


def test_two_admins_adding_one_code_at_once_keep_the_first(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both find the code free, then both save: one unit is added, the other admin is told
    it and its fields are not written over."""
    first, second = two_admins(services)
    both_looked = threading.Barrier(2, timeout=10)  # a guard against a hang, not a measure
    check_parents = unit_import._check_parents

    def look_then_wait(*args: Any, **kwargs: Any) -> Any:
        both_looked.wait()  # each has read the units, and found no X-NEW
        return check_parents(*args, **kwargs)

    monkeypatch.setattr(unit_import, "_check_parents", look_then_wait)

    def add(actor_and_name: tuple[int, str]) -> str:
        actor, name = actor_and_name
        return unit_form.save(services, "vi", actor, cells(name))

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(add, [(first, "Xã Một"), (second, "Xã Hai")]))
    with Session(services.engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == "X-NEW")).one()
        added = s.exec(select(AuditLog).where(AuditLog.action == "unit.added")).all()
    winner = ["Xã Một", "Xã Hai"].index(unit.name)
    assert answers[winner] == f"Đã thêm {unit.name} (mã X-NEW)."
    assert answers[1 - winner] == (
        f"Đơn vị mã X-NEW vừa được người khác thêm: **{unit.name}** (Xã). "
        "Không thay đổi gì; dùng /editunit X-NEW nếu cần sửa."
    )
    assert [a.actor_id for a in added] == [[first, second][winner]]


def test_adding_a_code_added_since_it_was_checked_changes_nothing(services: Services) -> None:
    """The code was free when the admin typed it; another admin added it since: the second
    save says what stands and leaves the unit as it is."""
    _, second = two_admins(services)
    with Session(services.engine) as s:
        make_unit(s, "X-NEW", "Xã Một", kind="ward")
        s.commit()
    said = unit_form.save(services, "en", second, cells("Xã Hai"))
    assert said == (
        "Someone else has just added a unit with code X-NEW: **Xã Một** (Ward). "
        "Nothing was changed; use /editunit X-NEW to change it."
    )
    with Session(services.engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == "X-NEW")).one()
        assert (unit.name, unit.kind_key) == ("Xã Một", "ward")
        assert s.exec(select(AuditLog)).all() == []
