"""Check-ins, whatever the channel: a status in words, a choice taken, an answer to a question.

Each module is one thing a person does, and each returns what to say as data (`Said`, with
choices, in an `Answer`, both here); the adapter renders it:

- `text.answer_text`: what an official wrote, read as the answer to the bot's pending
  question (`pending`), else as a status report (core.replies.parse.parse_reply) about one of
  their open items (`about`: the open items, the message replied to, core.checkin.decide);
- `act`: what a decision comes to: record it, or ask which task or which status;
- `choice.choose`: a choice the bot offered (a Telegram button, or a number typed on a
  text-only channel);
- `confirm`: the status of a long or mixed report, asked before it is recorded;
- `caption`: the status a file's caption gives;
- `offer`: a status typed on a channel without buttons ("1", "#12 1"), read against the
  statuses it offered last: which of their tasks it answers;
- `pending`: the answer to the bot's question (a blocker's reason, an extension's date,
  which task), and `/cancel`.

Each path writes in one last transaction (a question answered is forgotten in the answer's),
so that run again after the database failed it does what it did not; given a session
(`db`), the writes are in its transaction, which the caller commits with its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.choices import Rows
from app.reporting import Recorded

MAX_TEXT = 4000


@dataclass(frozen=True)
class Said:
    """One message to the person: neutral markup, and the choices it offers."""

    text: str
    choices: Rows = field(default_factory=list)


@dataclass(frozen=True)
class RepliedTo:
    """The bot's message a text answers (chat and id on its channel, and its text)."""

    chat_id: str
    message_id: int
    text: str
    # The assignments it was about, when the channel knows them itself (the status offer a
    # typed Zalo answer takes up); else they are read from the outbox, or from its "#12".
    assignment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What a check-in came to: what to say, and what the adapter may do besides."""

    said: list[Said] = field(default_factory=list)
    recorded: Recorded | None = None  # the report kept (or refused), for a button's toast
    toast: str = ""  # a short acknowledgement, where the channel has one (Telegram)
    alert: bool = False  # the toast is a refusal: shown so that it is read
    origin: dict[str, Any] | None = None  # the question's channel data (to settle its message)
    settled: int | None = None  # the assignment whose question was answered from `origin`
    evidence: tuple[dict[str, Any], int] | None = None  # a kept file now known to be about
    unhandled: bool = False  # not for the check-in: the adapter's fallback answers


def unhandled_key(unit_ids: tuple[int, ...]) -> str:
    """Return the catalog key of what a registered person is told of words no flow took:
    how to answer a reminder when they report for a unit; that nothing waits for them (words
    typed again after their choice was used) when they are staff of no unit."""
    return "start.help_footer" if unit_ids else "common.nothing_pending"
