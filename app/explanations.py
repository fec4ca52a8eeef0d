"""A unit answers a request for a written explanation of an overdue task: by `/explain
[#task] <text>` (`waiting_named`; `answer_typed`, what a channel without buttons reads of
it), or by the text that follows a tap on Answer (`await_answer`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlmodel import Session

from app.actor import Actor
from app.choices import Choice, Rows
from app.reject_reason import still_waits
from app.services import Services
from core.checkin import task_numbers
from core.markup import Markup
from core.textfit import clip
from db.engine import session_in, session_scope
from db.models import Assignment, Explanation, Task
from db.queries.audit import record as audit
from db.queries.explanations import waiting_explanations
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.pending import clear_pending, get_pending, set_pending
from db.queries.people_to_tell import contact_name, unit_name, unit_names
from db.queries.recipients import recipient
from db.queries.reports import mark_answered
from db.queries.units import find_units

# "/explain 3 X1": a task and a unit, what a coordinator types to ask a unit.
TASK_AND_WORDS_RE = re.compile(r"^#?\s?(\d{1,9})\s+(\S.*)$")
# "#3 chưa xong vì …", "#3: …": the task a unit's answer begins by naming, not part of it.
LEADING_TASK_RE = re.compile(r"^\s*#\s?(\d{1,9})\b[\s:,.;–—-]*")
# Words typed while several requests waited, kept for the one the person then picks.
WORDS_KIND = "explain_words"
WORDS_TTL = timedelta(minutes=30)
MAX_OFFERED = 8  # the requests offered to pick from


@dataclass(frozen=True)
class Answering:
    """What `/explain [#task] <text>` typed by a unit's contact answers: the request and the
    explanation's words, or nothing (`explanation_id` None) and what to say instead."""

    explanation_id: int | None
    words: str = ""
    said: str = ""
    choices: Rows = field(default_factory=list)  # the requests to pick from, `ex:ans:<id>`


def waiting_named(services: Services, actor: Actor, text: str) -> Answering:
    """Return the explanation asked of the person's units that `/explain [#task] <text>`
    answers (the one waiting, of the task named) and its words, without the task that
    named it; else what to say (blocking)."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        if _asks_a_unit(session, text):  # not an explanation: the coordinator's words
            said = t("explanations.asking_is_coordinators", words=text)
            return Answering(None, said=f"{said}\n{t('explanations.answer_usage')}")
        waiting = waiting_explanations(session, unit_ids=actor.unit_ids)
        tasks = {e.id: session.get(Assignment, e.assignment_id) for e in waiting}
        numbers = task_numbers(text)
        if numbers:
            waiting = [
                e for e in waiting if (a := tasks[e.id]) is not None and a.task_id in numbers
            ]
        words = _without_leading_task(text, numbers)
        if words and len(waiting) > 1:
            # An official of several units asked: which request the words explain is asked.
            return _which_request(services, actor, session, waiting, words)
    if not words or len(waiting) != 1 or waiting[0].id is None:
        key = "explanations.answer_usage" if waiting else "explanations.none_waiting"
        return Answering(None, said=t(key))
    return Answering(waiting[0].id, words=words)


def _which_request(
    services: Services, actor: Actor, session: Session, waiting: list[Explanation], words: str
) -> Answering:
    """Keep the words and offer the requests waiting, one choice each (`ex:ans:<id>`)."""
    offered = sorted(waiting, key=lambda e: e.id or 0)[:MAX_OFFERED]
    assignments = [e.assignment_id for e in offered]
    units = unit_names(session, assignment_ids=assignments)
    labels = {
        e.id: f"#{a.task_id} {units.get(e.assignment_id, '')}"
        for e in offered
        if e.id is not None and (a := session.get(Assignment, e.assignment_id)) is not None
    }
    ids = [i for i in labels if i is not None]
    data = {"words": words, "ids": ids}
    now = services.clock.now()
    set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=WORDS_KIND)
    said = services.catalog.get(actor.lang, "explanations.which_request", count=len(waiting))
    return Answering(None, said=said, choices=[[Choice(labels[i], ("ex", "ans", i))] for i in ids])


def _without_leading_task(text: str, numbers: set[int]) -> str:
    """Return the text without the task it begins by naming ("#3 chưa xong" -> "chưa xong"):
    that picked the request; a task named later in the sentence is part of it."""
    match = LEADING_TASK_RE.match(text)
    if match is not None and int(match.group(1)) in numbers:
        return text[match.end() :].strip()
    return text.strip()


def _asks_a_unit(session: Session, text: str) -> bool:
    """Tell whether `/explain` words read as a coordinator's request, a task then a unit's
    code or whole name ("3 X1", "#3 Xã Tam Xuân"), rather than a unit's explanation."""
    match = TASK_AND_WORDS_RE.match(text.strip())
    return match is not None and bool(
        find_units(session, text=match.group(2), include_inactive=True, by_part=False)
    )


