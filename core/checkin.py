"""Decide what a status reply means and for which assignment; channel-free.

A reply is attributed to the task numbers it names ("#12 xong"), even in answer to a message
about another task; else to the items of the message it answers; else to the sender's open
items. When that leaves more than one
item, or the text says nothing clear, the bot asks; it never guesses. A message naming several
tasks, each with its own words ("#12 xong, #13 đang làm 50%"), is read task by task
(`by_task`). "ok", "👍" or "cảm ơn" are thanked for, unless an item they may be about has no
report yet: then the bot says nothing was recorded and asks, rather than leave the official
believing a thumbs-up was a report.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from core.calendar import WorkingCalendar
from core.deadlines import beyond_horizon
from core.replies.dates import add_months
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.textnorm import fold

TASK_NUMBER_RE = re.compile(r"#\s?(\d{1,9})\b")
# A task as officials also name it: "nhiệm vụ 3", "NV3", "nv số 12", "task 5" (not a date,
# "nhiệm vụ 15/12", nor a count before it, "3 nhiệm vụ").
# Voice typing writes a small one in words, after "số": "nhiệm vụ số ba".
_SPOKEN_TASK = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8}
_SPOKEN_TASK |= {"chín": 9, "mười": 10}
MENTION_RE = re.compile(
    r"#\s?(\d{1,9})\b|\b(?:nhiệm\s?vụ|nhiem\s?vu|nv|task)\s?(?:(?:số|so|no\.?)\s?)?(\d{1,9})\b"
    rf"(?![/.-]\d)|\bnhiệm\s?vụ\s+số\s+({'|'.join(_SPOKEN_TASK)})\b",
    re.IGNORECASE,
)
ONLY_NUMBER_RE = re.compile(r"^\s*#?\s?(\d{1,9})\s*[.!]?\s*$")
DATE_RE = re.compile(
    r"(?:(?:đến|den|tới|toi|until|to)\s+)?(?:(?:ngày|ngay)\s+)?\b(\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)\b",
    re.IGNORECASE,
)
DATE_SHAPE_RE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/-])")
CAUSE_RE = re.compile(
    r"^\s*(?:[,;:\-–]\s*)?(?:vì|vi|do|lý do|ly do|because|due to)?[\s:,\-–]*", re.IGNORECASE
)
# The hour given with the day asked for ("17h ngày 18/12", "18/12 lúc 17 giờ"): no reason.
_HOUR = (
    r"(?:(?:lúc|luc|vào|vao)\s+)?\d{1,2}(?:[:hg]\d{2}|\s?[hg]\b|\s?(?:giờ|gio)(?:\s\d{1,2}"
    r"(?:\s?(?:phút|phut))?)?)(?:\s(?:sáng|sang|chiều|chieu|tối|toi))?"
)
HOUR_BEFORE_RE = re.compile(rf"(?<!\w){_HOUR}[\s,]*$", re.IGNORECASE)
HOUR_AFTER_RE = re.compile(rf"^[\s,]*{_HOUR}(?![\w/])", re.IGNORECASE)
# What may stand between two tasks named in a row: "#12, #13 xong", "#12 và #13: xong".
CONNECTOR_RE = re.compile(r"^(?:[\s,;:&+/.\-–]|\b(?:và|va|and)\b)*$", re.IGNORECASE)
# A whole message asking for the help, typed without the slash ("trợ giúp", "Menu?"):
# officials type these, and are shown the commands, not asked what they report.
HELP_WORDS = frozenset({"help", "tro giup", "huong dan", "huong dan su dung", "menu"})
# "Hướng dẫn" is also guidance: typed when the bot asked what blocks the work (or why it is
# late), it is the answer ("the guidance", not yet received), not a call for the help.
GUIDANCE_WORDS = frozenset({"huong dan"})
CANCEL_WORDS = frozenset({"huy", "hủy", "huỷ", "thoi", "thôi", "cancel", "/cancel", "bo qua"})


class Outcome(StrEnum):
    """What to do with a free-text reply."""

    RECORD = "record"  # one item and a clear status
    ASK_STATUS = "ask_status"  # one item, the text says nothing clear
    ASK_TASK = "ask_task"  # a clear status, several items
    ASK_BOTH = "ask_both"  # several items, nothing clear
    NO_OPEN = "no_open"  # nothing open to report on
    ALL_DONE = "all_done"  # only tasks reported done: say how to correct one (candidates)
    CLOSED = "closed"  # the answered message is about items no longer open
    UNKNOWN_TASK = "unknown_task"  # it names a task number that is not the sender's
    ACKNOWLEDGED = "acknowledged"  # "cảm ơn", "ok", "vâng": a short answer, nothing asked
    # Not done, in answer to a message about an item recorded done (an old reminder): the
    # change is asked first, never made at once (a task named, "#12 đang làm", is made).
    REOPEN = "reopen"


@dataclass(frozen=True)
class Item:
    """An assignment the sender may report on, with its task number."""

    assignment_id: int
    task_id: int
    done: bool = False
    reported: bool = False  # the unit has reported on it at least once


@dataclass(frozen=True)
class Decision:
    """The outcome, the reply as read, and the assignment ids it may be about."""

    outcome: Outcome
    reply: ParsedReply
    candidates: tuple[int, ...] = ()


def command_of(text: str) -> str:
    """Return the command a text starts with, folded ("/Giải_trình@bot #3": "giai_trinh"),
    else "": a file's caption that is a command is not a report, nor an explanation."""
    word = text.strip().partition(" ")[0]
    return fold(word[1:]).split("@")[0] if word.startswith("/") and len(word) > 1 else ""


