"""What units answer on an assignment: status reports, extension requests, explanations,
evidence files."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when


class StatusReport(SQLModel, table=True):
    """One report of a unit on an assignment; append-only, the latest counts."""

    __tablename__ = "status_report"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    # Indexed for a merge (db/queries/merging.py), which moves a person's reports.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    state: str = Field(max_length=20)  # done | in_progress | blocked
    percent: int | None = None
    text: str = Field(default="", max_length=4096)
    reason: str | None = Field(default=None, max_length=4096)
    evidence_number: str | None = Field(default=None, max_length=120)
    evidence_date: date | None = None
    source: str = Field(default="button", max_length=20)  # button | text | admin | import
    dedup_key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = _created()


class ExtensionRequest(SQLModel, table=True):
    """A unit's request for a later deadline, decided by a coordinator."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    requested_deadline: date | None = None
    reason: str = Field(default="", max_length=4096)
    status: str = Field(default="pending", max_length=20)  # pending|approved|rejected
    decided_by_id: int | None = Field(default=None, foreign_key="contact.id")
    decided_at: datetime | None = _when()
    created_at: datetime = _created()
    # The decider's words, sent to the unit: an approval's note, a rejection's reason (typed
    # with it or after it, `app.reject_reason`); "" when none was given.
    decision_note: str = Field(default="", max_length=4096)


class Explanation(SQLModel, table=True):
    """A written explanation (giải trình) asked of an overdue unit, and its answer."""

    __tablename__ = "explanation"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="contact.id")
    requested_at: datetime = _created()
    text: str | None = Field(default=None, max_length=4096)
    answered_by_id: int | None = Field(default=None, foreign_key="contact.id")
    answered_at: datetime | None = _when()


class Evidence(SQLModel, table=True):
    """A file kept as evidence of an assignment, independent of Telegram keeping it."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    file_name: str = Field(max_length=255)
    mime_type: str | None = Field(default=None, max_length=120)
    size: int
    sha256: str = Field(max_length=64)
    storage_path: str = Field(max_length=500)
    channel_file_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()
