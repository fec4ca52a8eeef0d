"""Words read beside the reply parser (core.replies): a reason sent after an extension asked
without one, and a report about every open task at once ("tất cả đã xong").

Kept apart from core.replies: they read a text in the light of what came before it (a request
just sent, several open tasks), which the parser of one reply does not know.
"""

from __future__ import annotations

import re

from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.telex import untelex
from core.textnorm import fold

# A reason sent after the request is a few words ("chờ kinh phí"), not a report of its own.
REASON_MAX = 300
# Words that make a text a status (or a command) of its own, whatever else it says.
STATUS_WORD_RE = re.compile(
    r"\b(?:xong|xog|hoan\s*thanh|htanh|dang\s+(?:lam|thuc\s+hien|trien\s+khai)|da\s+lam"
    r"|vuong(?:\s+mac)?|gia\s+han|tien\s+do|done|finished|completed?|in\s+progress|blocked"
    r"|extension|huy|cancel)\b"
)
# Not a reason: a thank-you, a question, a face, a text with nothing to read.
NOT_REASON_HINTS = frozenset(
    {ReplyHint.EMPTY, ReplyHint.ACKNOWLEDGEMENT, ReplyHint.QUESTION, ReplyHint.CORRECTION}
)
_COUNT_WORDS = {"hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_ITEMS = r"(?:viec|nhiem\s+vu|nv|noi\s+dung|cong\s+viec|task|tasks)"
# "tất cả", "toàn bộ", "cả 2 việc", "cả hai nhiệm vụ", "các việc", "xong hết các việc", "all".
ALL_RE = re.compile(
    rf"\b(?:tat\s+ca|toan\s+bo|ca\s+(?P<count>\d+|{'|'.join(_COUNT_WORDS)})\s+{_ITEMS}"
    rf"|(?:het\s+)?(?:ca\s+)?cac\s+{_ITEMS}|all|both|every(?:thing)?)\b"
)


# "xong hết rồi", "xong cả rồi", "đã hoàn thành hết": a done word, then "hết"/"cả" ending
# the report (a particle aside). Not "xong hết phần khảo sát", nor "xong cả báo cáo".
ALL_DONE_RE = re.compile(
    r"\b(?:xong|hoan\s?thanh|hoan\s+tat|done)\s+(?:het|ca)(?:\s+(?:ca|het))?"
    r"(?:\s+(?:roi|r|a|ah|ak|nhe|nha|em|anh|chi|sep|oi)\b)*\W*$"
)


def reads_as_reason(text: str, reply: ParsedReply) -> bool:
    """Tell whether a text sent after an extension asked without a reason reads as that
    reason: a few words, no number, no status word ("chờ kinh phí", "thiếu nhân lực").

    "xong", "đang làm 50%", "#12 …", "vướng: …", "cảm ơn" are what they say, not a reason.
    """
    if len(text) > REASON_MAX or any(c.isdigit() for c in text):
        return False
    if reply.kind in (ReplyKind.DONE, ReplyKind.EXTENSION) or reply.percent is not None:
        return False
    if reply.hint in NOT_REASON_HINTS:
        return False
    words = fold(untelex(text))
    return re.search(r"[a-z]", words) is not None and STATUS_WORD_RE.search(words) is None


def says_all(text: str) -> int | None:
    """Return how many tasks a report says it is about when it says "all of them": the count
    named ("cả 2 việc đã xong": 2), 0 when none is ("tất cả đã hoàn thành", "xong hết rồi");
    None when it does not say all."""
    folded = fold(untelex(text))  # "xong heets rooif": "xong hết rồi"
    found = ALL_RE.search(folded)
    if found is None:
        return 0 if ALL_DONE_RE.search(folded) else None
    count = found.group("count")
    if count is None:
        return 0
    return int(count) if count.isdigit() else _COUNT_WORDS[count]
