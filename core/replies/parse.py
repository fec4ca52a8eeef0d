"""Read a reply: the rules in their order (see :mod:`core.replies`), then how sure it is."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import lru_cache

from core.replies.extension import rule_extension
from core.replies.percent import O_FOR_ZERO_RE, split_percent, stated_percent, with_spoken_shares
from core.replies.reading import (
    Reply,
    clauses,
    denies,
    has_promise,
    is_perfect,
    part_of_work,
)
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.rules_status import (
    decisive_pair,
    rule_abbreviation,
    rule_blocked,
    rule_date_or_count,
    rule_document,
    rule_done,
    rule_lone_number,
    rule_progress,
)
from core.replies.rules_unclear import (
    rule_acknowledgement,
    rule_bad_percent,
    rule_correction,
    rule_empty,
    rule_moved,
    rule_negation,
    rule_promise,
    rule_question,
    rule_split_percent,
    unclear,
)
from core.replies.telex import untelex
from core.replies.vocabulary import COUNT_FIRST_RE, DONE_RE, PERFECTIVE_RE
from core.textnorm import FoldedText, fold_text, narrow

# A status reply is a line or two; Zalo caps messages at 2000 characters. Scanning no
# more keeps a pasted document (or an attack) from costing more than a short reply.
MAX_SCAN_CHARS = 2000
# Beyond this a reply is a narrative: its status is guessed, never certain.
MAX_CERTAIN_SENTENCES = 2
MAX_CERTAIN_WORDS = 40
_SENTENCE_BREAK_RE = re.compile(r"[.!?？…]+(?=\s|$)|\n")
_WORD_RE = re.compile(r"\w+")
# A morning's status replies repeat ("xong", "đã xong", "đang làm 50%"): a short one is read
# once a day (its dates are read against `today`) and its reading, frozen, shared after.
CACHED_CHARS = 64
CACHED_READINGS = 512


def parse_reply(text: str, *, today: date) -> ParsedReply:
    """Read a free-text reply to a task reminder; never raises on any string."""
    if len(text) <= CACHED_CHARS:
        return _parse_short(text, today)
    return _parse(text, today)


@lru_cache(maxsize=CACHED_READINGS)
def _parse_short(text: str, today: date) -> ParsedReply:
    """Read a short reply, remembered (ParsedReply is frozen: callers `replace` it)."""
    return _parse(text, today)


def _parse(text: str, today: date) -> ParsedReply:
    """Read a reply by the rules in their order, then weigh how sure it is."""
    reply = _reading(text, today)
    for rule in _RULES:
        parsed = rule(reply)
        if parsed is not None:
            return _weigh(reply, parsed, text)
    return unclear(ReplyHint.UNRECOGNISED)


def ambiguous_pair(text: str, *, today: date) -> tuple[str, str] | None:
    """Return the pair that made a reply AMBIGUOUS ("xong 8/10": "8", "10"), to name it in
    the question, or None."""
    found = decisive_pair(_reading(text, today))
    if found is None or found[0] != "ambiguous":
        return None
    return found[1].group("part"), found[1].group("whole")


def split_share(text: str, *, today: date) -> tuple[str, int] | None:
    """Return the share a reply typed with a space inside its number ("6 0%": "6 0", 60),
    to name it in the question, or None."""
    return split_percent(_reading(text, today).folded)


def counts_first(text: str) -> bool:
    """Tell whether a text starts with a count or a length of time ("3 ngày nữa xong", "2 xã
    đã xong", "#12 2 more days"): its number is the official's words, not a choice's."""
    return COUNT_FIRST_RE.match(fold_text(narrow(text[:200])).folded) is not None


def _reading(text: str, today: date) -> Reply:
    """Return the reply to read: NFC, cut at the scan limit, its Telex words spelled, folded,
    an O typed for 0 read."""
    # Cut before NFC too: NFC of a huge string is cheap but not free.
    head = unicodedata.normalize("NFC", text[: MAX_SCAN_CHARS * 2])[:MAX_SCAN_CHARS]
    folded = fold_text(untelex(head))
    zeros = O_FOR_ZERO_RE.sub(lambda m: m.group(1) + "0" * len(m.group(2)), folded.folded)
    # Same length: offsets hold. A share said in words ("sáu mươi phần trăm") is its digits.
    zeros = _masked_xong(folded, zeros)
    spelled, slip = _xong_for_song(folded, zeros)
    return Reply(text=with_spoken_shares(replace(folded, folded=spelled)), today=today, slip=slip)


# "xông" (to rush in, to steam; a slip of "xong"?) folds to "xong": typed so, it is no done
# word, and the reply is asked about rather than recorded.
_XONG_RE = re.compile(r"\bxong\b")
_XONG_MASK = "x_ng"  # a word no rule reads, of the same length
_CIRCUMFLEX_O = frozenset("ôốồổỗộ")


def _masked_xong(text: FoldedText, folded: str) -> str:
    """Return ``folded`` with each "xong" typed "xông" masked, so no rule reads it as done."""
    if "xong" not in folded:
        return folded
    return _XONG_RE.sub(
        lambda m: (
            _XONG_MASK
            if _CIRCUMFLEX_O & set(text.original_span(m.start(), m.end()).lower())
            else m.group()
        ),
        folded,
    )


# "song r", "đã song": "xong" typed with an s, as the north says both (and autocorrect
# leaves "song", a word). Typed so and beside "rồi" or "đã", it is read as "xong", a guess
# the official confirms; "sông", "sống", "song song" are other words.
_SONG_RE = re.compile(r"\bsong(?=\s+(?:r|roi|rui)\b)|(?<=\bda\s)song\b|(?<=\blam\s)song\b")


def _xong_for_song(text: FoldedText, folded: str) -> tuple[str, bool]:
    """Return ``folded`` with "song" read as "xong" where it is the slip, and whether it was."""
    if "song" not in folded:
        return folded, False
    slips = [
        m.start()
        for m in _SONG_RE.finditer(folded)
        if text.original_span(*m.span()).lower() == "song"
    ]
    for at in slips:
        folded = folded[:at] + "x" + folded[at + 1 :]
    return folded, bool(slips)


_RULES: tuple[Callable[[Reply], ParsedReply | None], ...] = (
    rule_empty,
    rule_question,
    rule_moved,
    rule_lone_number,
    rule_extension,
    rule_split_percent,
    rule_blocked,
    rule_bad_percent,
    rule_correction,
    rule_progress,
    rule_negation,
    rule_date_or_count,
    rule_document,
    rule_done,
    rule_abbreviation,
    rule_promise,
    rule_acknowledgement,
)


def _weigh(reply: Reply, parsed: ParsedReply, text: str) -> ParsedReply:
    """Mark a guessed status uncertain (long, mixed, done from a verb) and keep the note.

    The note is the whole reply, beyond the scan limit too: it is what the official wrote.
    """
    if parsed.kind is ReplyKind.UNCLEAR:
        return parsed
    mixed = parsed.kind in (ReplyKind.BLOCKED, ReplyKind.EXTENSION) and _claims_done(reply)
    if not (parsed.uncertain or mixed or _is_long(reply.text.original)):
        return parsed
    return replace(parsed, uncertain=True, note=unicodedata.normalize("NFC", text).strip())


# A signature under the answer: "--", "Trân trọng,", "Nguyễn Văn A - UBND xã X", "Công chức
# VP-TK xã An Hòa", a name alone. It is no sentence of the report.
_SIGN_OFF_RE = re.compile(r"-*|tran trong|than[kh]s?|tks|thank you|best regards|regards")
_UNIT_RE = re.compile(
    r"\b(?:ubnd|uy ban|phong|so|van phong|cong chuc|can bo|chuyen vien|xa|phuong|huyen)\b"
)
# Voice typing puts a stop at each pause: "Dạ. Em báo cáo. Đã xong ạ." A sentence has words.
_SENTENCE_WORDS = 3


def _without_signature(text: str) -> str:
    """Return the text without the lines of a signature under it."""
    lines = text.strip().split("\n")
    while len(lines) > 1 and _signs(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _signs(line: str) -> bool:
    """Tell whether a line is part of a signature: a sign-off, a unit, a name."""
    folded = fold_text(line).folded.strip(" -–—,.:;")
    if _SIGN_OFF_RE.fullmatch(folded) or _UNIT_RE.search(folded):
        return not DONE_RE.search(folded)
    words = line.split()
    return 0 < len(words) <= 5 and all(word[:1].isupper() and word.isalpha() for word in words)


def _is_long(text: str) -> bool:
    """Tell a narrative from a status reply: several sentences or many words."""
    parts = _SENTENCE_BREAK_RE.split(_without_signature(text))
    sentences = sum(1 for part in parts if len(_WORD_RE.findall(part)) >= _SENTENCE_WORDS)
    if sentences > MAX_CERTAIN_SENTENCES:
        return True
    words = _WORD_RE.finditer(text)
    return next(itertools.islice(words, MAX_CERTAIN_WORDS, None), None) is not None


def _claims_done(reply: Reply) -> bool:
    """Tell whether some clause reports the work done (not negated, promised or partial)."""
    folded = reply.folded
    for start, end in clauses(folded):
        said = DONE_RE.search(folded, start, end) or PERFECTIVE_RE.search(folded, start, end)
        if not said or denies(reply, start, end) or part_of_work(folded, start, end):
            continue
        percent = stated_percent(reply, start, end)
        if percent is not None and percent < 100:
            continue
        if not has_promise(reply, start, end, perfect=is_perfect(reply, start, end)):
            return True
    return False
