"""Fit what a person typed into a message the bot sends to someone else.

A blocker's reason, an explanation or an extension's reason may be as long as a chat
message; quoted inside a notice with its own wording, it would pass Telegram's 4,096
characters. Notices quote at most QUOTE_LIMIT characters, cut with an ellipsis.
"""

from __future__ import annotations

QUOTE_LIMIT = 1000  # leaves room in 4,096 for the notice's wording, a title and a unit
ELLIPSIS = "…"


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Return the text trimmed, cut to at most `limit` characters with an ellipsis if longer."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
