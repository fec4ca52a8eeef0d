"""Specification of the free-text status reply parser."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.checkin import reply_from_dict, reply_to_dict
from core.replies.parse import MAX_SCAN_CHARS, ambiguous_pair, counts_first, parse_reply
from core.replies.result import ParsedReply, ReplyHint, ReplyKind
from core.replies.telex import untelex
from core.textnorm import fold

TODAY = date(2025, 6, 16)  # a Monday


def _reply(kind: ReplyKind, hint: ReplyHint, **details: Any) -> ParsedReply:
    """Build an expected result; details left out are expected empty."""
    return ParsedReply(kind=kind, hint=hint, **details)


def done(**details: Any) -> ParsedReply:
    """Expect DONE decided by a done word."""
    return _reply(ReplyKind.DONE, ReplyHint.DONE, **details)


def document(number: str, issued: date | None = None) -> ParsedReply:
    """Expect DONE decided by a cited document."""
    return _reply(ReplyKind.DONE, ReplyHint.DOCUMENT, evidence_number=number, evidence_date=issued)


def progress(percent: int | None = None) -> ParsedReply:
    """Expect IN_PROGRESS from work under way."""
    return _reply(ReplyKind.IN_PROGRESS, ReplyHint.PROGRESS, percent=percent)


def partial(percent: int | None = None) -> ParsedReply:
    """Expect IN_PROGRESS from part of the work reported done."""
    return _reply(ReplyKind.IN_PROGRESS, ReplyHint.PARTIAL, percent=percent)


def blocked(reason: str | None, percent: int | None = None) -> ParsedReply:
    """Expect BLOCKED with a reason."""
    return _reply(ReplyKind.BLOCKED, ReplyHint.BLOCKED, reason=reason, percent=percent)


def extension(**details: Any) -> ParsedReply:
    """Expect EXTENSION with the given target, duration and reason."""
    return _reply(ReplyKind.EXTENSION, ReplyHint.EXTENSION, **details)


def guessed(expected: ParsedReply, text: str) -> ParsedReply:
    """Expect a status to confirm with the official: uncertain, the reply kept as the note."""
    return replace(expected, uncertain=True, note=text)


def unclear(hint: ReplyHint) -> ParsedReply:
    """Expect UNCLEAR for the given reason."""
    return _reply(ReplyKind.UNCLEAR, hint)


Q = unclear(ReplyHint.QUESTION)
NEG = unclear(ReplyHint.NEGATION)
ACK = unclear(ReplyHint.ACKNOWLEDGEMENT)
FIX = unclear(ReplyHint.CORRECTION)
PROMISE = unclear(ReplyHint.PROMISE)
UNKNOWN = unclear(ReplyHint.UNRECOGNISED)
EMPTY = unclear(ReplyHint.EMPTY)
AMBIGUOUS = unclear(ReplyHint.AMBIGUOUS)

NARRATIVE = (
    "Đơn vị đã tổ chức họp triển khai, phân công cán bộ phụ trách từng nội dung. "
    "Đã gửi văn bản đề nghị các phòng chuyên môn rà soát số liệu. "
    "Hiện các phòng đang tổng hợp, dự kiến cuối tháng có báo cáo."
)
LONG_DONE = (
    "Thực hiện chỉ đạo của UBND tỉnh, đơn vị đã ban hành kế hoạch, tổ chức hội nghị quán "
    "triệt tới toàn thể cán bộ, công chức, phân công nhiệm vụ cụ thể cho từng phòng, ban, "
    "đồng thời đã gửi báo cáo kết quả thực hiện về Sở Khoa học và Công nghệ để tổng hợp"
)

REPLIES: list[tuple[str, ParsedReply]] = [
    # Done, in many spellings.
    ("xong", done()),
    ("đã xong", done()),
    ("da xong", done()),
    ("ĐÃ XONG", done()),
    ("hoàn thành", done()),
    ("hoan thanh", done()),
    ("HOÀN THÀNH", done()),
    ("hòan thành", done()),  # tone mark on the wrong vowel folds the same
    ("đã hoàn thành", done()),
    ("Hoàn tất", done()),
    ("done", done()),
    ("finished", done()),
    ("completed", done()),
    ("All done ✅", done()),
    ("ok xong rồi", done()),
    ("Xong rồi ạ", done()),
    ("xong r", done()),
    ("XONG RỒI Ạ 😊", done()),
    ("xong ạ 👍", done()),
    ("Dạ, em đã hoàn thành rồi ạ", done()),
    ("Đã hoàn thành đúng hạn", done()),
    ("Hoàn thành tốt nhiệm vụ được giao", done()),
    ("Đã hoàn thành phần việc được giao", done()),
    ("Đã tổ chức tập huấn xong", done()),
    ("Đã triển khai xong", done()),
    ("Hôm nay xong rồi", done()),
    ("Đã hoàn thành trước 15/6", done()),  # "đã" makes "trước 15/6" a fact, not a promise
    # The task's line copied from the reminder: its number and deadline are no count, no day.
    ("#12 Kế hoạch CĐS - hạn 30/6/2025: xong", done()),
    ("#12 Kế hoạch chuyển đổi số (hạn 30/6) đã xong", done()),
    ("xong trước hạn 30/6", done()),
    ("Đã hoàn thành 100%", done(percent=100)),
    ("100%", done(percent=100)),
    ("xog", done()),  # a common one-letter slip
    ("xongf", done()),  # a Telex tone key after "xong", which takes none
    ("xongf roif", done()),
    ("chuaw xongf", NEG),
    ("xongg", done()),
    ("XONGGG ạ", done()),
    # "HT" alone is short for "hoàn thành" in officials' tables, but not only: confirmed.
    ("HT", guessed(done(), "HT")),
    ("đã HT rồi", guessed(done(), "đã HT rồi")),
    ("xg", guessed(done(), "xg")),
    ("Rồi ạ", guessed(done(), "Rồi ạ")),  # "already", to a reminder: most likely done
    ("dạ rồi", guessed(done(), "dạ rồi")),
    # "Đã làm rồi": done, most likely (begun would say "đang"): confirmed, never recorded.
    ("đã làm rồi", guessed(done(), "đã làm rồi")),
    ("em làm rồi ạ", guessed(done(), "em làm rồi ạ")),
    ("Không có vướng mắc gì, đã hoàn thành", done()),
    ("no blockers, done", done()),
    ("không cần gia hạn, đã xong", done()),
    # Done, with a report promised: the report may be the task, so confirmed.
    ("Đã xong, mai gửi báo cáo", guessed(done(), "Đã xong, mai gửi báo cáo")),
    # Guessed, to confirm with the official before recording: done read from a verb alone.
    ("đã ban hành", guessed(done(), "đã ban hành")),
    ("Đã ký ban hành", guessed(done(), "Đã ký ban hành")),
    ("Report submitted", guessed(done(), "Report submitted")),
    ("đã gửi báo cáo", guessed(done(), "đã gửi báo cáo")),
    ("Đã nộp báo cáo qua hệ thống", guessed(done(), "Đã nộp báo cáo qua hệ thống")),
    ("Gửi rồi nhé", guessed(done(), "Gửi rồi nhé")),
    ("Đã thành lập Ban chỉ đạo", guessed(done(), "Đã thành lập Ban chỉ đạo")),
    (
        "Đã kiện toàn tổ công nghệ số cộng đồng",
        guessed(done(), "Đã kiện toàn tổ công nghệ số cộng đồng"),
    ),
    ("Đã phê duyệt", guessed(done(), "Đã phê duyệt")),
    ("đã ban hành kế hoạch", guessed(done(), "đã ban hành kế hoạch")),
    ("Đã tổ chức hội nghị triển khai", guessed(done(), "Đã tổ chức hội nghị triển khai")),
    # Guessed: done said with a doubt, or about all of it.
    ("tạm xong", guessed(done(), "tạm xong")),
    ("có lẽ xong", guessed(done(), "có lẽ xong")),
    ("hình như xong rồi", guessed(done(), "hình như xong rồi")),
    ("chắc xong rồi ạ", guessed(done(), "chắc xong rồi ạ")),
    ("chắc chắn xong rồi", done()),  # surely
    ("coi như xong", guessed(done(), "coi như xong")),
    ("hoàn thành sơ bộ", guessed(done(), "hoàn thành sơ bộ")),
    ("probably done", guessed(done(), "probably done")),
    ("it should be done", guessed(done(), "it should be done")),
    ("mong là xong", guessed(done(), "mong là xong")),  # hoped, not said
    ("Trung tâm đã xong", done()),  # "tâm", not "tạm"
    ("gần 100%", guessed(done(percent=100), "gần 100%")),
    ("đã hoàn thành khoảng 100%", guessed(done(percent=100), "đã hoàn thành khoảng 100%")),
    ("~100%", guessed(done(percent=100), "~100%")),
    # Guessed: done said of a count with no whole ("2 of them": all, or two of ten?).
    ("đã xong 2 xã", guessed(done(), "đã xong 2 xã")),
    ("5 hồ sơ đã hoàn thành", guessed(done(), "5 hồ sơ đã hoàn thành")),
    ("cả 2 việc đã xong", done()),  # both of them
    ("xong hết 3 hồ sơ", done()),
    # Guessed: a long narrative, whatever it seems to say.
    (NARRATIVE, guessed(partial(), NARRATIVE)),
    (LONG_DONE, guessed(done(), LONG_DONE)),
    (
        "Đã hoàn thành. Đã gửi báo cáo. Đã đăng tải lên cổng thông tin.",
        guessed(done(), "Đã hoàn thành. Đã gửi báo cáo. Đã đăng tải lên cổng thông tin."),
    ),
    (
        "  vướng: thiếu kinh phí. Đã họp bàn. Chờ tỉnh cấp bổ sung.\n",
        guessed(
            blocked("thiếu kinh phí. Đã họp bàn. Chờ tỉnh cấp bổ sung"),
            "vướng: thiếu kinh phí. Đã họp bàn. Chờ tỉnh cấp bổ sung.",
        ),
    ),
    # Guessed: signals that contradict each other.
    (
        "Đã hoàn thành, nhưng vướng kinh phí",
        guessed(blocked("kinh phí"), "Đã hoàn thành, nhưng vướng kinh phí"),
    ),
    (
        "Đã xong, xin gia hạn đến 15/7",
        guessed(extension(new_deadline=date(2025, 7, 15)), "Đã xong, xin gia hạn đến 15/7"),
    ),
    # Certain in spite of a second signal: they do not contradict each other.
    ("Chưa hoàn thành, xin gia hạn đến 15/7", extension(new_deadline=date(2025, 7, 15))),
    ("vướng kinh phí, sẽ hoàn thành sau", blocked("kinh phí, sẽ hoàn thành sau")),
    ("Đã hoàn thành 80%, xin gia hạn thêm 3 ngày", extension(percent=80, extension_days=3)),
    ("Đã xong. Mai gửi báo cáo.", guessed(done(), "Đã xong. Mai gửi báo cáo.")),
    # Done, with a document as evidence.
    (
        "Đã ban hành KH số 15/KH-UBND ngày 10/3/2025",
        document("15/KH-UBND", date(2025, 3, 10)),
    ),
    ("Quyết định 123/QĐ-UBND ngày 05/06/2025", document("123/QĐ-UBND", date(2025, 6, 5))),
    ("CV 4824/UBND-KGVX", document("4824/UBND-KGVX")),
    ("Đã ban hành Quyết định số 03/QĐ-BCĐ", document("03/QĐ-BCĐ")),
    (
        "Kế hoạch số 15/KH-UBND ngày 10 tháng 3 năm 2025",
        document("15/KH-UBND", date(2025, 3, 10)),
    ),
    (
        "Đã ban hành QĐ 15/2025/QĐ-UBND ngày 5/1/2025",
        document("15/2025/QĐ-UBND", date(2025, 1, 5)),
    ),
    ("Issued plan 15/KH-UBND dated 10/3/2025", document("15/KH-UBND", date(2025, 3, 10))),
    ("đã ban hành kh 15/kh-ubnd", document("15/kh-ubnd")),
    ("Báo cáo 1270/BC-TCTTTg", document("1270/BC-TCTTTg")),
    ("Đã ban hành KH 20/KH-UBND ngày 20/12", document("20/KH-UBND", date(2024, 12, 20))),
    (
        "Thực hiện CV 4824/UBND-KGVX, đã ban hành KH 15/KH-UBND ngày 10/3",
        document("15/KH-UBND", date(2025, 3, 10)),
    ),
    (
        "Đã ban hành KH 15/KH-UBND, sẽ gửi bản scan sau",
        done(evidence_number="15/KH-UBND"),
    ),
    ("Theo CV 4824/UBND-KGVX", UNKNOWN),  # names the assigning document, proves nothing
    # In progress.
    ("đang làm", progress()),
    ("Đang làm ạ", progress()),
    ("dang thuc hien 60%", progress(60)),
    ("được 70%", progress(70)),
    ("in progress 40%", progress(40)),
    ("đang triển khai", progress()),
    ("đang xây dựng dự thảo", progress()),
    ("60%", progress(60)),
    ("khoảng 60 phần trăm", progress(60)),
    # A number alone after work under way is its share, as if "%" had been typed.
    ("dang lam 60", progress(60)),
    ("đang làm 60", progress(60)),
    ("Đang thực hiện khoảng 70 ạ", progress(70)),
    ("lam dc 40 roi", progress(40)),
    ("đạt 80", progress(80)),
    ("xong 50", partial(50)),  # a share after a done word, as "đã xong 50%"
    ("hoàn thành 80 ạ", partial(80)),
    ("xong 5", done()),  # one digit: a count, a choice, not a share
    ("đang làm 3 hạng mục", progress()),  # a count of things, not a share
    ("đang làm 5", progress()),  # one digit: more likely a count than a share
    ("đang làm 60-70%", progress(60)),  # a range is read as its lower bound
    ("đag làm", progress()),  # the "n" slipped
    ("đạt 62,5%", progress(62)),
    ("làm được 1 nửa", progress(50)),
    ("được nửa rồi", progress(50)),
    ("hơn một nửa", progress()),  # not an exact half
    ("Đang hoàn thiện dự thảo", progress()),
    ("Đã trình UBND tỉnh", progress()),
    ("Đang chờ ý kiến của Sở Tài chính", progress()),
    ("Tiếp tục thực hiện", progress()),
    ("đang lấy ý kiến góp ý", progress()),
    ("Thực hiện CV 4824/UBND-KGVX, đơn vị đang triển khai", progress()),
    # Part of the work done is still in progress.
    ("đã xong 80%", partial(80)),
    ("xong phần khảo sát, đang viết báo cáo", partial()),
    ("Đã hoàn thành, đang chờ ký", partial()),
    ("Cơ bản hoàn thành", partial()),
    ("sắp xong rồi", partial()),
    ("gần xong", partial()),
    ("Đã xong 3 hạng mục", partial()),
    ("Hoàn thành giai đoạn 1", partial()),
    ("50% done", partial(50)),
    ("xong, đợi lãnh đạo ký", partial()),
    ("xong rồi nhưng sở trả về", partial()),  # sent back
    ("hoàn thành nhưng phải làm lại", partial()),
    ("xong nhưng còn sai", partial()),
    ("mostly done", partial()),
    ("done except the report", partial()),
    ("done, pending approval", partial()),
    ("done, waiting for the director's signature", partial()),
    ("phase 1 completed", partial()),
    ("first phase done", partial()),
    ("done step 2", partial()),
    ("partly done", partial()),
    ("done apart from the report", partial()),
    ("done, but report pending", partial()),
    ("nothing pending, all done", done()),
    ("xong rồi, chỉ còn ký", partial()),  # only the signature left
    ("xong hết trừ xã A", partial()),  # all but one
    ("xong, ngoại trừ báo cáo", partial()),
    ("hầu như xong", partial()),
    ("gần như đã xong", partial()),
    ("sắp sửa xong", partial()),
    ("trụ sở đã xong", done()),  # "trụ", not "trừ"
    ("Working on it, about 30% done", partial(30)),
    # Blocked, with the reason as typed.
    ("vướng: thiếu kinh phí", blocked("thiếu kinh phí")),
    ("vuong: thieu kinh phi", blocked("thieu kinh phi")),
    ("vuong kinh phi a", blocked("kinh phi")),  # "ạ" typed as "a"
    ("thiếu kinh phí", blocked("thiếu kinh phí")),  # a lack is the blocker and its reason
    ("Do thiếu nhân lực ạ", blocked("thiếu nhân lực")),
    ("vướng mắc do chưa có hướng dẫn", blocked("chưa có hướng dẫn")),
    ("Vướng mắc: chưa có hướng dẫn của Bộ.", blocked("chưa có hướng dẫn của Bộ")),
    ("khó khăn về kinh phí", blocked("kinh phí")),
    ("gặp khó khăn về nhân lực", blocked("nhân lực")),
    ("Gặp khó khăn, vướng mắc về kinh phí thực hiện.", blocked("kinh phí thực hiện")),
    ("khó khăn", blocked(None)),
    ("đang làm nhưng vướng kinh phí", blocked("kinh phí")),
    ("được 40% thì vướng mặt bằng ạ", blocked("mặt bằng", percent=40)),
    ("blocked: waiting for budget approval", blocked("waiting for budget approval")),
    ("Blocked by missing budget", blocked("missing budget")),
    ("Stuck on the data migration", blocked("the data migration")),
    ("Chưa hoàn thành do chưa có kinh phí", blocked("chưa có kinh phí")),
    ("Đơn vị chưa thực hiện được vì thiếu nhân lực", blocked("thiếu nhân lực")),
    ("không kịp do thiếu người", blocked("thiếu người")),
    # Extension requests.
    (
        "xin gia hạn đến 15/7 vì chờ ý kiến sở",
        extension(new_deadline=date(2025, 7, 15), reason="chờ ý kiến sở"),
    ),
    ("đề nghị gia hạn thêm 1 tuần", extension(extension_days=7)),
    ("xin lùi hạn", extension()),
    (
        "extension to 20/7 because the survey is late",
        extension(new_deadline=date(2025, 7, 20), reason="the survey is late"),
    ),
    ("Kính đề nghị gia hạn đến ngày 30/6/2025", extension(new_deadline=date(2025, 6, 30))),
    # A date without a year is the nearest one: six days ago, not a year ahead (the bot
    # refuses a date passed); "15/1" written in December is next January.
    ("Xin gia hạn đến 10/6", extension(new_deadline=date(2025, 6, 10))),
    ("Xin gia hạn đến 1/1", extension(new_deadline=date(2026, 1, 1))),
    ("xin gia hạn đến 15.7", extension(new_deadline=date(2025, 7, 15))),
    ("xin gia han den 15-07-2025", extension(new_deadline=date(2025, 7, 15))),
    ("xin gia hạn đến 15/7/25", extension(new_deadline=date(2025, 7, 15))),
    # A weekday: the next one, or that day of this or next week (weeks start on Monday).
    ("xin gia hạn đến thứ 6 tuần sau", extension(new_deadline=date(2025, 6, 27))),
    ("xin gia han den thu sau tuan toi", extension(new_deadline=date(2025, 6, 27))),
    ("xin gia hạn đến thứ 6", extension(new_deadline=date(2025, 6, 20))),
    ("gia hạn đến thứ hai tuần sau", extension(new_deadline=date(2025, 6, 23))),
    ("xin gia hạn đến chủ nhật tuần này", extension(new_deadline=date(2025, 6, 22))),
    # The same in English: "next" is "tuần sau", "this" is "tuần này".
    (
        "extension to friday because the survey is late",
        extension(new_deadline=date(2025, 6, 20), reason="the survey is late"),
    ),
    ("more time until next monday", extension(new_deadline=date(2025, 6, 23))),
    # "N more days" asked for, in English, is its length; said alone, an estimate.
    ("we need 2 more weeks", extension(extension_days=14)),
    ("I need one more week", extension(extension_days=7)),
    ("2 more weeks please", extension(extension_days=14)),
    ("can we have 5 more days?", extension(extension_days=5)),
    ("need 2 more months", extension(extension_months=2)),
    (
        "we need 3 more working days because of staff shortage",
        extension(extension_days=3, extension_working_days=True, reason="staff shortage"),
    ),
    ("2 more days and it's done", PROMISE),
    ("a few more days and done", PROMISE),
    ("extension until Friday next week", extension(new_deadline=date(2025, 6, 27))),
    ("extension to this sunday", extension(new_deadline=date(2025, 6, 22))),
    ("xin gia hạn thêm 1.5 tuần", extension()),  # not five weeks
    ("xin gia hạn đến 16/6", extension(new_deadline=date(2025, 6, 16))),  # today stays
    ("xin gia hạn đến 31/6", extension()),  # no such day
    ("xin lùi thời hạn đến ngày 20 tháng 7", extension(new_deadline=date(2025, 7, 20))),
    (
        "Vì chờ ý kiến sở nên xin gia hạn đến hết tháng 7",
        extension(new_deadline=date(2025, 7, 31), reason="chờ ý kiến sở"),
    ),
    ("thêm 5 ngày", extension(extension_days=5)),
    ("Đề nghị cho thêm 5 ngày", extension(extension_days=5)),
    ("xin thêm 2 tuần", extension(extension_days=14)),
    ("xin gia hạn thêm một tuần", extension(extension_days=7)),
    (
        "thêm 10 ngày làm việc",
        extension(extension_days=10, extension_working_days=True),
    ),
    (
        "Em xin gia hạn thêm 10 ngày làm việc được không ạ?",
        extension(extension_days=10, extension_working_days=True),
    ),
    ("gia hạn thêm 1 tuần được không?", extension(extension_days=7)),
    ("cần thêm thời gian", extension()),
    # Months depend on the old deadline: no day count, the same day months later.
    ("xin gia hạn 1 tháng", extension(extension_months=1)),
    ("xin thêm 2 tháng", extension(extension_months=2)),
    ("xin gia hạn đến 3 tháng 7", extension(new_deadline=date(2025, 7, 3))),
    # Half a month is 15 days more ("nữa tháng" is "a month more", no half).
    ("xin gia hạn thêm nửa tháng", extension(extension_days=15)),
    ("xin thêm nửa tháng vì chờ kinh phí", extension(extension_days=15, reason="chờ kinh phí")),
    ("xin thêm nữa tháng", unclear(ReplyHint.UNRECOGNISED)),
    ("gia hạn thêm nửa tháng được không ạ", extension(extension_days=15)),
    ("thêm nửa tháng nữa là xong", unclear(ReplyHint.PROMISE)),  # an estimate, not done
    ("tranh thủ xong", PROMISE),  # will hurry to finish
    ("xong thì tốt", PROMISE),  # it would be good, once done
    ("xong mới gửi được", PROMISE),  # can be sent once done
    ("done once approved", PROMISE),
    ("done when the budget arrives", PROMISE),
    ("done if approved", PROMISE),
    # Tomorrow, the day after, from today (TODAY is a Monday).
    ("xin gia hạn đến mai", extension(new_deadline=date(2025, 6, 17))),
    (
        "xin gia hạn đến ngày mai vì chờ ký",
        extension(new_deadline=date(2025, 6, 17), reason="chờ ký"),
    ),
    ("xin gia han den mai", extension(new_deadline=date(2025, 6, 17))),
    ("em xin lùi đến hết ngày mai ạ", extension(new_deadline=date(2025, 6, 17))),
    ("xin gia hạn đến mốt", extension(new_deadline=date(2025, 6, 18))),
    ("xin gia hạn đến ngày kia", extension(new_deadline=date(2025, 6, 18))),
    ("Request an extension until tomorrow", extension(new_deadline=date(2025, 6, 17))),
    ("extension until the day after tomorrow", extension(new_deadline=date(2025, 6, 18))),
    ("xin gia hạn đến hôm kia", extension()),  # the day before yesterday: no target
    ("xin gia hạn đến một tuần", extension(extension_days=7)),  # "một" is no "mốt"
    ("xin gia hạn thêm 3 ngày, mai em báo lại", extension(extension_days=3)),
    (
        "Request an extension of 10 working days due to staff shortage",
        extension(extension_days=10, extension_working_days=True, reason="staff shortage"),
    ),
    (
        "Could we extend to 15/7? The survey is late",
        extension(new_deadline=date(2025, 7, 15)),
    ),
    (
        "Đã làm được 80%, xin gia hạn thêm 3 ngày do chờ số liệu",
        extension(percent=80, extension_days=3, reason="chờ số liệu"),
    ),
    # Negations are never done.
    ("chưa xong", NEG),
    ("chưa hoàn thành", NEG),
    ("chua xong", NEG),
    ("CHƯA XONG", NEG),
    ("Vẫn chưa ạ", NEG),
    ("chưa", NEG),
    ("Chưa triển khai", NEG),
    ("Chưa cần gia hạn", NEG),
    ("Đã xong nhưng chưa gửi báo cáo", NEG),
    ("không kịp", NEG),
    ("Không thể hoàn thành đúng hạn", NEG),
    ("ko xong", NEG),
    ("ko lam dc", NEG),
    ("k làm đc", NEG),
    # … typed with the Vietnamese keyboard off: its Telex or VNI marks left in the word.
    ("chuaw xong", NEG),
    ("chuwa xong", NEG),
    ("chwa xong", NEG),
    ("chu7a xong", NEG),
    ("chua7 xong a", NEG),
    ("chuaw hoanf thanhf", NEG),
    ("Chuaw xong vif thieeus kinh phis", blocked("thiếu kinh phí")),  # as typed with marks
    ("khoong xong", NEG),
    ("kho6ng hoàn thành", NEG),
    ("kh xong", NEG),
    ("Kh kịp ạ", NEG),
    ("chawngr xong", NEG),
    ("khoong hoanf thanhf", NEG),
    ("hoanf thanhf chuaw", Q),
    # Done typed so: the Telex words spelled back, the negations, promises and work under
    # way kept what they are.
    ("hoanf thanhf", done()),
    ("ddax hoanf thanhf", done()),
    ("hoafn thafnh rooif", done()),
    ("hoanf taats", done()),
    ("ddax xong", done()),
    ("dda xong", done()),
    ("sex hoanf thanhf", PROMISE),
    ("sawps xong", partial()),
    ("gaafn xong", partial()),
    ("ddang lamf", progress()),
    ("vuowngs: thieeus kinh phis", blocked("thiếu kinh phí")),
    ("xong chuaw?", Q),
    ("xong khoong", Q),
    # … or in VNI, the marks typed as digits.
    ("se4 xong", PROMISE),
    ("tua62n sau xong", PROMISE),
    ("sa81p xong", partial()),
    ("ga62n xong", partial()),
    ("xong mo65t pha62n", partial()),
    ("co2n 2 vie65c", partial()),
    ("d9ang la2m", progress()),
    ("d9a4 hoa2n tha2nh", done()),
    ("vu7o71ng: thie61u kinh phi1", blocked("thiếu kinh phí")),
    ("KH đã ban hành xong", done()),  # "KH" is kế hoạch (a plan) here, no "không"
    ("CHT", NEG),  # "chưa hoàn thành" in officials' tables
    # "Không" as said in the south or typed in chat, and "chẳng" as "chả".
    ("hông xong", NEG),
    ("hổng xong ạ", NEG),
    ("hok xong", NEG),
    ("hem xong", NEG),
    ("khum xong", NEG),
    ("hk hoàn thành", NEG),
    ("khôg xong", NEG),
    ("chả xong", NEG),
    ("hông có xong", NEG),
    ("hông đã xong", NEG),
    ("chả làm được", NEG),
    ("hok làm đc", NEG),
    ("hok xong vì thiếu kinh phí", blocked("thiếu kinh phí")),
    ("chị Hồng xong rồi", done()),  # a name, typed with its marks
    ("xong hông", Q),  # "done?" as said in the south
    ("xong hok ạ", Q),
    ("xong rồi hông chị", Q),
    ("xong rồi chị Hồng ạ", done()),  # the one told, by her name
    ("xong Hồng ơi", done()),
    # Said to deny it: "đâu" with a done word, "còn lâu", "làm gì", "khó".
    ("có xong đâu", NEG),
    ("xong đâu mà", NEG),
    ("đâu đã xong", NEG),
    ("đâu có hoàn thành", NEG),
    ("xong gì đâu ạ", NEG),
    ("đã xong được đâu", NEG),
    ("xong rồi, gửi đâu ạ", done()),  # "đâu" in another clause: where to send it
    ("xong đâu vào đấy", done()),  # all in its place
    ("còn lâu mới xong", NEG),
    ("làm gì đã xong", NEG),
    ("làm gì có chuyện hoàn thành", NEG),
    ("khó xong lắm", NEG),
    ("chắc khó hoàn thành", NEG),
    ("sao xong được", NEG),
    ("xong cái gì", NEG),
    ("far from done", NEG),
    ("nowhere near finished", NEG),
    ("nothing done yet", NEG),
    ("none done", NEG),
    ("nothing blocking, done", done()),
    ("không", NEG),
    ("no", NEG),
    ("not yet", NEG),
    ("not done yet", NEG),
    ("yet to be done", NEG),
    ("still to be completed", NEG),
    ("I haven't finished yet", NEG),
    ("cannot finish on time", NEG),
    # Questions.
    ("xong chưa ạ?", Q),
    ("hoàn thành chưa?", Q),
    ("hoàn thành chưa", Q),
    ("Đã gửi báo cáo cho sở chưa", Q),
    ("xong không?", Q),
    ("is it done?", Q),
    ("Bao giờ hết hạn?", Q),
    ("Khi nào phải nộp", Q),
    ("đã được gia hạn chưa?", Q),  # asks about an extension, does not request one
    ("How do I report?", Q),
    # Promises are not done.
    ("sẽ hoàn thành trước 15/7", PROMISE),
    ("mai xong", PROMISE),
    ("tuần sau xong", PROMISE),
    ("Em sẽ gửi sau", PROMISE),
    ("se xong", PROMISE),
    ("Dự kiến hoàn thành trước ngày 30/6", PROMISE),
    ("hoàn thành trước 15/7", PROMISE),
    ("Dạ hoàn thành trước 15/7 ạ", PROMISE),  # "dạ" is yes, not "đã"
    ("Chiều nay em gửi", PROMISE),
    ("hoàn thành vào tuần sau", PROMISE),
    ("thêm 3 ngày nữa xong", PROMISE),
    # "cho em thêm …" asks the reader for the time: a request, "nữa" or not.
    ("cho em thêm 3 ngày nữa", extension(extension_days=3)),
    # A length said in words, as voice typing writes it (the bot asked for the date).
    ("xin gia hạn thêm mười lăm ngày", extension(extension_days=15)),
    ("xin thêm hai mươi mốt ngày", extension(extension_days=21)),
    ("cho em xin thêm 1 tuần nữa nhé", extension(extension_days=7)),
    ("will finish tomorrow", PROMISE),
    ("Vâng, em sẽ hoàn thành trước 15/7", PROMISE),
    # Acknowledgements report nothing.
    ("ok", ACK),
    ("ok ạ", ACK),
    ("oke", ACK),
    ("vâng ạ", ACK),
    ("Dạ vâng", ACK),
    ("dạ", ACK),
    ("đã nhận", ACK),
    ("Em đã nhận được văn bản, cảm ơn anh", ACK),
    ("Đã rõ", ACK),
    ("cảm ơn", ACK),
    ("noted", ACK),
    ("Thanks", ACK),
    ("Got it", ACK),
    ("👍", ACK),
    ("👍🏻", ACK),
    ("🙏", ACK),
    ("🙏🙏", ACK),
    # Nothing to go on.
    ("", EMPTY),
    ("   ", EMPTY),
    ("...", EMPTY),
    ("🎉", UNKNOWN),
    ("✅", UNKNOWN),  # done, or only seen: too thin to record on, and no thanks; the bot asks
    ("✔️", UNKNOWN),
    ("hello", UNKNOWN),
    ("hoan thahn", UNKNOWN),  # transposed letters: not supported
    ("đã sxong", UNKNOWN),
    ("Đã có kế hoạch", UNKNOWN),
    ("Đã triển khai", UNKNOWN),  # started or finished rolling out: the bot asks
    ("đã đăng tải lên cổng", UNKNOWN),  # "đăng" is not "đang"
    ("Không có khó khăn vướng mắc", UNKNOWN),
    # A number alone is the share done; out of 0-100 it is refused, not dropped.
    ("60", progress(60)),
    ("60 ạ", progress(60)),
    ("6O", progress(60)),  # the letter O for a zero
    ("Đang làm 6O%", progress(60)),
    ("100", guessed(done(percent=100), "100")),
    ("5", UNKNOWN),  # a choice's number, not a share
    ("101", _reply(ReplyKind.UNCLEAR, ReplyHint.PERCENT)),
    ("-5", _reply(ReplyKind.UNCLEAR, ReplyHint.PERCENT)),
    ("-5%", _reply(ReplyKind.UNCLEAR, ReplyHint.PERCENT)),
    ("đang làm 150%", _reply(ReplyKind.UNCLEAR, ReplyHint.PERCENT)),
    # A space typed inside the number ("6 0%") was read as 0%: asked, nothing recorded.
    ("6 0%", _reply(ReplyKind.UNCLEAR, ReplyHint.SPLIT)),
    ("đang làm 6 0%", _reply(ReplyKind.UNCLEAR, ReplyHint.SPLIT)),
    ("đang làm 1 00 phần trăm", _reply(ReplyKind.UNCLEAR, ReplyHint.SPLIT)),
    ("đợt 2 30%", progress(30)),  # "230%" is no share: the 2 is something else
    # A share said in words, as voice typing writes it, is its number.
    ("đang làm sáu mươi phần trăm", progress(60)),
    ("dang lam sau muoi lam phan tram", progress(65)),
    ("được bảy lăm phần trăm rồi", progress(75)),
    ("đạt hai mươi mốt phần trăm", progress(21)),
    ("mười lăm phần trăm", progress(15)),
    ("xong tám mươi phần trăm", partial(80)),  # was DONE
    ("hoàn thành một trăm phần trăm", done(percent=100)),
    (
        "vướng: thiếu kinh phí, mới ba mươi phần trăm",
        blocked("thiếu kinh phí, mới ba mươi phần trăm", percent=30),
    ),
    # Others left: the sender's part done, or the task? Confirmed first, never recorded done.
    ("bên em xong rồi, còn phòng khác", guessed(done(), "bên em xong rồi, còn phòng khác")),
    ("xong rồi, còn các xã khác", guessed(done(), "xong rồi, còn các xã khác")),
    ("đã xong, không còn gì khác", done()),
    # The sender says they no longer follow the unit: whom to tell is said, no status
    # ("đã chuyển" was read as a report sent, done to confirm).
    ("em đã chuyển sang đơn vị khác rồi", unclear(ReplyHint.MOVED)),
    ("dạ em đã chuyển công tác từ tháng trước", unclear(ReplyHint.MOVED)),
    ("em không còn phụ trách nữa", unclear(ReplyHint.MOVED)),
    ("em nghỉ hưu rồi", unclear(ReplyHint.MOVED)),
    ("I no longer work there", unclear(ReplyHint.MOVED)),
    ("đã chuyển văn bản cho phòng", guessed(done(), "đã chuyển văn bản cho phòng")),
    ("em đang nghĩ việc này", UNKNOWN),
    # A reply that takes itself back is asked about, never recorded.
    ("đã xong rồi nhưng nhầm", FIX),
    ("xong rồi, à nhầm", FIX),
    ("nhầm, chưa xong đâu", FIX),
    ("da xong roi nhung nham", FIX),
    ("Xong rồi ạ. Em gửi nhầm", FIX),
    ("xong, à không phải", FIX),
    ("xong rồi, lộn", FIX),
    ("xong roi, sai roi", FIX),
    ("done, sorry wrong task", FIX),
    ("Done. Oops, ignore that", FIX),
    ("Đã hoàn thành nhằm đảm bảo tiến độ", done()),  # "nhằm", in order to
    ("Đã hoàn thành, hồ sơ lộn xộn đã sắp xếp lại", done()),
    ("vướng: số liệu bị nhầm", blocked("số liệu bị nhầm")),
    # A day to come says when it will be done (today is Monday 16/6); a day passed, or
    # "rồi", may say when it was.
    ("thứ 6 xong", PROMISE),
    ("thu sau hoan thanh", PROMISE),
    ("thứ 6 tuần này xong", PROMISE),
    ("20/6 xong", PROMISE),
    ("ngày 30/6 hoàn thành", PROMISE),
    ("cuối tháng xong", PROMISE),
    ("hết tháng này hoàn thành", PROMISE),
    ("hết tháng 7 xong", PROMISE),
    ("thứ 6 xong rồi", done()),
    ("thứ 6 tuần trước xong", done()),
    ("done by friday", PROMISE),  # in English as in Vietnamese
    ("finished last friday", done()),
    ("13/6 xong", done()),
    ("xong, thứ 6 gửi bản ký", guessed(done(), "xong, thứ 6 gửi bản ký")),
    # "phần trăm" is a share, not a part of the work.
    ("hoàn thành 100 phần trăm", done(percent=100)),
    ("xong 100 phan tram", done(percent=100)),
    ("xin gia hạn đến 0/7", extension()),  # no day 0: not the month's end
    # Some of the units or items done is work under way; all of them is done; "3/5" alone
    # may be a date.
    ("Đã hoàn thành 10/12 xã", partial()),
    ("đã xong được 3/5 phường", partial()),
    ("hoàn thành 2 trên 5 nội dung", partial()),
    ("đã hoàn thành 45/50 hồ sơ", partial()),
    ("xong 8/15", partial()),
    ("Đã hoàn thành 12/12 xã", done()),
    # n/n of a counted noun is all of them, even a noun that names part of the work, and
    # such a pair is no date: "xong 2/2 hồ sơ" is not "done on 2 February".
    ("Đã hoàn thành 3/3 nội dung", done()),
    ("xong 3/3 hạng mục", done()),
    ("hoàn thành 2/2 bước", done()),
    ("xong 2/2 hồ sơ", done()),
    ("hoàn thành 12/12 xã", done()),
    ("hoàn thành 3/5 nội dung", partial()),
    ("đã hoàn thành ngày 3/5", done()),
    # Almost done is not done.
    ("gần như xong", partial()),
    ("xong gần hết", partial()),
    ("còn 1 ít nữa là xong", partial()),
    ("còn chút nữa xong", partial()),
    ("hoàn thành cơ bản", partial()),
    # Under way at 100 % is done, most likely: asked, never kept as "in progress 100%".
    ("đang làm 100%", guessed(done(percent=100), "đang làm 100%")),
    ("dang thuc hien 100 %", guessed(done(percent=100), "dang thuc hien 100 %")),
    # Done on a condition, or after Tết, or within today, is not done yet.
    ("nếu xong em báo", PROMISE),
    ("xong thì em báo ạ", PROMISE),
    ("để em xong rồi báo", PROMISE),
    ("làm xong em gửi", PROMISE),
    ("xong em báo lại", PROMISE),
    ("vài bữa nữa xong", PROMISE),
    ("qua tết xong", PROMISE),
    ("trong hôm nay hoàn thành", PROMISE),
    ("Xong em báo cáo anh ạ", done()),
    ("xong rồi em gửi", done()),
    ("Sau khi rà soát đã hoàn thành", done()),
    ("đã hoàn thành trước tết", done()),
    # Asking for time in other words: "khất", "hoãn", "thêm ít ngày".
    ("em xin khất đến thứ 6 tuần sau", extension(new_deadline=date(2025, 6, 27))),
    ("xin hoãn đến 30/6", extension(new_deadline=date(2025, 6, 30))),
    ("cho em thêm ít ngày", extension()),
    ("cần thêm vài ngày vì chờ số liệu", extension(reason="chờ số liệu")),
    # a blocker or a lack said before the request is its reason
    ("vướng kinh phí, xin gia hạn 1 tuần", extension(extension_days=7, reason="vướng kinh phí")),
    (
        "chưa có kinh phí nên xin gia hạn 1 tuần",
        extension(extension_days=7, reason="chưa có kinh phí"),
    ),
    ("xin hoàn thành trước 30/6", PROMISE),
    # A lack said with a negation is a blocker, its words the reason.
    ("không có kinh phí", blocked("không có kinh phí")),
    ("chưa bố trí được kinh phí", blocked("chưa bố trí được kinh phí")),
    ("chưa có hướng dẫn của sở", blocked("chưa có hướng dẫn của sở")),
    ("chưa có", NEG),
    # A pair that reads as a date and as a count, the two meaning different things, is
    # asked about (today is 16/6): "xong 8/10" is 8 of 10, or "by 8 October"; "xong 5/6"
    # 5 of 6, or "done on 5 June"; "hoàn thành 12/12 báo cáo" twelve reports of twelve, or
    # "finish on 12/12 and report". One reading left decides.
    ("xong 8/10", AMBIGUOUS),
    ("8/10 xong", AMBIGUOUS),
    ("xong 5/6", AMBIGUOUS),
    ("xong 12/12", AMBIGUOUS),
    ("hoàn thành 12/12 báo cáo", AMBIGUOUS),
    ("xong 3/5 báo cáo", AMBIGUOUS),
    ("đã xong 8/10", partial()),  # no 8 October has passed: 8 of 10
    ("xong 8/10 rồi", partial()),
    ("đã gửi 10/12 báo cáo", partial()),
    ("Đã hoàn thành 12/12 báo cáo", done()),  # 12 December has not passed: all twelve
    ("xong 6/6", done()),  # done on 6 June, or six of six: done either way
    ("vào 5/6 đã xong", done()),  # "vào" (on) makes it a day
    ("xong được 3/4", partial()),  # "được" (got) makes it a count
    ("đạt 8/10 tiêu chí", partial()),
    ("xong 31/12", PROMISE),  # no count: a day to come
    ("hoàn thành ngày 8/10", PROMISE),
    # This day or week is when it will be done, as "thứ 6 xong" is, unless said as past.
    ("hôm nay xong", PROMISE),
    ("xong hôm nay", PROMISE),
    ("tuần này xong", PROMISE),
    ("chiều nay xong", PROMISE),
    ("tối nay em gửi", PROMISE),
    ("Sáng nay em nộp", PROMISE),
    ("hôm nay đã xong", done()),
    ("chiều nay đã xong", done()),
    ("báo cáo tuần này xong rồi", done()),
    ("Thứ 2 tuần này xong", done()),  # that Monday is today: a day named, not a promise
    ("tính tới nay xong", done()),  # "tới nay" (until now) is no "tối nay" (tonight)
    ("xong kế hoạch năm nay", done()),  # this year's plan
    ("T6 xong", PROMISE),  # "T6" is how officials write "thứ 6"
    ("xong t6 rồi", done()),
    ("xin gia hạn đến T6 tuần sau", extension(new_deadline=date(2025, 6, 27))),
    # Wishing to finish, or early, or with days left, is not done.
    ("xin hoan thanh som", PROMISE),
    ("xin được hoàn thành trước 30/6", PROMISE),
    ("hoàn thành sớm", PROMISE),
    ("Đã xong sớm hơn kế hoạch", done()),
    ("còn 2 ngày là xong", PROMISE),
    ("xong rồi, còn 2 ngày nữa mới hết hạn", done()),  # time left to the deadline
    # Work left ("còn …") is in progress, whatever was done.
    ("đã hoàn thành 3/3 nội dung, còn 2 việc", partial()),
    ("Đã xong ạ, còn 2 xã chưa nộp", partial()),
    ("xong 80%, còn 20%", partial(80)),
    ("còn 20% nữa", partial()),  # the share left, not the share done
    ("xong, con 2 xa", partial()),
    ("xong cơn mưa", done()),  # "cơn" is no "còn"
]


# What officials send in Zalo, as typed: teencode, abbreviations, no diacritics, emoji, a
# photo's caption. Each reads as a careful coordinator would, or is asked about: no reply is
# kept with a meaning the official did not give.
ZALO: list[tuple[str, ParsedReply]] = [
    # Acknowledgements: "đc rồi" is "all right", not "done".
    ("Ok anh", ACK),
    ("oki ạ", ACK),
    ("okie", ACK),
    ("dc", ACK),
    ("đc", ACK),
    ("đc rồi", ACK),
    ("được rồi ạ", ACK),
    ("Dạ em nhận rồi ạ", ACK),
    ("đã nhận được ạ", ACK),
    ("ok em làm ngay", ACK),
    ("👍👍", ACK),
    ("✅✅", UNKNOWN),  # done, or seen: asked
    ("báo cáo đây ạ", UNKNOWN),  # a photo's caption: the file says nothing of the status
    # Done.
    ("xong rồi ạ", done()),
    ("xong rùi", done()),
    ("Done ạ", done()),
    ("dạ xong ạ", done()),
    ("e xong r a", done()),
    ("xong hết rồi", done()),
    ("hoàn thành rồi ạ 👍", done()),
    ("✅ xong", done()),
    ("Em báo cáo: đã hoàn thành", done()),
    ("em xin báo cáo đã hoàn thành", done()),
    ("Đã hoàn thành 100% khối lượng", done(percent=100)),
    ("đã hoàn thành nv", done()),
    ("Xong từ hôm qua rồi", done()),
    ("hôm qua xong", done()),
    ("đến nay đã xong", done()),
    ("Đã xong, em gửi bản scan qua zalo", done()),
    ("Hoàn thành 10/10 xã", done()),
    # Abbreviations and a verb alone: most likely done, confirmed with one tap.
    ("htanh", guessed(done(), "htanh")),
    ("ht", guessed(done(), "ht")),
    ("ht r", guessed(done(), "ht r")),
    ("đã ht", guessed(done(), "đã ht")),
    ("đã gửi bc", guessed(done(), "đã gửi bc")),
    # English verbs in a Vietnamese sentence: confirmed as "đã gửi" is (they were not read).
    ("finish rồi", guessed(done(), "finish rồi")),
    ("em đã submit rồi", guessed(done(), "em đã submit rồi")),
    ("đã upload lên hệ thống", guessed(done(), "đã upload lên hệ thống")),
    ("chưa submit", NEG),
    ("sẽ finish trong tuần", PROMISE),
    ("đã bc", guessed(done(), "đã bc")),
    ("đã nộp", guessed(done(), "đã nộp")),
    ("nộp rồi", guessed(done(), "nộp rồi")),
    ("em gửi rồi ạ", guessed(done(), "em gửi rồi ạ")),
    ("gửi rồi nha", guessed(done(), "gửi rồi nha")),
    ("hôm qua em gửi rồi", guessed(done(), "hôm qua em gửi rồi")),
    # In progress.
    ("dang lam 50%", progress(50)),
    ("dang trien khai", progress()),
    ("đang tổng hợp", progress()),
    ("Đang tổng hợp số liệu ạ", progress()),
    ("chờ ký", progress()),
    ("cho ky", progress()),
    ("chờ lãnh đạo duyệt", progress()),
    ("cho lanh dao duyet", progress()),
    ("đang chờ ký ban hành", progress()),
    ("đã trình lãnh đạo ký", progress()),
    ("em đang tổng hợp, chiều nay gửi", progress()),
    ("mới được 50%", progress(50)),
    ("đc 70% rồi", progress(70)),
    ("làm đc 1 nửa", progress(50)),
    ("đạt 75,5%", progress(75)),  # a decimal comma: the whole percent, never more
    ("sắp xong rồi anh", partial()),
    ("Xong 90% rồi", partial(90)),
    ("được 3/4 xã", partial()),
    ("dc 3/4 xa", partial()),
    ("Đã xong 8/10 xã", partial()),
    ("tới nay đã xong 8/10 xã", partial()),
    ("xong rồi, còn lại em đang làm", partial()),
    ("đã xong phần của xã, chờ huyện tổng hợp", partial()),
    # Blocked.
    ("vướng", blocked(None)),
    ("vuong", blocked(None)),
    ("kho khan", blocked(None)),
    ("bị vướng ạ", blocked(None)),  # "ạ" is no reason
    ("dang vuong a", blocked(None)),
    ("vuong thieu kinh phi", blocked("thieu kinh phi")),
    ("Đang vướng thủ tục", blocked("thủ tục")),
    ("thiếu người làm", blocked("thiếu người làm")),
    ("chua co huong dan", blocked("chua co huong dan")),
    # Extensions.
    ("xin gia han den 20/12", extension(new_deadline=date(2025, 12, 20))),
    ("xin lùi hạn đến cuối tháng", extension()),  # no date: the bot asks which
    # Not done: negations, promises.
    ("không xong được", NEG),
    ("khong xong duoc", NEG),
    ("k kịp ạ", NEG),
    ("chưa ạ", NEG),
    ("Xong rồi nhưng chưa ký", NEG),
    ("Mai em gửi ạ", PROMISE),
    ("dạ mai e nộp", PROMISE),
    ("Sáng mai em nộp", PROMISE),
    ("2 ngày nữa xong", PROMISE),
    ("t6 em gửi", PROMISE),
    ("cn xong", PROMISE),
    ("Vâng, em sẽ gửi trong hôm nay", PROMISE),
    ("chưa kịp", NEG),
    ("chua lam dc", NEG),
    # More of what officials write: part of the work, busy, a form's field left "none".
    ("xong khâu khảo sát", partial()),
    ("xong mục 1", partial()),
    ("còn mỗi khâu ký", partial()),
    ("8/10 xã đã xong", partial()),
    ("tiến độ 70%", progress(70)),
    ("đang đi khảo sát thực địa", progress()),
    ("em nộp rồi nhưng sở trả về để sửa", partial()),
    ("em đang đi họp, chiều em báo", UNKNOWN),  # busy: nothing said of the task
    ("đang công tác", UNKNOWN),
    ("Em đang nghỉ phép, tuần sau em làm", PROMISE),
    ("vướng mắc: không", UNKNOWN),  # "blockers: none"
    ("Khó khăn: không có", UNKNOWN),
    ("vướng mắc: không có gì ạ", UNKNOWN),
    ("Dạ báo cáo anh, đơn vị đã hoàn thành", done()),  # "dạ báo cáo" is no "đã báo cáo"
    ("Đã xong 😊", done()),
    ("👌", ACK),
]


@pytest.mark.parametrize(("text", "expected"), ZALO)
def test_parse_reply_reads_what_officials_send_in_zalo(text: str, expected: ParsedReply) -> None:
    """Each reply as officials type it in Zalo reads as a careful coordinator would."""
    assert parse_reply(text, today=TODAY) == expected


def test_zalo_table_is_large_and_new() -> None:
    """The Zalo table holds about 80 replies, none twice and none already in REPLIES."""
    texts = [text for text, _ in ZALO]
    assert len(texts) >= 80
    assert len(set(texts)) == len(texts)
    assert not set(texts) & {text for text, _ in REPLIES}


# Folded words that are also other words: the parser reads them by their marks.
_GUARDED_WORDS = frozenset(
    {"dang", "cho", "se", "mai", "nua", "da", "vi", "do", "nham", "lon", "toi", "con", "vuong"}
    | {"hong", "dau", "tam", "tru"}
)


def fold_marks(text: str) -> str:
    """Return text as typed on a keyboard without Vietnamese marks ("Đã xong" → "Da xong")."""
    bare = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


@pytest.mark.parametrize("text", [text for text, _ in [*REPLIES, *ZALO]])
def test_parse_reply_reads_text_without_diacritics_alike(text: str) -> None:
    """A reply typed without diacritics reads as with them, unless folding makes it another
    word that the parser tells apart by its marks ("đăng", "nữa", "vì", "chờ", "mai" …)."""
    bare = fold_marks(text)
    if bare == text or _GUARDED_WORDS & set(fold(text).split()):
        return
    assert parse_reply(bare, today=TODAY).kind == parse_reply(text, today=TODAY).kind


def test_telex_spells_back_its_words_only() -> None:
    """The words a reply is read by, typed in Telex, are spelled back with their marks (a
    capital kept); any other word, English ones that look like Telex too, stays as typed."""
    typed = "Ddax hoanf thanhf, chuaw gui, sex xong; the car is done, own it, tasks"
    expected = "Đã hoàn thành, chưa gui, sẽ xong; the car is done, own it, tasks"
    assert untelex(typed) == expected


def test_vni_spells_back_its_words_only() -> None:
    """The words a reply is read by, typed in VNI (the marks as digits after their letter or
    at the end of the word), are spelled back; numbers, "T6" and other words stay as typed."""
    typed = "D9a4 hoa2n tha2nh, se4 xong tuan62 sau, vuo71ng 15/12, T6 xong, 60%"
    expected = "Đã hoàn thành, sẽ xong tuần sau, vướng 15/12, T6 xong, 60%"
    assert untelex(typed) == expected


@pytest.mark.parametrize(("text", "expected"), REPLIES)
def test_parse_reply_reads_real_replies(text: str, expected: ParsedReply) -> None:
    """Each real-looking reply reads as the expected status and details."""
    assert parse_reply(text, today=TODAY) == expected


def test_replies_table_is_large_and_unique() -> None:
    """The specification table covers at least 100 distinct replies."""
    texts = [text for text, _ in REPLIES]
    assert len(texts) >= 100
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "Đã hoàn thành",
        "vướng: thiếu kinh phí",
        "xin gia hạn đến 15/7 vì chờ ý kiến sở",
        "Đã ban hành QĐ 03/QĐ-BCĐ ngày 10/3/2025",
        "chưa hoàn thành",
        "đang thực hiện được 70%",
        "đang đăng tải",
    ],
)
def test_parse_reply_treats_nfc_and_nfd_alike(text: str) -> None:
    """Precomposed and decomposed input give the same result, reason included."""
    nfc = parse_reply(unicodedata.normalize("NFC", text), today=TODAY)
    nfd = parse_reply(unicodedata.normalize("NFD", text), today=TODAY)
    assert nfd == nfc


def test_parse_reply_quotes_nfd_reason_in_nfc() -> None:
    """A reason typed in NFD comes back in NFC."""
    parsed = parse_reply(unicodedata.normalize("NFD", "vướng: thiếu kinh phí"), today=TODAY)
    assert parsed.reason == unicodedata.normalize("NFC", "thiếu kinh phí")


def test_parse_reply_ignores_text_beyond_the_scan_limit() -> None:
    """Only the first MAX_SCAN_CHARS characters count."""
    text = "đang làm " + "." * MAX_SCAN_CHARS + " chưa xong"
    assert parse_reply(text, today=TODAY) == progress()


def test_parse_reply_keeps_a_whole_long_report_as_the_note() -> None:
    """A 3,400-character report is a guess to confirm, its note the whole text."""
    text = (NARRATIVE + " ") * 17
    assert len(text) > MAX_SCAN_CHARS
    parsed = parse_reply(text, today=TODAY)
    assert parsed.uncertain
    assert parsed.note == text.strip()


def test_parse_reply_round_trips_a_guess_through_kept_data() -> None:
    """A guess kept while the bot asks (reply_to_dict) comes back a guess, note included."""
    parsed = parse_reply("đã gửi báo cáo", today=TODAY)
    assert reply_from_dict(reply_to_dict(parsed)) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "a" * 10_000,
        "xong " * 2_000,
        "chưa " * 2_000,
        "vướng " * 2_000,
        "1/" * 5_000,
        "15/KH-" * 2_000,
        "gia hạn " * 1_250,
        "đ" + "\u0301" * 9_999,
        "👍" * 10_000,
    ],
)
def test_parse_reply_handles_oversized_input_quickly(text: str) -> None:
    """A 10,000-character reply parses in well under a second of CPU (a pattern that
    backtracks takes minutes): this thread's own CPU time, which other processes on a loaded
    machine do not lengthen as they do the wall clock's."""
    started = time.thread_time()
    parsed = parse_reply(text, today=TODAY)
    assert time.thread_time() - started < 1.0
    assert isinstance(parsed, ParsedReply)


