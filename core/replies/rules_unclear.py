"""The rules that leave a reply UNCLEAR, with the hint of what the bot should ask."""

from __future__ import annotations

import unicodedata

from core.replies.extension import find_extension, is_request
from core.replies.percent import NEGATIVE_PERCENT_RE, PERCENT_RE, split_percent, stated_percent
from core.replies.reading import Reply, denies, find_guarded, has_promise
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.vocabulary import (
    ACK_RE,
    ASKED_BACK_RE,
    ASKING_PARTICLES,
    CORRECTION_RE,
    DA,
    LON,
    MOVED_RE,
    NHAM,
    NOT_SPOKEN_NO,
    QUESTION_RE,
    SPOKEN_QUESTION_RE,
    TRAILING_QUESTION_RE,
)


def unclear(hint: ReplyHint) -> ParsedReply:
    """Return an UNCLEAR result for the given reason."""
    return ParsedReply(kind=ReplyKind.UNCLEAR, hint=hint)


def rule_empty(reply: Reply) -> ParsedReply | None:
    """Call a reply with no letters, digits, symbols or question mark empty."""
    if any(c.isalnum() or c in "?？" or unicodedata.category(c)[0] == "S" for c in reply.folded):
        return None
    return unclear(ReplyHint.EMPTY)


def rule_question(reply: Reply) -> ParsedReply | None:
    """Call a question a question, unless it is a polite extension request."""
    folded = reply.folded
    extension = find_extension(reply)
    if extension is not None and is_request(folded, extension):
        return None
    # Only the end of the reply can hold "… xong chưa"; looking there keeps this linear.
    if QUESTION_RE.search(folded) or TRAILING_QUESTION_RE.search(folded[-160:]):
        return unclear(ReplyHint.QUESTION)
    spoken = SPOKEN_QUESTION_RE.search(folded, max(0, len(folded) - 160))
    if spoken is not None and reply.typed(*spoken.span("no")) not in NOT_SPOKEN_NO:
        return unclear(ReplyHint.QUESTION)
    asked = ASKED_BACK_RE.search(folded, max(0, len(folded) - 160))
    if asked is not None and reply.typed(*asked.span("particle")) in ASKING_PARTICLES:
        return unclear(ReplyHint.QUESTION)
    return None


def rule_moved(reply: Reply) -> ParsedReply | None:
    """Read "em đã chuyển công tác", "không còn phụ trách" as no status: whom to tell is."""
    if MOVED_RE.search(reply.folded):
        return unclear(ReplyHint.MOVED)
    return None


def rule_bad_percent(reply: Reply) -> ParsedReply | None:
    """Refuse a share stated below 0 or above 100 ("đang làm 150%", "-5%") rather than drop it."""
    if stated_percent(reply) is not None:
        return None
    folded = reply.folded
    over = any(int(m.group(1)) > 100 for m in PERCENT_RE.finditer(folded))
    if over or NEGATIVE_PERCENT_RE.search(folded):
        return unclear(ReplyHint.PERCENT)
    return None


def rule_split_percent(reply: Reply) -> ParsedReply | None:
    """Ask about a share typed with a space inside its number: "6 0%" was read as 0%."""
    if split_percent(reply.folded) is not None:
        return unclear(ReplyHint.SPLIT)
    return None


def rule_correction(reply: Reply) -> ParsedReply | None:
    """Refuse any status for a reply that takes itself back: "xong rồi, à nhầm"."""
    if CORRECTION_RE.search(reply.folded) or find_guarded(reply, NHAM) or find_guarded(reply, LON):
        return unclear(ReplyHint.CORRECTION)
    return None


def rule_negation(reply: Reply) -> ParsedReply | None:
    """Refuse DONE for "chưa …", "không kịp", "not done yet", "có xong đâu" and the like."""
    if denies(reply, 0, len(reply.folded)):
        return unclear(ReplyHint.NEGATION)
    return None


def rule_promise(reply: Reply) -> ParsedReply | None:
    """Call a promise ("sẽ hoàn thành trước 15/7", "mai xong") unclear: it is not done."""
    if has_promise(reply, 0, len(reply.folded)):
        return unclear(ReplyHint.PROMISE)
    return None


def rule_acknowledgement(reply: Reply) -> ParsedReply | None:
    """Call "ok", "vâng ạ", "đã nhận", "👍" an acknowledgement, which reports nothing."""
    if ACK_RE.search(reply.folded) or find_guarded(reply, DA):
        return unclear(ReplyHint.ACKNOWLEDGEMENT)
    return None
