"""Check-ins, whatever the channel: a status in words, a choice taken, an answer to a question.

`answer_text` reads what an official wrote: the answer to the bot's pending question (a
blocker's reason, an extension's date, which task), else a status report attributed to one
of their open items (core.replies.parse.parse_reply, core.checkin.decide). `choose` applies a
choice the bot offered (a Telegram button, or a number typed on a text-only channel). Both
return what to say as data (`Said`, with choices); the adapter renders it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from app.actor import Actor
from app.choices import Choice, Rows, status_choices
from app.explanations import answer_explanation
from app.extensions import request_extension
from app.reporting import (
    Recorded,
    Report,
    record,
    record_in,
    recorded_before,
    refusal,
    unit_inactive,
)
from app.services import Services
from core.checkin import (
    STATE_OF_KIND,
    Decision,
    Item,
    Outcome,
    by_task,
    decide,
    extension_target,
    impossible_date,
    is_cancel,
    only_number,
    read_extension_request,
    reply_from_dict,
    reply_to_dict,
    task_numbers,
)
from core.numbers import typed_number
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.states import ReportState
from core.textnorm import narrow
from db.engine import session_scope
from db.models import Assignment, Task
from db.queries.calendar import working_calendar
from db.queries.checkin import (
    Check,
    OpenItem,
    check_reportable,
    message_outbox,
    open_items,
    unit_names,
)
from db.queries.pending import clear_pending, get_pending, set_pending

MAX_TEXT = 4000
CONFIRM = "cf"  # the choice of a status for a long report: cf:<state>:<assignment>
PERCENTS = (25, 50, 75)
# Nothing open to report on: when every unit of the sender was deactivated, that is why.
NOT_OPEN = (Outcome.NO_OPEN, Outcome.UNKNOWN_TASK, Outcome.CLOSED)
ASK_KEYS = {
    "question": "ask_status_question",
    "negation": "ask_status_negation",
    "correction": "ask_status_correction",
    "acknowledgement": "ask_status_acknowledgement",
    "percent": "ask_status_percent",
}


@dataclass(frozen=True)
class Said:
    """One message to the person: neutral markup, and the choices it offers."""

    text: str
    choices: Rows = field(default_factory=list)


@dataclass(frozen=True)
class RepliedTo:
    """The bot's message a text answers (chat and id on its channel, and its text)."""

    chat_id: str
    message_id: int
    text: str
    # The assignments it was about, when the channel knows them itself (the status offer a
    # typed Zalo answer takes up); else they are read from the outbox, or from its "#12".
    assignment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What a check-in came to: what to say, and what the adapter may do besides."""

    said: list[Said] = field(default_factory=list)
    recorded: Recorded | None = None  # the report kept (or refused), for a button's toast
    toast: str = ""  # a short acknowledgement, where the channel has one (Telegram)
    alert: bool = False  # the toast is a refusal: shown so that it is read
    origin: dict[str, Any] | None = None  # the question's channel data (to settle its message)
    settled: int | None = None  # the assignment whose question was answered from `origin`
    evidence: tuple[dict[str, Any], int] | None = None  # a kept file now known to be about
    unhandled: bool = False  # not for the check-in: the adapter's fallback answers


def answer_text(
    services: Services,
    actor: Actor,
    text: str,
    *,
    key: str,
    replied: RepliedTo | None = None,
    forwarded: bool = False,
) -> Answer:
    """Read a text as the answer to the pending question, or as a status report.

    `forwarded`: the text is another's, forwarded; a status it gives is asked before it is
    recorded.
    """
    t = partial(services.catalog.get, actor.lang)
    if not actor.unit_ids:
        return Answer(unhandled=True)
    if len(text) > MAX_TEXT:
        return Answer([Said(t("common.too_long", length=len(text), limit=MAX_TEXT))])
    text = narrow(text)  # "＃12 xong ５０％" from a keyboard in full-width mode
    decision: Decision | None = None
    report: Report | None = None
    several = by_task(text)  # "#12 xong, #13 đang làm 50%": read task by task
    try:
        # Most texts are reports: read what they are about and record them in one transaction.
        with services.engine.begin() as connection:
            now = services.clock.now()
            asked = get_pending(connection, contact_id=actor.contact_id, now=now)
            if asked is None and not several:
                rows, decision, explanation_id = _decide(
                    services, connection, actor, text, replied, forwarded
                )
                report = _clear_report(decision, text, key)
                if report is not None:
                    recorded = record_in(services, actor, report, connection)
                    return Answer([Said(recorded.text)], recorded=recorded)
    except IntegrityError:
        assert report is not None  # only the report's insert can meet a key recorded before
        recorded = recorded_before(services, actor, report)
        return Answer([Said(recorded.text)], recorded=recorded)
    if asked is not None:
        answered = _answer_pending(services, actor, asked, text, key)
        if answered is not None:
            return answered
    if several:
        with services.engine.begin() as connection:
            rows, items, _, explanation_id = _about(connection, actor, replied)
        if explanation_id is None:
            return _several(services, actor, several, rows, items, key, forwarded)
    elif asked is not None:
        with services.engine.begin() as connection:
            rows, decision, explanation_id = _decide(
                services, connection, actor, text, replied, forwarded
            )
    if explanation_id is not None:
        return Answer([Said(answer_explanation(services, actor, explanation_id, text))])
    assert decision is not None
    if _says_nothing(decision.reply, text):
        return Answer(unhandled=True)
    if asked is None and is_cancel(text):  # "hủy" with no question open: no status asked
        return Answer([Said(t("common.nothing_to_cancel"))])
    return _act(services, actor, decision, rows, text, key)


def _decide(
    services: Services,
    connection: Connection,
    actor: Actor,
    text: str,
    replied: RepliedTo | None,
    forwarded: bool,
) -> tuple[list[OpenItem], Decision | None, int | None]:
    """Read what a text may be about and decide what it says (None: an explanation's answer)."""
    rows, items, about, explanation_id = _about(connection, actor, replied)
    if explanation_id is not None:
        return rows, None, explanation_id
    reply = _read(services, text, forwarded)
    decision = decide(reply=reply, items=items, replied=about, mentioned=task_numbers(text))
    return rows, decision, None


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
    rows: list[OpenItem],
    items: list[Item],
    key: str,
    forwarded: bool,
) -> Answer:
    """Read each task's words of a message about several tasks as a report of its own."""
    t = partial(services.catalog.get, actor.lang)
    said: list[Said] = []
    for task, words in parts:
        reply = _read(services, words, forwarded)
        decision = decide(reply=reply, items=items, mentioned={task})
        if decision.outcome == Outcome.UNKNOWN_TASK:
            said.append(Said(t("checkin.unknown_task_named", task=str(task))))
            continue
        answer = _act(services, actor, decision, rows, f"#{task} {words}", f"{key}#{task}")
        said += answer.said
    return Answer(said)


