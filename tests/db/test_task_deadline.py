"""Writing a task: its words kept composed; moving its deadline is no extension."""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlmodel import Session, col, select

from db.models import Assignment, ExtensionRequest
from db.queries.task_deadlines import change_deadline
from tests.factories import VN, make_task, make_unit


def test_moving_a_task_deadline_leaves_only_granted_extensions_extended(
    session: Session,
) -> None:
    """Summaries, the workbook and the formal report call an assignment extended when its
    deadline is not the one first given: after /deadline (or a day off, or a file) moved the
    task, every unit was listed as granted an extension "from" the old deadline."""
    first, second = make_unit(session, "X1"), make_unit(session, "X2")
    task = make_task(session, "Nhiệm vụ", date(2026, 12, 15), [first, second])
    query = select(Assignment).order_by(col(Assignment.unit_id))
    plain, granted = session.exec(query).all()
    granted.deadline = date(2026, 12, 22)
    session.add(
        ExtensionRequest(
            assignment_id=granted.id or 0, status="approved", requested_deadline=date(2026, 12, 22)
        )
    )
    session.commit()
    change_deadline(session, task=task, deadline=date(2026, 12, 10), tz=VN, actor_id=None)
    session.commit()
    session.expire_all()
    plain, granted = session.exec(query).all()
    assert (plain.original_deadline, plain.deadline) == (date(2026, 12, 10),) * 2
    assert (granted.original_deadline, granted.deadline) == (
        date(2026, 12, 10),
        date(2026, 12, 22),
    )


def test_a_task_typed_decomposed_is_kept_composed(session: Session) -> None:
    """A title typed with a "Unicode tổ hợp" keyboard (decomposed) is kept as the same words
    typed precomposed, as a unit's name is."""
    typed = unicodedata.normalize("NFD", "Báo cáo chuyển đổi số")
    task = make_task(
        session,
        typed,
        date(2026, 12, 15),
        [make_unit(session, "X1")],
        description=unicodedata.normalize("NFD", "Theo công văn"),
    )
    assert (task.title, task.description) == ("Báo cáo chuyển đổi số", "Theo công văn")
