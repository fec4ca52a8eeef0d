"""An extension asked without a reason, and the reason sent in the next message.

"xin gia hạn đến 15/12" goes to the coordinators at once; "chờ kinh phí" sent next, within
`REASON_WHILE`, is that request's reason (the coordinators are sent it), not a status report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session

from app.actor import Actor
from app.checkin import Answer, Said
from app.extensions import add_reason, request_kept
from app.reject_reason import still_waits
from app.services import Services
from core.checkin import is_cancel
from core.followups import reads_as_reason
from core.replies.parse import parse_reply
from core.replies.result import ReplyHint
from db.engine import session_in
from db.queries.pending import clear_pending, set_pending

STEP = "ext_reason"  # the pending step: the request that awaits its reason
# A reason comes in the next message or two, while the request is on the person's mind.
REASON_WHILE = timedelta(minutes=30)


def send_request(
    services: Services,
    actor: Actor,
    assignment_id: int,
    target: date,
    reason: str,
    key: str,
    db: Session | None,
) -> str:
    """Send an extension request (`app.extensions.request_extension`); one without a reason
    waits a while for it, and its answer says so. One transaction (`db`'s when given); the
    question answered before it is forgotten in it."""
    t = partial(services.catalog.get, actor.lang)
    with session_in(services.engine, db) as session:
        clear_pending(session, contact_id=actor.contact_id)
        line, request_id = request_kept(
            services, actor, assignment_id, target, reason, key, session
        )
        if request_id is None or reason.strip():
            return line
        now = services.clock.now()
        data = {"step": STEP, "request_id": request_id, "at": now.isoformat()}
        set_pending(session, contact_id=actor.contact_id, data=data, now=now)
        waits = still_waits(session, services, actor)  # a rejection's reason, for after it
    minutes = int(REASON_WHILE.total_seconds()) // 60
    return f"{line}\n{t('checkin.ext_reason_invite', minutes=minutes)}{waits}"


def answer_reason(
    services: Services,
    actor: Actor,
    pending: dict[str, Any],
    text: str,
    db: Session | None,
) -> Answer | None:
    """Take a text as the reason of the request awaiting one; None when it is not that (too
    late, or a status, a number, a command of its own): the text is then read as it says.

    A thank-you ("cảm ơn") leaves the request waiting for its reason; anything else read as
    itself forgets it.
    """
    t = partial(services.catalog.get, actor.lang)
    if is_cancel(text):  # the request was sent: there is no question to cancel
        with session_in(services.engine, db) as session:
            clear_pending(session, contact_id=actor.contact_id)
        return Answer([Said(t("common.nothing_to_cancel"))])
    at = datetime.fromisoformat(str(pending.get("at")))
    reply = parse_reply(text, today=services.today())
    timely = services.clock.now() - at <= REASON_WHILE
    if timely and reply.hint == ReplyHint.ACKNOWLEDGEMENT:
        return None
    with session_in(services.engine, db) as session:
        clear_pending(session, contact_id=actor.contact_id)
        if not (timely and reads_as_reason(text, reply)):
            return None
        reason = reply.reason or text.strip()  # "vì thiếu kinh phí": "thiếu kinh phí"
        line = add_reason(services, actor, int(pending["request_id"]), reason, session)
    return None if line is None else Answer([Said(line)])