def _read(services: Services, text: str, forwarded: bool) -> ParsedReply:
    """Parse a reply; one forwarded is another's words, so the status it gives is asked."""
    reply = parse_reply(text, today=services.today())
    return replace(reply, uncertain=True) if forwarded else reply


def _clear_report(decision: Decision | None, text: str, key: str) -> Report | None:
    """Return the report a text makes at once, when it is one (else it asks, or refuses)."""
    if decision is None or decision.outcome != Outcome.RECORD:
        return None
    if not _records(decision.reply):
        return None
    return _report_of(decision.candidates[0], decision.reply, text, key)


def _records(reply: ParsedReply) -> bool:
    """Tell whether a reply is clear enough to record as it is (not asked about first)."""
    if reply.uncertain and reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS):
        return False  # a blocker or an extension keeps the unit chased: only these wait
    return reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS) or (
        reply.kind == ReplyKind.BLOCKED and bool(reply.reason)
    )


def caption_report(
    services: Services, assignment_id: int, caption: str, key: str
) -> Report | None:
    """Return the status a file's caption gives ("đã xong, gửi ảnh biên bản"), if a clear one."""
    reply = parse_reply(caption, today=services.today()) if caption.strip() else None
    if reply is None or reply.uncertain:
        return None
    if not (
        reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS)
        or (reply.kind == ReplyKind.BLOCKED and reply.reason)
    ):
        return None
    return _report_of(assignment_id, reply, caption, key)


