"""A request for more time: its keyword, target date, duration and reason."""

from __future__ import annotations

import re
from datetime import date

from core.replies.dates import (
    DATE_RE,
    MONTH_END_RE,
    WEEKDAY_RE,
    date_of,
    extension_duration,
    resolve,
    weekday_date,
)
from core.replies.percent import stated_percent
from core.replies.reading import Reply, find_cause, negated_before, quote
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.vocabulary import (
    EXTENSION_RE,
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
        )
        if match is not None
    ]
    if not found:
        return None
    first = min(found, key=lambda match: match.start())
    if first.re is MONTH_END_RE:
        month, year = int(first.group(1)), first.group(2)
        return resolve(0, month, int(year) if year else None, reply.today, future=True)
    if first.re is WEEKDAY_RE:
        return weekday_date(first, reply.today)
    return date_of(first, reply.today, future=True)


def find_extension(reply: Reply) -> re.Match[str] | None:
    """Find the first extension keyword that is not negated ("không cần gia hạn")."""
    for match in EXTENSION_RE.finditer(reply.folded):
        if not negated_before(reply.folded, match.start()):
            return match
    return None


def is_request(folded: str, keyword: re.Match[str]) -> bool:
    """Tell a request ("xin gia hạn …", "… được không ạ?") from a question about one."""
    return bool(
        REQUEST_BEFORE_RE.search(folded, 0, keyword.start())
        or REQUEST_AFTER_RE.search(folded, keyword.end())
    )


def _reason_before(reply: Reply, keyword: re.Match[str]) -> str | None:
    """Quote a reason given before the request: "Vì chờ ý kiến sở, xin gia hạn"."""
    cause = find_cause(reply, 0)
    if cause is None or cause.end() >= keyword.start():
        return None
    segment = reply.folded[cause.end() : keyword.start()]
    filler = TRAILING_FILLER_RE.search(segment)
    end = cause.end() + (filler.start() if filler else len(segment))
    return quote(reply, cause.end(), end)
