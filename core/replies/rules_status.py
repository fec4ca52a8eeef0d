"""The rules that read a status: a number alone, blocked, in progress, done (by word,
document or abbreviation)."""

from __future__ import annotations

import re

from core.replies.dates import resolve
from core.replies.evidence import cited_evidence
from core.replies.percent import LONE_NUMBER_RE, hundred, near_hundred, stated_percent
from core.replies.reading import (
    Reply,
    clauses,
    find_cause,
    find_guarded,
    has_promise,
    is_perfect,
    negated_before,
    part_of_work,
    quote,
    spoken_negation,
)
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.rules_unclear import unclear
from core.replies.vocabulary import (
    ABBREVIATED_DONE_RE,
    ALL_COUNTED_RE,
    ASKED_BACK_RE,
    BLOCKER_RE,
    CHO,
    COUNT_LEAD_RE,
    DANG,
    DELIVER_RE,
    DONE_RE,
    FLAW_RE,
    FRACTION_RE,
    HEDGE_RE,
    LACK_RE,
    LEAD_FILLER_RE,
    LONE_VUONG_RE,
    NEGATED_DONE_RE,
    NEGATED_WORK_RE,
    NONE_AFTER_RE,
    NUA,
    OTHERS_LEFT_RE,
    OWN_PART_RE,
    PERFECTIVE_RE,
    PROGRESS_RE,
    REMAINING_RE,
    SOME_COUNTED_RE,
    TAM,
    TRU,
)


def rule_lone_number(reply: Reply) -> ParsedReply | None:
    """Read a number alone as the share done: 10-99 in progress, 100 done (asked), else out."""
    found = LONE_NUMBER_RE.match(reply.folded)
    if found is None:
        return None
    value = int(found.group(2))
    if found.group(1) or value > 100:
        return unclear(ReplyHint.PERCENT)
    if value == 100:  # "100" alone: likely done, but a bare number is confirmed first
        return ParsedReply(kind=ReplyKind.DONE, hint=ReplyHint.DONE, percent=100, uncertain=True)
    if value < 10:  # "1", "5": a choice's number or a count, not a share
        return None
    return ParsedReply(kind=ReplyKind.IN_PROGRESS, hint=ReplyHint.PROGRESS, percent=value)


def rule_blocked(reply: Reply) -> ParsedReply | None:
    """Read a blocker ("vướng: thiếu kinh phí") or "not done because …" ("chưa xong vì …",
    "chưa làm được do …") with its reason."""
    folded = reply.folded
    for match in BLOCKER_RE.finditer(folded):
        if negated_before(folded, match.start()) or not _typed_as_blocker(reply, match):
            continue
        if NONE_AFTER_RE.match(folded, match.end()):
            continue  # "vướng mắc: không", the form's answer "none"
        start = LEAD_FILLER_RE.match(folded, match.end())
        reason = quote(reply, start.end() if start else match.end())
        return _blocked(reply, reason)
    lack = LACK_RE.match(folded)
    if lack is not None:
        return _blocked(reply, quote(reply, lack.end()))
    negated = (
        NEGATED_DONE_RE.search(folded) or NEGATED_WORK_RE.search(folded) or spoken_negation(reply)
    )
    cause = find_cause(reply, negated.end()) if negated else None
    if cause is None:
        return None
    return _blocked(reply, quote(reply, cause.end()))


def rule_progress(reply: Reply) -> ParsedReply | None:
    """Read work under way: "đang …", a percentage under 100, or part of the work done."""
    folded = reply.folded
    percent = stated_percent(reply)
    partial = part_of_work(folded) or _some_of_them(folded) or _work_left(reply)
    ongoing = (
        PROGRESS_RE.search(folded)
        or find_guarded(reply, DANG)
        or find_guarded(reply, CHO)
        or find_guarded(reply, NUA)
    )
    near = percent == 100 and near_hundred(reply)
    if not (partial or ongoing or near or (percent is not None and percent < 100)):
        return None
    if percent == 100 and not partial:
        # "đang làm 100%", "gần 100%": all of the work is done, most likely; confirmed first
        return ParsedReply(kind=ReplyKind.DONE, hint=ReplyHint.DONE, percent=100, uncertain=True)
    # Part of the work reported done ("đã xong 80%", "xong phần khảo sát") is partial.
    done_said = partial or DONE_RE.search(folded) or PERFECTIVE_RE.search(folded)
    hint = ReplyHint.PARTIAL if done_said else ReplyHint.PROGRESS
    return ParsedReply(kind=ReplyKind.IN_PROGRESS, hint=hint, percent=percent)


