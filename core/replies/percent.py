"""The share of the work a reply states: "60%", "đang làm 60", "một nửa", a lone "60"."""

from __future__ import annotations

import re

from core.replies.reading import Reply, find_guarded
from core.replies.vocabulary import NOT_A_SHARE, NUA

PERCENT_RE = re.compile(
    # "60-70%" is read as its lower bound, 60.
    r"(?<![\w.,])(\d{1,3})(?:[.,]\d+)?\s*(?:[-–~]\s*\d{1,3}(?:[.,]\d+)?\s*)?"
    r"(?:[%％]|phan\s+tram\b|percent\b|pct\b)"
)
# "đang làm 60", "làm được 60": a number alone at the end, after work under way, is a share
# (two digits: "xong được 2" counts things).
# "xong 50", "hoàn thành 80": a share after a done word, as "đã xong 80%" (part of the work).
_BARE_PERCENT_RE = re.compile(
    r"\b(?:dan?g\s+(?:lam|thuc\s+hien|trien\s+khai)|(?:lam\s+)?(?:duoc|dc)|dat"
    r"|(?:xong|hoan\s?thanh)(?:\s+(?:duoc|dc))?)"
    r"\s+(?:khoang\s+)?([1-9]\d)\s*(?=$|[,;.!]|\b(?:roi|r|a|nhe|nha)\b)"
)
# "60", "60 ạ", "100": a number alone answering a reminder is the share of the work done.
LONE_NUMBER_RE = re.compile(r"^([-−]\s*)?(\d{1,6})(?:\s+(?:a|ah|nhe|nha|roi|r))*\s*[.!]*$")
# A letter O typed for a zero ("6O%", "1OO"): after a digit, before a digit, % or the end.
O_FOR_ZERO_RE = re.compile(r"(?<![\w.,])(\d{1,2})(o{1,2})(?=\d|\s*%|\s*phan\s+tram\b|\s|$|[,.;!])")
# "-5%": a share below zero (not "60-70%", whose minus joins two numbers).
NEGATIVE_PERCENT_RE = re.compile(r"(?:^|\s)[-−]\s*\d{1,3}(?:[.,]\d+)?\s*(?:%|phan\s+tram\b)")
_LEFT_RE = re.compile(r"\bcon\s+(?:lai\s+)?$")
_HALF_RE = re.compile(rf"\b(?:(?:1|mot)\s+nua|half)\b{NOT_A_SHARE}")
_APPROXIMATE_RE = re.compile(
    r"\b(?:hon|gan|khoang|tren|duoi|chua|more\s+than|over|almost|nearly|about|less\s+than"
    r"|under)\s+(?:duoc\s+)?$"
)


# "gần 100%", "khoảng 100%", "almost 100%": about all of it, which is not yet all of it.
_NEAR_RE = re.compile(
    r"(?:\b(?:gan(?:\s+nhu)?|xap\s+xi|khoang|tam|chung|duoi|almost|nearly|about|around"
    r"|approximately|roughly|close\s+to|less\s+than|under)|[~≈])\s*(?:(?:duoc|dat)\s+)?$"
)


def near_hundred(reply: Reply) -> bool:
    """Tell whether the reply says about 100 %, not 100 %: "gần 100%", "~100%"."""
    folded = reply.folded
    for match in PERCENT_RE.finditer(folded):
        if int(match.group(1)) == 100:
            return _NEAR_RE.search(folded, max(0, match.start() - 20), match.start()) is not None
    return False


def stated_percent(reply: Reply, start: int = 0, end: int | None = None) -> int | None:
    """Read the first stated percentage from 0 to 100, or "một nửa" as 50."""
    folded = reply.folded
    stop = len(folded) if end is None else end
    for match in PERCENT_RE.finditer(folded, start, stop):
        value = int(match.group(1))
        if NEGATIVE_PERCENT_RE.match(folded, max(0, match.start() - 2)):
            continue  # "-5%" is no share of the work
        if _LEFT_RE.search(folded, max(0, match.start() - 10), match.start()):
            continue  # "còn 20%" is the share left, not the share done
        if value <= 100:
            return value
    bare = _BARE_PERCENT_RE.search(folded, start, stop)
    if bare is not None:
        return int(bare.group(1))  # 10-99: a bare 100 is not taken as done
    half = _HALF_RE.search(folded, start, stop) or find_guarded(reply, NUA, start)
    if half is None or half.start() >= stop:
        return None
    # "hơn một nửa", "gần một nửa": only an exact half is worth a number.
    if _APPROXIMATE_RE.search(folded, max(0, half.start() - 30), half.start()):
        return None
    return 50


def hundred(reply: Reply, start: int = 0, end: int | None = None) -> int | None:
    """Return 100 when the span states 100 %, else None."""
    return 100 if stated_percent(reply, start, end) == 100 else None
