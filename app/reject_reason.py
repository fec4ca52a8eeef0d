"""A rejection's reason, typed after the ❌ button (Zalo's number, a /reject without its
reason) rejected a request.

The rejection stands at once and the unit is told at once; the decider is asked why, and
their next text on the channel they decided on, within `REASON_WHILE`, goes to the unit's
contacts as that rejection's reason (a notice, office hours as the others). "bỏ qua", a
command, or the time past: nothing is asked any more, and the text is read as it says.

The question is the person's pending value of kind `KIND` (`db/queries/pending.py`), apart
from an official's own questions ("what blocks it?"), so a decider who is also a unit's
contact keeps both; a second rejection before the reason takes its place (the reason goes
to the last request asked about, and the question says so). A decider of a unit gets the
question answered only by a text that is no status report ("xong", "#12 đang làm 50%",
"xin gia hạn …"): such a text ends the question and is read as the report it is. A bare
word, a status or a thank-you alone ("vướng", "xong", "ok"), reads as no reason: asked again
(a decider's own unit's "vướng" is that unit's blocker, the reason waiting after it).

Of the two questions, the one asked last takes the words typed next: an official's question
answered in words (`WORDED_STEPS`: a blocker's reason, a new date, an explanation, an
extension's reason) asked after the rejection's takes them, the rejection's waiting for the
text after, which that question says (`still_waits`); asked before it, it waits for the text
after the reason, which the rejection's question says. A question answered by a number
("which task?") takes numbers only, never the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said
from app.notices import held_line, office_moment, tell
from app.services import Services
from core.checkin import task_numbers
from core.markup import Markup
from core.numbers import chosen_number
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.states import RequestStatus
from core.textfit import QUOTE_LIMIT, clip
from core.textnorm import fold
from db.engine import session_in
from db.models import Assignment, ExtensionRequest, Task
from db.queries.audit import last_of
from db.queries.audit import record as audit
from db.queries.pending import (
    PENDING_TTL,
    clear_pending,
    get_pending,
    pending_since,
    set_pending,
)
from db.queries.people_to_tell import contacts_of_unit, unit_name

KIND = "reject_reason"  # the pending kind: the rejected request whose reason is asked
STEP_KIND = "step"  # the pending kind of an official's own questions
REASON_WHILE = timedelta(minutes=30)
EVER = timedelta.max  # a question kept, however old: forgotten by a command all the same
ACTION = "extension.rejected_reason"  # the audit entry that keeps the reason on the request
SKIP_WORDS = frozenset(
    {"bo qua", "skip", "khong", "ko", "thoi", "huy", "cancel", "none", "khong co", "no"}
)
CANCEL_COMMANDS = frozenset({"cancel", "huy"})
# What an official's report reads as: never a rejection's reason when the decider has a unit.
STATUS_KINDS = frozenset({ReplyKind.DONE, ReplyKind.IN_PROGRESS, ReplyKind.EXTENSION})
# A status said in so few words, with no why, is no rejection's reason ("vướng", "đã xong").
BARE_KINDS = frozenset({ReplyKind.DONE, ReplyKind.IN_PROGRESS, ReplyKind.BLOCKED})
BARE_WORDS = 3
# An official's questions answered in words (`app.checkin.pending`; "ext_reason" is
# `app.checkin.late_reason.STEP`, which imports this module through `app.extensions`).
WORDED_STEPS = frozenset({"blocked", "extension", "explain", "ext_reason"})


def ask(session: Session, services: Services, actor: Actor, request_id: int, channel: str) -> str:
    """Ask the decider why they rejected the request (in `session`'s transaction, the
    decision's); return the question, saying which earlier one it replaces."""
    now = services.clock.now()
    t = partial(services.catalog.get, actor.lang)
    earlier = get_pending(
        session, contact_id=actor.contact_id, now=now, kind=KIND, ttl=REASON_WHILE
    )
    data = {"request_id": request_id, "channel": channel, "at": now.isoformat()}
    set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=KIND)
    old = int(earlier["request_id"]) if earlier is not None else None
    if old is None or old == request_id:
        question = t("extensions.reject_reason_ask")
    else:
        question = t("extensions.reject_reason_ask_instead", id=str(request_id), old=str(old))
    if _worded_since(session, actor, now) is None:
        return question
    return f"{question}\n{t('extensions.reject_reason_ask_before')}"


def still_waits(session: Session, services: Services, actor: Actor) -> str:
    """Return the line an official's question answered in words adds when asked while a
    rejection's reason is asked (on any channel): that reason waits for the text after the
    answer ("" when no rejection's reason is asked)."""
    now = services.clock.now()
    asked = get_pending(session, contact_id=actor.contact_id, now=now, kind=KIND)
    if asked is None or not timely(asked, now):
        return ""
    line = services.catalog.get(
        actor.lang, "extensions.reject_reason_waits", id=str(asked["request_id"])
    )
    return f"\n{line}"


def forget(services: Services, actor: Actor, command: str) -> None:
    """Ask no more why a request was rejected: a command typed (not /cancel, whose answer
    says there was a question, `app.checkin.pending.cancel`)."""
    if command in CANCEL_COMMANDS:
        return
    now = services.clock.now()
    with services.engine.begin() as connection:
        # Read first: most commands come with no question asked, and a delete of nothing
        # would still wait for SQLite's write turn behind the other writers.
        kept = get_pending(connection, contact_id=actor.contact_id, now=now, kind=KIND, ttl=EVER)
        if kept is not None:
            clear_pending(connection, contact_id=actor.contact_id, kind=KIND)


