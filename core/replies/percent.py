"""The share of the work a reply states: "60%", "đang làm 60", "6 phần 10", "một nửa", a
lone "60"."""

from __future__ import annotations

import re

from core.replies.reading import Reply, find_guarded, remembered
from core.replies.vocabulary import NOT_A_SHARE, NUA
from core.textnorm import FoldedText

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
# "6 phần 10", "được 7 phần mười": tenths, as said, a share (60%, 70%).
_TENTHS_RE = re.compile(r"(?<![\w.,/])(10|[0-9])\s+phan\s+(?:10|muoi)\b(?!\s*[%/])")
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
    """Read the first stated percentage from 0 to 100, tenths ("6 phần 10": 60), or "một
    nửa" as 50."""
    return remembered(reply, ("percent", start, end), lambda: _stated(reply, start, end))


def _stated(reply: Reply, start: int, end: int | None) -> int | None:
    """Read the first stated percentage in the span (see :func:`stated_percent`)."""
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
    tenths = _TENTHS_RE.search(folded, start, stop)
    if tenths is not None:
        return 10 * int(tenths.group(1))
    half = _HALF_RE.search(folded, start, stop) or find_guarded(reply, NUA, start, stop)
    if half is None or half.start() >= stop:
        return None
    # "hơn một nửa", "gần một nửa": only an exact half is worth a number.
    if _APPROXIMATE_RE.search(folded, max(0, half.start() - 30), half.start()):
        return None
    return 50


def hundred(reply: Reply, start: int = 0, end: int | None = None) -> int | None:
    """Return 100 when the span states 100 %, else None."""
    return 100 if stated_percent(reply, start, end) == 100 else None


# A share said in words, as voice typing writes it: "sáu mươi phần trăm", "bảy lăm phần
# trăm", "mười lăm phần trăm", "một trăm phần trăm" (folded; read only before "phần trăm"),
# and a digit of tenths: "sáu phần mười" (before "phần mười").
_DIGIT = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7}
_DIGIT |= {"tam": 8, "chin": 9}
_ONES = {**_DIGIT, "lam": 5, "nham": 5, "linh": 0}
_D = "|".join(_DIGIT)
_O = "|".join(_ONES)
SPOKEN_PERCENT_RE = re.compile(
    rf"\b(?:(?P<hundred>(?:mot\s+)?tram)|(?P<tens>{_D})\s+(?:muoi|chuc)(?:\s+(?P<ones>{_O}))?"
    rf"|(?P<teen>muoi)(?:\s+(?P<teen_ones>{_O}))?|(?P<short>{_D})\s+(?P<short_ones>lam|tu)"
    rf"|(?P<unit>{_D}))(?=\s+(?:phan\s+tram|percent)\b)"
    # "sáu phần mười": tenths said in words, read as "6 phần 10" is
    rf"|\b(?P<tenth>{_D})(?=\s+phan\s+(?:muoi|10)\b)"
)


def spoken_value(match: re.Match[str]) -> int:
    """Return the number a share said in words stands for: "sau muoi" 60, "bay lam" 75."""
    if match["hundred"]:
        return 100
    if match["tens"]:
        return 10 * _DIGIT[match["tens"]] + (_ONES[match["ones"]] if match["ones"] else 0)
    if match["teen"]:
        return 10 + (_ONES[match["teen_ones"]] if match["teen_ones"] else 0)
    if match["short"]:  # "hai lăm", "bảy lăm": 25, 75 as said
        return 10 * _DIGIT[match["short"]] + _ONES[match["short_ones"]]
    return _DIGIT[match["unit"] or match["tenth"]]


def with_spoken_shares(text: FoldedText) -> FoldedText:
    """Return the folded text with each share said in words as its digits ("sau muoi phan
    tram": "60 phan tram"), each digit mapped back to the words it came from."""
    folded, offsets = text.folded, text.offsets
    pieces: list[str] = []
    mapped: list[int] = []
    at = 0
    for match in SPOKEN_PERCENT_RE.finditer(folded):
        start, end = match.span()
        digits = str(spoken_value(match))
        pieces += [folded[at:start], digits]
        mapped += offsets[at:start]
        mapped += [offsets[start]] * (len(digits) - 1) + [offsets[end - 1]]
        at = end
    if not pieces:
        return text
    pieces.append(folded[at:])
    mapped += offsets[at:]
    return FoldedText(original=text.original, folded="".join(pieces), offsets=tuple(mapped))


# "6 0%", "1 00%": a space typed inside a number before its "%" (read as "0%" alone). The
# two may be one number or two things; the official is asked, nothing recorded.
SPLIT_PERCENT_RE = re.compile(
    r"(?<![\w.,])(\d{1,2}) (\d{1,2})\s*(?:[%％]|phan\s+tram\b|percent\b)"
)


def split_percent(folded: str) -> tuple[str, int] | None:
    """Return a share typed with a space inside its number ("6 0%": "6 0", 60), or None;
    not when the two digits would make more than 100 ("đợt 2 30%")."""
    for match in SPLIT_PERCENT_RE.finditer(folded):
        joined = int(match[1] + match[2])
        if joined <= 100:
            return f"{match[1]} {match[2]}", joined
    return None
