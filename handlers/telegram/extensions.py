"""Deadline extensions: a unit's request goes to its coordinators, who approve or reject it.

Approval moves that unit's assignment only (`deadline` and `due_at`; `original_deadline`
stays), so its reminders follow, since the planner derives them from the deadline. Buttons:
`xt:ok:<request>` and `xt:no:<request>`, signed for each coordinator; typed: /approve N,
/reject N [reason].
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from core.roles import Access
from handlers.telegram import extension_decisions as decisions
from handlers.telegram.access import prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="extensions",
        commands=(
            CommandSpec(
                "approve",
                Access.COORDINATOR,
                decisions.approve_command,
                "extensions.cmd_approve",
                aliases=("duyet",),
                in_menu=False,
            ),
            CommandSpec(
                "reject",
                Access.COORDINATOR,
                decisions.reject_command,
                "extensions.cmd_reject",
                aliases=("tuchoi",),
                in_menu=False,
            ),
        ),
        late=(CallbackQueryHandler(decisions.on_decision, pattern=prefix_pattern("xt")),),
    )