def answer(
    services: Services, actor: Actor, text: str, channel: str, db: Session | None = None
) -> Answer | None:
    """Take a decider's text as the reason of the rejection asked about; None when it is not
    that (nothing asked, asked on another channel, too late, a number, a status report of a
    decider who has a unit): the text is then read as what it says."""
    now = services.clock.now()
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        asked = get_pending(session, contact_id=actor.contact_id, now=now, kind=KIND)
        if asked is None or asked.get("channel") != channel:
            return None
        official = _worded_since(session, actor, now)
        if official is not None and official > datetime.fromisoformat(str(asked.get("at"))):
            return None  # asked after the rejection's: theirs, the rejection's waits for more
        if not timely(asked, now) or _not_a_reason(services, actor, text):
            clear_pending(session, contact_id=actor.contact_id, kind=KIND)
            return None
        reply = parse_reply(text, today=services.today())
        if chosen_number(text) is not None or reply.hint == ReplyHint.EMPTY:
            return None  # "1", a face: no reason, and no reason to forget the question
        request_id = int(asked["request_id"])
        skipped = fold(text.strip().rstrip(".!")) in SKIP_WORDS
        if not skipped and _bare(reply, text):
            if actor.unit_ids and reply.kind == ReplyKind.BLOCKED:
                return None  # their unit's blocker, asked about; the reason waits after it
            again = t("extensions.reject_reason_not_a_reason", text=clip(text), id=str(request_id))
            return Answer([Said(again)])
        clear_pending(session, contact_id=actor.contact_id, kind=KIND)
        if skipped:
            return Answer([Said(t("extensions.reject_reason_skipped", id=str(request_id)))])
        reason = text.strip()
        if len(reason) > QUOTE_LIMIT:  # told whole or not at all: the unit reads every word
            limit = QUOTE_LIMIT
            return Answer([Said(t("extensions.note_too_long", length=len(reason), limit=limit))])
        return Answer([Said(_send(session, services, actor, request_id, reason))])


def _worded_since(session: Session, actor: Actor, now: datetime) -> datetime | None:
    """Return when the person's own question answered in words was asked, while it holds."""
    kept = pending_since(session, contact_id=actor.contact_id, kind=STEP_KIND)
    if kept is None or now - kept[1] > PENDING_TTL:
        return None
    asked, at = kept
    if asked.get("step") not in WORDED_STEPS:
        return None
    if asked.get("step") == "ext_reason" and not timely(asked, now):  # 30 minutes, as ours
        return None
    return at


def timely(asked: dict[str, Any], now: datetime) -> bool:
    """Tell whether the question was asked within `REASON_WHILE`."""
    return now - datetime.fromisoformat(str(asked.get("at"))) <= REASON_WHILE


def _not_a_reason(services: Services, actor: Actor, text: str) -> bool:
    """Tell whether a text is a status report of a decider who reports for a unit."""
    if not actor.unit_ids:
        return False
    if text.lstrip().startswith("#") and task_numbers(text):
        return True
    reply = parse_reply(text, today=services.today())
    return reply.percent is not None or (reply.kind in STATUS_KINDS and not reply.uncertain)


def _bare(reply: ParsedReply, text: str) -> bool:
    """Tell whether a text reads as no reason: a thank-you or an "ok", or a status word alone
    ("vướng", "xong", "đang làm"), which gives no why ("thiếu kinh phí" gives one)."""
    if reply.hint == ReplyHint.ACKNOWLEDGEMENT:
        return True
    alone = len(fold(text).split()) <= BARE_WORDS
    return alone and not reply.reason and reply.kind in BARE_KINDS


def _send(session: Session, services: Services, actor: Actor, request_id: int, reason: str) -> str:
    """Queue the reason to the unit's contacts and keep it (audited); return the answer."""
    t = services.catalog.get
    request = session.get(ExtensionRequest, request_id)
    assignment = session.get(Assignment, request.assignment_id) if request else None
    task = session.get(Task, assignment.task_id) if assignment else None
    if request is None or assignment is None or task is None:
        return t(actor.lang, "extensions.unknown", id=str(request_id))
    if request.status != RequestStatus.REJECTED or request.decided_by_id != actor.contact_id:
        return t(actor.lang, "extensions.unknown", id=str(request_id))
    request.decision_note = reason  # shown with the request (dashboard, workbook)
    session.add(request)
    now = services.clock.now()
    tz = services.settings.tz
    moment = office_moment(session, now=now, hours=services.settings.work_hours, tz=tz)
    words = partial(
        t,
        key="extensions.reject_reason_notice",
        task=Markup(str(task.id)),
        title=task.title,
        deadline=request.requested_deadline,
        reason=reason,
    )
    tell(
        session,
        contacts_of_unit(session, unit_id=assignment.unit_id),
        key=f"extension-rejected-reason:{request.id}",
        text=words,
        now=now,
        assignment_ids=[assignment.id or 0],
        not_before=moment,
    )
    audit(
        session,
        actor_id=actor.contact_id,
        action=ACTION,
        object_type="extension_request",
        object_id=request.id,
        details={"assignment_id": assignment.id, "reason": reason},
    )
    unit = unit_name(session, unit_id=assignment.unit_id)
    sent = t(actor.lang, "extensions.reject_reason_sent", id=str(request_id), unit=unit)
    return sent + held_line(services.catalog, actor.lang, now=now, moment=moment, tz=tz)


def reason_of(session: Session, *, request_id: int) -> str | None:
    """Return the reason a rejection was given after it, if any (the last one kept)."""
    entry = last_of(session, action=ACTION, object_id=request_id)
    return None if entry is None else str(entry.details.get("reason") or "")