def confirm_caption(
    services: Services, actor: Actor, assignment_id: int, caption: str, key: str
) -> Answer:
    """Ask which status a forwarded file's caption means before recording it: the words are
    another's, as with a forwarded text; the caption is kept as the note."""
    reply = parse_reply(caption, today=services.today())
    return _confirm(services, actor, assignment_id, reply, caption, key)


def cancel(services: Services, actor: Actor) -> Answer:
    """Forget the question the bot asked (/cancel outside any guided form)."""
    with services.engine.begin() as connection:
        asked = get_pending(connection, contact_id=actor.contact_id, now=services.clock.now())
        clear_pending(connection, contact_id=actor.contact_id)
    key = "common.cancelled" if asked is not None else "common.nothing_to_cancel"
    return Answer([Said(services.catalog.get(actor.lang, key))])


def choose(
    services: Services,
    actor: Actor,
    data: Sequence[str],
    *,
    dedup: Callable[[str, int], str],
    origin: dict[str, Any] | None = None,
) -> Answer:
    """Apply a check-in choice: `st:<action>:<id>`, `pc:<percent|skip>:<id>`, `ck:<id>` or
    `cf:<state>:<id>` (the status of a long report).

    `dedup(kind, assignment)` names the report of a choice taken in one message ("btn" for a
    status, "pct" for a percentage), so a double tap records once; `origin` is the channel's
    data of that message, kept with a question so it can be settled.
    """
    t = partial(services.catalog.get, actor.lang)
    stale = Answer([Said(t("common.button_stale"))], toast=t("common.button_stale"), alert=True)
    last = typed_number(data[-1]) if data else None
    if len(data) == 2 and data[0] == "ck" and last is not None:
        return _pick(services, actor, last)
    if len(data) != 3 or last is None:
        return stale
    prefix, action, assignment_id = data[0], data[1], last
    if prefix == CONFIRM:
        return _confirmed(services, actor, action, assignment_id)
    if prefix == "st" and action in ("done", "progress"):
        state = ReportState.DONE if action == "done" else ReportState.IN_PROGRESS
        report = Report(assignment_id, state, "button", dedup("btn", assignment_id))
        result = record(services, actor, report)
        choices = (
            _percent_choices(t, assignment_id)
            if state == ReportState.IN_PROGRESS and result.ok
            else []
        )
        return Answer([Said(result.text, choices)], recorded=result, toast=result.text)
    if prefix == "st" and action in ("blocked", "extension"):
        return _ask(services, actor, action, assignment_id, origin or {})
    if prefix == "pc" and action == "skip":
        return Answer([Said(t("checkin.skipped"))], toast=t("checkin.skipped"))
    percent = typed_number(action)
    if prefix == "pc" and percent is not None:
        report = Report(
            assignment_id,
            "in_progress",
            "button",
            dedup("pct", assignment_id),
            percent=percent,
            amends=dedup("btn", assignment_id),
        )
        result = record(services, actor, report)
        return Answer([Said(result.text)], recorded=result, toast=result.text)
    return stale


def _percent_choices(t: Any, assignment_id: int) -> Rows:
    """Return the follow-up choices of "in progress": 25/50/75% or skip."""
    row = [Choice(f"{p}%", ("pc", p, assignment_id)) for p in PERCENTS]
    return [[*row, Choice(t("checkin.skip"), ("pc", "skip", assignment_id))]]


def _ask(
    services: Services, actor: Actor, action: str, assignment_id: int, origin: dict[str, Any]
) -> Answer:
    """Ask the reason of a blocker, or the date and reason of an extension, and remember it."""
    t = partial(services.catalog.get, actor.lang)
    with services.engine.begin() as connection:
        check, target = check_reportable(
            connection, assignment_id=assignment_id, unit_ids=actor.unit_ids
        )
        if check != Check.OK or target is None:
            text = refusal(services, actor.lang, check, target)
            return Answer([Said(text)], toast=text, alert=True)
        data = {"step": action, "assignment_id": assignment_id, **origin}
        set_pending(connection, contact_id=actor.contact_id, data=data, now=services.clock.now())
    question = t(f"checkin.ask_{action}", task=str(target.task_id), title=target.title)
    return Answer([Said(question)], toast=t(f"checkin.ask_{action}_short"))


