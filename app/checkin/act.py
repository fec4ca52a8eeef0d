"""What a decision comes to: record a clear reply, or ask which task, which status, or more."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said
from app.checkin.about import task_of
from app.checkin.confirm import CONFIRM, confirm
from app.checkin.late_reason import send_request
from app.choices import Choice, Rows, status_choices
from app.reject_reason import still_waits
from app.reporting import Report, record, unit_inactive
from app.services import Services
from core.checkin import (
    STATE_OF_KIND,
    Decision,
    Outcome,
    extension_target,
    impossible_date,
    reply_from_dict,
    reply_to_dict,
)
from core.followups import says_all
from core.markup import Markup
from core.numbers import decimal_share
from core.replies.parse import ambiguous_pair, split_share
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from db.engine import session_in
from db.models import Assignment
from db.queries.calendar import working_calendar
from db.queries.checkin import OpenItem
from db.queries.pending import set_pending
from db.queries.people_to_tell import unit_names

ASK_KEYS = {
    "question": "ask_status_question",
    "negation": "ask_status_negation",
    "correction": "ask_status_correction",
    "acknowledgement": "ask_status_acknowledgement",
    "percent": "ask_status_percent",
    "ambiguous": "ask_status_ambiguous",
    "split": "ask_status_split",
    "moved": "ask_status_moved",
}
Titles = dict[int, tuple[int, str]]  # an assignment's task number and title, as listed
# Nothing open to report on: when every unit of the sender was deactivated, that is why.
NOT_OPEN = (Outcome.NO_OPEN, Outcome.UNKNOWN_TASK, Outcome.CLOSED)
# Tasks offered as choices when asking which one: Telegram takes at most 100 buttons in a
# message, an "ok" to a unit's 25 open tasks listed them all in five Zalo messages, and a
# longer list is no choice on a phone; the others are named by typing.
MAX_PICK = 20  # "which task?": a choice each
MAX_BOTH = 8  # "which task and which status?": four choices each, as a reminder's items


def act(
    services: Services,
    actor: Actor,
    decision: Decision,
    rows: list[OpenItem],
    text: str,
    key: str,
    db: Session | None = None,
) -> Answer:
    """Record, or ask which task and which status, as decided.

    Each outcome writes in one transaction: `db`'s when given (the caller commits it, with
    whatever else it writes), else its own.
    """
    t = partial(services.catalog.get, actor.lang)
    titles = {i.assignment_id: (i.task_id, i.title) for i in rows}
    outcome, ids = decision.outcome, decision.candidates
    units = _by_unit(services, titles, ids) if len(ids) > 1 else {}
    for i, unit in units.items():
        titles[i] = (titles[i][0], f"{unit}: {titles[i][1]}")
    lang, catalog = actor.lang, services.catalog
    if outcome == Outcome.RECORD:
        return _apply(services, actor, ids[0], decision.reply, text, key, db)
    if outcome == Outcome.REOPEN:
        reply = decision.reply
        return confirm(services, actor, ids[0], reply, text, key, db, asked="confirm_reopen")
    if outcome == Outcome.ASK_STATUS:
        task, title = titles[ids[0]]
        name = ASK_KEYS.get(str(decision.reply.hint), "ask_status")
        ambiguous = name == "ask_status_ambiguous"
        pair = ambiguous_pair(text, today=services.today()) if ambiguous else None
        if pair is None and name == "ask_status_ambiguous":
            name = "ask_status"
        part, whole = pair or ("", "")
        typed, joined = split_share(text, today=services.today()) or ("", 0)
        question = t(
            f"checkin.{name}",
            task=str(task),
            title=title,
            part=part,
            whole=whole,
            typed=typed,
            joined=joined,
        )
        return Answer([Said(question, status_choices(catalog, lang, ids[0]))])
    if outcome == Outcome.ASK_TASK:
        return _ask_task(
            services, actor, decision, titles, text, key, db, every=_every(decision, text)
        )
    if outcome == Outcome.ASK_BOTH:
        return _ask_both(services, actor, decision, titles, units)
    if outcome == Outcome.ALL_DONE:
        task, title = titles[ids[0]]
        return Answer([Said(t("checkin.all_done", task=str(task), title=title))])
    if outcome in NOT_OPEN and (
        inactive := unit_inactive(services, lang, actor.unit_ids, every=True)
    ):
        return Answer([Said(inactive)])  # what it is about may be a deactivated unit's
    return Answer([Said(t(f"checkin.{outcome}"))])


def _ask_task(
    services: Services,
    actor: Actor,
    decision: Decision,
    titles: Titles,
    text: str,
    key: str,
    db: Session | None,
    *,
    every: bool = False,
) -> Answer:
    """Ask which task (or which of the sender's units) a clear reply is about; keep the reply.

    `every`: the reply says it is about all of them ("tất cả đã xong"): the first choice
    confirms it for every one (`cf:all:<count>`), the first MAX_PICK listed, the others
    counted (25 open tasks were listed whole, then offered again as choices)."""
    t = partial(services.catalog.get, actor.lang)
    ids = decision.candidates
    tasks = [(i, titles[i][0]) for i in ids]
    data: dict[str, Any] = {"step": "pick", "reply": reply_to_dict(decision.reply)}
    data |= {"text": text, "key": key, "candidates": list(ids), "tasks": tasks}
    if every:
        data["every"] = len(ids)
    with session_in(services.engine, db) as session:
        set_pending(session, contact_id=actor.contact_id, data=data, now=services.clock.now())
    shown = ids[:MAX_PICK]  # the nearest deadlines; any other is picked by typing its number
    choices = [[Choice(f"#{titles[i][0]} {titles[i][1]}"[:60], ("ck", i))] for i in shown]
    more = _more(t, "checkin.more_pick", titles, ids[MAX_PICK:])
    if every:  # listed as far as offered: the others are counted ("… and 5 more tasks")
        lines = [t("checkin.item_line", task=str(titles[i][0]), title=titles[i][1]) for i in shown]
        items = Markup("\n".join(lines) + more)
        asked = t("checkin.ask_all_done", count=len(ids), items=items)
        confirm_all = Choice(
            t("checkin.all_done_button", count=len(ids)), (CONFIRM, "all", len(ids))
        )
        return Answer([Said(asked, [[confirm_all], *choices])])
    numbers = {titles[i][0] for i in ids}
    one = len(numbers) == 1  # one task given to several of the sender's units
    asked = t("checkin.ask_unit", task=str(min(numbers))) if one else t("checkin.ask_task")
    return Answer([Said(asked + more, choices)])


def _every(decision: Decision, text: str) -> bool:
    """Tell whether a clear report of done says it is about all the open tasks asked among
    ("cả 2 việc đã xong" with two open; "tất cả đã hoàn thành")."""
    reply = decision.reply
    if reply.kind != ReplyKind.DONE or not records(reply) or reply.note:
        return False
    count = says_all(text)
    return count is not None and count in (0, len(decision.candidates))


def _ask_both(
    services: Services, actor: Actor, decision: Decision, titles: Titles, units: dict[int, str]
) -> Answer:
    """Ask which task and which status at once, a row of statuses per task."""
    t = partial(services.catalog.get, actor.lang)
    acknowledged = decision.reply.hint == ReplyHint.ACKNOWLEDGEMENT
    lines = [t("checkin.ask_both_acknowledgement" if acknowledged else "checkin.ask_both")]
    both: Rows = []
    for i in decision.candidates[:MAX_BOTH]:
        lines.append(t("checkin.item_line", task=str(titles[i][0]), title=titles[i][1]))
        label = f"#{titles[i][0]} {units[i]}" if i in units else f"#{titles[i][0]}"
        both += status_choices(services.catalog, actor.lang, i, label)
    more = _more(t, "checkin.more_both", titles, decision.candidates[MAX_BOTH:])
    return Answer([Said("\n".join(lines) + more, both)])


def _more(t: Callable[..., str], key: str, titles: Titles, rest: Sequence[int]) -> str:
    """Say how many tasks asked about are not offered, and how to name one by typing."""
    if not rest:
        return ""
    return "\n" + t(key, n=len(rest), task=str(titles[rest[0]][0]))


def _by_unit(services: Services, titles: Titles, ids: Sequence[int]) -> dict[int, str]:
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
    services: Services,
    actor: Actor,
    assignment_id: int,
    reply: ParsedReply,
    text: str,
    key: str,
    db: Session | None,
) -> Answer:
    """Record what a clear reply says for one assignment, or ask what it lacks."""
    t = partial(services.catalog.get, actor.lang)
    step = "extension" if reply.kind == ReplyKind.EXTENSION else "blocked"
    question: str = f"ask_{step}"
    typed_date: date | str | None = None  # the date the question names (a day past, or "31/02")
    if reply.uncertain and reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS):
        return confirm(services, actor, assignment_id, reply, text, key, db)
    if records(reply):
        report = report_of(assignment_id, reply, text, key)
        result = record(services, actor, report, db=db)
        note = whole_note(services, actor.lang, report, result.ok)
        return Answer([Said(result.text + note)], recorded=result)
    if reply.kind == ReplyKind.EXTENSION:
        with session_in(services.engine, db) as session:
            assignment = session.get(Assignment, assignment_id)
            calendar = working_calendar(session)
        if assignment is not None:
            target = extension_target(
                reply, deadline=assignment.deadline, today=services.today(), calendar=calendar
            )
            if target is not None and target >= services.today():
                line = send_request(
                    services, actor, assignment_id, target, reply.reason or "", key, db
                )
                return Answer([Said(rolled(t, reply.new_deadline, target) + line)])
            if target is not None:  # "đến 01/12" on 5/12: a slip, asked again
                question, typed_date = "ext_date_past", target
            elif (typed := impossible_date(text)) is not None:  # "đến 31/02"
                question, typed_date = "ext_date_invalid", typed
    with session_in(services.engine, db) as session:
        data: dict[str, Any] = {"step": step, "assignment_id": assignment_id}
        if reply.kind == ReplyKind.EXTENSION and reply.reason:  # "xin gia hạn vì …": the date
            data["reason"] = reply.reason  # answered next comes without it
        set_pending(session, contact_id=actor.contact_id, data=data, now=services.clock.now())
        task = task_of(session, assignment_id)
        waits = still_waits(session, services, actor)  # a rejection's reason, for after it
    said = t(f"checkin.{question}", task=str(task.id), title=task.title, date=typed_date)
    return Answer([Said(said + waits)])


def apply_one(
    services: Services, actor: Actor, assignment_id: int, reply: ParsedReply, text: str, key: str
) -> Answer:
    """Record, or send the extension request, that a clear reply says of one assignment
    (a file's caption naming its task), or ask what it lacks, in its own transaction."""
    return _apply(services, actor, assignment_id, reply, text, key, None)


def records(reply: ParsedReply) -> bool:
    """Tell whether a reply is clear enough to record as it is (not asked about first)."""
    if reply.uncertain and reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS):
        return False  # a blocker or an extension keeps the unit chased: only these wait
    return reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS) or (
        reply.kind == ReplyKind.BLOCKED and bool(reply.reason)
    )


def report_of(assignment_id: int, reply: ParsedReply, text: str, key: str) -> Report:
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


def apply_kept(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    assignment_id: int,
    db: Session | None = None,
) -> Answer:
    """Apply a reply kept while the bot asked which task it is about (in `db`'s transaction
    when given, as `act`)."""
    reply = reply_from_dict(pending["reply"])
    text, key = str(pending.get("text", "")), str(pending["key"])
    return _apply(services, actor, assignment_id, reply, text, key, db)


def whole_note(services: Services, lang: str, report: Report, kept: bool) -> str:
    """Say, on a line of its own, that a share typed with a fraction ("60,5%") was kept as
    its whole percent, or nothing: a report keeps whole percents (99,5% is not yet done)."""
    percent = report.percent
    if not kept or percent is None or percent == 100:
        return ""
    typed = decimal_share(report.text, percent)
    if typed is None:
        return ""
    return "\n" + services.catalog.get(lang, "checkin.percent_whole", typed=typed, percent=percent)


def rolled(t: Callable[..., str], asked: date | None, target: date) -> str:
    """Return why the date asked for became another ("20/12 is a Sunday"), or nothing."""
    if asked is None or asked == target:
        return ""
    return t("checkin.ext_rolled", asked=asked, date=target) + " "