def _assert_valid(parsed: ParsedReply) -> None:
    """Check the invariants every result keeps."""
    assert isinstance(parsed.kind, ReplyKind)
    assert isinstance(parsed.hint, ReplyHint)
    assert parsed.percent is None or 0 <= parsed.percent <= 100
    assert parsed.reason is None or (parsed.reason and parsed.reason == parsed.reason.strip())
    assert parsed.extension_days is None or parsed.extension_days >= 0
    if parsed.kind is ReplyKind.UNCLEAR:
        assert parsed == ParsedReply(kind=ReplyKind.UNCLEAR, hint=parsed.hint)
    if parsed.kind is not ReplyKind.EXTENSION:
        assert parsed.new_deadline is None
        assert parsed.extension_days is None
        assert not parsed.extension_working_days
    if parsed.kind is not ReplyKind.DONE:
        assert parsed.evidence_number is None
        assert parsed.evidence_date is None
    assert (parsed.note is not None) == parsed.uncertain  # a guess keeps what was written


@given(st.text())
def test_parse_reply_accepts_any_text(text: str) -> None:
    """Arbitrary text never raises and always gives a well-formed result."""
    _assert_valid(parse_reply(text, today=TODAY))


@given(
    st.lists(
        st.sampled_from(
            ["xong", "đã", "hoàn thành", "chưa", "vướng", "gia hạn", "đến", "15/7", "60%", "?",
             "15/KH-UBND", "ngày", "10/3/2025", "không", "sẽ", "đang", "vì", "ạ", "ok", ","]
        ),
        max_size=12,
    ).map(" ".join),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)  # fmt: skip