def _pick(services: Services, actor: Actor, assignment_id: int) -> Answer:
    """Apply a reply kept while the bot asked which task it is about."""
    t = partial(services.catalog.get, actor.lang)
    with services.engine.begin() as connection:
        now = services.clock.now()
        asked = get_pending(connection, contact_id=actor.contact_id, now=now)
        chosen = (
            asked is not None
            and asked.get("step") == "pick"
            and assignment_id in asked.get("candidates", [])
        )
        if chosen:
            clear_pending(connection, contact_id=actor.contact_id)
    if not chosen or asked is None:
        expired = t("checkin.question_expired")
        return Answer([Said(expired)], toast=expired, alert=True)
    kept = _apply_kept(services, actor, asked, assignment_id)
    return Answer(kept.said, recorded=kept.recorded, toast=t("checkin.noted"))


def _about(
    connection: Connection, actor: Actor, replied: RepliedTo | None
) -> tuple[list[OpenItem], list[Item], list[int] | None, int | None]:
    """Read what a text may be about: the open items, and the message it answers."""
    rows = open_items(connection, unit_ids=actor.unit_ids)
    items = [Item(i.assignment_id, i.task_id, i.done, i.reported) for i in rows]
    about, explanation_id = _replied(connection, replied, items)
    return rows, items, about, explanation_id


def _replied(
    connection: Connection, replied: RepliedTo | None, items: list[Item]
) -> tuple[list[int] | None, int | None]:
    """Return the assignments of the message answered (None: none known) or an explanation."""
    if replied is None:
        return None, None
    if replied.assignment_ids:
        return list(replied.assignment_ids), None
    sent = message_outbox(connection, chat_id=replied.chat_id, message_id=replied.message_id)
    if sent is not None:
        if sent.key.startswith("explain:"):
            return None, int(sent.key.split(":")[1])
        return list(sent.assignment_ids) or None, None
    # A message sent directly (/mytasks, a confirmation) names its tasks as #12.
    numbers = task_numbers(replied.text)
    about = [i.assignment_id for i in items if i.task_id in numbers]
    return about or None, None


def _act(
    services: Services,
    actor: Actor,
    decision: Decision,
    rows: list[OpenItem],
    text: str,
    key: str,
) -> Answer:
    """Record, or ask which task and which status, as decided."""
    t = partial(services.catalog.get, actor.lang)
    titles = {i.assignment_id: (i.task_id, i.title) for i in rows}
    outcome, ids = decision.outcome, decision.candidates
    units = _by_unit(services, titles, ids) if len(ids) > 1 else {}
    for i, unit in units.items():
        titles[i] = (titles[i][0], f"{unit}: {titles[i][1]}")
    lang, catalog = actor.lang, services.catalog
    if outcome == Outcome.RECORD:
        return _apply(services, actor, ids[0], decision.reply, text, key)
    if outcome == Outcome.ASK_STATUS:
        task, title = titles[ids[0]]
        name = ASK_KEYS.get(str(decision.reply.hint), "ask_status")
        question = t(f"checkin.{name}", task=str(task), title=title)
        return Answer([Said(question, status_choices(catalog, lang, ids[0]))])
    if outcome == Outcome.ASK_TASK:
        tasks = [(i, titles[i][0]) for i in ids]
        data: dict[str, Any] = {"step": "pick", "reply": reply_to_dict(decision.reply)}
        data |= {"text": text, "key": key, "candidates": list(ids), "tasks": tasks}
        with services.engine.begin() as connection:
            now = services.clock.now()
            set_pending(connection, contact_id=actor.contact_id, data=data, now=now)
        choices = [[Choice(f"#{titles[i][0]} {titles[i][1]}"[:60], ("ck", i))] for i in ids]
        numbers = {titles[i][0] for i in ids}
        one = len(numbers) == 1  # one task given to several of the sender's units
        asked = t("checkin.ask_unit", task=str(min(numbers))) if one else t("checkin.ask_task")
        return Answer([Said(asked, choices)])
    if outcome == Outcome.ASK_BOTH:
        acknowledged = decision.reply.hint == ReplyHint.ACKNOWLEDGEMENT
        lines = [t("checkin.ask_both_acknowledgement" if acknowledged else "checkin.ask_both")]
        both: Rows = []
        for i in ids:
            lines.append(t("checkin.item_line", task=str(titles[i][0]), title=titles[i][1]))
            label = f"#{titles[i][0]} {units[i]}" if i in units else f"#{titles[i][0]}"
            both += status_choices(catalog, lang, i, label)
        return Answer([Said("\n".join(lines), both)])
    if outcome == Outcome.ALL_DONE:
        task, title = titles[ids[0]]
        return Answer([Said(t("checkin.all_done", task=str(task), title=title))])
    if outcome in NOT_OPEN and (
        inactive := unit_inactive(services, lang, actor.unit_ids, every=True)
    ):
        return Answer([Said(inactive)])  # what it is about may be a deactivated unit's
    return Answer([Said(t(f"checkin.{outcome}"))])


