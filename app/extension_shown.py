"""A request's notices shown decided: each of its deciders' Telegram notices edited, once
the request is decided, to say how and by whom, its ✅/❌ buttons dropped.

Queued through the outbox in the decision's transaction, one edit a notice under its own
key (`SHOWN:<notice>`): never lost with a crash after the decision, never made twice. The
edit names the notice it edits (`EDIT_OF`); the sender edits the message the notice was
sent as, waits while the notice is still to go, and drops the edit of a notice that never
went (`scheduler.sender`). The message a button was pressed on is edited by its handler at
once, so none is queued for it. Zalo has no buttons and no editing: nothing is queued there.
"""

from __future__ import annotations

from sqlmodel import Session

from app.services import Services
from db.models import Contact, ExtensionRequest
from db.queries.extensions import notices_of
from db.queries.outbox import EDIT_OF, PRIORITY_NOTICE, TELEGRAM, enqueue
from db.queries.people_to_tell import contact_name

SHOWN = "extension-shown"


def show_decided(
    session: Session,
    services: Services,
    request: ExtensionRequest,
    *,
    pressed: tuple[str, str] | None = None,
) -> int:
    """Queue the edit of each Telegram notice of the decided request but the one `pressed`
    (its chat and message, edited by the button's handler); return how many were queued."""
    who = contact_name(session, contact_id=request.decided_by_id)
    queued = 0
    for notice in notices_of(session, request_id=request.id or 0, channel=TELEGRAM):
        if pressed is not None and pressed == (notice.chat_id, notice.channel_message_id):
            continue
        contact = session.get(Contact, notice.contact_id) if notice.contact_id else None
        lang = contact.language if contact is not None else "vi"
        line = services.catalog.get(lang, f"extensions.shown_{request.status}", who=who)
        edited = enqueue(
            session,
            key=f"{SHOWN}:{notice.id}",
            chat_id=notice.chat_id,
            channel=TELEGRAM,
            contact_id=notice.contact_id,
            kind="notice",
            text=f"{notice.payload.get('text', '')}\n\n{line}",
            now=services.clock.now(),
            priority=PRIORITY_NOTICE,
            extra={EDIT_OF: notice.id},
        )
        queued += edited is not None
    return queued