def rule_date_or_count(reply: Reply) -> ParsedReply | None:
    """Ask about a done word beside a pair that reads two ways: "xong 8/10" is done on 8
    October or 8 of 10 done, "hoàn thành 12/12 báo cáo" all twelve reports or a promise for
    12 December. A pair with one reading decides: "đã xong 8/10" said in June (no such
    day has passed) is 8 of 10, in progress; all of them, or a day, are the later rules'.
    """
    found = decisive_pair(reply)
    if found is None:
        return None
    if found[0] == "ambiguous":
        return unclear(ReplyHint.AMBIGUOUS)
    return ParsedReply(
        kind=ReplyKind.IN_PROGRESS, hint=ReplyHint.PARTIAL, percent=stated_percent(reply)
    )


def decisive_pair(reply: Reply) -> tuple[str, re.Match[str]] | None:
    """Find the first pair beside a done word that reads two ways ("ambiguous") or only as
    a count of some ("partial"), with its match in the folded text."""
    folded = reply.folded
    if FRACTION_RE.search(folded) is None:
        return None  # most replies: one scan, no clause
    for start, end in clauses(folded):
        if not (DONE_RE.search(folded, start, end) or PERFECTIVE_RE.search(folded, start, end)):
            continue
        perfect = is_perfect(reply, start, end)
        for match in FRACTION_RE.finditer(folded, start, end):
            as_count, as_date = _pair_readings(reply, match, perfect=perfect)
            if as_count is not None and as_date is not None and as_count != as_date:
                return "ambiguous", match
            if as_count == "partial" and as_date is None:
                return "partial", match
    return None


def _pair_readings(
    reply: Reply, match: re.Match[str], *, perfect: bool
) -> tuple[str | None, str | None]:
    """Read "8/10" as a count ("done" all, "partial" some) and as a date ("done" on a day
    passed, "promise" for a day to come); None where it cannot be one."""
    part, whole = int(match.group("part")), int(match.group("whole"))
    as_count = None if part > whole or whole == 0 else "done" if part == whole else "partial"
    counted = match.group("counted") or ALL_COUNTED_RE.match(reply.folded, match.start())
    if counted or not match.group("slash") or _count_lead(reply, match.start()):
        return as_count, None  # "8/10 xã", "2/2 bước", "8 trên 10", "được 8/10": a count
    day = resolve(part, whole, None, reply.today, future=True) if part else None
    if day is None:
        return as_count, None  # "10/13": no date
    if day <= reply.today:
        return as_count, "done"
    return as_count, None if perfect else "promise"  # "đã xong 8/10" in June: no such day


def _count_lead(reply: Reply, start: int) -> bool:
    """Tell whether a pair is counted ("được 8/10", "đạt 8/10"), not dated."""
    return COUNT_LEAD_RE.search(reply.folded, max(0, start - 8), start) is not None


def rule_document(reply: Reply) -> ParsedReply | None:
    """Read a cited document number, outside any promise, as evidence of completion."""
    evidence = cited_evidence(reply)
    if evidence is None or has_promise(reply, 0, len(reply.folded)):
        return None
    number, issued = evidence
    return ParsedReply(
        kind=ReplyKind.DONE,
        hint=ReplyHint.DOCUMENT,
        percent=hundred(reply),
        evidence_number=number,
        evidence_date=issued,
    )


def rule_done(reply: Reply) -> ParsedReply | None:
    """Read DONE when some clause says done and promises nothing ("mai xong" is not done).

    A clause with a done word wins over one that says done only with a verb ("Dạ báo cáo
    anh, đơn vị đã hoàn thành" is certain): only the verb alone leaves it to confirm, as
    does a flaw said after it ("xong nhưng thiếu") or a promise beside it ("xong r, mai gửi
    bc").
    """
    folded = reply.folded
    verb_only = False
    for start, end in clauses(folded):
        said = (
            DONE_RE.search(folded, start, end)
            or PERFECTIVE_RE.search(folded, start, end)
            or hundred(reply, start, end) is not None
        )
        if not said or has_promise(reply, start, end, perfect=is_perfect(reply, start, end)):
            continue
        if _done_word_in(reply, start, end):
            doubt = (
                reply.slip
                or _hedged(reply, start, end)
                or _others_left(reply)
                or _promises(reply)
                or _maybe_asked(reply)
            )
            return _done(reply, uncertain=doubt or FLAW_RE.search(folded) is not None)
        verb_only = True
    return _done(reply, uncertain=True) if verb_only else None


