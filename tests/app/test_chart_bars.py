"""A task's chart bars (the dashboard's and /chart's): kinds, then groups, in Vietnamese order."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from app.dashboard.charts import task_bars
from app.i18n import load_catalog
from db.models import UnitKind
from db.queries.scope import EVERY
from tests.factories import make_task, make_unit

# In the Vietnamese alphabet a < ă < â and d < đ; by code point "Ân" and "Đông" come after
# "Dương", and "Ấp" after them all.
NAMES = ["Đông", "Dương", "Ấp", "Ân", "Anh"]
IN_ORDER = ["Anh", "Ân", "Ấp", "Dương", "Đông"]


def test_task_bars_name_kinds_then_groups_in_vietnamese_alphabetical_order(
    session: Session,
) -> None:
    """Kinds keyed k0..k4 and groups named "Đông", "Dương", "Ấp", "Ân", "Anh" are drawn as
    Anh, Ân, Ấp, Dương, Đông: by their names in the Vietnamese alphabet, not by key or code
    point."""
    for n, name in enumerate(NAMES):
        session.add(UnitKind(key=f"k{n}", name_vi=name, name_en=name))
    session.commit()
    units = [
        make_unit(session, f"U{n}", f"Đơn vị {n}", kind=f"k{n}", groups=[name])
        for n, name in enumerate(NAMES)
    ]
    task = make_task(session, "Kế hoạch chuyển đổi số", date(2026, 12, 1), units)
    catalog = load_catalog()
    now = datetime(2026, 11, 18, 2, tzinfo=UTC)
    bars, _ = task_bars(session, task, scope=EVERY, lang="vi", now=now, catalog=catalog)
    groups = [catalog.get("vi", "chart.group", name=name) for name in IN_ORDER]
    assert [bar.label for bar in bars] == IN_ORDER + groups
