"""A long or mixed report's status, asked once before it is recorded; its text is the note."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said
from app.checkin.about import task_of
from app.choices import Choice
from app.reporting import Report, record
from app.services import Services
from core.replies.result import ParsedReply
from core.states import ReportState
from db.engine import session_in
from db.queries.pending import clear_pending, get_pending, set_pending

CONFIRM = "cf"  # the choice of a status for a long report: cf:<state>:<assignment>


def confirm(
    services: Services,
    actor: Actor,
    assignment_id: int,
    reply: ParsedReply,
    text: str,
    key: str,
    db: Session | None = None,
    *,
    asked: str = "confirm_status",
) -> Answer:
    """Ask once which status a long or mixed report means (`asked`: the question's catalog
    key); its text is kept as the note, and the share and reason it gave are recorded with
    the status it was read as (written in `db`'s transaction when given, else in its own)."""
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        note = reply.note or text
        data = {"step": "confirm", "assignment_id": assignment_id, "note": note, "key": key}
        data |= {"kind": str(reply.kind), "percent": reply.percent, "reason": reply.reason}
        set_pending(session, contact_id=actor.contact_id, data=data, now=services.clock.now())
        task = task_of(session, assignment_id)
    choices = [
        Choice(t(f"buttons.{action}"), (CONFIRM, state, assignment_id))
        for action, state in (
            ("done", "done"),
            ("progress", "in_progress"),
            ("blocked", "blocked"),
        )
    ]
    question = t(f"checkin.{asked}", task=str(task.id), title=task.title)
    return Answer([Said(question, [choices[:2], choices[2:]])])


def confirmed(
    services: Services, actor: Actor, state: str, assignment_id: int, db: Session | None = None
) -> Answer:
    """Record the status chosen for a report kept while asking, with its text as the note.

    The question is taken and the report recorded in one transaction (`db`'s when given):
    run again after the database failed, it finds the question still asked.
    """
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=services.clock.now())
        kept = (
            asked is not None
            and asked.get("step") == "confirm"
            and asked.get("assignment_id") == assignment_id
        )
        if not kept or asked is None or state not in ("done", "in_progress", "blocked"):
            expired = t("checkin.question_expired")
            return Answer([Said(expired)], toast=expired, alert=True)
        clear_pending(session, contact_id=actor.contact_id)
        note = str(asked.get("note", ""))
        read_as = asked.get("kind") == state  # the share and reason it gave go with it
        percent = asked.get("percent") if read_as else None
        reason = (asked.get("reason") if read_as else None) or note
        report = Report(
            assignment_id,
            state,
            "text",
            str(asked["key"]),
            percent=percent,
            text=note,
            reason=reason if state == ReportState.BLOCKED else None,
        )
        result = record(services, actor, report, db=session)
    return Answer([Said(result.text)], recorded=result, toast=result.text)
