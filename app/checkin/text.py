"""A text an official wrote: the answer to the question pending, else a status report."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import evidence_keep
from app.actor import Actor
from app.checkin import MAX_TEXT, Answer, RepliedTo, Said, unhandled_key
from app.checkin.about import Decided, decide_text, read_about, read_reply
from app.checkin.act import act, records, report_of, whole_note
from app.checkin.pending import answer_pending
from app.explanations import answer_explanation
from app.i18n import LANGUAGES
from app.reporting import Report, record_in, recorded_before
from app.services import Services
from core.checkin import Decision, Outcome, by_task, decide, is_cancel
from core.markup import Markup
from core.replies.result import ParsedReply, ReplyHint
from core.textnorm import narrow
from db.engine import session_in
from db.prepared import transaction


def answer_text(
    services: Services,
    actor: Actor,
    text: str,
    *,
    key: str,
    replied: RepliedTo | None = None,
    forwarded: bool = False,
    db: Session | None = None,
) -> Answer:
    """Read a text as the answer to the pending question, or as a status report.

    `forwarded`: the text is another's, forwarded; a status it gives is asked before it is
    recorded.

    Run again after the database failed, it does what it did not do: each path writes in
    one transaction (a question answered is forgotten in the answer's; the reports of a text
    about several tasks go together), or forgets only a question a text does not answer,
    which the text then does not need. Given `db`, every write is in its transaction, which
    the caller commits (with what it writes besides).
    """
    t = partial(services.catalog.get, actor.lang)
    if not actor.unit_ids:
        return Answer(unhandled=True)
    if own_reminder(services, text):
        return Answer([Said(t("checkin.own_reminder"))])
    if len(text) > MAX_TEXT:
        return Answer([Said(t("common.too_long", length=len(text), limit=MAX_TEXT))])
    text = narrow(text)  # "＃12 xong ５０％" from a keyboard in full-width mode
    several = by_task(text)  # "#12 xong, #13 đang làm 50%": read task by task
    first = _record_at_once(
        services, actor, text, key, replied, forwarded, several=bool(several), db=db
    )
    if isinstance(first, Answer):
        return first
    asked, decided = first
    if asked is not None:
        answered = answer_pending(services, actor, asked, text, key, db)
        if answered is not None:
            return answered
    if several:
        answer = _several(services, actor, several, replied, text, key, forwarded, db)
        return _files_left(services, actor, asked, answer, None)
    if decided is None:  # the text was not the answer to the question asked: read it now
        with _reading(services, db) as connection:
            decided = decide_text(services, connection, actor, text, replied, forwarded)
    answer = _answer_decided(services, actor, decided, text, key, asked=asked, db=db)
    return _files_left(services, actor, asked, answer, decided.decision)


def _files_left(
    services: Services,
    actor: Actor,
    asked: dict[str, Any] | None,
    answer: Answer,
    decision: Decision | None,
) -> Answer:
    """Settle the files of a question "which task is this file for?" that a text left for a
    report instead (evidence sent before its status): kept for the one task the text recorded
    when the question offered it, else the person told they were not kept, a text with no
    word too (it got the usage hint alone, the files dropped unsaid)."""
    if asked is None or asked.get("step") != evidence_keep.ASKED:
        return answer
    files = evidence_keep.uploads(asked)
    if not files:
        return answer
    offered = {int(a) for a, _ in asked.get("tasks", [])}
    recorded = answer.recorded is not None and answer.recorded.ok
    one = decision.candidates[0] if decision and decision.outcome == Outcome.RECORD else None
    if recorded and one in offered:
        return replace(answer, evidence=(asked, one))
    names = ", ".join(f"«{f.get('file_name', '')}»" for f in files)
    left = services.catalog.get(actor.lang, "evidence.left_unkept", names=names)
    if answer.unhandled:  # the usage hint the adapter's fallback gives, then the files'
        hint = services.catalog.get(actor.lang, unhandled_key(actor.unit_ids))
        return Answer([Said(hint), Said(left)])
    return replace(answer, said=[*answer.said, Said(left)])


REMINDER_FOOTER = "reminders.footer"
FOOTER_DAY = "DAY0EXAMPLE"  # stands for the footer's example date, found as any dd/mm
# Tasks one message may report on ("#12 xong, #13 đang làm 50%, …"): each gets its own
# answer, so a pasted list of 300 numbers was answered in 300 messages, past a minute apart
# on Zalo. Past it, nothing is recorded and the person is asked to split the message.
MAX_NAMED = 20


def own_reminder(services: Services, text: str) -> bool:
    """Tell whether a text holds the footer of the bot's reminders, in any language: a
    reminder forwarded or pasted back whole, whose examples ("xin gia hạn đến 15/12 vì …")
    are not the person's words."""
    if len(text) < 40:
        return False
    flat = " ".join(text.split())
    return any(_footer_words(services, lang).search(flat) for lang in LANGUAGES)


def _footer_words(services: Services, lang: str) -> re.Pattern[str]:
    """Return the reminder footer's words in a language, any example date in them: each
    reminder gives its own (`app.due_words.reminder_footer`), older ones gave "15/12"."""
    said = " ".join(services.catalog.plain(lang, REMINDER_FOOTER, day=FOOTER_DAY).split())
    return re.compile(r"\d{1,2}/\d{1,2}".join(re.escape(part) for part in said.split(FOOTER_DAY)))


@contextmanager
def _reading(services: Services, db: Session | None) -> Iterator[Connection]:
    """Open a transaction of its own to read in, or read in the caller's session `db`."""
    if db is None:
        with transaction(services.engine) as connection:
            yield connection
        return
    yield db.connection()


