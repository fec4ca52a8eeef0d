"""Messages the bot gave up on: stopped twice while handling them, so admins are told.

An update (Telegram) or event (Zalo) still unfinished after one retry may be what stops the
bot; it is not run a third time. Every reachable admin gets a notice naming its sender, so
that someone asks them to send it again, and the inbox marks it done with, in the same
transaction as the notices are queued. Each channel says who sent it (only it can read its
payload); what follows is the same for every channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from app.notices import tell
from app.services import Services
from core.markup import Markup
from core.roles import Role
from db.engine import session_scope
from db.queries import inbox
from db.queries.contacts import contacts_with_role_at_least
from db.queries.recipients import recipients_in_order

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GivenUp:
    """One message given up: its inbox row, its kind, who sent it and when it came."""

    inbox_id: int
    kind: str
    who: str
    sender_id: str
    received_at: datetime


def report_given_up(services: Services, given_up: Sequence[GivenUp]) -> None:
    """Tell every reachable admin about messages given up, and mark them done with."""
    if not given_up:
        return
    now = services.clock.now()
    with session_scope(services.engine) as session:
        people = contacts_with_role_at_least(session, roles=(Role.ADMIN.value,))
        admins = recipients_in_order(session, people)
        for item in given_up:
            log.error(
                "gave up inbox row %s (%s): unfinished after a retry", item.inbox_id, item.kind
            )
            tell(
                session,
                admins,
                key=f"inbox:{item.inbox_id}",
                text=partial(_notice, services, item),
                now=now,
            )
        inbox.give_up(session.connection(), ids=[item.inbox_id for item in given_up], now=now)


def _notice(services: Services, item: GivenUp, lang: str) -> str:
    """Return the admins' notice about one message given up, naming its sender."""
    return services.catalog.get(
        lang,
        "common.update_given_up",
        who=item.who,
        user_id=Markup(item.sender_id),
        kind=item.kind,
        received=item.received_at.astimezone(services.settings.tz),
    )