def test_parse_reply_accepts_any_mix_of_keywords(text: str, today: date) -> None:
    """Keywords in any order and on any day give a well-formed result."""
    _assert_valid(parse_reply(text, today=today))


DONE_WORDS = ["xong", "hoàn thành", "hoan thanh", "đã xong", "done", "ban hành", "hoàn tất"]


@given(
    st.text(max_size=40),
    st.sampled_from(["chưa", "chua", "CHƯA", unicodedata.normalize("NFD", "chưa")]),
    st.text(max_size=40),
    st.sampled_from(DONE_WORDS),
    st.text(max_size=40),
)
def test_parse_reply_never_reads_chua_before_done_as_done(
    prefix: str, chua: str, middle: str, done_word: str, suffix: str
) -> None:
    """A reply with "chưa" before a done word is never DONE."""
    text = f"{prefix} {chua} {middle} {done_word}{suffix}"
    assert parse_reply(text, today=TODAY).kind is not ReplyKind.DONE


@given(
    st.text(max_size=40),
    st.sampled_from(["không", "khong", "ko", "k", "KHÔNG", "hông", "hổng", "hok", "chả"]),
    st.sampled_from(DONE_WORDS),
    st.sampled_from(["", " được", " dc", " kịp", " nổi"]),
    st.text(max_size=40),
)
def test_parse_reply_never_reads_a_done_word_negated_as_done(
    prefix: str, negator: str, done_word: str, able: str, suffix: str
) -> None:
    """ "không xong được", "ko hoàn thành kịp" anywhere in a reply is never DONE."""
    text = f"{prefix} {negator} {done_word}{able} {suffix}"
    assert parse_reply(text, today=TODAY).kind is not ReplyKind.DONE


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("3 ngày nữa xong", True),
        ("2 xã đã xong", True),
        ("1 tuần nữa em gửi", True),
        ("#12 2 more days and it's done", True),
        ("2 trên 5 xã", True),
        ("2 60%", False),  # choice 2, in progress at 60%
        ("3 thiếu kinh phí", False),  # choice 3, blocked for that reason
        ("4 15/12 chờ kinh phí", False),
        ("#12 1", False),
        ("1", False),
    ],
)
def test_counts_first_tells_a_count_from_a_choices_number(text: str, counts: bool) -> None:
    """A text that starts with a count or a length of time is the official's words, not the
    number of a status offered ("3 ngày nữa xong" is no "3 = Vướng mắc")."""
    assert counts_first(text) is counts


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("xong 8/10", ("8", "10")),
        ("#12 hạn 30/6, hoàn thành 12/12 báo cáo", ("12", "12")),  # not the deadline's
        ("đã xong 8/10", None),  # 8 of 10: not asked about
        ("xong", None),
    ],
)
def test_ambiguous_pair_is_the_pair_asked_about(text: str, pair: tuple[str, str] | None) -> None:
    """The question about "xong 8/10" names the pair that reads two ways, as typed."""
    assert ambiguous_pair(text, today=TODAY) == pair


