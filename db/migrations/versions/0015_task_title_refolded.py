"""a task's folded title refolded from its title

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 15:00:00

`task.title_folded` is what a task is found by when an admin names it by title (`/deadline
Báo cáo quý | …`, `/closetask kiem tra`). Before 57826a0, `/renametask` changed the title
and left the folded title of the old one: such a task answered to its old name and not to
its new. This folds every task's title again with the code's fold (`core.textnorm.fold`,
which SQL cannot do: diacritics, đ, NFC) and writes the rows that differ. The downgrade
changes nothing: the old folded titles were wrong.

It also takes the units deactivated before it off their open tasks, as `/deactivate` now
does (`db.queries.unit_admin.take_off_open_tasks`): a commune merged away in 2025 and
deactivated stayed on its tasks, overdue in every summary, report and ranking, its reports
refused. Its assignments stay (their history), inactive; `task_count`'s triggers follow.
The downgrade leaves them off: which were on before is not known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.textnorm import fold

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TASKS = sa.table("task", sa.column("id"), sa.column("title"), sa.column("title_folded"))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(TASKS.c.id, TASKS.c.title, TASKS.c.title_folded))
    stale = [{"task_id": i, "folded": fold(t)} for i, t, f in rows if fold(t) != f]
    if stale:
        connection.execute(
            TASKS.update()
            .where(TASKS.c.id == sa.bindparam("task_id"))
            .values(title_folded=sa.bindparam("folded")),
            stale,
        )
    op.execute(TAKE_OFF)


TAKE_OFF = sa.text(
    """
    UPDATE assignment SET active = FALSE
     WHERE active = TRUE
       AND unit_id IN (SELECT id FROM unit WHERE active = FALSE)
       AND task_id IN (SELECT id FROM task WHERE status = 'open')
    """
)


def downgrade() -> None:
    pass