def _hedged(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span says done with a doubt ("có lẽ xong", "tạm xong", "maybe done"),
    of a count with no whole ("đã xong 2 xã": all of them, or two of ten?) or of the
    sender's own part ("phần của em xong rồi"); a doubt anywhere counts ("done, I think")."""
    folded = reply.folded
    if (
        HEDGE_RE.search(folded)
        or SOME_COUNTED_RE.search(folded, start, end)
        or OWN_PART_RE.search(folded)
    ):
        return True
    return find_guarded(reply, TAM, start, end) is not None


def _promises(reply: Reply) -> bool:
    """Tell whether some clause promises to send something: "xong rồi, mai em gửi báo cáo",
    "done, will send the report tomorrow" (the report may be the task), or to finish
    something: "bc xong r, kh thì mai xong" (one of two done); not "xong rồi, còn 2 ngày nữa
    mới hết hạn", time left."""
    return any(
        (DELIVER_RE.search(reply.folded, start, end) or DONE_RE.search(reply.folded, start, end))
        and has_promise(reply, start, end, perfect=is_perfect(reply, start, end))
        for start, end in clauses(reply.folded)
    )


def _maybe_asked(reply: Reply) -> bool:
    """Tell whether the reply may ask back rather than report: "xong r ha" is "xong rồi
    hả?" (done already?) typed without marks, or the south's "xong rồi ha" that closes a
    report as "nha" does; the official confirms which."""
    folded = reply.folded
    asked = ASKED_BACK_RE.search(folded, max(0, len(folded) - 160))
    return asked is not None and reply.typed(*asked.span("particle")) == "ha"


def _done(reply: Reply, *, uncertain: bool) -> ParsedReply:
    """Return DONE with the 100 % and the document cited; a verb alone leaves it to confirm
    ("Đã gửi báo cáo" may be one step of the task), unless a document proves it."""
    number, issued = cited_evidence(reply) or (None, None)
    return ParsedReply(
        kind=ReplyKind.DONE,
        hint=ReplyHint.DONE,
        percent=hundred(reply),
        evidence_number=number,
        evidence_date=issued,
        uncertain=uncertain and number is None,
    )


def rule_abbreviation(reply: Reply) -> ParsedReply | None:
    """Read "HT", "xg", "rồi ạ" alone as done, to confirm: short, and not only for done."""
    if ABBREVIATED_DONE_RE.match(reply.folded):
        return ParsedReply(kind=ReplyKind.DONE, hint=ReplyHint.DONE, uncertain=True)
    return None


def _some_of_them(folded: str) -> bool:
    """Tell whether the reply counts part of the units or items: "10/12 xã", "3 trên 5".

    "3/5" alone may be a date (3 May): only a count of something, or a pair no date has,
    is read as a share.
    """
    for match in FRACTION_RE.finditer(folded):
        part, whole = int(match.group("part")), int(match.group("whole"))
        if part >= whole:
            continue  # "12/12 xã" is all of them
        counted = match.group("counted") or COUNT_LEAD_RE.search(
            folded, max(0, match.start() - 8), match.start()
        )
        if match.group("slash") and not counted and part <= 31 and whole <= 12:
            continue
        return True
    return False


def _work_left(reply: Reply) -> bool:
    """Tell whether the reply says work is left: "còn 2 việc", "còn lại 3 xã", "còn 20%",
    "chỉ còn ký", "xong hết trừ xã A", "xong, còn báo cáo" (not "không còn xã nào")."""
    if find_guarded(reply, TRU) is not None:
        return True
    for match in REMAINING_RE.finditer(reply.folded):
        still = match.group().startswith("con ")  # "còn" typed so; not "chỉ còn", "ngoại trừ"
        if not still:
            return True
        if negated_before(reply.folded, match.start()):
            continue  # "không còn xã nào", "không còn sai sót": none left
        if match.group("left") and OTHERS_LEFT_RE.match(reply.folded, match.start()):
            continue  # "còn phòng khác": others', the sender's part may be done (asked)
        if reply.typed(match.start(), match.start() + 3) in _STILL:
            return True
    return False


_STILL = frozenset({"còn", "con"})


def _others_left(reply: Reply) -> bool:
    """Tell whether the reply says others are left ("bên em xong rồi, còn phòng khác"):
    the sender's part may be done, not the task."""
    return any(
        reply.typed(match.start(), match.start() + 3) in _STILL
        and not negated_before(reply.folded, match.start())  # "không còn gì khác"
        for match in OTHERS_LEFT_RE.finditer(reply.folded)
    )


def _done_word_in(reply: Reply, start: int, end: int) -> bool:
    """Tell whether the span says done with a done word or 100 %, not only with a verb."""
    return bool(DONE_RE.search(reply.folded, start, end)) or hundred(reply, start, end) == 100


def _blocked(reply: Reply, reason: str | None) -> ParsedReply:
    """Return a BLOCKED result with the reason and any percentage stated."""
    return ParsedReply(
        kind=ReplyKind.BLOCKED,
        hint=ReplyHint.BLOCKED,
        percent=stated_percent(reply),
        reason=reason,
    )


def _typed_as_blocker(reply: Reply, match: re.Match[str]) -> bool:
    """Reject a lone "vuong" typed as "vương" or "vuông" rather than "vướng"."""
    if not LONE_VUONG_RE.match(reply.folded, match.start()):
        return True
    return reply.typed(match.start(), match.start() + 5) in {"vướng", "vuong"}
