"""Telegram: choices as inline keyboards whose data is signed for the recipient."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app.choices import Choice
from app.signing import sign


def buttons(
    key: bytes, external_id: str, rows: Sequence[Sequence[Choice]]
) -> InlineKeyboardMarkup:
    """Return the inline keyboard of rows of choices, signed for one person."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(c.label, callback_data=sign(key, external_id, *c.data))
                for c in row
            ]
            for row in rows
        ]
    )
