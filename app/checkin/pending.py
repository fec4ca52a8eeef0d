"""The answer to the bot's pending question: a blocker's reason, an extension's date, a task."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said, late_reason
from app.checkin.about import task_of
from app.checkin.act import apply_kept, report_of, rolled
from app.checkin.late_reason import send_request
from app.explanations import answer_explanation
from app.reject_reason import KIND as REJECTED_WHY
from app.reject_reason import timely
from app.reporting import Report, record
from app.services import Services
from core.checkin import (
    could_be_reason,
    impossible_date,
    is_cancel,
    only_number,
    read_extension_request,
    task_numbers,
)
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyKind
from db.engine import session_in
from db.models import Assignment
from db.queries.calendar import working_calendar
from db.queries.pending import clear_pending, get_pending


def cancel(services: Services, actor: Actor) -> Answer:
    """Forget the question the bot asked (/cancel outside any guided form), why a request
    was rejected too."""
    now = services.clock.now()
    with services.engine.begin() as connection:
        asked = get_pending(connection, contact_id=actor.contact_id, now=now)
        why = get_pending(connection, contact_id=actor.contact_id, now=now, kind=REJECTED_WHY)
        asked = asked or (why if why is not None and timely(why, now) else None)
        clear_pending(connection, contact_id=actor.contact_id)
        clear_pending(connection, contact_id=actor.contact_id, kind=REJECTED_WHY)
    key = "common.cancelled" if asked is not None else "common.nothing_to_cancel"
    return Answer([Said(services.catalog.get(actor.lang, key))])


# The questions answered in words of one's own: a blocker's reason, why a task is late.
REASON_STEPS = frozenset({"blocked", "explain", late_reason.STEP})


def reason_awaited(services: Services, actor: Actor, text: str) -> bool:
    """Tell whether a help word ("hướng dẫn") is rather the reason the bot asked for: the
    answer to "what blocks the work?" is recorded as the blocker, not answered by the help.

    Reads the question asked only for such a word, so a channel asks this of any help word.
    """
    if not (could_be_reason(text) and actor.unit_ids):
        return False
    with services.engine.connect() as connection:
        asked = get_pending(connection, contact_id=actor.contact_id, now=services.clock.now())
    return asked is not None and asked.get("step") in REASON_STEPS


def answer_pending(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    text: str,
    key: str,
    db: Session | None = None,
) -> Answer | None:
    """Take the text as the answer to the bot's question; None when it is not one.

    An answer forgets the question in the transaction that writes what it says: run again
    after the database failed, it finds the question still asked and answers it once.
    Given `db`, everything is written in its transaction, which the caller commits.
    """
    t = partial(services.catalog.get, actor.lang)
    step = pending.get("step")
    if step == late_reason.STEP:  # no question: "hủy" does not take the request back
        return late_reason.answer_reason(services, actor, pending, text, db)
    if is_cancel(text):
        _forget(services, actor, db)
        return Answer([Said(t("common.cancelled"))])
    if step in ("blocked", "extension"):
        reply = parse_reply(text, today=services.today())
        if _by_task(text) and reply.kind != ReplyKind.UNCLEAR:
            _forget(services, actor, db)  # "#1 xong": no answer, a report read as such
            return None
        if reply.kind == ReplyKind.DONE and not reply.uncertain:  # "xong": the task asked of
            return _done_instead(services, actor, pending, reply, text, key, db)
    if step == "blocked":
        return _blocked_reason(services, actor, pending, text, key, db)
    if step == "extension":
        return _extension_answer(services, actor, pending, text, key, db)
    if step == "explain":
        with _forgetting(services, actor, db) as session:
            explanation_id = int(pending["explanation_id"])
            line = answer_explanation(services, actor, explanation_id, text, db=session)
        return Answer([Said(line)])
    if step in ("pick", "evidence") and (number := only_number(text)) is not None:
        chosen = [a for a, n in pending.get("tasks", []) if n == number]
        if not chosen:
            return Answer([Said(t("checkin.pick_unknown", task=str(number)))])
        if step == "evidence":
            return Answer(evidence=(pending, chosen[0]))
        with _forgetting(services, actor, db) as session:
            return apply_kept(services, actor, pending, chosen[0], db=session)
    _forget(services, actor, db)  # something new: forget the question, read the text
    return None


def _by_task(text: str) -> bool:
    """Tell whether a text opens with a task's number ("#1 xong", as a reminder teaches):
    one that names a task further on ("chờ #3 xong trước") is a reason still."""
    return text.lstrip().startswith("#") and bool(task_numbers(text))


def _done_instead(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    reply: ParsedReply,
    text: str,
    key: str,
    db: Session | None,
) -> Answer:
    """Record done for the task whose blocker or new date was asked: the person says it is
    done instead ("xong"), which was kept as the blocker's reason or refused as no date."""
    assignment_id = int(pending["assignment_id"])
    with _forgetting(services, actor, db) as session:
        result = record(services, actor, report_of(assignment_id, reply, text, key), db=session)
    settled = assignment_id if result.ok else None
    return Answer([Said(result.text)], recorded=result, origin=pending, settled=settled)


def _forget(services: Services, actor: Actor, db: Session | None) -> None:
    """Forget the question asked of this person."""
    with _forgetting(services, actor, db):
        pass


@contextmanager
def _forgetting(services: Services, actor: Actor, db: Session | None) -> Iterator[Session]:
    """Open a transaction that forgets the question asked of this person, for the answer's
    writes; it commits when the block ends (`db`'s, when given, is the caller's to commit)."""
    with session_in(services.engine, db) as session:
        clear_pending(session, contact_id=actor.contact_id)
        yield session


def _blocked_reason(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    text: str,
    key: str,
    db: Session | None,
) -> Answer:
    """Record a blocker with the reason just typed."""
    assignment_id = int(pending["assignment_id"])
    report = Report(assignment_id, "blocked", "text", key, text=text, reason=text.strip())
    with _forgetting(services, actor, db) as session:
        result = record(services, actor, report, db=session)
    settled = assignment_id if result.ok else None
    return Answer([Said(result.text)], recorded=result, origin=pending, settled=settled)


def _extension_answer(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    text: str,
    key: str,
    db: Session | None,
) -> Answer:
    """Read the new date and reason of an extension request, and send it to coordinators."""
    t = partial(services.catalog.get, actor.lang)
    assignment_id = int(pending["assignment_id"])
    with session_in(services.engine, db) as session:
        task = task_of(session, assignment_id)
        assignment = session.get(Assignment, assignment_id)
        calendar = working_calendar(session)
    assert assignment is not None
    today = services.today()
    target, reason, asked = read_extension_request(
        text, deadline=assignment.deadline, today=today, calendar=calendar
    )
    if target is not None and target < today:
        past = t("checkin.ext_date_past", date=target, task=str(task.id), title=task.title)
        return Answer([Said(past)])
    if target is None:
        typed = impossible_date(text)
        key = "ext_date_unclear" if typed is None else "ext_date_invalid"
        return Answer([Said(t(f"checkin.{key}", task=str(task.id), title=task.title, date=typed))])
    reason = reason if reason.strip() else str(pending.get("reason") or "")  # given with the ask
    line = send_request(services, actor, assignment_id, target, reason, key, db)
    return Answer([Said(rolled(t, asked, target) + line)], origin=pending, settled=assignment_id)
