"""The stored states of dondoc's records, named once.

Each is a `StrEnum`, so a member equals the string the database holds ("done" ==
ReportState.DONE) and goes into a query or a column as it is.
"""

from __future__ import annotations

from enum import StrEnum


class ReportState(StrEnum):
    """What a unit last reported on an assignment (`assignment.state`, `status_report.state`)."""

    NONE = "none"  # nothing reported yet
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"


class TaskStatus(StrEnum):
    """Whether a task is still followed up (`task.status`)."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RequestStatus(StrEnum):
    """Where an extension request stands (`extension_request.status`)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SendStatus(StrEnum):
    """Where a queued message stands (`outbox.status`)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