def task_numbers(text: str) -> set[int]:
    """Return the task numbers written as "#12" in text (the bot's own, as it writes them)."""
    return {int(m.group(1)) for m in TASK_NUMBER_RE.finditer(text)}


def named_tasks(text: str) -> set[int]:
    """Return the task numbers a person's text names: "#12", "nhiệm vụ 12", "NV12"."""
    return {_number(m) for m in MENTION_RE.finditer(text)}


def _number(mention: re.Match[str]) -> int:
    """Return the task number of a mention, in whichever form it was written."""
    digits = mention.group(1) or mention.group(2)
    return int(digits) if digits else _SPOKEN_TASK[mention.group(3).lower()]


def impossible_date(text: str) -> str | None:
    """Return the first date typed that no calendar has ("31/02", "15/13"), else None."""
    for match in DATE_SHAPE_RE.finditer(text):
        day, month, year = match.groups()
        full = int(year) + (2000 if len(year) == 2 else 0) if year else 2000  # a leap year
        if not 1 <= int(month) <= 12 or not 1 <= int(day) <= monthrange(full, int(month))[1]:
            return match.group()
    return None


def by_task(text: str) -> list[tuple[int, str]]:
    """Split "#12 xong, #13 đang làm 50%" into each task's words; [] unless it names two tasks.

    A task followed only by a connector shares the next task's words ("#12, #13 xong"); a
    message whose last task has no words after it ("xong #12 và #13") is not split.
    """
    marks = list(MENTION_RE.finditer(text))
    if len({_number(m) for m in marks}) < 2:
        return []
    ends = [m.start() for m in marks[1:]] + [len(text)]
    words = [
        text[m.end() : end].strip(" \t\r\n,;:.-–") for m, end in zip(marks, ends, strict=True)
    ]
    if CONNECTOR_RE.match(words[-1]):
        return []
    for index in range(len(words) - 2, -1, -1):
        if CONNECTOR_RE.match(words[index]):
            words[index] = words[index + 1]
    return [(_number(m), said) for m, said in zip(marks, words, strict=True)]


def only_number(text: str) -> int | None:
    """Return the number when the text is just a task number ("12", "#12"), else None."""
    match = ONLY_NUMBER_RE.match(text)
    return int(match.group(1)) if match else None


