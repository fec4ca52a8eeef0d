"""What a reply is read as: its kind, the rule that decided, and the details it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ReplyKind(StrEnum):
    """What a reply says about the task; the values are stable storage and catalog keys."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    EXTENSION = "extension"
    UNCLEAR = "unclear"


class ReplyHint(StrEnum):
    """Which rule decided; for UNCLEAR, why, so the bot can pick its follow-up question."""

    EMPTY = "empty"
    QUESTION = "question"
    NEGATION = "negation"
    CORRECTION = "correction"  # UNCLEAR: the reply takes itself back ("xong rồi, à nhầm")
    PROMISE = "promise"
    ACKNOWLEDGEMENT = "acknowledgement"
    UNRECOGNISED = "unrecognised"
    EXTENSION = "extension"
    BLOCKED = "blocked"
    PROGRESS = "progress"
    PARTIAL = "partial"
    DOCUMENT = "document"
    DONE = "done"
    PERCENT = "percent"  # UNCLEAR: a share below 0 or above 100 ("101", "150%", "-5%")
    # UNCLEAR: a pair that reads two ways ("xong 8/10": done on 8 October, or 8 of 10?)
    AMBIGUOUS = "ambiguous"
    # UNCLEAR: a share typed with a space inside its number ("6 0%": 60%, or 6 and 0%?)
    SPLIT = "split"
    # UNCLEAR: the sender says they no longer follow the unit's work ("đã chuyển công tác")
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """A reply read as a status, with the details it gave; UNCLEAR carries no details."""

    kind: ReplyKind
    hint: ReplyHint
    percent: int | None = None  # 0-100, as stated
    reason: str | None = None  # blocker or extension reason, as typed
    new_deadline: date | None = None  # extension target date
    extension_days: int | None = None  # extension length when given as a duration
    extension_working_days: bool = False  # extension_days counts working days
    extension_months: int | None = None  # extension length in months ("thêm 1 tháng")
    evidence_number: str | None = None  # document number, e.g. "15/KH-UBND"
    evidence_date: date | None = None  # that document's date
    # The status is a guess to confirm with the official before recording it; the whole
    # reply (NFC, trimmed) is then kept as the note. Never set on UNCLEAR.
    uncertain: bool = False
    note: str | None = None
