"""A choice the bot offered, taken: a status, a percentage, a task, a long report's status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said
from app.checkin.act import apply_kept
from app.checkin.confirm import CONFIRM, confirmed
from app.choices import Choice, Rows
from app.reject_reason import still_waits
from app.reporting import Report, record, refusal
from app.services import Services
from core.numbers import typed_number
from core.states import ReportState
from db.engine import session_in
from db.queries.checkin import Check, check_reportable
from db.queries.pending import clear_pending, get_pending, set_pending

PERCENTS = (25, 50, 75)
# What a question asked from a pressed button is: its step, item, chat and message.
_SAME_PRESS = ("step", "assignment_id", "chat", "msg")


def choose(
    services: Services,
    actor: Actor,
    data: Sequence[str],
    *,
    dedup: Callable[[str, int], str],
    origin: dict[str, Any] | None = None,
    db: Session | None = None,
) -> Answer:
    """Apply a check-in choice: `st:<action>:<id>`, `pc:<percent|skip>:<id>`, `ck:<id>` or
    `cf:<state>:<id>` (the status of a long report).

    `dedup(kind, assignment)` names the report of a choice taken in one message ("btn" for a
    status, "pct" for a percentage), so a double tap records once; `origin` is the channel's
    data of that message, kept with a question so it can be settled.

    Each choice writes in one transaction (`db`'s when given, which the caller commits):
    run again after the database failed, it finds nothing of the earlier try kept. A status
    or percentage records once besides (its key).
    """
    t = partial(services.catalog.get, actor.lang)
    stale = Answer([Said(t("common.button_stale"))], toast=t("common.button_stale"), alert=True)
    last = typed_number(data[-1]) if data else None
    if len(data) == 2 and data[0] == "ck" and last is not None:
        return _pick(services, actor, last, db)
    if len(data) != 3 or last is None:
        return stale
    prefix, action, assignment_id = data[0], data[1], last
    if prefix == CONFIRM and action == "all":
        return _every(services, actor, assignment_id, db)
    if prefix == CONFIRM:
        return confirmed(services, actor, action, assignment_id, db)
    if prefix == "st" and action in ("done", "progress"):
        return _status(services, actor, action, assignment_id, dedup, db)
    if prefix == "st" and action in ("blocked", "extension"):
        return _ask(services, actor, action, assignment_id, origin or {}, db)
    if prefix == "pc" and action == "skip":
        return Answer([Said(t("checkin.skipped"))], toast=t("checkin.skipped"))
    percent = typed_number(action)
    if prefix == "pc" and percent is not None:
        return _percent(services, actor, percent, assignment_id, dedup, db)
    return stale


def _status(
    services: Services,
    actor: Actor,
    action: str,
    assignment_id: int,
    dedup: Callable[[str, int], str],
    db: Session | None,
) -> Answer:
    """Record "done" or "in progress" as pressed; in progress offers its percentages."""
    t = partial(services.catalog.get, actor.lang)
    state = ReportState.DONE if action == "done" else ReportState.IN_PROGRESS
    report = Report(assignment_id, state, "button", dedup("btn", assignment_id))
    result = record(services, actor, report, _superseded(services, actor, report), db=db)
    choices = (
        _percent_choices(t, assignment_id)
        if state == ReportState.IN_PROGRESS and result.ok
        else []
    )
    return Answer([Said(result.text, choices)], recorded=result, toast=result.text)


def _superseded(services: Services, actor: Actor, report: Report) -> Callable[[Connection], None]:
    """Return what forgets, with the status pressed, the question it answers otherwise.

    Blocked or extension asked its reason or date; done pressed next on the same task (a
    change of mind) leaves neither to answer, in progress no blocker: the next text would
    else be kept as that reason and turn the status pressed back into blocked.
    """
    steps = {"blocked", "extension"} if report.state == ReportState.DONE else {"blocked"}

    def forget(connection: Connection) -> None:
        now = services.clock.now()
        asked = get_pending(connection, contact_id=actor.contact_id, now=now) or {}
        if asked.get("step") in steps and asked.get("assignment_id") == report.assignment_id:
            clear_pending(connection, contact_id=actor.contact_id)

    return forget


def _percent(
    services: Services,
    actor: Actor,
    percent: int,
    assignment_id: int,
    dedup: Callable[[str, int], str],
    db: Session | None,
) -> Answer:
    """Record the percentage chosen after "in progress", amending that press's report."""
    report = Report(
        assignment_id,
        "in_progress",
        "button",
        dedup("pct", assignment_id),
        percent=percent,
        amends=dedup("btn", assignment_id),
    )
    result = record(services, actor, report, db=db)
    return Answer([Said(result.text)], recorded=result, toast=result.text)


def _percent_choices(t: Any, assignment_id: int) -> Rows:
    """Return the follow-up choices of "in progress": 25/50/75% or skip."""
    row = [Choice(f"{p}%", ("pc", p, assignment_id)) for p in PERCENTS]
    return [[*row, Choice(t("checkin.skip"), ("pc", "skip", assignment_id))]]


def _ask(
    services: Services,
    actor: Actor,
    action: str,
    assignment_id: int,
    origin: dict[str, Any],
    db: Session | None,
) -> Answer:
    """Ask the reason of a blocker, or the date and reason of an extension, and remember it."""
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        connection = session.connection()
        check, target = check_reportable(
            connection, assignment_id=assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or target is None:
            text = refusal(services, actor.lang, check, target)
            return Answer([Said(text)], toast=text, alert=True)
        data = {"step": action, "assignment_id": target.assignment_id, **origin}
        now = services.clock.now()
        asked = get_pending(connection, contact_id=actor.contact_id, now=now) or {}
        if "msg" in origin and all(asked.get(k) == data[k] for k in _SAME_PRESS):
            # The same button of the same message pressed again (a double tap): asked already.
            return Answer([], toast=t(f"checkin.ask_{action}_short"))
        set_pending(connection, contact_id=actor.contact_id, data=data, now=now)
        waits = still_waits(session, services, actor)  # a rejection's reason, for after it
    question = t(f"checkin.ask_{action}", task=str(target.task_id), title=target.title)
    question += waits
    return Answer([Said(question)], toast=t(f"checkin.ask_{action}_short"))


def _every(services: Services, actor: Actor, count: int, db: Session | None) -> Answer:
    """Apply a report of done kept while asking which task to every task listed with it
    ("tất cả đã xong", confirmed): one transaction, which takes the question."""
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=services.clock.now())
        if asked is None or asked.get("step") != "pick" or asked.get("every") != count:
            expired = t("checkin.question_expired")
            return Answer([Said(expired)], toast=expired, alert=True)
        clear_pending(session, contact_id=actor.contact_id)
        lines: list[str] = []
        for assignment_id in asked.get("candidates", []):
            each = {**asked, "key": f"{asked['key']}#{assignment_id}"}
            lines += [
                said.text
                for said in apply_kept(services, actor, each, assignment_id, session).said
            ]
        # A file sent next is evidence of which of them? Asked, not given to the last: their
        # keys share a stem (`db.queries.reports.just_done`).
    return Answer([Said("\n".join(lines))], toast=t("checkin.noted"))


def _pick(services: Services, actor: Actor, assignment_id: int, db: Session | None) -> Answer:
    """Apply a reply kept while the bot asked which task it is about: the question is taken
    in the transaction that writes what the reply says (run again, it is still asked)."""
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=services.clock.now())
        chosen = (
            asked is not None
            and asked.get("step") == "pick"
            and assignment_id in asked.get("candidates", [])
        )
        if not chosen or asked is None:
            expired = t("checkin.question_expired")
            return Answer([Said(expired)], toast=expired, alert=True)
        clear_pending(session, contact_id=actor.contact_id)
        kept = apply_kept(services, actor, asked, assignment_id, session)
    return Answer(kept.said, recorded=kept.recorded, toast=t("checkin.noted"))
