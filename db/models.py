"""SQLModel models: the database is the source of truth for units, tasks and delivery.

Times are aware UTC (`UTCDateTime`); dates (deadlines, reminder days) are local calendar
days in the configured time zone. Enumerated values are stored as short strings so that a
new value needs no schema change; their meanings live in `core/`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


def _created() -> Any:
    """Return a created-at column defaulting to now (UTC)."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _when(*, index: bool = False) -> Any:
    """Return an optional UTC datetime column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


# --- units ---------------------------------------------------------------------------------


class UnitKind(SQLModel, table=True):
    """A kind of unit (department, commune, ...): data an admin can extend."""

    __tablename__ = "unit_kind"

    key: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    plural_vi: str = Field(default="", max_length=80)
    plural_en: str = Field(default="", max_length=80)
    aliases: str = Field(default="", max_length=400)  # folded, comma-separated
    sort_order: int = 100


class Unit(SQLModel, table=True):
    """An accountable party: a department, a commune or ward, a (legacy) district."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40)
    code_folded: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200, index=True)
    kind_key: str = Field(foreign_key="unit_kind.key", index=True, max_length=40)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = True
    created_at: datetime = _created()
    updated_at: datetime = _created()


class UnitGroup(SQLModel, table=True):
    """A named group of units ("pilot communes", "coastal wards")."""

    __tablename__ = "unit_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    name_folded: str = Field(max_length=120, unique=True)


class UnitGroupMember(SQLModel, table=True):
    """Membership of a unit in a group."""

    __tablename__ = "unit_group_member"

    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


# --- people ----------------------------------------------------------------------------------


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


# --- directives and tasks ------------------------------------------------------------------


class Directive(SQLModel, table=True):
    """A document that assigns tasks: an official dispatch, a decision, a plan."""

    __tablename__ = "directive"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=80)  # "4824/UBND-KGVX"
    number_folded: str = Field(max_length=80, unique=True)
    issued_on: date | None = None
    issuer: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=500)
    file_path: str | None = Field(default=None, max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()


class RecurringTask(SQLModel, table=True):
    """A rule that creates one task per occurrence ahead of time (monthly report, ...)."""

    __tablename__ = "recurring_task"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = Field(default="")
    directive_id: int | None = Field(default=None, foreign_key="directive.id")
    rule: str = Field(max_length=200)  # e.g. "monthly:20", "weekly:fri", "quarterly:15"
    assignees: str = Field(default="")  # the assignee spec as an admin wrote it
    create_ahead_days: int = 30
    generated_until: date | None = None
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()


class Task(SQLModel, table=True):
    """A piece of work assigned to units; its id is the short number shown as #12."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=80, unique=True)  # import key
    title: str = Field(max_length=300)
    title_folded: str = Field(max_length=300, index=True)
    description: str = Field(default="")
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    deadline: date = Field(index=True)
    status: str = Field(default="open", max_length=20, index=True)  # open|closed|cancelled
    recurring_id: int | None = Field(default=None, foreign_key="recurring_task.id")
    occurrence: date | None = None
    days_before: str | None = Field(default=None, max_length=60)  # policy override
    overdue_every_days: int | None = None
    escalate_after: int | None = None
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()
    closed_at: datetime | None = _when()


class Assignment(SQLModel, table=True):
    """A task assigned to one unit, with its current status kept for fast counting.

    `deadline` is the one in force for this unit (after an approved extension), `due_at`
    the end of that day in local time as UTC, so on-time is simply `done_at < due_at`.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        # Covers the summary counts (db/queries/summary.py): no table reads on SQLite.
        Index(
            "ix_assignment_task_state",
            *("task_id", "active", "state", "due_at", "done_at", "last_report_at"),
        ),
        Index("ix_assignment_unit_due", "unit_id", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    unit_id: int = Field(foreign_key="unit.id")
    active: bool = True  # False once removed from the task (history stays)
    original_deadline: date
    deadline: date
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    state: str = Field(default="none", max_length=20)  # none|in_progress|blocked|done
    percent: int | None = None
    done_at: datetime | None = _when()
    # When the unit last answered: a status report, or (while it has none) the first
    # extension request or written explanation. NULL is "Chưa báo cáo", decided here alone.
    last_report_at: datetime | None = _when()
    overdue_reminders: int = 0
    created_at: datetime = _created()


class TaskCount(SQLModel, table=True):
    """A task's active assignments with one `due_at`, counted in the taxonomy.

    Kept by triggers on `assignment` in the same transaction as each change (migration
    0007), read by the all-tasks summary (`db/queries/taskcounts.py`), rebuilt by
    `dondoc db recount`. Not done splits into in time and overdue by `due_at` when read.
    """

    __tablename__ = "task_count"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    due_at: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    n: int = 0
    done_on_time: int = 0
    done_late: int = 0
    not_done: int = 0
    no_report: int = 0
    blocked: int = 0


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


# --- delivery --------------------------------------------------------------------------------


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
        Index("ix_outbox_kind_created", "kind", "created_at"),  # who was nudged lately
        Index("ix_outbox_created", "created_at"),  # the oldest rows, which housekeeping purges
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    channel: str = Field(default="telegram", max_length=20)
    chat_id: str = Field(max_length=64, index=True)
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


class Inbox(SQLModel, table=True):
    """An update received from a channel, recorded once (duplicates are dropped).

    An update is known by its channel, the account that received it (the Telegram bot's id,
    a Zalo official account's id), the epoch of that account's update ids and its id within
    them. A channel whose ids are unique for ever (Zalo's message ids) keeps epoch 0; the
    Telegram inbox starts a new epoch when a server's update ids start again lower down
    (handlers/telegram/epochs.py), so that a new server's updates never look like replays.
    `digest` tells a replay (same content) from a new update that reuses a known id.

    `processed_at` is set when the bot is done with the update: its handlers finished (also
    when they ended in the error handler, which told the person), or, after a retry that
    did not finish either, when the admins were told. Until then `payload` keeps the update
    so that it can be retried once after a restart (`attempts` counts those retries).

    Under several workers (`WORKERS=multi`): `worker` names the process that recorded (or
    took over) the update, so a live worker's unfinished updates are not run twice and a
    dead one's are taken over (`db/queries/workers.py`); `lane` names the person, whose
    updates run one after another in the order received, whichever worker took them.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "account", "epoch", "update_id", name="uq_inbox_update"),
        # Only the unfinished rows: a person's earlier update still open, a dead worker's.
        Index(
            "ix_inbox_open_lane",
            "channel",
            "lane",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(default="telegram", max_length=20)
    account: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    update_id: str = Field(max_length=64)
    # A digest of what the update carries: the same id with other content is not a replay.
    digest: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    kind: str = Field(default="", max_length=40)
    received_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    processed_at: datetime | None = _when()
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    worker: str | None = Field(default=None, max_length=80)
    lane: str | None = Field(default=None, max_length=80)


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


class Worker(SQLModel, table=True):
    """A `dondoc serve` process under `WORKERS=multi`, seen alive at `seen_at`.

    Each worker writes its row every second from its roles connection (scheduler/roles.py);
    one not seen for `db/queries/workers.DEAD_AFTER` is dead, and its unfinished updates are
    taken over by the leader.
    """

    __tablename__ = "worker"

    id: str = Field(primary_key=True, max_length=80)
    started_at: datetime = _created()
    seen_at: datetime = _created()


# --- administration --------------------------------------------------------------------------


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


# --- the web dashboard ----------------------------------------------------------------------


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
