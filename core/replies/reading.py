"""A reply being read: its folded text, what was typed behind it, and the spans the rules
look into (clauses, quoted reasons, promises, ambiguous words checked against the typing)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar, cast

from core.replies.dates import (
    DATE_RE,
    MONTH_END_RE,
    WEEKDAY_RE,
    date_of,
    resolve,
    weekday_date,
    weekday_week,
)
from core.replies.vocabulary import (
    ALL_COUNTED_RE,
    BY_DATE_RE,
    CAUSE_FORMS,
    CAUSE_RE,
    CLAUSE_BREAK_RE,
    CONDITION_RE,
    DAU,
    DAY_OF_MONTH_RE,
    DEADLINE_LEAD_RE,
    DOCUMENT_DATE_LEAD_RE,
    DONE_RE,
    DONE_THEN_RE,
    LAST_WEEK_RE,
    MAI,
    MONTH_THEN_DONE_RE,
    MOT,
    NEGATION_RE,
    NEGATOR_BEFORE_RE,
    NOT_SPOKEN_NO,
    PARTIAL_RE,
    PERFECT_RE,
    PERIOD_END_RE,
    PROMISE_RE,
    SE,
    SPOKEN_NEGATED_RE,
    THIS_PERIOD_RE,
    TUONG,
    Guarded,
)
from core.textnorm import FoldedText


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply being parsed: its folded form, the original behind it, and today."""

    text: FoldedText
    today: date
    # A done word read from a slip ("song r" for "xong r"): a guess, to be confirmed.
    slip: bool = False
    # What a question about a span answered: the rules ask the same ones ("does the whole
    # reply promise?" by the document rule and the promise rule), each scan done once.
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def folded(self) -> str:
        """Return the folded text."""
        return self.text.folded

    def typed(self, start: int, end: int) -> str:
        """Return what was typed for ``folded[start:end]``, lower-cased."""
        return self.text.original_span(start, end).lower()


# How far past a span's end a guarded word's pattern may look ("nửa" before "tháng" is no
# share): the scan stops there, not at the end of the reply, so a span costs its length.
_LOOKAHEAD = 40


_T = TypeVar("_T")


def remembered(reply: Reply, key: tuple[object, ...], compute: Callable[[], _T]) -> _T:
    """Return what ``compute`` answers for this reply, computed once per ``key``."""
    if key in reply.memo:
        return cast(_T, reply.memo[key])
    value = compute()
    reply.memo[key] = value
    return value


