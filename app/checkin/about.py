"""What a text is about: the sender's open items, the bot message it replies to, the decision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from app.actor import Actor
from app.checkin import RepliedTo
from app.services import Services
from core.checkin import Decision, Item, Outcome, decide, named_tasks, task_numbers
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply
from core.states import TaskStatus
from db.models import Assignment, Task
from db.queries.checkin import OpenItem, Sent, about_text, report_target
from db.queries.pending import pending_in, pending_key


@dataclass(frozen=True)
class Decided:
    """What a text about one task came to: the sender's open items, and the decision (None
    when the text answers an explanation asked, `explanation_id`)."""

    rows: list[OpenItem]
    decision: Decision | None
    explanation_id: int | None
    # Why the message answered is about nothing open, when it is not that its tasks ended:
    # the catalog key, and the tasks it names (`not_open_why`).
    not_open: tuple[str, str] | None = None


@dataclass(frozen=True)
class Seen:
    """What a text may be about, read in one statement (`read_about`): the sender's open
    items, the assignments of the message it answers (None: none known) or the explanation
    it answers, and the question pending (when asked for)."""

    rows: list[OpenItem]
    items: list[Item]
    about: list[int] | None
    explanation_id: int | None
    asked: dict[str, Any] | None = None


def decide_text(
    services: Services,
    connection: Connection,
    actor: Actor,
    text: str,
    replied: RepliedTo | None,
    forwarded: bool,
    *,
    seen: Seen | None = None,
) -> Decided:
    """Read what a text may be about (unless `seen`, read already) and decide what it says
    (None: an explanation's answer)."""
    if seen is None:
        seen = read_about(connection, actor, replied)
    rows, about = seen.rows, seen.about
    if seen.explanation_id is not None:
        return Decided(rows, None, seen.explanation_id)
    reply = read_reply(services, text, forwarded)
    mentioned = named_tasks(text)
    decision = decide(reply=reply, items=seen.items, replied=about, mentioned=mentioned)
    if decision.outcome == Outcome.CLOSED and about:
        return Decided(rows, decision, None, not_open_why(connection, actor, about))
    if decision.outcome == Outcome.RECORD and not mentioned and left_alone(about, seen.items):
        # Sent about several tasks, answered when the others had ended: the one left is
        # asked about, never recorded unnamed ("1" typed for the first task listed, closed).
        decision = replace(decision, reply=replace(decision.reply, uncertain=True))
    return Decided(rows, decision, None)


def left_alone(about: list[int] | None, items: list[Item]) -> bool:
    """Tell whether the message answered was about several assignments of which some are no
    longer the sender's to report on (their task ended, their unit taken off it)."""
    if about is None or len(set(about)) < 2:
        return False
    reportable = {item.assignment_id for item in items}
    return any(assignment not in reportable for assignment in about)


def not_open_why(connection: Connection, actor: Actor, about: list[int]) -> tuple[str, str] | None:
    """Say why these assignments, each of a task still open, are none the sender may report
    on: the sender's units were taken off the task (/unassign), or they are another unit's
    (the sender moved to another unit). None when that is not so of each (a task ended, a
    unit deactivated), which the closed message's words say."""
    targets = [report_target(connection, assignment_id=a) for a in about]
    if any(t is None or t.task_status != TaskStatus.OPEN or not t.unit_active for t in targets):
        return None
    if all(t is not None and t.unit_id not in actor.unit_ids for t in targets):
        return "checkin.refused_not_yours", ""
    if all(t is not None and t.unit_id in actor.unit_ids and not t.active for t in targets):
        tasks = sorted({t.task_id for t in targets if t is not None})
        return "checkin.refused_unassigned", ", #".join(str(task) for task in tasks)
    return None


def read_reply(services: Services, text: str, forwarded: bool) -> ParsedReply:
    """Parse a reply; one forwarded is another's words, so the status it gives is asked."""
    reply = parse_reply(text, today=services.today())
    return replace(reply, uncertain=True) if forwarded else reply


def read_about(
    connection: Connection,
    actor: Actor,
    replied: RepliedTo | None,
    *,
    asked_at: datetime | None = None,
) -> Seen:
    """Read what a text may be about, in one statement: the open items, the message it
    answers and, given `asked_at` (now), the question pending."""
    ask = replied is not None and not replied.assignment_ids
    found = about_text(
        connection,
        pending_key=pending_key(actor.contact_id) if asked_at is not None else None,
        unit_ids=actor.unit_ids,
        chat_id=replied.chat_id if ask and replied is not None else None,
        message_id=replied.message_id if ask and replied is not None else None,
    )
    rows = found.items
    items = [Item(i.assignment_id, i.task_id, i.done, i.reported) for i in rows]
    about, explanation_id = _replied(replied, found.sent, items)
    asked = pending_in(found.asked, now=asked_at) if asked_at is not None else None
    return Seen(rows, items, about, explanation_id, asked)


def _replied(
    replied: RepliedTo | None, sent: Sent | None, items: list[Item]
) -> tuple[list[int] | None, int | None]:
    """Return the assignments of the message answered (None: none known) or an explanation,
    from the outbox's row of it (`sent`, read with the items)."""
    if replied is None:
        return None, None
    if replied.assignment_ids:
        return list(replied.assignment_ids), None
    if sent is not None:
        if sent.key.startswith("explain:"):
            return None, int(sent.key.split(":")[1])
        return list(sent.assignment_ids) or None, None
    # A message sent directly (/mytasks, a confirmation) names its tasks as #12.
    numbers = task_numbers(replied.text)
    about = [i.assignment_id for i in items if i.task_id in numbers]
    return about or None, None


def task_of(session: Any, assignment_id: int) -> Task:
    """Return the task of an assignment."""
    assignment = session.get(Assignment, assignment_id)
    task: Task = session.get(Task, assignment.task_id)
    return task
