"""Every Telegram flow, registered here in one place.

Order matters:
- group -1: the inbox records each update once and stops a duplicate before any flow;
- group 0: each flow's early handlers (conversations, which must see their own text
  before anything else), then every flow's commands (one handler, `command_table`), then
  every flow's late handlers (buttons, files, free text), then the fallbacks (unknown
  command, strangers);
- the error handler comes last.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.telegram import (
    calendar,
    chart,
    checkin,
    contacts,
    digest,
    errors,
    evidence,
    explanations,
    export,
    extensions,
    fallback,
    imports,
    inbox,
    invites,
    link,
    mytasks,
    newtask,
    nudge,
    ranking,
    recurring,
    report,
    start,
    summary,
    tasks,
    units,
    weblogin,
)
from handlers.telegram.command_table import command_table
from handlers.telegram.registry import NEW_MESSAGES, Flow

INBOX_GROUP = -1


def flows() -> list[Flow]:
    """Return every flow in registration order.

    Conversations (newtask, units' guided forms) put their handlers in `early`; the check-in
    flow's free-text handler must come after them and before the fallbacks, which are last.
    """

    return [
        start.flow(),
        units.flow(),
        invites.flow(),
        contacts.flow(),
        link.flow(),
        imports.flow(),
        newtask.flow(),
        tasks.flow(),
        calendar.flow(),
        recurring.flow(),
        nudge.flow(),
        mytasks.flow(),
        evidence.flow(),
        extensions.flow(),
        explanations.flow(),
        checkin.flow(),
        summary.flow(),
        ranking.flow(),
        export.flow(),
        report.flow(),
        chart.flow(),
        digest.flow(),
        weblogin.flow(),
        fallback.flow(),
    ]


def register(
    application: Application[Any, Any, Any, Any, Any, Any], all_flows: list[Flow] | None = None
) -> list[Flow]:
    """Register every handler of `all_flows` (by default every flow) and return the flows."""
    all_flows = flows() if all_flows is None else all_flows
    application.add_handler(inbox.handler(), group=INBOX_GROUP)
    for flow in all_flows:
        for early in flow.early:
            application.add_handler(early)
    commands = [
        (name, spec.callback)
        for flow in all_flows
        for spec in flow.commands
        for name in (spec.name, *spec.aliases)
    ]
    application.add_handler(command_table(commands, NEW_MESSAGES))
    for flow in all_flows:
        for late in flow.late:
            application.add_handler(late)
    application.add_error_handler(errors.on_error)
    application.bot_data.flows = all_flows
    return all_flows
