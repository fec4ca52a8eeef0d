"""A request for more time: its keyword, target date, duration and reason."""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.replies.dates import (
    DATE_RE,
    HALF_MONTH_DAYS,
    HALF_MONTH_RE,
    MONTH_END_RE,
    RELATIVE_DAY_RE,
    WEEKDAY_RE,
    date_of,
    extension_duration,
    resolve,
    weekday_date,
)
from core.replies.percent import stated_percent
from core.replies.reading import Reply, find_cause, negated_before, quote, remembered
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.vocabulary import (
    BLOCKER_RE,
    DAY_OF_MONTH_RE,
    EXTENSION_RE,
    LACK_RE,
    REQUEST_AFTER_RE,
    REQUEST_BEFORE_RE,
    TRAILING_FILLER_RE,
)


def rule_extension(reply: Reply) -> ParsedReply | None:
    """Read a request for more time, with its target date, duration and reason."""
    keyword = find_extension(reply)
    if keyword is None:
        return None
    cause = find_cause(reply, keyword.end())
    target_end = cause.start() if cause is not None else len(reply.folded)
    reason = quote(reply, cause.end()) if cause is not None else _reason_before(reply, keyword)
    days, working, months = extension_duration(reply.folded, keyword.start(), target_end)
    if days is None and months is None and _half_month(reply, keyword.start(), target_end):
        days = HALF_MONTH_DAYS
    return ParsedReply(
        kind=ReplyKind.EXTENSION,
        hint=ReplyHint.EXTENSION,
        percent=stated_percent(reply),
        reason=reason,
        new_deadline=_extension_target(reply, keyword.end(), target_end),
        extension_days=days,
        extension_working_days=working,
        extension_months=months,
    )


def _extension_target(reply: Reply, start: int, end: int) -> date | None:
    """Read the first target date after the keyword: "đến 15/7", "hết tháng 7"."""
    folded = reply.folded
    found = [
        match
        for match in (
            DATE_RE.search(folded, start, end),
            MONTH_END_RE.search(folded, start, end),
            WEEKDAY_RE.search(folded, start, end),
            DAY_OF_MONTH_RE.search(folded, start, end),
            _relative_day(reply, start, end),
        )
        if match is not None
    ]
    if not found:
        return None
    first = min(found, key=lambda match: match.start())
    if first.re is RELATIVE_DAY_RE:
        tomorrow = first.group("mai") or first.group("tomorrow")
        return reply.today + timedelta(days=1 if tomorrow else 2)
    if first.re is MONTH_END_RE:
        month, year = int(first.group(1)), first.group(2)
        return resolve(0, month, int(year) if year else None, reply.today, future=True)
    if first.re is WEEKDAY_RE:
        return weekday_date(first, reply.today)
    if first.re is DAY_OF_MONTH_RE:  # "đến ngày 20": this month's, or the next one's
        today = reply.today
        day = resolve(int(first.group(1)), today.month, today.year, today, future=True)
        if day is not None and day <= today:
            following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
            day = resolve(int(first.group(1)), following.month, following.year, today, future=True)
        return day
    return date_of(first, reply.today, future=True)


def _relative_day(reply: Reply, start: int, end: int) -> re.Match[str] | None:
    """Find "đến mai", "sang mốt", "đến ngày kia" (not "mãi", "một") between start and end."""
    for match in RELATIVE_DAY_RE.finditer(reply.folded, start, end):
        word = next((name for name in ("mai", "mot") if match.group(name)), None)
        if word is None or reply.typed(*match.span(word)) == _TYPED[word]:
            return match
    return None


_TYPED = {"mai": "mai", "mot": "mốt"}


def _half_month(reply: Reply, start: int, end: int) -> bool:
    """Tell whether "nửa tháng" (typed so: "nữa tháng" is "a month more") stands between
    start and end."""
    return any(
        reply.typed(match.start(), match.start() + len("nua")) == "nửa"
        for match in HALF_MONTH_RE.finditer(reply.folded, start, end)
    )


def find_extension(reply: Reply) -> re.Match[str] | None:
    """Find the first extension keyword that is not negated ("không cần gia hạn").

    "thêm nửa tháng" asks for time only if "nửa" (half) was typed so, not "nữa" (more).
    """
    return remembered(reply, ("extension",), lambda: _first_extension(reply))


def _first_extension(reply: Reply) -> re.Match[str] | None:
    """Find the first extension keyword that is not negated (see :func:`find_extension`)."""
    for match in EXTENSION_RE.finditer(reply.folded):
        if negated_before(reply.folded, match.start()):
            continue
        half = re.search(r"\bnua\s+thang\b", match.group())
        at = match.start() + half.start() if half is not None else 0
        if half is not None and reply.typed(at, at + len("nua")) != "nửa":
            continue
        return match
    return None


def is_request(folded: str, keyword: re.Match[str]) -> bool:
    """Tell a request ("xin gia hạn …", "… được không ạ?") from a question about one."""
    return bool(
        REQUEST_BEFORE_RE.search(folded, 0, keyword.start())
        or REQUEST_BEFORE_RE.match(folded, keyword.start())  # "can we have 5 more days?"
        or REQUEST_AFTER_RE.search(folded, keyword.end())
    )


def _reason_before(reply: Reply, keyword: re.Match[str]) -> str | None:
    """Quote a reason given before the request: "Vì chờ ý kiến sở, xin gia hạn", or a
    blocker or a lack said first: "vướng kinh phí, xin gia hạn", "thiếu người nên xin …"."""
    start = _reason_start(reply, keyword.start())
    if start is None:
        return None
    segment = reply.folded[start : keyword.start()]
    filler = TRAILING_FILLER_RE.search(segment)
    end = start + (filler.start() if filler else len(segment))
    return quote(reply, start, end)


def _reason_start(reply: Reply, before: int) -> int | None:
    """Return where a reason given before the request starts: after its "vì", "do"; at the
    blocker named ("vướng kinh phí"); at the lack ("thiếu kinh phí", "chưa có kinh phí")."""
    cause = find_cause(reply, 0)
    if cause is not None and cause.end() < before:
        return cause.end()
    for blocker in BLOCKER_RE.finditer(reply.folded, 0, before):
        if not negated_before(reply.folded, blocker.start()):
            return blocker.start()
    lack = LACK_RE.match(reply.folded)
    return lack.end() if lack is not None and lack.end() < before else None