@contextmanager
def _transaction(services: Services, db: Session | None) -> Iterator[Connection]:
    """Open a transaction of its own, or go on in the caller's session `db`: one that holds
    nothing yet is rolled back whole when the block fails (a duplicate report's key), one
    that does, to a savepoint (which costs a status reply a fifth of its time).

    One of its own is the driver's (db.prepared.transaction): a status reply's statements
    are all prepared, and need none of SQLAlchemy's transaction objects around them."""
    if db is None:
        with transaction(services.engine) as connection:
            yield connection
        return
    if db.in_transaction():
        with db.begin_nested():
            yield db.connection()
        return
    try:
        yield db.connection()
    except BaseException:
        db.rollback()
        raise


def _record_at_once(
    services: Services,
    actor: Actor,
    text: str,
    key: str,
    replied: RepliedTo | None,
    forwarded: bool,
    *,
    several: bool,
    db: Session | None,
) -> Answer | tuple[dict[str, Any] | None, Decided | None]:
    """Read the question pending and, when none is and the text is about one task, what the
    text says: a clear report is recorded in the same transaction (most texts are that).

    Returns the answer when it was recorded, else the question pending and what was decided.
    """
    report: Report | None = None
    try:
        with _transaction(services, db) as connection:
            # The question pending, the open items and the message answered: one read.
            seen = read_about(connection, actor, replied, asked_at=services.clock.now())
            if seen.asked is not None or several:
                return seen.asked, None
            decided = decide_text(services, connection, actor, text, replied, forwarded, seen=seen)
            report = _clear_report(decided.decision, text, key)
            if report is None:
                return None, decided
            known = next(
                (i.target for i in decided.rows if i.assignment_id == report.assignment_id), None
            )
            recorded = record_in(services, actor, report, connection, known=known)
            note = whole_note(services, actor.lang, report, recorded.ok)
            return Answer([Said(recorded.text + note)], recorded=recorded)
    except IntegrityError:
        assert report is not None  # only the report's insert can meet a key recorded before
        recorded = recorded_before(services, actor, report)
        return Answer([Said(recorded.text)], recorded=recorded)


def _answer_decided(
    services: Services,
    actor: Actor,
    decided: Decided,
    text: str,
    key: str,
    *,
    asked: dict[str, Any] | None,
    db: Session | None,
) -> Answer:
    """Answer a text about one task: an explanation's answer, the usage hint, or the act."""
    if decided.explanation_id is not None:
        line = answer_explanation(services, actor, decided.explanation_id, text, db)
        return Answer([Said(line)])
    decision = decided.decision
    assert decision is not None
    if _says_nothing(decision.reply, text):
        return Answer(unhandled=True)
    if asked is None and is_cancel(text):  # "hủy" with no question open: no status asked
        return Answer([Said(services.catalog.get(actor.lang, "common.nothing_to_cancel"))])
    if decided.not_open is not None:  # not ended, as the closed message's words would say
        why, tasks = decided.not_open
        return Answer([Said(services.catalog.get(actor.lang, why, task=Markup(tasks)))])
    return act(services, actor, decision, decided.rows, text, key, db)


def _says_nothing(reply: ParsedReply, text: str) -> bool:
    """Tell whether a text has no word at all (blanks, zero-width marks, faces): it is
    answered by the usage hint, not asked which task or status it reports.

    A mark that may be a status ("✅", "❌", "⏳") is still asked about.
    """
    if reply.hint == ReplyHint.EMPTY:
        return True
    marks = [c for c in text if not (c.isspace() or unicodedata.category(c) in ("Cf", "Mn"))]
    return reply.hint == ReplyHint.UNRECOGNISED and all(
        "FACE" in unicodedata.name(c, "") for c in marks
    )


def _several(
    services: Services,
    actor: Actor,
    parts: list[tuple[int, str]],
    replied: RepliedTo | None,
    text: str,
    key: str,
    forwarded: bool,
    db: Session | None,
) -> Answer:
    """Read each task's words of a message about several tasks as a report of its own (or
    the whole text as the answer to an explanation asked, when it replies to that).

    Every task's writes go in one transaction (`db`'s when given): run again after the
    database failed, none of them was kept, and an extension asked for is asked once.
    """
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        seen = read_about(session.connection(), actor, replied)
        rows, items = seen.rows, seen.items
        if seen.explanation_id is not None:
            line = answer_explanation(services, actor, seen.explanation_id, text, session)
            return Answer([Said(line)])
        if len(parts) > MAX_NAMED:
            return Answer([Said(t("checkin.too_many_tasks", count=len(parts), limit=MAX_NAMED))])
        said: list[Said] = []
        unknown: list[int] = []
        for task, words in parts:
            reply = read_reply(services, words, forwarded)
            decision = decide(reply=reply, items=items, mentioned={task})
            if decision.outcome == Outcome.UNKNOWN_TASK:
                unknown += [task] if task not in unknown else []
                continue
            part, part_key = f"#{task} {words}", f"{key}#{task}"
            said += act(services, actor, decision, rows, part, part_key, session).said
    if len(unknown) == 1:
        said.append(Said(t("checkin.unknown_task_named", task=str(unknown[0]))))
    elif unknown:
        named = ", ".join(f"#{task}" for task in unknown)
        said.append(Said(t("checkin.unknown_tasks_named", tasks=named)))
    return Answer(said)


def _clear_report(decision: Decision | None, text: str, key: str) -> Report | None:
    """Return the report a text makes at once, when it is one (else it asks, or refuses)."""
    if decision is None or decision.outcome != Outcome.RECORD:
        return None
    if not records(decision.reply):
        return None
    return report_of(decision.candidates[0], decision.reply, text, key)
