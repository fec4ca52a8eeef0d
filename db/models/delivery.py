"""Delivery: the reminders planned, the outbox of messages to send and what each is about,
the channels' shared sending budget."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when


class Reminder(SQLModel, table=True):
    """One planned reminder of an assignment on a local day; the key makes it unique."""

    __tablename__ = "reminder"
    __table_args__ = (
        Index("ix_reminder_due", "status", "due_on"),
        # Deleting an old outbox row checks this key: only the (few) rows that hold one.
        Index(
            "ix_reminder_outbox",
            "outbox_id",
            postgresql_where=text("outbox_id IS NOT NULL"),
            sqlite_where=text("outbox_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    kind: str = Field(max_length=20)  # assigned|before|due|overdue|nudge
    due_on: date
    seq: int = 0  # overdue reminder number, for escalation
    status: str = Field(default="planned", max_length=20)  # planned|queued|skipped|folded
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    created_at: datetime = _created()


class Outbox(SQLModel, table=True):
    """A message to send; claimed with a lease, marked before and after the call."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_ready", "status", "priority", "not_before"),
        # a chat's rows still to send, which the claim reads (`outbox_heads.heads`)
        Index("ix_outbox_chat", "chat_id", "channel", "status"),
        Index("ix_outbox_kind_created", "kind", "created_at"),  # who was nudged lately
        Index("ix_outbox_created", "created_at"),  # the oldest rows, which housekeeping purges
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    channel: str = Field(default="telegram", max_length=20)
    chat_id: str = Field(max_length=64)
    # Indexed for a merge (db/queries/merging.py), which moves a person's messages.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    kind: str = Field(max_length=20)  # reminder|nudge|notice|digest|escalation
    priority: int = 10  # lower goes first
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="pending", max_length=20)  # core.states.SendStatus
    attempts: int = 0
    not_before: datetime = _created()
    lease_owner: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = _when()
    sent_at: datetime | None = _when()
    channel_message_id: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()


class OutboxItem(SQLModel, table=True):
    """An assignment a message is about, so a reply to it can be attributed."""

    __tablename__ = "outbox_item"

    outbox_id: int = Field(foreign_key="outbox.id", primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", primary_key=True, index=True)


class SendBudget(SQLModel, table=True):
    """A channel's sending grid shared by the workers (scheduler/budget.py): its next slot."""

    __tablename__ = "send_budget"

    channel: str = Field(primary_key=True, max_length=20)
    next_at: float = Field(default=0.0)  # seconds since the epoch, by the database's clock


class SendSlot(SQLModel, table=True):
    """A slot handed out by a channel's shared budget, and when its call returned."""

    __tablename__ = "send_slot"
    __table_args__ = (Index("ix_send_slot_channel_id", "channel", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    slot_at: float  # seconds since the epoch, by the database's clock
    ended_at: float | None = None
