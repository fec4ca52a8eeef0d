"""An answer a channel refused for now (rate limited, its server failing past the client's
retries): queued for the channel's sender, which tries it again at its pace, rather than
lost with only a line in the log.

The answer is queued as one row holding its messages as they were to be shown (`parts`),
so they go in order, each as the person would have read it (the sender never sends two
rows of one chat in an order of its own choosing: one row keeps them together), and one
delivered is not sent again. The key is the event's: an answer worked out again (a restart)
is queued once.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.services import Services
from core.markup import escape
from db.engine import session_scope
from db.queries.outbox import PRIORITY_INTERACTIVE, enqueue

KIND = "answer"
PARTS = "parts"  # the payload's messages, plain, as the channel shows them


def queue_unsent(
    services: Services, *, channel: str, chat_id: str, key: str, texts: Sequence[str]
) -> bool:
    """Queue the messages not sent (plain text, each within the channel's limit) for the
    channel's sender, first of all it has to send; return whether they were new."""
    if not texts:
        return False
    now = services.clock.now()
    with session_scope(services.engine) as session:
        queued = enqueue(
            session,
            key=key,
            chat_id=chat_id,
            channel=channel,
            kind=KIND,
            text=escape("\n".join(texts)),
            now=now,
            priority=PRIORITY_INTERACTIVE,
            extra={PARTS: list(texts)},
        )
    return queued is not None
