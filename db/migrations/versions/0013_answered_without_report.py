"""answered without a report: an extension request or an explanation ends "no report"

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:30:00

"Chưa báo cáo" (no report) is `assignment.last_report_at IS NULL`, read by every view (the
chat summary, the dashboard, the workbook, the formal report, the digest through
`task_count`). A unit whose only answer was a deadline-extension request or a written
explanation had answered, yet stayed NULL; the use cases now set it
(`db.queries.reports.mark_answered`). This sets it for the answers kept before: the first
such answer's time. `task_count`'s triggers follow the update. The downgrade leaves the
times, which are true answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = sa.text(
    """
    UPDATE assignment SET last_report_at = (
        SELECT MIN(answered) FROM (
            SELECT created_at AS answered FROM extension_request
             WHERE extension_request.assignment_id = assignment.id
            UNION ALL
            SELECT answered_at FROM explanation
             WHERE explanation.assignment_id = assignment.id AND answered_at IS NOT NULL
        ) AS answers
    )
    WHERE last_report_at IS NULL AND (
        EXISTS (SELECT 1 FROM extension_request WHERE assignment_id = assignment.id)
        OR EXISTS (
            SELECT 1 FROM explanation
             WHERE assignment_id = assignment.id AND answered_at IS NOT NULL
        )
    )
    """
)


def upgrade() -> None:
    op.execute(BACKFILL)


def downgrade() -> None:
    pass
