"""Administration: the province's own calendar, the audit log, small named values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from db.models.columns import _created


class CalendarOverride(SQLModel, table=True):
    """A province's own day off, or a working day on a weekend (a make-up Saturday)."""

    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    working: bool = False
    reason: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()


class AuditLog(SQLModel, table=True):
    """Who did what and when, for every administrative change."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor_id: int | None = Field(default=None, foreign_key="contact.id")
    actor_label: str = Field(default="", max_length=120)  # e.g. "cli" when no contact
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class AppState(SQLModel, table=True):
    """Small named values the scheduler keeps (last digest sent, ...)."""

    __tablename__ = "app_state"

    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(default="")
    updated_at: datetime = _created()
