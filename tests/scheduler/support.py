"""Helpers shared by the delivery tests: a dispatcher context, a province, fake users."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.i18n import load_catalog
from app.signing import derive_button_key
from core.reminders import Policy
from core.workhours import WorkHours
from db.models import Assignment, Contact, Outbox, OutboxItem, Reminder, Task, Unit
from devtools.fakebotapi import FakeBotApi
from scheduler.sweep import Context
from tests.factories import make_contact, make_task, make_unit, person

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KEY = derive_button_key("123456:TEST-token-for-the-fake-bot-api-server")


def context(engine: Engine, policy: Policy | None = None, *, token: str | None = None) -> Context:
    """Return a dispatcher context on the engine with the default settings; its buttons
    signed as the bot of `token` signs them (a bot process the test starts), if given."""
    return Context(
        engine=engine,
        catalog=load_catalog(),
        button_key=KEY if token is None else derive_button_key(token),
        policy=policy or Policy(),
        hours=WorkHours.parse("07:30-11:30,13:30-17:00"),
        tz=VN,
    )


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Return a local moment in Vietnam."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def assigned_at(session: Session, task: Task, moment: datetime) -> None:
    """Backdate a task's assignments, as if it had been assigned at `moment`."""
    for assignment in session.exec(select(Assignment).where(Assignment.task_id == task.id)):
        assignment.created_at = moment
        session.add(assignment)
    session.commit()


def province(session: Session, count: int, *, first_user: int = 5000) -> list[Unit]:
    """Create `count` communes, each with one started focal point (user first_user + i)."""
    units = []
    for i in range(count):
        unit = make_unit(session, f"P{i:04d}", f"Xã Thử {i:04d}")
        make_contact(session, first_user + i, units=[unit])
        units.append(unit)
    return units


def task_for(
    session: Session,
    units: list[Unit],
    deadline: date,
    assigned: datetime,
    title: str = "",
    *,
    reminded: date | None = None,
) -> Task:
    """Create a task for the units, assigned at a moment (and last reminded on a day)."""
    task = make_task(session, title or f"Báo cáo chuyển đổi số {deadline:%d/%m}", deadline, units)
    assigned_at(session, task, assigned)
    if reminded is not None:
        mark_reminded(session, task, reminded)
    return task


def messages_to(session: Session, contact: Contact | int, kind: str = "reminder") -> list[Outbox]:
    """Return the outbox messages queued for a contact (by contact or Telegram user id)."""
    if isinstance(contact, int):
        contact = person(session, str(contact))
    query = select(Outbox).where(Outbox.contact_id == contact.id, Outbox.kind == kind)
    return list(session.exec(query.order_by(col(Outbox.id))))


def items_of(session: Session, message: Outbox) -> set[int]:
    """Return the assignment ids a message is about."""
    query = select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == message.id)
    return set(session.exec(query))


def start_users(server: FakeBotApi, user_ids: list[int]) -> None:
    """Create fake users who have started the bot, without sending the bot anything."""
    for user_id in user_ids:
        server.add_user(user_id, f"Cán bộ {user_id}")
    with server.state.lock:
        for user_id in user_ids:
            server.state.users[user_id].started = True


def mark_reminded(session: Session, task: Task, day: date) -> None:
    """Record that the task's units were reminded on a day (history before the test)."""
    for assignment in session.exec(select(Assignment).where(Assignment.task_id == task.id)):
        session.add(
            Reminder(
                key=f"r:{assignment.id}:{day.isoformat()}",
                assignment_id=assignment.id or 0,
                kind="before",
                due_on=day,
                status="queued",
            )
        )
    session.commit()


def deliver_all(session: Session) -> None:
    """Mark every queued message as sent, as the sender would have done by evening."""
    for message in session.exec(select(Outbox).where(Outbox.status == "pending")):
        message.status = "sent"
        session.add(message)
    session.commit()


def process_id(database: str) -> int:
    """In a worker process (`scheduler.workers.in_process`): its process id."""
    return os.getpid()


def worker_processes() -> set[int]:
    """Return the worker processes of this (test) process."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            found |= {int(pid) for pid in (task / "children").read_text().split()}
        except FileNotFoundError:
            continue  # a thread that ended since the folder was listed
    return found
