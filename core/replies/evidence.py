"""A document number cited as evidence of completion ("15/KH-UBND ngày 12/5/2025")."""

from __future__ import annotations

import re
from datetime import date

from core.replies.dates import DATE_RE, date_of
from core.replies.reading import Reply
from core.textnorm import fold_text

_DOC_NUMBER_RE = re.compile(r"(?<![\w/])\d{1,6}(?:/\d{4})?/([^\W\d_]\w*(?:-[^\W_]+)*)(?!\w)")
# "Thực hiện CV 4824/UBND-KGVX" or "theo QĐ …" names the assigning document, not evidence.
_DOC_CONTEXT_RE = re.compile(
    r"\b(?:theo|can\s+cu|thuc\s+hien|per|under|according\s+to|pursuant\s+to|following|re)"
    r"(?:\W+\w+){0,3}\W*$"
)
_EVIDENCE_DATE_LEAD_RE = re.compile(r"[\s,;:(]*(?:(?:ngay|dated|date|on)\b\s*:?\s*)?")


def cited_evidence(reply: Reply) -> tuple[str, date | None] | None:
    """Find a document number cited as evidence, with the date that follows it."""
    original = reply.text.original
    for match in _DOC_NUMBER_RE.finditer(original):
        code = match.group(1)
        if not (code[0].isupper() or "-" in code):
            continue  # "5/ngày" is a rate, not a document
        if not all(c.isascii() or c in "Đđ" for c in code):
            continue
        before = fold_text(original[max(0, match.start() - 60) : match.start()]).folded
        if _DOC_CONTEXT_RE.search(before):
            continue
        after = fold_text(original[match.end() : match.end() + 60]).folded
        lead = _EVIDENCE_DATE_LEAD_RE.match(after)
        found = DATE_RE.match(after, lead.end() if lead else 0)
        issued = date_of(found, reply.today, future=False) if found else None
        return match.group(), issued
    return None
