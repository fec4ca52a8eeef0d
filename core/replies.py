"""Read an official's free-text answer to a task reminder as a status report.

Replies come in Vietnamese with or without diacritics, in capitals, with emoji or in
English. Matching runs on folded text (:mod:`core.textnorm`) with word boundaries, and a
few words whose folded form is ambiguous ("dang" is both "đang" and "đăng") are checked
against what was typed. Reasons and document numbers are quoted from the original.

Rules run in this order and the first that decides wins:

1. empty: nothing but spaces and punctuation;
2. question: "?", a question word, or "… xong chưa"; but "xin gia hạn … được không ạ?"
   is a polite request, not a question, so a request for an extension skips this rule;
3. number alone: "60" is in progress at 60%, "100" done (to confirm), below 0 or over 100
   refused (UNCLEAR, hint PERCENT), as is a stated share out of range ("150%", "-5%")
   once blocked found nothing; a letter O typed for a zero ("6O%") is read as a zero;
4. extension: "gia hạn", "lùi hạn", "thêm 1 tuần" …, with a target date or a duration;
5. blocked: "vướng", "khó khăn", "blocked" …, or "chưa xong vì …";
6. progress: "đang …", a percentage under 100, partial work ("xong phần khảo sát");
6. correction (before progress): the reply takes itself back ("xong rồi, à nhầm", "đã
   xong nhưng nhầm", "done, sorry wrong task"): UNCLEAR, whatever else it says;
7. negation: any "chưa", or "không"/"not" shortly before a done word;
8. document: a document number ("15/KH-UBND") cited as evidence;
9. done: a clause with a done word and no promise in it, or "HT" alone (to confirm);
10. promise ("sẽ", "mai", "tuần sau" …), then acknowledgement ("ok", "👍" …).

Negation comes after extension and blocked because their reasons usually contain
"chưa" ("vì chưa có hướng dẫn"); it still comes before anything that can say DONE, so a
reply with "chưa" is never read as done. Correction sits there too, for the same reasons
("vướng: số liệu bị nhầm" is a blocker with its reason). Anything else is UNCLEAR and
``hint`` tells the bot which question to ask. Nothing here is user-facing prose.

A status the rules guessed is ``uncertain`` (to be confirmed by the official, not recorded
as is), with the whole reply kept as ``note``, when the reply

- is long: more than MAX_CERTAIN_SENTENCES sentences or MAX_CERTAIN_WORDS words (a progress
  narrative mentions finished steps without the task being finished);
- mixes signals: blocked or an extension request, next to a clause that says done;
- reads as done only from a past-tense verb ("đã gửi báo cáo", "đã tổ chức …"), with no done
  word ("xong", "hoàn thành"), no 100 % and no cited document.

Short clear replies ("xong", "đang làm 60%", "vướng: thiếu kinh phí") stay certain, and an
UNCLEAR result is never uncertain (it records nothing anyway).
"""

from __future__ import annotations

import calendar
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from core.textnorm import FoldedText, fold_text

__all__ = [
    "MAX_CERTAIN_SENTENCES",
    "MAX_CERTAIN_WORDS",
    "MAX_SCAN_CHARS",
    "RECENT_PAST_DAYS",
    "ParsedReply",
    "ReplyHint",
    "ReplyKind",
    "parse_reply",
]

# A status reply is a line or two; Zalo caps messages at 2000 characters. Scanning no
# more keeps a pasted document (or an attack) from costing more than a short reply.
MAX_SCAN_CHARS = 2000
# Beyond this a reply is a narrative: its status is guessed, never certain.
MAX_CERTAIN_SENTENCES = 2
MAX_CERTAIN_WORDS = 40
# A target date without a year passed by no more than this is a slip, not next year's.
RECENT_PAST_DAYS = 60