def _by_unit(
    services: Services, titles: dict[int, tuple[int, str]], ids: Sequence[int]
) -> dict[int, str]:
    """Return the unit of each candidate whose task is asked for several of the sender's
    units: "#12 <title>" twice told the official nothing apart."""
    counts = Counter(titles[i][0] for i in ids)
    twice = [i for i in ids if counts[titles[i][0]] > 1]
    if not twice:
        return {}
    with services.engine.connect() as connection:
        names = unit_names(connection, assignment_ids=twice)
    return {i: names.get(i, "?") for i in twice}


def _apply(
    services: Services, actor: Actor, assignment_id: int, reply: ParsedReply, text: str, key: str
) -> Answer:
    """Record what a clear reply says for one assignment, or ask what it lacks."""
    t = partial(services.catalog.get, actor.lang)
    step = "extension" if reply.kind == ReplyKind.EXTENSION else "blocked"
    question: str = f"ask_{step}"
    typed_date: date | str | None = None  # the date the question names (a day past, or "31/02")
    if reply.uncertain and reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS):
        return _confirm(services, actor, assignment_id, reply, text, key)
    if _records(reply):
        result = record(services, actor, _report_of(assignment_id, reply, text, key))
        return Answer([Said(result.text)], recorded=result)
    if reply.kind == ReplyKind.EXTENSION:
        with session_scope(services.engine) as session:
            assignment = session.get(Assignment, assignment_id)
            calendar = working_calendar(session)
        if assignment is not None:
            target = extension_target(
                reply, deadline=assignment.deadline, today=services.today(), calendar=calendar
            )
            if target is not None and target >= services.today():
                line = request_extension(
                    services, actor, assignment_id, target, reply.reason or "", key
                )
                return Answer([Said(_rolled(t, reply.new_deadline, target) + line)])
            if target is not None:  # "đến 01/12" on 5/12: a slip, asked again
                question, typed_date = "ext_date_past", target
            elif (typed := impossible_date(text)) is not None:  # "đến 31/02"
                question, typed_date = "ext_date_invalid", typed
    with session_scope(services.engine) as session:
        data = {"step": step, "assignment_id": assignment_id}
        set_pending(session, contact_id=actor.contact_id, data=data, now=services.clock.now())
        task = _task_of(session, assignment_id)
    said = t(f"checkin.{question}", task=str(task.id), title=task.title, date=typed_date)
    return Answer([Said(said)])


def _report_of(assignment_id: int, reply: ParsedReply, text: str, key: str) -> Report:
    """Return the report a clear reply makes for one assignment."""
    return Report(
        assignment_id,
        STATE_OF_KIND[reply.kind],
        "text",
        key,
        percent=reply.percent,
        text=text,
        reason=reply.reason,
        evidence_number=reply.evidence_number,
        evidence_date=reply.evidence_date,
    )


