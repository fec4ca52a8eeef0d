"""Choices rendered as Telegram inline keyboards, with data signed for the recipient.

Status buttons: data `st:<action>:<assignment id>`, where action is one of STATUS_ACTIONS
(`app/choices.py`). Reminders put them under each item; the check-in flow handles the press.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app.choices import status_choices
from app.i18n import Catalog
from render.telegram import buttons


def status_rows(
    key: bytes, external_id: str, assignment_id: int, lang: str, catalog: Catalog, label: str = ""
) -> list[list[InlineKeyboardButton]]:
    """Return the rows of status buttons for one assignment (two per row, fits phones)."""
    rows = status_choices(catalog, lang, assignment_id, label)
    return [list(row) for row in buttons(key, external_id, rows).inline_keyboard]


def status_keyboard(
    key: bytes, external_id: str, assignment_id: int, lang: str, catalog: Catalog
) -> InlineKeyboardMarkup:
    """Return the status keyboard for one assignment."""
    return InlineKeyboardMarkup(status_rows(key, external_id, assignment_id, lang, catalog))