def test_parse_reply_reads_a_repeated_short_reply_against_each_day() -> None:
    """A short reply's reading is remembered (the same words each morning), but its dates
    are the day's: read again on another day, "đến 15/12" is that year's 15 December."""
    text = "xin gia hạn đến 15/12"
    this_year = parse_reply(text, today=date(2026, 12, 1))
    assert this_year.new_deadline == date(2026, 12, 15)
    assert parse_reply(text, today=date(2026, 12, 1)) == this_year
    assert parse_reply(text, today=date(2027, 12, 1)).new_deadline == date(2027, 12, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "thêm tuần nữa": one more week, its number left unsaid
        ("cho e thêm tuần nữa", extension(extension_days=7)),
        ("cho e thêm hôm nữa", extension(extension_days=1)),
        # "xong" typed with an s: done, to confirm; "sông", "sống" are other words
        ("song r", guessed(done(), "song r")),
        ("đã song", guessed(done(), "đã song")),
        ("sông rồi", unclear(ReplyHint.UNRECOGNISED)),
        # "ha" unmarked: "hả" (asked back) or the south's "ha" closing a report: to confirm
        ("xong r ha", guessed(done(), "xong r ha")),
        ("xong r hả", Q),
        # one thing done, another promised: to confirm
        ("bc xong r, kh thì mai xong", guessed(done(), "bc xong r, kh thì mai xong")),
        # a signature and the pauses of voice typing make no narrative
        ("Đã xong\nTrân trọng,\nNguyễn Thị Hoa\nCông chức VP-TK xã An Hòa", done()),
        ("Dạ. Em báo cáo. Đã xong ạ.", done()),
        # dates and questions as typed on Zalo
        ("xin gia hạn đến 20 thg 6", extension(new_deadline=date(2025, 6, 20))),
        ("xin gia hạn tới ngày 20", extension(new_deadline=date(2025, 6, 20))),
        ("xin gia hạn tới ngày 10", extension(new_deadline=date(2025, 7, 10))),
        ("việc gì vậy a", Q),
    ],
)
def test_parse_reply_reads_words_typed_on_zalo(text: str, expected: ParsedReply) -> None:
    assert parse_reply(text, today=TODAY) == expected