def _confirm(
    services: Services, actor: Actor, assignment_id: int, reply: ParsedReply, text: str, key: str
) -> Answer:
    """Ask once which status a long or mixed report means; its text is kept as the note."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        note = reply.note or text
        data = {"step": "confirm", "assignment_id": assignment_id, "note": note, "key": key}
        set_pending(session, contact_id=actor.contact_id, data=data, now=services.clock.now())
        task = _task_of(session, assignment_id)
    choices = [
        Choice(t(f"buttons.{action}"), (CONFIRM, state, assignment_id))
        for action, state in (
            ("done", "done"),
            ("progress", "in_progress"),
            ("blocked", "blocked"),
        )
    ]
    question = t("checkin.confirm_status", task=str(task.id), title=task.title)
    return Answer([Said(question, [choices[:2], choices[2:]])])


def _confirmed(services: Services, actor: Actor, state: str, assignment_id: int) -> Answer:
    """Record the status chosen for a report kept while asking, with its text as the note."""
    t = partial(services.catalog.get, actor.lang)
    with services.engine.begin() as connection:
        asked = get_pending(connection, contact_id=actor.contact_id, now=services.clock.now())
        kept = (
            asked is not None
            and asked.get("step") == "confirm"
            and asked.get("assignment_id") == assignment_id
        )
        if kept:
            clear_pending(connection, contact_id=actor.contact_id)
    if not kept or asked is None or state not in ("done", "in_progress", "blocked"):
        expired = t("checkin.question_expired")
        return Answer([Said(expired)], toast=expired, alert=True)
    note = str(asked.get("note", ""))
    reason = note if state == ReportState.BLOCKED else None
    report = Report(assignment_id, state, "text", str(asked["key"]), text=note, reason=reason)
    result = record(services, actor, report)
    return Answer([Said(result.text)], recorded=result, toast=result.text)


def _task_of(session: Any, assignment_id: int) -> Task:
    """Return the task of an assignment."""
    assignment = session.get(Assignment, assignment_id)
    task: Task = session.get(Task, assignment.task_id)
    return task


def _apply_kept(
    services: Services, actor: Actor, pending: dict[str, Any], assignment_id: int
) -> Answer:
    """Apply a reply kept while the bot asked which task it is about."""
    reply = reply_from_dict(pending["reply"])
    text, key = str(pending.get("text", "")), str(pending["key"])
    return _apply(services, actor, assignment_id, reply, text, key)


def _answer_pending(
    services: Services, actor: Actor, pending: dict[str, Any], text: str, key: str
) -> Answer | None:
    """Take the text as the answer to the bot's question; None when it is not one."""
    t = partial(services.catalog.get, actor.lang)
    step = pending.get("step")
    forget = partial(_forget, services, actor)
    if is_cancel(text):
        forget()
        return Answer([Said(t("common.cancelled"))])
    if step == "blocked":
        return _blocked_reason(services, actor, pending, text, key)
    if step == "extension":
        return _extension_answer(services, actor, pending, text, key)
    if step == "explain":
        line = answer_explanation(services, actor, int(pending["explanation_id"]), text)
        forget()
        return Answer([Said(line)])
    if step in ("pick", "evidence") and (number := only_number(text)) is not None:
        chosen = [a for a, n in pending.get("tasks", []) if n == number]
        if not chosen:
            return Answer([Said(t("checkin.pick_unknown", task=str(number)))])
        if step == "evidence":
            return Answer(evidence=(pending, chosen[0]))
        forget()
        return _apply_kept(services, actor, pending, chosen[0])
    forget()  # something new: forget the question, read the text
    return None


def _forget(services: Services, actor: Actor) -> None:
    """Forget the question asked of this person."""
    with services.engine.begin() as connection:
        clear_pending(connection, contact_id=actor.contact_id)


def _blocked_reason(
    services: Services, actor: Actor, pending: dict[str, Any], text: str, key: str
) -> Answer:
    """Record a blocker with the reason just typed."""
    assignment_id = int(pending["assignment_id"])
    report = Report(assignment_id, "blocked", "text", key, text=text, reason=text.strip())
    result = record(services, actor, report)
    _forget(services, actor)
    settled = assignment_id if result.ok else None
    return Answer([Said(result.text)], recorded=result, origin=pending, settled=settled)


def _extension_answer(
    services: Services, actor: Actor, pending: dict[str, Any], text: str, key: str
) -> Answer:
    """Read the new date and reason of an extension request, and send it to coordinators."""
    t = partial(services.catalog.get, actor.lang)
    assignment_id = int(pending["assignment_id"])
    with session_scope(services.engine) as session:
        task = _task_of(session, assignment_id)
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
    line = request_extension(services, actor, assignment_id, target, reason, key)
    _forget(services, actor)
    return Answer([Said(_rolled(t, asked, target) + line)], origin=pending, settled=assignment_id)


def _rolled(t: Callable[..., str], asked: date | None, target: date) -> str:
    """Return why the date asked for became another ("20/12 is a Sunday"), or nothing."""
    if asked is None or asked == target:
        return ""
    return t("checkin.ext_rolled", asked=asked, date=target) + " "
