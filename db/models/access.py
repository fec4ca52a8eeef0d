"""How people get in: invites, link codes between channels, web sign-in links and sessions,
single-use download links; only hashes of the codes are kept."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when
from db.types import UTCDateTime


class Invite(SQLModel, table=True):
    """A one-time invite for a contact of a unit; only the code's hash is stored."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(default="member", max_length=20)
    function: str = Field(default="focal", max_length=20)
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _when()
    used_by_id: int | None = Field(default=None, foreign_key="contact.id")


class LinkCode(SQLModel, table=True):
    """A one-time code a person asks for (/link) to add an identity on another channel.

    Only the code's hash is stored; the code is short (typed on a phone) and lives minutes.
    """

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _when()


class InviteFailure(SQLModel, table=True):
    """A wrong invite code tried by someone, for rate limiting."""

    __tablename__ = "invite_failure"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(default="telegram", max_length=20)
    external_id: str = Field(max_length=64, index=True)
    at: datetime = _created()


class WebLogin(SQLModel, table=True):
    """A one-time sign-in link a staff member asked for in chat (only its hash is kept)."""

    __tablename__ = "web_login"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _when()


class UsedLink(SQLModel, table=True):
    """A single-use link taken: the hash of its signature, kept until the link expires; while
    its file is being built, until when that use holds it (None once the file was given)."""

    __tablename__ = "used_link"

    key_hash: str = Field(max_length=64, primary_key=True)
    used_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    building_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the hash of its cookie, its CSRF token, when it was last used."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = _created()
    last_seen_at: datetime = _created()
    ended_at: datetime | None = _when()
