"""Keyboards shared by several flows, and the contract of their callback data.

Status buttons: data `st:<action>:<assignment id>` (signed for the recipient), where action
is one of STATUS_ACTIONS. Reminders (scheduler) put them under each item; the check-in
flow handles the press.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app.i18n import Catalog
from handlers.telegram.access import sign

STATUS_PREFIX = "st"
STATUS_ACTIONS = ("done", "progress", "blocked", "extension")


def status_rows(
    key: bytes, external_id: str, assignment_id: int, lang: str, catalog: Catalog, label: str = ""
) -> list[list[InlineKeyboardButton]]:
    """Return the rows of status buttons for one assignment (two per row, fits phones)."""
    buttons = [
        InlineKeyboardButton(
            (f"{label} " if label else "") + catalog.get(lang, f"buttons.{action}"),
            callback_data=sign(key, external_id, STATUS_PREFIX, action, assignment_id),
        )
        for action in STATUS_ACTIONS
    ]
    return [buttons[:2], buttons[2:]]


def status_keyboard(
    key: bytes, external_id: str, assignment_id: int, lang: str, catalog: Catalog
) -> InlineKeyboardMarkup:
    """Return the status keyboard for one assignment."""
    return InlineKeyboardMarkup(status_rows(key, external_id, assignment_id, lang, catalog))
