"""People: a contact, their identities on each channel, their units and the groups they follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when


class Contact(SQLModel, table=True):
    """A person: their name, language and role, whatever channels they write on."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(default="", max_length=200)
    language: str = Field(default="vi", max_length=5)
    role: str = Field(default="member", max_length=20)  # member | coordinator | admin
    digest_enabled: bool = True
    created_at: datetime = _created()


class ContactIdentity(SQLModel, table=True):
    """A person's chat identity on one channel; reachability is per identity."""

    __tablename__ = "contact_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str = Field(default="telegram", max_length=20)
    external_id: str = Field(max_length=64)  # Telegram user id; Zalo ids are hex strings
    chat_id: str | None = Field(default=None, max_length=64)
    username: str | None = Field(default=None, max_length=64)
    started: bool = False  # has written to the bot, so the bot may write to them
    reachable: bool = True
    unreachable_since: datetime | None = _when()
    # Since when its messages come unreadable (Zalo's `message.unsupported.received`: a file,
    # or an account Zalo protects, every message); None: the last one was read.
    unreadable_since: datetime | None = _when()
    last_seen_at: datetime | None = _when()
    created_at: datetime = _created()


class UnitContact(SQLModel, table=True):
    """A contact's link to a unit, as its focal point or its leader in charge."""

    __tablename__ = "unit_contact"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, index=True)
    function: str = Field(default="focal", max_length=20)  # focal | leader
    created_at: datetime = _created()


class ContactScope(SQLModel, table=True):
    """A group of units a coordinator is limited to (no rows: no limit)."""

    __tablename__ = "contact_scope"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