def asks_for_help(text: str, *, reason_asked: bool = False) -> bool:
    """Tell whether the whole message is a word asking for the help ("hướng dẫn", "HELP!"),
    whatever its case, diacritics, spaces and punctuation; "xong, cảm ơn hướng dẫn" is not.

    `reason_asked`: the bot waits for a reason in words (a blocker's, a delay's), which
    "hướng dẫn" (guidance) may be; the caller reads that only when `could_be_reason` says so.
    """
    words = _words(text)
    return words in HELP_WORDS and not (reason_asked and words in GUIDANCE_WORDS)


def could_be_reason(text: str) -> bool:
    """Tell whether a help word may also be a reason given: "hướng dẫn" (guidance)."""
    return _words(text) in GUIDANCE_WORDS


def _words(text: str) -> str:
    """Return the words of text, folded, without punctuation, single-spaced."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", fold(text)).split())


def is_cancel(text: str) -> bool:
    """Tell whether the sender typed a word that cancels the question asked."""
    return text.strip().lower().rstrip(".!") in CANCEL_WORDS


def decide(
    *,
    reply: ParsedReply,
    items: Sequence[Item],
    replied: Collection[int] | None = None,
    mentioned: Collection[int] = (),
) -> Decision:
    """Decide which assignment a reply is about and whether to record or ask.

    `items` are the sender's reportable items (done ones included, so a unit can correct
    itself when it names the task or answers its message); `replied` the assignment ids of
    the message answered, None when it answered none the bot knows about.
    """
    pool = list(items)
    answered = [i for i in pool if replied is not None and i.assignment_id in replied]
    if mentioned:
        # A task named wins over the message answered ("#13 xong" in reply to #12's
        # reminder is about #13); the message still says which unit's, for a task it is about.
        answered_tasks = {i.task_id for i in answered}
        pool = [
            i
            for i in pool
            if i.task_id in mentioned and (i.task_id not in answered_tasks or i in answered)
        ]
        if not pool:
            closed = replied is not None and not answered
            return Decision(Outcome.CLOSED if closed else Outcome.UNKNOWN_TASK, reply)
    elif replied is not None:
        pool = answered
        if not pool:
            return Decision(Outcome.CLOSED, reply)
    done = tuple(i.assignment_id for i in pool if i.done)
    if replied is None and not mentioned:
        pool = [i for i in pool if not i.done]
    if reply.hint == ReplyHint.ACKNOWLEDGEMENT:
        pool = [i for i in pool if not (i.done or i.reported)]
        if not pool:
            return Decision(Outcome.ACKNOWLEDGED, reply)
    if not pool and done and reply.hint != ReplyHint.EMPTY:
        # "nhầm, chưa xong" after a done: the unit may correct it by naming the task.
        return Decision(Outcome.ALL_DONE, reply, done)
    if not pool:
        return Decision(Outcome.NO_OPEN, reply)
    ids = tuple(i.assignment_id for i in pool)
    clear = reply.kind != ReplyKind.UNCLEAR
    if len(pool) == 1:
        if clear and pool[0].done and not mentioned and reply.kind in _UNDOING:
            return Decision(Outcome.REOPEN, reply, ids)
        return Decision(Outcome.RECORD if clear else Outcome.ASK_STATUS, reply, ids)
    return Decision(Outcome.ASK_TASK if clear else Outcome.ASK_BOTH, reply, ids)


_UNDOING = (ReplyKind.IN_PROGRESS, ReplyKind.BLOCKED)


def extension_target(
    reply: ParsedReply, *, deadline: date, today: date, calendar: WorkingCalendar
) -> date | None:
    """Return the deadline an extension asks for (a working day), or None if it gave none.

    A date past the horizon of new deadlines (core.deadlines.beyond_horizon), or one already
    past, comes back as asked, for the caller to refuse with the date the person typed.
    """
    if reply.new_deadline is not None:
        target = reply.new_deadline
    elif reply.extension_days:
        base = max(deadline, today)
        if reply.extension_working_days:
            target = calendar.add_working_days(base, reply.extension_days)
        else:
            target = base + timedelta(days=reply.extension_days)
    elif reply.extension_months:
        later = add_months(max(deadline, today), reply.extension_months)
        if later is None:
            return None
        target = later
    else:
        return None
    if beyond_horizon(target, today) or target < today:
        # Refused by the caller (too far, or past); rolling a day off near 31/12/9999 would
        # overflow, and "01/01/2020 is past" must not read "02/01/2020 is past".
        return target
    return calendar.roll_forward(target)[0]


def read_extension_answer(
    text: str, *, deadline: date, today: date, calendar: WorkingCalendar
) -> tuple[date | None, str]:
    """Read the answer to "which date, and why?": ("15/12 vì chưa có kinh phí")."""
    target, reason, _ = read_extension_request(
        text, deadline=deadline, today=today, calendar=calendar
    )
    return target, reason


def read_extension_request(
    text: str, *, deadline: date, today: date, calendar: WorkingCalendar
) -> tuple[date | None, str, date | None]:
    """Read the answer to "which date, and why?" as (working day, reason, date typed)."""
    parsed = parse_reply(text, today=today)
    if parsed.kind == ReplyKind.EXTENSION:
        target = extension_target(parsed, deadline=deadline, today=today, calendar=calendar)
        if target is not None:
            return target, parsed.reason or "", parsed.new_deadline
    match = DATE_RE.search(text)
    if match is None:  # "thứ 6 tuần sau vì …", "mai", "nửa tháng": read after "đến"
        wrapped = parse_reply(f"xin gia hạn đến {text}", today=today)
        target = extension_target(wrapped, deadline=deadline, today=today, calendar=calendar)
        if target is None:
            return None, "", None
        return target, wrapped.reason or "", wrapped.new_deadline
    wrapped = parse_reply(f"xin gia hạn đến {match.group(1)}", today=today)
    target = extension_target(wrapped, deadline=deadline, today=today, calendar=calendar)
    before = HOUR_BEFORE_RE.sub("", text[: match.start()])
    rest = (before + " " + HOUR_AFTER_RE.sub("", text[match.end() :])).strip()
    return target, CAUSE_RE.sub("", rest, count=1).strip(" ."), wrapped.new_deadline


def reply_to_dict(reply: ParsedReply) -> dict[str, Any]:
    """Return a reply as JSON-ready data (to keep it while the bot asks a question)."""
    return {
        "kind": str(reply.kind),
        "hint": str(reply.hint),
        "percent": reply.percent,
        "reason": reply.reason,
        "new_deadline": reply.new_deadline.isoformat() if reply.new_deadline else None,
        "extension_days": reply.extension_days,
        "extension_working_days": reply.extension_working_days,
        "extension_months": reply.extension_months,
        "evidence_number": reply.evidence_number,
        "evidence_date": reply.evidence_date.isoformat() if reply.evidence_date else None,
        "uncertain": reply.uncertain,
        "note": reply.note,
    }


def reply_from_dict(data: dict[str, Any]) -> ParsedReply:
    """Rebuild a reply kept by reply_to_dict."""
    new_deadline, evidence_date = data.get("new_deadline"), data.get("evidence_date")
    return ParsedReply(
        kind=ReplyKind(data["kind"]),
        hint=ReplyHint(data["hint"]),
        percent=data.get("percent"),
        reason=data.get("reason"),
        new_deadline=date.fromisoformat(new_deadline) if new_deadline else None,
        extension_days=data.get("extension_days"),
        extension_working_days=bool(data.get("extension_working_days")),
        extension_months=data.get("extension_months"),
        evidence_number=data.get("evidence_number"),
        evidence_date=date.fromisoformat(evidence_date) if evidence_date else None,
        uncertain=bool(data.get("uncertain")),
        note=data.get("note"),
    )


STATE_OF_KIND = {
    ReplyKind.DONE: "done",
    ReplyKind.IN_PROGRESS: "in_progress",
    ReplyKind.BLOCKED: "blocked",
}