def await_answer(services: Services, contact_id: int, explanation_id: int) -> None:
    """Take the person's next text as the answer to this explanation request (blocking)."""
    data = {"step": "explain", "explanation_id": explanation_id}
    with session_scope(services.engine) as session:
        set_pending(session, contact_id=contact_id, data=data, now=services.clock.now())


def answer_explanation(
    services: Services, actor: Actor, explanation_id: int, text: str, db: Session | None = None
) -> str:
    """Record a unit's explanation, tell whoever asked, and return the sender's answer.

    One transaction: `db`'s when given (the caller commits it), else its own.
    """
    now, t, lang = services.clock.now(), services.catalog.get, actor.lang
    with session_in(services.engine, db) as session:
        explanation = session.get(Explanation, explanation_id)
        assignment = session.get(Assignment, explanation.assignment_id) if explanation else None
        task = session.get(Task, assignment.task_id) if assignment else None
        if explanation is None or assignment is None or task is None:
            return t(lang, "common.button_stale")
        if assignment.unit_id not in actor.unit_ids:
            return t(lang, "checkin.refused_not_yours")
        explanation.text = text.strip()[:4096]
        explanation.answered_by_id, explanation.answered_at = actor.contact_id, now
        session.add(explanation)
        mark_answered(session, assignment_id=assignment.id or 0, now=now)
        audit(
            session,
            actor_id=actor.contact_id,
            action="explanation.answer",
            object_type="explanation",
            object_id=explanation.id,
            details={"assignment_id": assignment.id},
        )
        asker = recipient(session, contact_id=explanation.requested_by_id)
        if asker is not None:
            enqueue(
                session,
                key=f"explained:{explanation.id}:{now.timestamp():.0f}:{actor.contact_id}",
                chat_id=asker.chat_id,
                channel=asker.channel,
                contact_id=asker.contact_id,
                kind="notice",
                text=t(
                    asker.language,
                    "explanations.answer_notice",
                    unit=unit_name(session, unit_id=assignment.unit_id),
                    task=Markup(str(task.id)),
                    title=task.title,
                    text=clip(explanation.text),
                    who=contact_name(session, contact_id=actor.contact_id),
                ),
                now=now,
                priority=PRIORITY_NOTICE,
                assignment_ids=[assignment.id or 0],
            )
        return t(lang, "explanations.recorded", task=Markup(str(task.id)), title=task.title)


def answer_typed(services: Services, actor: Actor, args: str) -> tuple[str, Rows]:
    """A unit's contact typed `/explain [#task] <text>`: answer the one explanation waiting
    for their units (the one of the task named), offer the requests when several wait, or
    say how to type it; return the words and the choices offered."""
    named = waiting_named(services, actor, args.strip())
    if named.explanation_id is None:
        return named.said, named.choices
    return answer_explanation(services, actor, named.explanation_id, named.words), []


def start_answer(services: Services, actor: Actor, explanation_id: int) -> str:
    """Answer explanation request `explanation_id` (`ex:ans:<id>` chosen) with the words kept
    when it was offered among several, else take the person's next text as the answer and
    ask for it (blocking)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        kept = get_pending(
            session, contact_id=actor.contact_id, now=now, kind=WORDS_KIND, ttl=WORDS_TTL
        )
        if kept is not None and explanation_id in kept.get("ids", []):
            clear_pending(session, contact_id=actor.contact_id, kind=WORDS_KIND)
            words = str(kept.get("words", ""))
            return answer_explanation(services, actor, explanation_id, words, db=session)
        waits = still_waits(session, services, actor)  # a rejection's reason, for after it
    await_answer(services, actor.contact_id, explanation_id)
    return services.catalog.get(actor.lang, "explanations.ask_answer") + waits