def find_guarded(
    reply: Reply, guarded: Guarded, start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """Find an ambiguous folded word, inside ``folded[start:end]``, that was typed in one of
    its accepted forms."""
    pattern, forms = guarded
    folded = reply.folded
    stop = len(folded) if end is None else end
    for match in pattern.finditer(folded, start, min(len(folded), stop + _LOOKAHEAD)):
        if match.end() > stop:
            return None
        if reply.typed(match.start(), match.end()) in forms:
            return match
    return None


def spoken_negation(reply: Reply, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """Find a done word negated as said in the south or typed in chat: "hông xong", "hok
    hoàn thành", "chả xong" (not "chị Hồng xong", a name typed with its marks)."""
    stop = len(reply.folded) if end is None else end
    for match in SPOKEN_NEGATED_RE.finditer(reply.folded, start, stop):
        if reply.typed(*match.span("no")) not in NOT_SPOKEN_NO:
            return match
    return None


def denies(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span says the work is not done: "chưa", "không xong", "hông xong",
    "có xong đâu" (a done word with "đâu" in its clause), "tưởng xong rồi" (thought so)."""
    return remembered(reply, ("denies", start, end), lambda: _denies(reply, start, end))


def _denies(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span says the work is not done (see :func:`denies`)."""
    folded = reply.folded
    if NEGATION_RE.search(folded[start:end]) or spoken_negation(reply, start, end):
        return True
    if find_guarded(reply, TUONG, start, end) is not None:
        return True
    pattern, forms = DAU
    for first, last in clauses(folded[start:end]):
        a, b = start + first, start + last
        if not DONE_RE.search(folded, a, b):
            continue
        for dau in pattern.finditer(folded, a, b):
            if reply.typed(dau.start(), dau.end()) in forms:
                return True
    return False


def negated_before(folded: str, start: int) -> bool:
    """Tell whether a negator stands within two words before ``start``."""
    return NEGATOR_BEFORE_RE.search(folded, max(0, start - 60), start) is not None


def find_cause(reply: Reply, start: int) -> re.Match[str] | None:
    """Find the first "vì", "do", "because" … at or after ``start``."""
    for match in CAUSE_RE.finditer(reply.folded, start):
        forms = CAUSE_FORMS.get(match.group())
        if forms is None or reply.typed(match.start(), match.end()) in forms:
            return match
    return None


def quote(reply: Reply, start: int, end: int | None = None) -> str | None:
    """Return the original text of a folded span, trimmed of punctuation and "ạ"."""
    text = reply.text.original_span(start, len(reply.folded) if end is None else end)
    text = text.strip(" \t\r\n:;,.-–—!…")
    # "ạ" typed as "a" too; alone ("bị vướng ạ"), it is no reason
    text = re.sub(r"(?:(?:^|\s+)[ạa])+[\s.!…]*$", "", text).rstrip(" .!…,;")
    return text or None


def has_promise(reply: Reply, start: int, end: int, *, perfect: bool = False) -> bool:
    """Tell whether the span speaks of the future: "sẽ", "mai", "tuần sau", "will" …."""
    return remembered(
        reply, ("promise", start, end, perfect), lambda: _promise(reply, start, end, perfect)
    )


def _promise(reply: Reply, start: int, end: int, perfect: bool) -> bool:
    """Tell whether the span speaks of the future (see :func:`has_promise`)."""
    if PROMISE_RE.search(reply.folded, start, end) or CONDITION_RE.search(
        reply.folded, start, end
    ):
        return True
    if not perfect and (
        BY_DATE_RE.search(reply.folded, start, end)
        or PERIOD_END_RE.search(reply.folded, start, end)
        or DONE_THEN_RE.search(reply.folded, start, end)
        or names_a_day_to_come(reply, start, end)
        or _this_period(reply, start, end)
    ):
        return True
    return any(find_guarded(reply, guarded, start, end) for guarded in (SE, MAI, MOT))


def counts_all(count: str | None) -> bool:
    """Tell whether a count is all of the items: "3/3", not "3/5" (some) or "3"."""
    part, slash, whole = (count or "").partition("/")
    return bool(slash) and part.isdecimal() and whole.isdecimal() and int(part) == int(whole)


def part_of_work(folded: str, start: int = 0, end: int | None = None) -> bool:
    """Tell whether the span reports part of the work done: "xong phần khảo sát", "hoàn
    thành 3/5 nội dung"; "hoàn thành 3/3 nội dung" is all of it."""
    stop = len(folded) if end is None else end
    return any(
        not counts_all(match.group("count")) for match in PARTIAL_RE.finditer(folded, start, stop)
    )


def names_a_day_to_come(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span names a day after today: "thứ 6", "15/12", "hết tháng 12",
    "ngày 15" (of this month), or a month not over: "tháng 12 xong".

    "Thứ 6 xong" is when the work will be done, not a report that it is; a day passed
    ("05/12 xong" on 7/12, "thứ 6 tuần trước") may be when it was.
    """
    folded, today = reply.folded, reply.today
    for match in DATE_RE.finditer(folded, start, end):
        lead = max(0, match.start() - 40), match.start()
        if DOCUMENT_DATE_LEAD_RE.search(folded, *lead) or DEADLINE_LEAD_RE.search(folded, *lead):
            continue  # a document's date, or the task's deadline copied from the reminder
        counted = ALL_COUNTED_RE.match(folded, match.start())
        if counted is not None and counts_all(counted.group(0).split()[0]):
            continue  # "xong 2/2 hồ sơ": all of them, not 2 February
        day = date_of(match, today, future=True)
        if day is not None and day > today:
            return True
    for match in DAY_OF_MONTH_RE.finditer(folded, start, end):
        day = resolve(int(match.group(1)), today.month, today.year, today, future=True)
        if day is not None and day > today:
            return True
    for match in MONTH_THEN_DONE_RE.finditer(folded, start, end):
        last = resolve(0, int(match.group(1)), None, today, future=True)
        if last is not None and last >= today:
            return True
    for match in MONTH_END_RE.finditer(folded, start, end):
        year = match.group(2)
        last = resolve(0, int(match.group(1)), int(year) if year else None, today, future=True)
        if last is not None and last > today:
            return True
    for match in WEEKDAY_RE.finditer(folded, start, end):
        week = weekday_week(match)
        if week is None and LAST_WEEK_RE.match(folded, match.end()):
            continue
        if week != "nay" or weekday_date(match, today) > today:
            return True
    return False


def _this_period(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span says the work is for this day or week: "hôm nay", "tối nay"."""
    for match in THIS_PERIOD_RE.finditer(reply.folded, start, end):
        if match.group("day"):
            continue  # "thứ 2 tuần này": that day, passed or to come
        if match.group("when") == "toi" and reply.typed(*match.span("when")) not in _TONIGHT:
            continue  # "tới nay", until now
        return True
    return False


_TONIGHT = frozenset({"tối", "toi"})


def is_perfect(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span is marked as past: "đã …", "… rồi" (not "dạ", which is yes)."""
    for match in PERFECT_RE.finditer(reply.folded, start, end):
        if reply.typed(match.start(), match.end()) not in {"dạ", "đà", "đá", "đa"}:
            return True
    return False


def clauses(folded: str) -> Iterator[tuple[int, int]]:
    """Yield the (start, end) of each clause, split at punctuation and "nhưng"/"but"."""
    start = 0
    for match in CLAUSE_BREAK_RE.finditer(folded):
        yield start, match.start()
        start = match.end()
    yield start, len(folded)
