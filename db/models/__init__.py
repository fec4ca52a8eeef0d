"""SQLModel models: the database is the source of truth for units, tasks and delivery.

Times are aware UTC (`UTCDateTime`); dates (deadlines, reminder days) are local calendar
days in the configured time zone. Enumerated values are stored as short strings so that a
new value needs no schema change; their meanings live in `core/`.

A module per flow: `units`, `contacts` (people), `access` (invites, link codes, sign-in,
sessions), `tasks` (directives, tasks, assignments, their counts), `reports` (what units
answer), `delivery` (reminders, outbox, sending budget), `inbox` (updates received, the
workers), `admin` (calendar, audit log, app state); `columns` holds their column helpers.
Every table is imported here, so that `SQLModel.metadata` holds them all once this package
is imported, and `from db.models import Task` finds any of them.
"""

from __future__ import annotations

from db.models.access import Invite, InviteFailure, LinkCode, UsedLink, WebLogin, WebSession
from db.models.admin import AppState, AuditLog, CalendarOverride
from db.models.contacts import Contact, ContactIdentity, ContactScope, UnitContact
from db.models.delivery import Outbox, OutboxItem, Reminder, SendBudget, SendSlot
from db.models.inbox import Inbox, Worker
from db.models.reports import Evidence, Explanation, ExtensionRequest, StatusReport
from db.models.tasks import Assignment, Directive, RecurringTask, Task, TaskCount
from db.models.units import Unit, UnitGroup, UnitGroupMember, UnitKind

__all__ = [
    "AppState",
    "Assignment",
    "AuditLog",
    "CalendarOverride",
    "Contact",
    "ContactIdentity",
    "ContactScope",
    "Directive",
    "Evidence",
    "Explanation",
    "ExtensionRequest",
    "Inbox",
    "Invite",
    "InviteFailure",
    "LinkCode",
    "Outbox",
    "OutboxItem",
    "RecurringTask",
    "Reminder",
    "SendBudget",
    "SendSlot",
    "StatusReport",
    "Task",
    "TaskCount",
    "Unit",
    "UnitContact",
    "UnitGroup",
    "UnitGroupMember",
    "UnitKind",
    "UsedLink",
    "WebLogin",
    "WebSession",
    "Worker",
]
