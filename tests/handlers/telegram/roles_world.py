"""A province for the role and scope specifications: who is who, what is outside whose scope.

X1 is in group Nhóm A, the scoped coordinator's only group; Y1 and its task #1 are outside it.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlmodel import select

from core.roles import Access
from db.models import Assignment, Evidence, Unit, UnitGroup, UnitGroupMember
from db.queries.scope import set_scope
from scheduler.delivery import DISPATCH_JOB
from tests.factories import make_contact, make_task, make_unit
from tests.harness import ADMIN_ID, BotUnderTest

P = TypeVar("P")
NOT_ALLOWED = "không có quyền"
NOT_REGISTERED = "Để tham gia"  # the welcome of strangers


def people(*ids: P) -> tuple[tuple[str, P, Access], ...]:
    """Name a stranger, a member, a coordinator and an admin, least privileged first."""
    names = ("stranger", "member", "coordinator", "admin")
    return tuple(zip(names, ids, Access, strict=True))


def judge(command: str, who: str, access: Access, needed: Access, answer: str) -> bool:
    """Check the answer to a command needing `needed` from someone with `access`.

    Return whether it had to be refused (the caller then checks that nothing changed).
    """
    if access < needed:
        refusal = NOT_REGISTERED if access == Access.PUBLIC else NOT_ALLOWED
        assert refusal in answer, f"{command} by the {who}: {answer!r}"
        return True
    # A stranger's public command may well answer with the welcome of strangers.
    refused = NOT_ALLOWED in answer or (access > Access.PUBLIC and NOT_REGISTERED in answer)
    assert not refused, f"{command} by the {who} was refused: {answer!r}"
    return False


STRANGER, MEMBER, COORDINATOR, OUTSIDER = 5001, 5002, 5003, 5004
PEOPLE = people(STRANGER, MEMBER, COORDINATOR, ADMIN_ID)
OUTSIDE_UNIT = "Xã Ngoài Phạm Vi"
OUTSIDE_TASK = "Việc ngoài phạm vi"
OUTSIDE_FILE = "bien-ban-ngoai-pham-vi.pdf"  # Y1's evidence
# The tables a refused command must leave exactly as they were.
WATCHED = (
    "task",
    "assignment",
    "status_report",
    "contact",
    "unit_contact",
    "contact_scope",
    "unit",
    "unit_group_member",
    "invite",
    "extension_request",
    "explanation",
    "outbox",
    "audit_log",
)


def arrange(bot: BotUnderTest) -> None:
    """X1 is in group Nhóm A, the coordinator's scope; Y1 and task #1 are outside it."""
    # No morning dispatch mid-test: its reminders would be changes no command made.
    assert bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name(DISPATCH_JOB):
        job.schedule_removal()
    with bot.session() as s:
        inside = make_unit(s, "X1", "Xã Trong")
        outside = make_unit(s, "Y1", OUTSIDE_UNIT)
        make_contact(s, MEMBER, units=[inside])
        make_contact(s, OUTSIDER, units=[outside])
        coordinator = make_contact(s, COORDINATOR, role="coordinator")
        task = make_task(s, OUTSIDE_TASK, date(2026, 11, 10), [outside])  # overdue: ranked
        s.add(
            Evidence(
                assignment_id=s.exec(
                    select(Assignment.id).where(Assignment.task_id == task.id)
                ).one()
                or 0,
                file_name=OUTSIDE_FILE,
                size=3,
                sha256="0" * 64,
                storage_path="nowhere",
            )
        )
        make_task(s, "Việc trong phạm vi", date(2026, 11, 25), [inside])
        group = UnitGroup(name="Nhóm A", name_folded="nhom a")
        s.add(group)
        s.flush()
        s.add(UnitGroupMember(group_id=group.id or 0, unit_id=inside.id or 0))
        set_scope(s, contact_id=coordinator.id or 0, group_ids=[group.id or 0])
        s.commit()
    for _, user_id, _ in PEOPLE[:3]:
        bot.user(user_id, name=f"User {user_id}")  # as the factory named them


# What the outbox holds, not how its sending goes: a message queued by an earlier command may
# be sent (status, attempts, lease) while a later one is checked.
QUEUED = "id, key, channel, chat_id, contact_id, kind, payload"


def snapshot(bot: BotUnderTest | Engine) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of the watched tables (of the outbox, what is queued)."""
    engine = bot if isinstance(bot, Engine) else bot.engine
    with engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(
                    text(f"SELECT {QUEUED if table == 'outbox' else '*'} FROM {table}")
                )
            ]
            for table in WATCHED
        }


def unit_id(bot: BotUnderTest, code: str) -> int:
    """Return the id of the unit with this code."""
    with bot.session() as s:
        return s.exec(select(Unit).where(Unit.code == code)).one().id or 0