class ReplyKind(StrEnum):
    """What a reply says about the task; the values are stable storage and catalog keys."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    EXTENSION = "extension"
    UNCLEAR = "unclear"


class ReplyHint(StrEnum):
    """Which rule decided; for UNCLEAR, why, so the bot can pick its follow-up question."""

    EMPTY = "empty"
    QUESTION = "question"
    NEGATION = "negation"
    CORRECTION = "correction"  # UNCLEAR: the reply takes itself back ("xong rồi, à nhầm")
    PROMISE = "promise"
    ACKNOWLEDGEMENT = "acknowledgement"
    UNRECOGNISED = "unrecognised"
    EXTENSION = "extension"
    BLOCKED = "blocked"
    PROGRESS = "progress"
    PARTIAL = "partial"
    DOCUMENT = "document"
    DONE = "done"
    PERCENT = "percent"  # UNCLEAR: a share below 0 or above 100 ("101", "150%", "-5%")


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """A reply read as a status, with the details it gave; UNCLEAR carries no details."""

    kind: ReplyKind
    hint: ReplyHint
    percent: int | None = None  # 0-100, as stated
    reason: str | None = None  # blocker or extension reason, as typed
    new_deadline: date | None = None  # extension target date
    extension_days: int | None = None  # extension length when given as a duration
    extension_working_days: bool = False  # extension_days counts working days
    evidence_number: str | None = None  # document number, e.g. "15/KH-UBND"
    evidence_date: date | None = None  # that document's date
    # The status is a guess to confirm with the official before recording it; the whole
    # reply (NFC, trimmed) is then kept as the note. Never set on UNCLEAR.
    uncertain: bool = False
    note: str | None = None


# --- Lexicon, on folded text -------------------------------------------------------------

_DONE_WORD = r"(?:x+o+n*g+|hoan\s?thanh|hoan\s+tat|done|finished|completed|complete|accomplished)"
# Verbs that report completion only in the perfective: "đã gửi", "gửi rồi".
_VERB = (
    r"(?:ban\s+hanh|gui|nop|bao\s+cao|ky|phe\s+duyet|thanh\s+lap|to\s+chuc|thuc\s+hien"
    r"|cap\s+nhat|kien\s+toan|xu\s+ly|khac\s+phuc|chuyen)"
)
_ENGLISH_PAST = r"(?:submitted|sent|issued|signed|approved|delivered|reported)"
_NEGATOR = r"(?:khong|ko|kg|khg|k|chang|chua|not|never|cannot|unable\s+to|\w+n['’]t)"
_CAUSE = (
    r"(?:boi\s+vi|tai\s+vi|ly\s+do|li\s+do|nguyen\s+nhan|because(?:\s+of)?|due\s+to|since"
    r"|vi|do|boi)"
)
_PARTICLE = r"(?:a|ah|ak|nhi|vay|the|ha|nhe|nha|em|anh|chi|ban|oi|sep)"
_DURATION = (
    # "thứ 6 tuần sau" is a Friday, not six weeks.
    r"(?<!thu )(?:(?<![\d.,])(?P<digits>\d{1,3})\s*"
    r"|(?P<word>mot|hai|ba|bon|bay|tam|chin|muoi|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+)(?:(?P<work_en>working|business)\s+)?"
    r"(?P<unit>ngay|tuan|days?|weeks?)\b(?P<work_vi>\s+lam\s+viec)?"
)
_DURATION_ANON = re.sub(r"\?P<\w+>", "?:", _DURATION)
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_DONE_RE = re.compile(rf"\b{_DONE_WORD}\b")
_PERFECTIVE_RE = re.compile(
    rf"\bda\s+(?:(?:duoc|chinh\s+thuc)\s+)?{_VERB}\b|\b{_VERB}\b(?:\s+\w+){{0,3}}\s+(?:roi|rui)\b"
    rf"|\b{_ENGLISH_PAST}\b"
)
_QUESTION_RE = re.compile(
    r"[?？]|\b(?:the\s+nao|nhu\s+nao|lam\s+sao|bao\s+gio|khi\s+nao|la\s+gi|o\s+dau"
    r"|phai\s+khong|dung\s+khong|duoc\s+khong|hay\s+khong|co\s+phai|thi\s+sao)\b"
    r"|^(?:is|are|did|does|what|when|where|why|how|which|who)\b(?!['’])"
)
# "xong chưa", "đã gửi báo cáo chưa ạ": a done word, then "chưa"/"không" ends the reply.
_TRAILING_QUESTION_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB})\b[^,.;!\n]*\b(?:chua|khong|ko|k)(?:\s+{_PARTICLE})*\W*$"
)
_EXTENSION_RE = re.compile(
    r"\b(?:gia\s+han|(?:lui|doi|gian)\s+(?:thoi\s+)?han|gian\s+tien\s+do"
    r"|keo\s+dai\s+thoi\s+(?:han|gian)|them\s+thoi\s+gian|xin\s+(?:lui|doi)"
    r"|extension|extend(?:ed|ing)?|postpone|more\s+time|extra\s+time)\b"
    # "xin thêm 5 ngày" asks for time; "thêm 3 ngày nữa (là xong)" only estimates it.
    rf"|\b(?:xin|can|cho|extra|more|another)\s+(?:them\s+)?{_DURATION_ANON}"
    rf"|\bthem\s+{_DURATION_ANON}(?!\s+nua\b)"
)
_REQUEST_BEFORE_RE = re.compile(
    r"\b(?:xin|de\s+nghi|kien\s+nghi|mong|cho\s+phep|cho\s+em|request(?:ing)?|could|can|may"
    r"|need|please)\b"
)
_REQUEST_AFTER_RE = re.compile(r"\bduoc\s+(?:khong|ko|k)\b")
_DURATION_RE = re.compile(rf"\b{_DURATION}")
_MONTH_END_RE = re.compile(r"\b(?:het|cuoi)\s+thang\s+(\d{1,2})(?:\s*[/-]\s*(\d{4}))?\b")
_DATE_RE = re.compile(
    # "15.12" needs a year, but not after "đến"/"ngày": "thêm 1.5 tuần" is no date.
    r"(?:(?<=den )|(?<=toi )|(?<=ngay ))(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})(?![\d.])"
    r"|(?<![\d/.-])(?P<d1>\d{1,2})(?P<sep>[/-])(?P<m1>\d{1,2})(?:(?P=sep)(?P<y1>\d{4}|\d{2}))?"
    r"(?![\d/-])"
    r"|(?<![\d.])(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4})(?!\d)"
    r"|\b(?P<d3>\d{1,2})\s+thang\s+(?P<m3>\d{1,2})(?:\s+nam\s+(?P<y3>\d{4}))?\b"
)
# "đến thứ 6 tuần sau", "thứ hai tuần tới", "chủ nhật": a weekday as a target date.
_WEEKDAY_RE = re.compile(
    r"\b(?:thu\s*(?P<day>[2-7]|hai|ba|tu|nam|sau|bay)|(?P<sunday>chu\s+nhat|cn))\b"
    r"(?:\s+tuan\s+(?P<week>sau|toi|nay)\b)?"
)
_WEEKDAYS = {"2": 0, "3": 1, "4": 2, "5": 3, "6": 4, "7": 5}
_WEEKDAYS |= {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_CAUSE_RE = re.compile(rf"\b{_CAUSE}\b")
_BLOCKER_WORD = (
    r"(?:vuong\s+mac|vuong|kho\s+khan|tro\s+ngai|ach\s+tac|bi\s+ket|gap\s+van\s+de"
    r"|blocked|blockers?|blocking|stuck|obstacles?|impediments?)"
)
_BLOCKER_RE = re.compile(rf"\b{_BLOCKER_WORD}(?:\s*[,/&]?\s*(?:va\s+|and\s+)?{_BLOCKER_WORD})*\b")
# "thiếu kinh phí" alone, or "do thiếu người": a lack, which is the blocker and its reason.
_LACK_RE = re.compile(r"^(?:(?:do|vi|con|van|dang|bi)\s+)*(?=thieu\s+\w)")
_LONE_VUONG_RE = re.compile(r"vuong\b(?!\s+mac)")
_NEGATED_DONE_RE = re.compile(
    rf"\b(?:chua|khong|ko|kg|k)\s+(?:(?:the|kip)\s+)?(?:{_DONE_WORD}|{_VERB}|kip)\b"
)
_LEAD_FILLER_RE = re.compile(
    r"(?:[\s:;,.\-–—=>]+|\b(?:do|vi|ve|la|boi(?:\s+vi)?|tai\s+vi|ly\s+do|li\s+do|nhu\s+sau"
    r"|because(?:\s+of)?|due\s+to|by|on|with|of)\b)*"
)
_TRAILING_FILLER_RE = re.compile(
    r"(?:[\s,.;:!\-–—]|\b(?:nen|vi\s+vay|do\s+do|xin|kinh|de\s+nghi|kien\s+nghi|chung|em|toi"
    r"|don\s+vi|we|i|request|would\s+like\s+to|ask\s+for|need|an?)\b)+$"
)
_PERCENT_RE = re.compile(
    # "60-70%" is read as its lower bound, 60.
    r"(?<![\w.,])(\d{1,3})(?:[.,]\d+)?\s*(?:[-–~]\s*\d{1,3}(?:[.,]\d+)?\s*)?"
    r"(?:[%％]|phan\s+tram\b|percent\b|pct\b)"
)
# "đang làm 60", "làm được 60": a number alone at the end, after work under way, is a share
# (two digits: "xong được 2" counts things).
_BARE_PERCENT_RE = re.compile(
    r"\b(?:dan?g\s+(?:lam|thuc\s+hien|trien\s+khai)|(?:lam\s+)?(?:duoc|dc)|dat)"
    r"\s+(?:khoang\s+)?([1-9]\d)\s*(?=$|[,;.!]|\b(?:roi|r|a|nhe|nha)\b)"
)
# "60", "60 ạ", "100": a number alone answering a reminder is the share of the work done.
_LONE_NUMBER_RE = re.compile(r"^([-−]\s*)?(\d{1,6})(?:\s+(?:a|ah|nhe|nha|roi|r))*\s*[.!]*$")
# A letter O typed for a zero ("6O%", "1OO"): after a digit, before a digit, % or the end.
_O_FOR_ZERO_RE = re.compile(
    r"(?<![\w.,])(\d{1,2})(o{1,2})(?=\d|\s*%|\s*phan\s+tram\b|\s|$|[,.;!])"
)
# "-5%": a share below zero (not "60-70%", whose minus joins two numbers).
_NEGATIVE_PERCENT_RE = re.compile(r"(?:^|\s)[-−]\s*\d{1,3}(?:[.,]\d+)?\s*(?:%|phan\s+tram\b)")
# "nửa tháng" is a duration, not a share of the work.
_NOT_A_SHARE = r"(?!\s+(?:thang|tuan|ngay|nam|gio|buoi|months?|weeks?|days?|years?|hours?)\b)"
_HALF_RE = re.compile(rf"\b(?:(?:1|mot)\s+nua|half)\b{_NOT_A_SHARE}")
_APPROXIMATE_RE = re.compile(
    r"\b(?:hon|gan|khoang|tren|duoi|chua|more\s+than|over|almost|nearly|about|less\s+than"
    r"|under)\s+(?:duoc\s+)?$"
)
_PROGRESS_RE = re.compile(
    r"\b(?:tiep\s+tuc|in\s+progress|ongoing|on\s*going|underway|working\s+on|wip"
    r"|du\s+thao|ban\s+nhap|drafts?|drafting|trinh\s+ky|to\s+trinh|da\s+trinh"
    r"|(?:xin|lay|cho)\s+y\s+kien|gop\s+y|cho\s+(?:ky|phe\s+duyet|duyet)"
    rf"|(?:sap|gan)\s+(?:xong|hoan\s?thanh)|almost|nearly|mot\s+phan|1\s+phan|partial(?:ly)?"
    rf"|part\s+of|co\s+ban\s+(?:da\s+)?{_DONE_WORD})\b"
    rf"|\b(?:(?:mot|1)\s+nua|half)\b{_NOT_A_SHARE}"
)
_PARTIAL_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB})\s+(?:(?:duoc|xong)\s+)?(?:[\d/]+\s+)?"
    r"(?:phan(?!\s+viec)|buoc|giai\s+doan|dot|hang\s+muc|noi\s+dung)\b"
)
_NEGATION_RE = re.compile(
    rf"\bchua\b|\bnot\s+yet\b|\b{_NEGATOR}\W+(?:\w+\W+){{0,2}}?(?:{_DONE_WORD}|{_VERB}|kip"
    rf"|the|duoc|dc|lam|finish|{_ENGLISH_PAST})\b|^(?:cht\W*$|khong|ko|k|kg|no|nope|nah)(?:\W+{_PARTICLE})*\W*$"
)
_NEGATOR_BEFORE_RE = re.compile(rf"\b(?:{_NEGATOR}|no|without|none)(?:\W+\w+){{0,2}}\W*$")
_DOC_NUMBER_RE = re.compile(r"(?<![\w/])\d{1,6}(?:/\d{4})?/([^\W\d_]\w*(?:-[^\W_]+)*)(?!\w)")
# "Thực hiện CV 4824/UBND-KGVX" or "theo QĐ …" names the assigning document, not evidence.
_DOC_CONTEXT_RE = re.compile(
    r"\b(?:theo|can\s+cu|thuc\s+hien|per|under|according\s+to|pursuant\s+to|following|re)"
    r"(?:\W+\w+){0,3}\W*$"
)
_EVIDENCE_DATE_LEAD_RE = re.compile(r"[\s,;:(]*(?:(?:ngay|dated|date|on)\b\s*:?\s*)?")
_PROMISE_RE = re.compile(
    r"\b(?:ngay\s+mai|sang\s+mai|chieu\s+mai|toi\s+nay|chieu\s+nay|tuan\s+(?:sau|toi)"
    r"|thang\s+(?:sau|toi)|cuoi\s+tuan|trong\s+tuan|du\s+kien|phan\s+dau|co\s+gang"
    r"|(?:\d+|vai|mot|hai|ba)\s+(?:ngay|tuan|thang|hom|buoi)\s+(?:nua|toi)|in\s+\d+\s+days?"
    r"|will|tomorrow|next\s+week|going\s+to|gonna|soon"
    r"|later)\b"
)
# "trước 15/7" is a promise in "hoàn thành trước 15/7", a fact in "đã hoàn thành trước 15/7".
_BY_DATE_RE = re.compile(r"\btruoc\s+(?:ngay\s+)?\d{1,2}[/-]\d")
_PERFECT_RE = re.compile(r"\b(?:da|roi|rui)\b")
_ACK_RE = re.compile(
    r"\b(?:ok(?:e|ie|ay|ela|i)?|vang|nhan(?:\s+duoc)?|ro|noted|note|received|got\s+it"
    r"|roger|thanks?|thank\s+you|tks|thx|cam\s+on|yes|yep|u|uh|uhm|copy)\b"
    # A tick alone is not here: it may mean done or seen, so the bot asks (UNRECOGNISED).
    "|[\U0001f44d\U0001f44c\U0001f64f\U0001f197\u261d]"
)
# "HT", "đã HT rồi": the abbreviation of "hoàn thành" in officials' tables, alone.
# "Rồi ạ", "dạ rồi", "xg": "done" to a reminder, most likely, but thin: confirmed too.
_ABBREVIATED_DONE_RE = re.compile(
    r"^(?:da\s+)?(?:ht|xg|roi|rui)(?:\s+(?:roi|r|a|nhe|nha|sep|em|anh|chi))*\W*$"
)
_CLAUSE_BREAK_RE = re.compile(r"[,;!\n]|\.(?!\d)|\b(?:nhung|but)\b")
_SENTENCE_BREAK_RE = re.compile(r"[.!?？…]+(?=\s|$)|\n")
_WORD_RE = re.compile(r"\w+")

# Folded words that are also other words: accepted only when typed as one of these.
_DANG = (re.compile(r"\bdan?g\b"), frozenset({"đang", "dang", "đag", "dag"}))  # not "đăng"
_CHO = (re.compile(r"\bcho\b"), frozenset({"chờ"}))  # "cho" is "give"
_SE = (re.compile(r"\bse\b"), frozenset({"sẽ", "se", "sẻ"}))  # "sẻ" is a common typo
_MAI = (re.compile(r"\bmai\b"), frozenset({"mai"}))  # not "mãi", "mái"
_NUA = (re.compile(rf"\bnua\b{_NOT_A_SHARE}"), frozenset({"nửa"}))  # not "nữa" (more)
_DA = (re.compile(r"\bda\b"), frozenset({"dạ", "da"}))  # "dạ" is yes; not "đã"
_CAUSE_FORMS = {"vi": frozenset({"vì", "vi"}), "do": frozenset({"do"})}  # not "vị", "đó"

# A reply taking itself back: "nhầm" typed so (not "nhằm", in order to; "nham" without
# diacritics is taken as "nhầm"), "lộn" typed so (not "lớn", "lợn"; not "lộn xộn").
_NHAM = (re.compile(r"\bnham\b"), frozenset({"nhầm", "nham"}))
_LON = (re.compile(r"\blon\b(?!\s+xon)"), frozenset({"lộn"}))
_CORRECTION_RE = re.compile(
    r"\b(?:(?:gui|bao|go|nhan|chon|bam)\s+sai|sai\s+roi|bo\s+qua\s+tin|huy\s+tin"
    r"|(?:my|by|a)\s+mistake|mistaken|wrong\s+(?:task|one|message|chat|unit|item)"
    r"|ignore\s+(?:that|this|it|the\s+(?:above|previous|last)|my\s+(?:last|previous))"
    r"|disregard|w?oops)\b"
    r"|\b(?:khong|ko|k|kg)\s+phai\s*(?:[.,;!)]|$)"  # "không phải" ending a clause
)
_Guarded = tuple[re.Pattern[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Reply:
    """A reply being parsed: its folded form, the original behind it, and today."""

    text: FoldedText
    today: date

    @property
    def folded(self) -> str:
        """Return the folded text."""
        return self.text.folded

    def typed(self, start: int, end: int) -> str:
        """Return what was typed for ``folded[start:end]``, lower-cased."""
        return self.text.original_span(start, end).lower()


# --- Public entry point ------------------------------------------------------------------


def parse_reply(text: str, *, today: date) -> ParsedReply:
    """Read a free-text reply to a task reminder; never raises on any string."""
    # Cut before NFC too: NFC of a huge string is cheap but not free.
    head = unicodedata.normalize("NFC", text[: MAX_SCAN_CHARS * 2])[:MAX_SCAN_CHARS]
    folded = fold_text(head)
    zeros = _O_FOR_ZERO_RE.sub(lambda m: m.group(1) + "0" * len(m.group(2)), folded.folded)
    reply = _Reply(text=replace(folded, folded=zeros), today=today)  # same length: offsets hold
    for rule in _RULES:
        parsed = rule(reply)
        if parsed is not None:
            return _weigh(reply, parsed, text)
    return _unclear(ReplyHint.UNRECOGNISED)


def _weigh(reply: _Reply, parsed: ParsedReply, text: str) -> ParsedReply:
    """Mark a guessed status uncertain (long, mixed, done from a verb) and keep the note.

    The note is the whole reply, beyond the scan limit too: it is what the official wrote.
    """
    if parsed.kind is ReplyKind.UNCLEAR:
        return parsed
    mixed = parsed.kind in (ReplyKind.BLOCKED, ReplyKind.EXTENSION) and _claims_done(reply)
    if not (parsed.uncertain or mixed or _is_long(reply.text.original)):
        return parsed
    return replace(parsed, uncertain=True, note=unicodedata.normalize("NFC", text).strip())


def _is_long(text: str) -> bool:
    """Tell a narrative from a status reply: several sentences or many words."""
    sentences = sum(1 for part in _SENTENCE_BREAK_RE.split(text) if any(c.isalpha() for c in part))
    if sentences > MAX_CERTAIN_SENTENCES:
        return True
    words = _WORD_RE.finditer(text)
    return next(itertools.islice(words, MAX_CERTAIN_WORDS, None), None) is not None


# --- Rules, in order ---------------------------------------------------------------------


def _rule_empty(reply: _Reply) -> ParsedReply | None:
    """Call a reply with no letters, digits, symbols or question mark empty."""
    if any(c.isalnum() or c in "?？" or unicodedata.category(c)[0] == "S" for c in reply.folded):
        return None
    return _unclear(ReplyHint.EMPTY)


def _rule_question(reply: _Reply) -> ParsedReply | None:
    """Call a question a question, unless it is a polite extension request."""
    folded = reply.folded
    extension = _find_extension(reply)
    if extension is not None and _is_request(folded, extension):
        return None
    # Only the end of the reply can hold "… xong chưa"; looking there keeps this linear.
    if _QUESTION_RE.search(folded) or _TRAILING_QUESTION_RE.search(folded[-160:]):
        return _unclear(ReplyHint.QUESTION)
    return None


def _rule_lone_number(reply: _Reply) -> ParsedReply | None:
    """Read a number alone as the share done: 10-99 in progress, 100 done (asked), else out."""
    found = _LONE_NUMBER_RE.match(reply.folded)
    if found is None:
        return None
    value = int(found.group(2))
    if found.group(1) or value > 100:
        return _unclear(ReplyHint.PERCENT)
    if value == 100:  # "100" alone: likely done, but a bare number is confirmed first
        return ParsedReply(kind=ReplyKind.DONE, hint=ReplyHint.DONE, percent=100, uncertain=True)
    if value < 10:  # "1", "5": a choice's number or a count, not a share
        return None
    return ParsedReply(kind=ReplyKind.IN_PROGRESS, hint=ReplyHint.PROGRESS, percent=value)


def _rule_bad_percent(reply: _Reply) -> ParsedReply | None:
    """Refuse a share stated below 0 or above 100 ("đang làm 150%", "-5%") rather than drop it."""
    if _percent(reply) is not None:
        return None
    folded = reply.folded
    over = any(int(m.group(1)) > 100 for m in _PERCENT_RE.finditer(folded))
    if over or _NEGATIVE_PERCENT_RE.search(folded):
        return _unclear(ReplyHint.PERCENT)
    return None


def _rule_extension(reply: _Reply) -> ParsedReply | None:
    """Read a request for more time, with its target date, duration and reason."""
    keyword = _find_extension(reply)
    if keyword is None:
        return None
    cause = _find_cause(reply, keyword.end())
    target_end = cause.start() if cause is not None else len(reply.folded)
    reason = _quote(reply, cause.end()) if cause is not None else _reason_before(reply, keyword)
    days, working = _extension_duration(reply.folded, keyword.start(), target_end)
    return ParsedReply(
        kind=ReplyKind.EXTENSION,
        hint=ReplyHint.EXTENSION,
        percent=_percent(reply),
        reason=reason,
        new_deadline=_extension_target(reply, keyword.end(), target_end),
        extension_days=days,
        extension_working_days=working,
    )


def _rule_blocked(reply: _Reply) -> ParsedReply | None:
    """Read a blocker ("vướng: thiếu kinh phí") or "not done because …" with its reason."""
    folded = reply.folded
    for match in _BLOCKER_RE.finditer(folded):
        if _negated(folded, match.start()) or not _typed_as_blocker(reply, match):
            continue
        start = _LEAD_FILLER_RE.match(folded, match.end())
        reason = _quote(reply, start.end() if start else match.end())
        return _blocked(reply, reason)
    lack = _LACK_RE.match(folded)
    if lack is not None:
        return _blocked(reply, _quote(reply, lack.end()))
    negated = _NEGATED_DONE_RE.search(folded)
    cause = _find_cause(reply, negated.end()) if negated else None
    if cause is None:
        return None
    return _blocked(reply, _quote(reply, cause.end()))


def _rule_progress(reply: _Reply) -> ParsedReply | None:
    """Read work under way: "đang …", a percentage under 100, or part of the work done."""
    folded = reply.folded
    percent = _percent(reply)
    partial = _PARTIAL_RE.search(folded)
    ongoing = (
        _PROGRESS_RE.search(folded)
        or _find_guarded(reply, _DANG)
        or _find_guarded(reply, _CHO)
        or _find_guarded(reply, _NUA)
    )
    if not (partial or ongoing or (percent is not None and percent < 100)):
        return None
    # Part of the work reported done ("đã xong 80%", "xong phần khảo sát") is partial.
    done_said = partial or _DONE_RE.search(folded) or _PERFECTIVE_RE.search(folded)
    hint = ReplyHint.PARTIAL if done_said else ReplyHint.PROGRESS
    return ParsedReply(kind=ReplyKind.IN_PROGRESS, hint=hint, percent=percent)


def _rule_correction(reply: _Reply) -> ParsedReply | None:
    """Refuse any status for a reply that takes itself back: "xong rồi, à nhầm"."""
    if (
        _CORRECTION_RE.search(reply.folded)
        or _find_guarded(reply, _NHAM)
        or _find_guarded(reply, _LON)
    ):
        return _unclear(ReplyHint.CORRECTION)
    return None


def _rule_negation(reply: _Reply) -> ParsedReply | None:
    """Refuse DONE for "chưa …", "không kịp", "not done yet" and the like."""
    if _NEGATION_RE.search(reply.folded):
        return _unclear(ReplyHint.NEGATION)
    return None


def _rule_document(reply: _Reply) -> ParsedReply | None:
    """Read a cited document number, outside any promise, as evidence of completion."""
    if _has_promise(reply, 0, len(reply.folded)):
        return None
    evidence = _evidence(reply)
    if evidence is None:
        return None
    number, issued = evidence
    return ParsedReply(
        kind=ReplyKind.DONE,
        hint=ReplyHint.DOCUMENT,
        percent=_hundred(reply),
        evidence_number=number,
        evidence_date=issued,
    )


def _rule_done(reply: _Reply) -> ParsedReply | None:
    """Read DONE when some clause says done and promises nothing ("mai xong" is not done)."""
    folded = reply.folded
    for start, end in _clauses(folded):
        said = (
            _DONE_RE.search(folded, start, end)
            or _PERFECTIVE_RE.search(folded, start, end)
            or _hundred(reply, start, end) is not None
        )
        if said and not _has_promise(reply, start, end, perfect=_is_perfect(reply, start, end)):
            number, issued = _evidence(reply) or (None, None)
            return ParsedReply(
                kind=ReplyKind.DONE,
                hint=ReplyHint.DONE,
                percent=_hundred(reply),
                evidence_number=number,
                evidence_date=issued,
                # "Đã gửi báo cáo" may be one step of the task: only a verb says done.
                uncertain=not (_done_word_in(reply, start, end) or number is not None),
            )
    return None


def _rule_abbreviation(reply: _Reply) -> ParsedReply | None:
    """Read "HT", "xg", "rồi ạ" alone as done, to confirm: short, and not only for done."""
    if _ABBREVIATED_DONE_RE.match(reply.folded):
        return ParsedReply(kind=ReplyKind.DONE, hint=ReplyHint.DONE, uncertain=True)
    return None


def _rule_promise(reply: _Reply) -> ParsedReply | None:
    """Call a promise ("sẽ hoàn thành trước 15/7", "mai xong") unclear: it is not done."""
    if _has_promise(reply, 0, len(reply.folded)):
        return _unclear(ReplyHint.PROMISE)
    return None


def _rule_acknowledgement(reply: _Reply) -> ParsedReply | None:
    """Call "ok", "vâng ạ", "đã nhận", "👍" an acknowledgement, which reports nothing."""
    if _ACK_RE.search(reply.folded) or _find_guarded(reply, _DA):
        return _unclear(ReplyHint.ACKNOWLEDGEMENT)
    return None


_RULES: tuple[Callable[[_Reply], ParsedReply | None], ...] = (
    _rule_empty,
    _rule_question,
    _rule_lone_number,
    _rule_extension,
    _rule_blocked,
    _rule_bad_percent,
    _rule_correction,
    _rule_progress,
    _rule_negation,
    _rule_document,
    _rule_done,
    _rule_abbreviation,
    _rule_promise,
    _rule_acknowledgement,
)


# --- Helpers -----------------------------------------------------------------------------


def _done_word_in(reply: _Reply, start: int, end: int) -> bool:
    """Tell whether the span says done with a done word or 100 %, not only with a verb."""
    return bool(_DONE_RE.search(reply.folded, start, end)) or _hundred(reply, start, end) == 100


def _claims_done(reply: _Reply) -> bool:
    """Tell whether some clause reports the work done (not negated, promised or partial)."""
    folded = reply.folded
    for start, end in _clauses(folded):
        said = _DONE_RE.search(folded, start, end) or _PERFECTIVE_RE.search(folded, start, end)
        if (
            not said
            or _NEGATION_RE.search(folded[start:end])
            or _PARTIAL_RE.search(folded, start, end)
        ):
            continue
        percent = _percent(reply, start, end)
        if percent is not None and percent < 100:
            continue
        if not _has_promise(reply, start, end, perfect=_is_perfect(reply, start, end)):
            return True
    return False


def _unclear(hint: ReplyHint) -> ParsedReply:
    """Return an UNCLEAR result for the given reason."""
    return ParsedReply(kind=ReplyKind.UNCLEAR, hint=hint)


def _blocked(reply: _Reply, reason: str | None) -> ParsedReply:
    """Return a BLOCKED result with the reason and any percentage stated."""
    return ParsedReply(
        kind=ReplyKind.BLOCKED, hint=ReplyHint.BLOCKED, percent=_percent(reply), reason=reason
    )


def _find_guarded(reply: _Reply, guarded: _Guarded, start: int = 0) -> re.Match[str] | None:
    """Find an ambiguous folded word that was typed in one of its accepted forms."""
    pattern, forms = guarded
    for match in pattern.finditer(reply.folded, start):
        if reply.typed(match.start(), match.end()) in forms:
            return match
    return None


def _negated(folded: str, start: int) -> bool:
    """Tell whether a negator stands within two words before ``start``."""
    return _NEGATOR_BEFORE_RE.search(folded, max(0, start - 60), start) is not None


def _typed_as_blocker(reply: _Reply, match: re.Match[str]) -> bool:
    """Reject a lone "vuong" typed as "vương" or "vuông" rather than "vướng"."""
    if not _LONE_VUONG_RE.match(reply.folded, match.start()):
        return True
    return reply.typed(match.start(), match.start() + 5) in {"vướng", "vuong"}


def _find_extension(reply: _Reply) -> re.Match[str] | None:
    """Find the first extension keyword that is not negated ("không cần gia hạn")."""
    for match in _EXTENSION_RE.finditer(reply.folded):
        if not _negated(reply.folded, match.start()):
            return match
    return None


def _is_request(folded: str, keyword: re.Match[str]) -> bool:
    """Tell a request ("xin gia hạn …", "… được không ạ?") from a question about one."""
    return bool(
        _REQUEST_BEFORE_RE.search(folded, 0, keyword.start())
        or _REQUEST_AFTER_RE.search(folded, keyword.end())
    )


def _find_cause(reply: _Reply, start: int) -> re.Match[str] | None:
    """Find the first "vì", "do", "because" … at or after ``start``."""
    for match in _CAUSE_RE.finditer(reply.folded, start):
        forms = _CAUSE_FORMS.get(match.group())
        if forms is None or reply.typed(match.start(), match.end()) in forms:
            return match
    return None


def _quote(reply: _Reply, start: int, end: int | None = None) -> str | None:
    """Return the original text of a folded span, trimmed of punctuation and "ạ"."""
    text = reply.text.original_span(start, len(reply.folded) if end is None else end)
    text = text.strip(" \t\r\n:;,.-–—!…")
    text = re.sub(r"(?:\s+[ạa])+[\s.!…]*$", "", text).rstrip(" .!…,;")  # "ạ" typed as "a" too
    return text or None


def _reason_before(reply: _Reply, keyword: re.Match[str]) -> str | None:
    """Quote a reason given before the request: "Vì chờ ý kiến sở, xin gia hạn"."""
    cause = _find_cause(reply, 0)
    if cause is None or cause.end() >= keyword.start():
        return None
    segment = reply.folded[cause.end() : keyword.start()]
    filler = _TRAILING_FILLER_RE.search(segment)
    end = cause.end() + (filler.start() if filler else len(segment))
    return _quote(reply, cause.end(), end)


def _extension_duration(folded: str, start: int, end: int) -> tuple[int | None, bool]:
    """Read "thêm 1 tuần", "10 ngày làm việc": days, and whether they are working days."""
    match = _DURATION_RE.search(folded, start, end)
    if match is None:
        return None, False
    digits, word = match.group("digits"), match.group("word")
    count = int(digits) if digits else _NUMBER_WORDS[word]
    working = bool(match.group("work_en") or match.group("work_vi"))
    if match.group("unit") in {"tuan", "week", "weeks"}:
        return count * (5 if working else 7), working
    return count, working


def _extension_target(reply: _Reply, start: int, end: int) -> date | None:
    """Read the first target date after the keyword: "đến 15/7", "hết tháng 7"."""
    folded = reply.folded
    found = [
        match
        for match in (
            _DATE_RE.search(folded, start, end),
            _MONTH_END_RE.search(folded, start, end),
            _WEEKDAY_RE.search(folded, start, end),
        )
        if match is not None
    ]
    if not found:
        return None
    first = min(found, key=lambda match: match.start())
    if first.re is _MONTH_END_RE:
        month, year = int(first.group(1)), first.group(2)
        return _resolve(0, month, int(year) if year else None, reply.today, future=True)
    if first.re is _WEEKDAY_RE:
        return _weekday(first, reply.today)
    return _date_of(first, reply.today, future=True)


def _weekday(match: re.Match[str], today: date) -> date:
    """Turn "thứ 6", "thứ 6 tuần sau", "chủ nhật tuần này" into a date.

    A weekday alone is the next one after today; with "tuần này" or "tuần sau/tới", that
    day of this week or of next week (weeks start on Monday), which may have passed.
    """
    weekday = 6 if match.group("sunday") else _WEEKDAYS[match.group("day")]
    week = match.group("week")
    if week is None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=weekday + (0 if week == "nay" else 7))


def _date_of(match: re.Match[str], today: date, *, future: bool) -> date | None:
    """Turn a _DATE_RE match into a date, filling in a missing year."""
    for index in "1234":
        day = match.group(f"d{index}")
        if day is not None:
            year = match.groupdict().get(f"y{index}")
            full = int(year) + (2000 if len(year) == 2 else 0) if year else None
            return _resolve(int(day), int(match.group(f"m{index}")), full, today, future=future)
    return None


def _resolve(day: int, month: int, year: int | None, today: date, *, future: bool) -> date | None:
    """Build a date (day 0 means the month's last day); a missing year is the nearest one.

    A document date without a year still to come this year means last year. A target date
    without a year passed this year is next year's, unless it passed less than
    RECENT_PAST_DAYS ago: "01/12" written on 5/12 is a slip for the caller to refuse, never a
    year ahead; "15/1" written in June is next January.
    """
    if year is not None:
        return _safe_date(year, month, day)
    this_year = _safe_date(today.year, month, day)
    if not future:
        if this_year is not None and this_year <= today:
            return this_year
        return _safe_date(today.year - 1, month, day)
    if this_year is not None and (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year
    return _safe_date(today.year + 1, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist."""
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    return date(year, month, day) if 1 <= day <= last else None


def _percent(reply: _Reply, start: int = 0, end: int | None = None) -> int | None:
    """Read the first stated percentage from 0 to 100, or "một nửa" as 50."""
    folded = reply.folded
    stop = len(folded) if end is None else end
    for match in _PERCENT_RE.finditer(folded, start, stop):
        value = int(match.group(1))
        if _NEGATIVE_PERCENT_RE.match(folded, max(0, match.start() - 2)):
            continue  # "-5%" is no share of the work
        if value <= 100:
            return value
    bare = _BARE_PERCENT_RE.search(folded, start, stop)
    if bare is not None:
        return int(bare.group(1))  # 10-99: a bare 100 is not taken as done
    half = _HALF_RE.search(folded, start, stop) or _find_guarded(reply, _NUA, start)
    if half is None or half.start() >= stop:
        return None
    # "hơn một nửa", "gần một nửa": only an exact half is worth a number.
    if _APPROXIMATE_RE.search(folded, max(0, half.start() - 30), half.start()):
        return None
    return 50


def _hundred(reply: _Reply, start: int = 0, end: int | None = None) -> int | None:
    """Return 100 when the span states 100 %, else None."""
    return 100 if _percent(reply, start, end) == 100 else None


def _has_promise(reply: _Reply, start: int, end: int, *, perfect: bool = False) -> bool:
    """Tell whether the span speaks of the future: "sẽ", "mai", "tuần sau", "will" …."""
    if _PROMISE_RE.search(reply.folded, start, end):
        return True
    if not perfect and _BY_DATE_RE.search(reply.folded, start, end):
        return True
    for guarded in (_SE, _MAI):
        match = _find_guarded(reply, guarded, start)
        if match is not None and match.end() <= end:
            return True
    return False


def _is_perfect(reply: _Reply, start: int, end: int) -> bool:
    """Tell whether the span is marked as past: "đã …", "… rồi" (not "dạ", which is yes)."""
    for match in _PERFECT_RE.finditer(reply.folded, start, end):
        if reply.typed(match.start(), match.end()) not in {"dạ", "đà", "đá", "đa"}:
            return True
    return False


def _clauses(folded: str) -> Iterator[tuple[int, int]]:
    """Yield the (start, end) of each clause, split at punctuation and "nhưng"/"but"."""
    start = 0
    for match in _CLAUSE_BREAK_RE.finditer(folded):
        yield start, match.start()
        start = match.end()
    yield start, len(folded)


def _evidence(reply: _Reply) -> tuple[str, date | None] | None:
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
        found = _DATE_RE.match(after, lead.end() if lead else 0)
        issued = _date_of(found, reply.today, future=False) if found else None
        return match.group(), issued
    return None
