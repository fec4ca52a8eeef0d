"""The words the rules look for, as patterns on folded text (:mod:`core.textnorm`).

A few folded words are also other words ("dang" is both "đang" and "đăng"): those are
:data:`Guarded`, accepted only when typed in one of the listed forms.
"""

from __future__ import annotations

import re

from core.replies.dates import DURATION_ANON

_DONE_WORD = r"(?:x+o+n*g+|hoan\s?thanh|hoan\s+tat|done|finished|completed|complete|accomplished)"
# Verbs that report completion only in the perfective: "đã gửi", "gửi rồi".
_VERB = (
    r"(?:ban\s+hanh|gui|nop|bao\s+cao|bc|ky|phe\s+duyet|thanh\s+lap|to\s+chuc|thuc\s+hien"
    r"|cap\s+nhat|kien\s+toan|xu\s+ly|khac\s+phuc"
    # "đã chuyển báo cáo", not "đã chuyển cho anh Nam", "chuyển phòng chuyên môn": handed on
    r"|chuyen(?!\s+(?:(?:cho|sang|xuong|qua|ve)\s+)?(?:anh|chi|em|dong\s+chi|d/c|dc|can\s+bo"
    r"|cong\s+chuc|bo\s+phan|phong|van\s+phong|ban|to)\b)"
    # English verbs in Vietnamese sentences: "finish rồi", "em đã submit", "đã upload"
    r"|finish|submit|upload)"
)
_ENGLISH_PAST = r"(?:submitted|sent|issued|signed|approved|delivered|reported)"
# The negation words as typed, also with the Vietnamese keyboard off: its Telex or VNI marks
# left in the word ("chuaw", "chuwa", "chu7a" for "chưa"; "khoong", "kho6ng" for "không";
# "chawngr" for "chẳng"). "kh" alone is "không" too, but also "KH" (kế hoạch, a plan): it
# negates only right before a done word (:data:`_KH_NEGATED`).
_CHUA = r"(?:ch(?:uw?|w|u7)a[w7]?)"
_KHONG = r"(?:kh(?:oo?|o6)ng6?|khg|kg|ko|k0|k)"  # "k0": a zero for the "o"
_CHANG = r"(?:cha[w8]?[r3]?ng[wr38]{0,2})"
_NEGATOR = (
    rf"(?:{_KHONG}|{_CHANG}|{_CHUA}|not|never|cannot|unable\s+to|\w+n['’]t|far\s+from"
    r"|nowhere\s+near|hardly|barely)"
)
# "ch" and "chx" are "chưa" ("chưa xong") in chat: "ch" only right before such a word too.
_KH_NEGATED = rf"\b(?:kh|ch)\s+(?:(?:the|kip)\s+)?(?:{_DONE_WORD}|kip|lam|lm|duoc|dc)\b|\bchx\b"
# "không" and "chẳng" as spoken in the south or typed in chat ("hông", "hổng", "hok", "hem",
# "khum", "hk", "khôg", "chả"); folded, they are other words too ("Hồng", "cha"), so they
# negate only shortly before a done word or "làm", "được" (not typed "Hồng": the caller
# checks), and ask ("xong hông?") only after one at the end.
_SPOKEN_NO = r"(?:hok|hong|hem|khum|hk|khog)"
_SPOKEN_NEGATED = (
    rf"\b(?P<no>{_SPOKEN_NO}|cha)\W+(?:\w+\W+){{0,2}}?(?:{_DONE_WORD}|{_VERB}|kip|lam|duoc|dc)\b"
)
# Said to deny: "còn lâu mới xong" (far from it), "làm gì đã xong" (how could it be), "khó
# xong" (hardly), "sao xong được" (how could it), "xong cái gì" (done what?).
_DENIED = (
    rf"\bcon\s+lau\s+(?:\w+\s+){{0,2}}?{_DONE_WORD}"
    rf"|\blam\s+(?:gi|j)\s+(?:(?:da|co|ma|duoc|chuyen)\s+)*{_DONE_WORD}"
    rf"|\bkho\s+(?:ma\s+|co\s+the\s+|lam\s+)?(?:{_DONE_WORD}|kip)\b"
    rf"|\bsao\s+(?:ma\s+)?(?:{_DONE_WORD}|kip)\s+(?:duoc|dc|noi)\b"
    # "không có cách nào xong", "không đời nào xong": no way
    rf"|\b{_KHONG}\s+(?:co\s+)?(?:cach|doi)\s+nao\s+(?:\w+\s+){{0,2}}?(?:{_DONE_WORD}|kip)\b"
    # "xong sao nổi" (how could it), "xong không nổi", "hoàn thành hổng nổi" (it cannot be)
    rf"|\b{_DONE_WORD}\s+(?:sao|{_KHONG}|{_SPOKEN_NO}|cha)\s+(?:noi|duoc\s+dau)\b"
    # "xong sao đc" (how could it), "xong ko hết", "xong k kịp": it cannot be, or not all
    rf"|\b{_DONE_WORD}\s+sao\s+(?:duoc|dc)\b|\b{_DONE_WORD}\s+{_KHONG}\s+(?:het|kip)\b"
    rf"|\b{_DONE_WORD}\s+(?:cai\s+)?gi\b"
    rf"|\b(?:nothing|none)(?:['’]s|\s+(?:is|was|has\s+been|of\s+it))?\s+{_DONE_WORD}\b"
    # "yet to be done", "still to be done", "to be completed"
    rf"|\b(?:yet\s+|still\s+)?to\s+be\s+{_DONE_WORD}\b"
)
_CAUSE = (
    r"(?:boi\s+vi|tai\s+vi|ly\s+do|li\s+do|nguyen\s+nhan|because(?:\s+of)?|due\s+to|since"
    r"|vi|do|boi)"
)
# "em", "e" (as typed in chat), "bên em", "đơn vị": the sender, as the sender says it
_WE = r"(?:em|e|toi|minh|ben\s+e(?:m)?|chung\s+em|don\s+vi)"
_PARTICLE = r"(?:a|ah|ak|nhi|vay|the|ha|nhe|nha|em|anh|chi|ban|oi|sep)"
# Not "đọc xong", "xem xong", "nghe xong", "nhận xong": the reminder read, not the work done;
# nor "thời hạn hoàn thành", "hỏi hạn hoàn thành", the deadline (not "đúng hạn hoàn thành").
_NOT_REPORTED = (
    r"(?<!\bdoc )(?<!\bxem )(?<!\bnghe )(?<!\bnhan )(?<!\bthoi han )(?<!\bhoi han )(?<!^han )"
)
DONE_RE = re.compile(rf"\b{_NOT_REPORTED}{_DONE_WORD}\b")
PERFECTIVE_RE = re.compile(
    rf"\bda\s+(?:(?:duoc|chinh\s+thuc)\s+)?{_VERB}\b|\b{_VERB}\b(?:\s+\w+){{0,3}}\s+(?:roi|rui|r)\b"
    rf"|\b{_ENGLISH_PAST}\b"
)
QUESTION_RE = re.compile(
    # "?", full-width, or as an emoji ("xong ❓", "⁉️")
    "[?？\u2753\u2754\u2049]"
    r"|\b(?:the\s+nao|nhu\s+nao|lam\s+sao|bao\s+gio|khi\s+nao|la\s+gi|o\s+dau"
    r"|phai\s+khong|dung\s+khong|duoc\s+khong|hay\s+khong|co\s+phai|thi\s+sao"
    # "việc gì vậy", "việc nào thế": which task?
    r"|(?:gi|nao)\s+(?:vay|the|z))\b"
    r"|^(?:is|are|did|does|what|when|where|why|how|which|who)\b(?!['’])"
    # "it's done, isn't it", "done, right": a tag that asks
    r"|\b(?:isn['’]t|aren['’]t|wasn['’]t|didn['’]t|hasn['’]t|haven['’]t)\s+(?:it|they|we|i|you)\W*$"
    r"|,\s*right\W*$"
)
# "xong chưa", "đã gửi báo cáo chưa ạ": a done word, then "chưa"/"không" ends the reply.
TRAILING_QUESTION_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB})\b[^,.;!\n]*\b(?:{_CHUA}|{_KHONG})(?:\s+{_PARTICLE})*\W*$"
)
# "xong hông?", "xong rồi hok chị": right after the done word, as the south asks (the caller
# checks it was not typed "Hồng": "xong rồi chị Hồng ạ" names the one told).
SPOKEN_QUESTION_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB})\s+(?:roi\s+)?(?P<no>{_SPOKEN_NO})(?:\s+{_PARTICLE})*\W*$"
)
# "xong rồi à", "đã xong rồi hả anh", "gửi rồi ư": a done word asked back, a particle that
# asks ending the reply. Folded, "à" is "ạ" (polite, "xong rồi ạ" reports it done): the
# caller checks the particle was typed as one of :data:`ASKING_PARTICLES`.
ASKED_BACK_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB}|lam)\b(?:\s+(?:roi|r|rui|het|xong|that))*"
    rf"\s+(?:(?:day|do)\s+)?(?P<particle>ha|ho|u|a|chu|nhi)(?:\s+{_PARTICLE})*\W*$"
)
# "xong rồi chứ", "xong rồi đấy nhỉ" (it is done, isn't it?) ask too; not "chữ", "chủ",
# "nhi" typed with other marks.
ASKING_PARTICLES = frozenset({"hả", "hở", "ư", "à", "chứ", "chu", "nhỉ", "nhi"})
# The sender no longer follows the unit's work: "em đã chuyển công tác", "không còn phụ
# trách", "đã nghỉ hưu", "I no longer work there". No status: whom to tell is said instead.
MOVED_RE = re.compile(
    r"\bchuyen\s+(?:cong\s+tac|sang\s+(?:don\s+vi|phong|co\s+quan|bo\s+phan|noi|cho)\s+khac"
    r"|di\s+(?:noi|cho)\s+khac)"
    rf"|\b{_KHONG}\s+con\s+(?:phu\s+trach|lam\s+(?:o|tai|viec\s+o)|cong\s+tac|thuoc|o)\b"
    # "nghỉ việc rồi" (not "đang nghĩ việc này", which folds the same)
    r"|\bnghi\s+(?:huu|che\s+do|viec\s+(?:roi|r)\b)\b"
    r"|\bno\s+longer\s+(?:in\s+charge|responsible|work|with|at)\b|\bmoved\s+to\s+another\b"
)
EXTENSION_RE = re.compile(
    r"\b(?:gia\s+han|(?:lui|doi|gian)\s+(?:thoi\s+)?han|gian\s+tien\s+do"
    r"|keo\s+dai\s+thoi\s+(?:han|gian)|them\s+thoi\s+gian|xin\s+(?:lui|doi)"
    # "xin gh đến 20/12", "xin delay 3 ngày", "xin phép lùi lịch": in chat
    r"|xin(?:\s+phep)?\s+(?:gh|delay|lui\s+(?:lich|thoi\s+gian))"
    # "xin khất đến thứ 2", "xin hoãn" (not "xin hoàn thành"), "cho em thêm ít ngày"
    r"|xin\s+(?:khat|hoan(?!\s+(?:thanh|thien|tat|tra|lai|chinh)\b))"
    # "cho em khất đến thứ 2", "khất sang tuần sau", "lùi sang 20/12", "hoãn đến thứ 6": a
    # delay to a day named (not "lùi lại", "khát nước")
    r"|khat\s+(?:no\s+)?(?:den|toi|sang|qua|them|han|lai|vai|it)"
    r"|(?:lui|hoan)\s+(?:lai\s+)?(?:sang|den|toi|qua)\s+(?=(?:ngay|thu|t[2-7]|chu\s+nhat|cn"
    r"|tuan|thang|cuoi|het|mai|mot|\d))"
    r"|(?:xin|cho\s+em|cho\s+e|can)\s+(?:them\s+)?(?:vai|it|mot\s+it|mot\s+vai|may)\s+"
    r"(?:ngay|hom|bua|tuan)"
    # "cho e thêm tuần nữa": a week more, asked
    rf"|cho\s+{_WE}\s+(?:xin\s+)?them\s+(?:ngay|hom|bua|tuan)\s+nua"
    r"|extension|extend(?:ed|ing)?|postpone|more\s+time|extra\s+time)\b"
    # "xin thêm 5 ngày" asks for time; "thêm 3 ngày nữa (là xong)" only estimates it.
    rf"|\b(?:xin|can|cho|extra|more|another)\s+(?:them\s+)?{DURATION_ANON}"
    # "xin phép chậm 2 ngày", "cho em nộp trễ 3 ngày": late by so long, asked
    r"|\b(?:xin(?:\s+phep)?|cho\s+(?:em|e|minh|toi))\s+(?:nop\s+|gui\s+)?(?:cham|tre|muon)"
    rf"\s+(?:(?:them\s+)?{DURATION_ANON}|(?:den|toi|sang)\s+(?=ngay|thu|t[2-7]|chu\s+nhat|cn|tuan|\d))"
    # "cho em thêm 3 ngày nữa": asked of the reader, "nữa" or not
    rf"|\bcho\s+{_WE}\s+(?:xin\s+)?them\s+{DURATION_ANON}"
    # "we need 2 more weeks", "2 more days please" (not "2 more days and it is done")
    rf"|\b(?:need|needs|request(?:ing)?|ask(?:ing)?\s+for|want|give\s+(?:us|me)"
    r"|(?:can|could|may)\s+(?:we|i)\s+(?:have|get))"
    rf"\s+(?:\w+\s+){{0,2}}?{DURATION_ANON}|\b{DURATION_ANON}\s+(?:please|pls|plz)\b"
    rf"|\bthem\s+{DURATION_ANON}(?!\s+nua\b)"
    # "xin thêm nửa tháng" (core.replies.extension checks "nửa" was typed so, not "nữa")
    r"|\b(?:xin|can|cho)\s+(?:them\s+)?nua\s+thang\b|\bthem\s+nua\s+thang\b(?!\s+nua\b)"
)
REQUEST_BEFORE_RE = re.compile(
    r"\b(?:xin|de\s+nghi|kien\s+nghi|mong|cho\s+phep|cho\s+em|request(?:ing)?|could|can|may"
    r"|need|please)\b"
)
REQUEST_AFTER_RE = re.compile(rf"\bduoc\s+{_KHONG}\b")
CAUSE_RE = re.compile(rf"\b{_CAUSE}\b")
_BLOCKER_WORD = (
    r"(?:vuong\s+mac|vuong|vuog|kho\s+khan|tro\s+ngai|ach\s+tac|bi\s+ket|gap\s+van\s+de"
    r"|blocked|blockers?|blocking|stuck|obstacles?|impediments?)"
)
BLOCKER_RE = re.compile(rf"\b{_BLOCKER_WORD}(?:\s*[,/&]?\s*(?:va\s+|and\s+)?{_BLOCKER_WORD})*\b")
# "thiếu kinh phí" alone, or "do thiếu người": a lack, which is the blocker and its reason.
# "chưa có kinh phí", "không đủ nhân lực": a lack said with a negation is a blocker too.
LACK_RE = re.compile(
    # "kp" is "kinh phí" in chat: "chưa có kp", "hết kp rồi"
    rf"^(?:(?:do|vi|con|van|dang|bi)\s+)*(?=thieu\s+\w|het\s+(?:kinh\s+phi|kp|tien|von"
    rf"|nguon\s+von)\b|(?:{_KHONG}|{_CHUA})\s+(?:co|du|(?:duoc|dc)\s+(?:cap|bo\s+tri)"
    r"|bo\s+tri\s+(?:duoc|dc))\s+(?:kinh\s+phi|kp|nguon\s+von|von|nhan\s+luc|can\s+bo"
    r"|nguoi|huong\s+dan|so\s+lieu|du\s+lieu)\b)"
)
# "Vướng mắc: không", "khó khăn: không có": a form's field answered "none".
NONE_AFTER_RE = re.compile(
    r"\W*(?:khong|ko|k|kg|none|no|nothing|nil)(?:\s+(?:co|gi|a|ah))*(?:\W|$)(?!\s*\w)"
)
LONE_VUONG_RE = re.compile(r"vuong\b(?!\s+mac)")
NEGATED_DONE_RE = re.compile(
    rf"\b(?:{_CHUA}|{_KHONG}|{_CHANG})\s+(?:(?:the|kip)\s+)?(?:{_DONE_WORD}|{_VERB}|kip)\b"
    rf"|{_KH_NEGATED}"
)
# "chưa làm được", "k triển khai được", "ko lam dc": the work not done, before its cause
NEGATED_WORK_RE = re.compile(
    rf"\b(?:{_CHUA}|{_KHONG}|{_CHANG})\s+(?:the\s+)?"
    r"(?:lam|lm|trien\s+khai|tien\s+hanh|bat\s+dau)\b(?!\s+lai\b)"
)
SPOKEN_NEGATED_RE = re.compile(_SPOKEN_NEGATED)
# How the spoken negators are typed when they are other words: "Hồng" (a name), "họng".
NOT_SPOKEN_NO = frozenset({"hồng", "họng", "hỏng"})
LEAD_FILLER_RE = re.compile(
    r"(?:[\s:;,.\-–—=>]+|\b(?:do|vi|ve|la|boi(?:\s+vi)?|tai\s+vi|ly\s+do|li\s+do|nhu\s+sau"
    r"|because(?:\s+of)?|due\s+to|by|on|with|of)\b)*"
)
TRAILING_FILLER_RE = re.compile(
    r"(?:[\s,.;:!\-–—]|\b(?:nen|vi\s+vay|do\s+do|xin|kinh|de\s+nghi|kien\s+nghi|chung|em|toi"
    r"|don\s+vi|we|i|request|would\s+like\s+to|ask\s+for|need|an?)\b)+$"
)
# A deliverable to be sent: "gửi báo cáo", "nộp bản ký", "send the report". Promised beside
# a clause that says done ("Đã xong, mai gửi báo cáo"), it may be the task itself.
DELIVER_RE = re.compile(r"\b(?:gui|nop|bao\s+cao|bc|chuyen|send|submit|report)\b")
# "nửa tháng" is a duration, not a share of the work.
NOT_A_SHARE = r"(?!\s+(?:thang|tuan|ngay|nam|gio|buoi|months?|weeks?|days?|years?|hours?)\b)"
PROGRESS_RE = re.compile(
    r"\b(?:tiep\s+tuc|in\s+progress|ongoing|on\s*going|underway|working\s+on|wip"
    r"|in\s+process|processing|under\s+(?:review|way)|halfway|(?:i\s*['’]?m|we\s*['’]?re)\s+on\s+it"
    r"|du\s+thao|ban\s+nhap|drafts?|drafting|trinh\s+ky|to\s+trinh|da\s+trinh"
    r"|(?:xin|lay|cho)\s+y\s+kien|gop\s+y"
    # "sở trả về để sửa": sent back to be fixed
    r"|tra\s+(?:ve|lai)\s+(?:de\s+)?(?:sua|chinh\s+sua|bo\s+sung|hoan\s+thien)"
    # "chờ ký", "chờ lãnh đạo duyệt", typed "cho lanh dao duyet" too; "đợi ký" alike
    r"|(?:cho|doi)\s+(?:\w+\s+){0,3}?(?:ky|phe\s+duyet|duyet)"
    # "anh ký giúp em", "duyệt giùm em": the reader's signature asked, so still to come
    r"|(?:ky|duyet|phe\s+duyet)\s+(?:giup|gium|dum|ho)\s+(?:em|e|toi|minh)"
    # sent back, to be done again: "sở trả về", "bị trả lại", "phải làm lại"
    r"|(?:bi|so|tinh|ubnd|phong)\s+tra\s+(?:ve|lai)|phai\s+(?:lam|sua)\s+lai"
    # asked for more: "sở yêu cầu bổ sung", "đề nghị chỉnh sửa"
    r"|(?:yeu\s+cau|de\s+nghi)\s+(?:\w+\s+)?(?:bo\s+sung|chinh\s+sua|sua\s+lai|lam\s+lai)"
    # waiting for a signature or an approval, part of it, most of it, all but some
    r"|(?<!\bno )(?<!\bnothing )(?<!\bnone )pending|awaiting|partly|most\s+of|apart\s+from"
    r"|other\s+than"
    r"|waiting\s+(?:for\s+)?(?:\S+\s+){0,3}?(?:approval|signature|sign[\s-]?off|review)"
    r"|(?:phase|stage|step|part)\s+(?:\d+|one|two|three|i{1,3})"
    r"|(?:first|second|1st|2nd)\s+(?:phase|stage|step|part|half)|mostly|largely|except"
    rf"|(?:sap(?:\s+sua)?|gan(?:\s+nhu)?|hau\s+nhu)\s+(?:da\s+)?(?:xong|hoan\s?thanh)|gan\s+het"
    r"|almost|nearly|mot\s+phan"
    # "mới bắt đầu", "vừa bắt đầu làm", "mới làm được chút": begun, a little done
    r"|(?:moi|vua|da|dang)\s+bat\s+dau"
    r"|(?<!chua )(?<!khong )(?<!ko )(?<!k )lam\s+duoc\s+(?:(?:mot|1)\s+)?(?:chut|it|ti|xiu)"
    # "xong một số", "hoàn thành vài xã": some of them (not "vai trò", a role)
    rf"|(?:{_DONE_WORD}|{_VERB})\s+(?:(?:duoc|dc)\s+)?(?:mot\s+so|(?:mot\s+)?vai(?!\s+tro\b)"
    r"|(?:mot|1)\s+(?:it|chut|ti|xiu)|hau\s+het|da\s+so|phan\s+lon)"
    # "hầu hết đã xong", "phần lớn các xã đã hoàn thành": most, not all
    rf"|(?:hau\s+het|da\s+so|phan\s+lon)\s+(?:\w+\s+){{0,3}}?(?:da\s+)?{_DONE_WORD}"
    rf"|1\s+phan|partial(?:ly)?|part\s+of|co\s+ban\s+(?:da\s+)?{_DONE_WORD}|{_DONE_WORD}\s+co\s+ban"
    r"|con\s+(?:(?:1|mot)\s+)?(?:it|chut|xiu|ti)\s+nua)\b"
    rf"|\b(?:(?:mot|1)\s+nua|half)\b{NOT_A_SHARE}"
)
# "đã hoàn thành 10/12 xã", "xong 3 trên 5 nội dung": some of the units or items, not all.
_COUNTED = (
    r"(?:xa|phuong|thi\s+tran|don\s+vi|dv|noi\s+dung|hang\s+muc|nhiem\s+vu|chi\s+tieu"
    r"|tieu\s+chi|ho\s+so|truong|co\s+quan|thon|khu\s+pho|huyen|so|nganh|phong"
    # Not "báo cáo", "ban hành", "bàn giao": also verbs, "hoàn thành 12/12 báo cáo" may be
    # "finish on 12/12, report" (core.replies.rules_status.rule_date_or_count asks).
    r"|ban(?!\s+(?:hanh|giao)\b)|cong\s+trinh|du\s+an|van\s+ban|ke\s+hoach|muc|viec|ho|nguoi"
    r"|diem)"
)
FRACTION_RE = re.compile(
    r"(?<![\w/.,-])(?<!ngay )(?<!truoc )(?<!den )(?<!toi )(?<!tu )(?<!han )(?<!vao )(?<!hom )"
    r"(?<!\bon )"  # "sent on 4/12": a day
    r"(?P<part>\d{1,5})\s*(?:(?P<slash>/)|tren|trong\s+(?:so\s+)?)\s*(?P<whole>\d{1,5})(?![\d/.,-])"
    rf"(?P<counted>\s+{_COUNTED}\b)?"
)
# "đã xong 2 xã", "5 hồ sơ đã xong": a count of items done, with no whole: all of them, or
# some? (not "3/3 xã", "10/12 xã", whose whole is given; nor "cả 2 việc", both of them).
SOME_COUNTED_RE = re.compile(
    rf"(?<![\d/.,#])(?<!\bca )(?<!\bhet )(?<!\bboth )(?<!\ball )\d{{1,5}}\s+{_COUNTED}\b"
)
# "3 ngày nữa xong", "2 xã đã xong", "1 tuần", "2 more days": a text that starts with a count
# or a length of time, whose number is no choice of a status offered.
COUNT_FIRST_RE = re.compile(
    rf"^\s*(?:#\s?\d{{1,9}}\s+)?\d{{1,5}}\s+(?:{_COUNTED}|(?:ngay|tuan|thang|nam|hom|buoi|gio"
    r"|tieng|phut|lan|more|days?|weeks?|months?|hours?|tren|trong\s+so)\b)"
)
# "được 8/10", "đạt 8/10": a count, never a date.
COUNT_LEAD_RE = re.compile(r"\b(?:duoc|dc|dat)\s*$")
# "còn 2 việc", "còn lại 3 xã", "còn 20%", "còn thiếu hồ sơ": work left, so not done ("còn 2
# ngày" is time left). The caller checks "còn" was typed so (not "con", "cơn").
REMAINING_RE = re.compile(
    r"\bcon\s+(?:lai\s+)?(?:\d+\s*(?:%|phan\s+tram\b)"
    r"|(?:\d+|mot|hai|ba|bon|nam|vai|mot\s+vai|mot\s+so|mot\s+it|it|nhieu)\s+"
    r"(?!(?:ngay|tuan|thang|nam|gio|buoi|hom|bua|phut|lan)\b)\w"
    r"|(?:moi|thieu|ton|do\s+dang|dang\s+do|sai|loi|phai)\b"
    # "xong, còn xã B", "xong kế hoạch, còn báo cáo": the others left (not "con số", "con
    # người", typed without marks)
    rf"|(?P<left>(?!(?:so|nguoi)\b)(?:{_COUNTED}|bao\s+cao|bc))\b)"
    # "chỉ còn ký", "xong hết trừ xã A", "ngoại trừ báo cáo": all but some
    r"|\bchi\s+con\b|\bngoai\s+tru\b"
)
# "xong rồi, còn phòng khác", "còn các xã khác": others left, the unit's own part done or
# the whole task? Asked (done to confirm), never recorded done.
OTHERS_LEFT_RE = re.compile(
    r"\bcon\s+(?:lai\s+)?(?:cac\s+|nhung\s+|may\s+)?(?:\w+\s+){1,3}?khac\b"
    # "bên em xong rồi, còn bên phòng TC", "còn phía huyện": another side's part
    r"|\bcon\s+(?:lai\s+)?(?:ben|phia)\s+\w"
)
# "3/3 nội dung", "12/12 xã": all the items counted (neither a share nor a date).
ALL_COUNTED_RE = re.compile(
    rf"\d{{1,5}}/\d{{1,5}}\s+(?:{_COUNTED}|buoc|giai\s+doan|dot|phan(?!\s+tram\b))\b"
)
PARTIAL_RE = re.compile(
    rf"\b(?:{_DONE_WORD}|{_VERB})\s+(?:(?:duoc|xong)\s+)?(?:(?P<count>[\d/]+)\s+)?"
    # "xong phần khảo sát" is part of the work; "hoàn thành 100 phần trăm" is all of it.
    r"(?:phan(?!\s+(?:viec|tram)\b)|buoc|giai\s+doan|dot|hang\s+muc|noi\s+dung|khau|muc)\b"
)
NEGATION_RE = re.compile(
    rf"\b{_CHUA}\b|{_KH_NEGATED}|{_DENIED}|\bnot\s+yet\b|\b{_NEGATOR}\W+(?:\w+\W+){{0,2}}?(?:{_DONE_WORD}|{_VERB}|kip"
    rf"|the|duoc|dc|lam|finish|{_ENGLISH_PAST})\b|^(?:cht\W*$|{_KHONG}|kh|no|nope|nah)(?:\W+{_PARTICLE})*\W*$"
)
NEGATOR_BEFORE_RE = re.compile(rf"\b(?:{_NEGATOR}|no|without|none|nothing)(?:\W+\w+){{0,2}}\W*$")
PROMISE_RE = re.compile(
    # "xin hoàn thành sớm", "xin được xong trước 30/6": a wish to finish, not a report.
    rf"\bxin\s+(?:duoc\s+)?{_DONE_WORD}\b"
    # "phải xong", "cần hoàn thành", "muốn xong", "định làm xong", "đảm bảo hoàn thành": a
    # duty, an intention or a pledge
    rf"|\b(?:phai|can|muon|dinh|du\s+dinh|dam\s+bao|cam\s+ket)\s+(?:lam\s+)?{_DONE_WORD}\b"
    # "tí nữa xong", "lát nữa em gửi", "lát xong": in a moment
    rf"|\b(?:(?:ti|ty|chut|xiu|lat)\s+nua|lat\s+(?:em|toi|minh|{_DONE_WORD}))\b"
    # "tí xong", "xíu em gửi", "chút xíu xong", "một lát em nộp"
    r"|\b(?:ti|ty|xiu|chut\s+xiu|(?:mot|1)\s+(?:chut|lat|xiu|ti))\s+"
    rf"(?:{_WE}\s+)?(?:{_DONE_WORD}|gui|nop|bao|lam)\b"
    # "họp xong em gửi", "đi công tác xong về làm": something else first, then the work
    rf"|\b(?:hop|cong\s+tac|di\s+(?:hop|cong\s+tac|hoc))\s+{_DONE_WORD}\s+(?:roi\s+)?"
    rf"(?:{_WE}\s+)?(?:ve\s+)?(?:se\s+)?"
    r"(?:lam|bao|gui|nop|chuyen|cap\s+nhat)\b"
    # "xong việc này em làm", "xong về làm", "xong rồi làm tiếp": the work is still to do
    rf"|\b{_DONE_WORD}\s+(?:viec\s+(?:nay|do|kia|khac)\s+)?(?:(?:roi|thi|la)\s+)?"
    rf"(?:{_WE}\s+)?(?:ve\s+)?(?:se\s+)?lam\b(?!\s+gi\b)"
    # "xong ngay", "em làm xong liền anh ơi": right away, ending the reply
    rf"|\b{_DONE_WORD}\s+(?:ngay|lien)(?:\s+(?:thoi|{_PARTICLE}))*\W*$"
    r"|\b(?:ngay\s+mai|sang\s+mai|chieu\s+mai|tuan\s+(?:sau|toi)"
    # "ngày kia", "sang năm", "năm sau", "qua tuần" (next week, as the south says it)
    r"|ngay\s+kia|sang\s+nam|nam\s+(?:sau|toi)|qua\s+tuan|bua\s+(?:sau|toi)"
    r"|thang\s+(?:sau|toi)|cuoi\s+tuan|trong\s+tuan|du\s+kien|phan\s+dau|co\s+gang|tranh\s+thu"
    r"|(?:\d+|vai|mot|hai|ba|nua)\s+(?:ngay|tuan|thang|hom|buoi|bua)\s+(?:nua|toi)|in\s+\d+\s+days?"
    # "2 more days and it is done", "a few more days"
    r"|(?:\d+|one|two|three|few|couple\s+of)\s+more\s+(?:days?|weeks?|months?|hours?)"
    # "còn 2 ngày là xong": two days left before it is done
    r"|con\s+(?:\d+|vai|mot|hai|ba|it)\s+(?:ngay|tuan|thang|hom|buoi|bua|gio)"
    r"|will|tomorrow|next\s+week|going\s+to|gonna|soon"
    r"|later|\w+['’]ll)\b"
    # "gửi file sau", "bản cứng nộp sau ạ": sent later
    rf"|\b(?:gui|nop|bo\s+sung|chuyen|send|submit)\b(?:\s+\w+){{0,3}}?\s+sau(?:\s+{_PARTICLE})*"
    r"(?=\s*(?:[,.;!?\n]|$))"
)
# "trước 15/7" is a promise in "hoàn thành trước 15/7", a fact in "đã hoàn thành trước 15/7".
# "trước hạn 15/12 xong", "đúng hạn em xong": the deadline said before the done word, when
# the work will be done (not "xong trước hạn 30/6", done ahead of it).
BY_DATE_RE = re.compile(
    r"\btruoc\s+(?:ngay\s+)?\d{1,2}[/-]\d"
    r"|\b(?:truoc|dung)\s+(?:thoi\s+)?han(?:\s+chot)?(?:\s+(?:la|ngay))*"
    r"(?:\s+\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?)?"
    rf"\s+(?:(?:{_WE}|se|thi|la)\s+)*{_DONE_WORD}\b"
)
# "cuối tháng xong", "hết năm nay hoàn thành", "qua Tết xong", "trong hôm nay xong": when
# it will be done, unless said as past.
PERIOD_END_RE = re.compile(
    r"\b(?:(?:cuoi|het)\s+(?:tuan|thang|quy|nam)(?:\s+nay)?(?!\s*\d)|(?:qua|sau|truoc|ra|het)\s+tet"
    # "đầu tuần xong", "giữa tháng xong", "trong tháng xong" (not "từ đầu tuần", since)
    r"|(?<!\btu )(?<!\bhoi )(?:dau|giua|trong)\s+(?:tuan|thang|nam)(?:\s+(?:nay|sau|toi))?"
    r"(?!\s*\d)"
    # "15 xong": on the 15th, or 15 of them? (not 1-4, a status offer's choices)
    rf"|^(?:[5-9]|[12]\d|3[01])\s+(?:la\s+)?(?:{_WE}\s+)?{_DONE_WORD}"
    r"|(?:trong|het)\s+(?:ngay\s+)?hom\s+nay|trong\s+ngay|som"
    # "chiều xong", "trưa em gửi": later today (not "tối", also "tôi")
    rf"|(?:chieu|trua)\s+(?:{_WE}\s+)?(?:{_DONE_WORD}|gui|nop))\b"
)
# "hôm nay xong", "tuần này xong", "chiều nay em gửi": done within this day or week, a promise
# as "thứ 6 xong" is, unless said as past ("hôm nay đã xong", "chiều nay xong rồi"). "Thứ 2
# tuần này xong" names the day (core.replies.reading.names_a_day_to_come): `day` is set.
# "toi nay" is "tối nay" (tonight) typed so, not "tới nay" (until now).
THIS_PERIOD_RE = re.compile(
    r"\b(?P<day>(?:thu\s*(?:[2-7]|hai|ba|tu|nam|sau|bay)|t[2-7]|chu\s+nhat|cn)\s+)?"
    # Not "tháng này", "năm nay": "xong kế hoạch năm nay" is this year's plan, done.
    # "hnay", "hum nay": "hôm nay" in chat
    r"(?:(?P<when>hom|hum|bua|chieu|toi|sang|trua|tuan)\s+nay|(?P<chat>hnay))\b"
)
# "nếu xong em báo", "để em xong rồi báo", "đợi xong …": done only on a condition.
CONDITION_RE = re.compile(
    rf"\b(?:neu|khi|doi|sau\s+khi|de\s+{_WE})(?:\s+(?!da\b)\w+){{0,4}}?"
    rf"\s+{_DONE_WORD}\b"
    # "I'll let you know when done", "once it is finished"
    rf"|\b(?:when|once|after|if|until|as\s+soon\s+as)\s+(?:\w+\s+){{0,3}}?{_DONE_WORD}\b"
)
# "xong thì em báo", "làm xong em gửi", "xong em báo lại": what will follow the work, unless
# said as past ("xong em báo cáo anh ạ" reports it done).
_THEN = r"(?:se\s+)?(?:bao|gui|nop|chuyen|cap\s+nhat)"
DONE_THEN_RE = re.compile(
    rf"\b{_DONE_WORD}\s+(?:thi|la)\s+(?:{_WE}\s+)?{_THEN}\b"
    # "xong thì tốt", "xong mới gửi được": once it is done, not that it is
    rf"|\b{_DONE_WORD}\s+(?:thi|moi)\b"
    # "done once approved", "done when the budget arrives", "done if approved"
    rf"|\b{_DONE_WORD}\s+(?:once|when|after|if|as\s+soon\s+as|upon)\b"
    rf"|\b{_DONE_WORD}\s+(?:(?:roi|r|rui)\s+)?{_WE}\s+{_THEN}(?:\s+\w+)?\s+(?:lai|sau)\b"
    rf"|\blam\s+xong\s+{_WE}\s+{_THEN}\b"
    # "xong em báo", "xong em gửi anh": ending the reply, what will follow the work (not
    # "xong em báo cáo anh ạ", which reports it; nor "xong, em gửi ạ", a clause of its own)
    rf"|\b{_DONE_WORD}\s+{_WE}\s+(?:se\s+)?(?:bao(?!\s+cao\b)|gui|nop|chuyen)"
    r"(?:\s+(?:lai|sau|len|ve|ngay|luon|anh|chi|sep|a|nhe|nha|nghe|ha))*\W*$"
)
# "ngày 15 xong", "xong ngày 15": a day of this month (not "ngày 15/12", "ngày 15 tháng 12").
DAY_OF_MONTH_RE = re.compile(r"\bngay\s+(\d{1,2})\b(?!\s*(?:[/.-]\s*\d|thang\b))")
# "tháng 12 xong": within that month, which may be this one, not over yet.
MONTH_THEN_DONE_RE = re.compile(
    rf"(?<!\d\s)\bthang\s+(\d{{1,2}})\s+(?:{_WE}\s+)?(?:se\s+)?{_DONE_WORD}\b"
)
# "thứ 6 tuần trước xong": a weekday that has passed.
# "15/KH-UBND ngày 20/12": the date a document was issued, not a day to come.
DOCUMENT_DATE_LEAD_RE = re.compile(r"\d/[a-z][\w-]*[\s,;:(]*(?:(?:ngay|dated|date|on)\b\W*)?$")
# "#12 Kế hoạch … (hạn 30/12): xong": the task's deadline, copied from the reminder, not a
# day the work will be done.
DEADLINE_LEAD_RE = re.compile(r"\b(?:han|thoi\s+han|han\s+chot|deadline|due)\W*(?:ngay\W*)?$")
LAST_WEEK_RE = re.compile(r"\s+(?:tuan\s+(?:truoc|roi|qua)|vua\s+(?:roi|qua))\b")
PERFECT_RE = re.compile(r"\b(?:da|roi|rui|r)\b")  # "r" is "rồi" in chat
ACK_RE = re.compile(
    r"\b(?:ok(?:e|ie|ay|ela|i)?|vang|nhan(?:\s+duoc)?|ro|noted|note|received|got\s+it"
    r"|roger|thanks?|thank\s+you|tks|thx|cam\s+on|yes|yep|u|uh|uhm|copy"
    r"|(?:doc|xem|nghe)\s+xong)\b"
    # A tick alone is not here: it may mean done or seen, so the bot asks (UNRECOGNISED).
    "|[\U0001f44d\U0001f44c\U0001f64f\U0001f197\u261d]"
    # "đc", "được rồi ạ" alone: "all right", not a report that the work is done.
    r"|^(?:dc|duoc)(?:\s+(?:roi|r|a|ak|nhe|nha|anh|chi|em|sep))*\W*$"
)
# "HT", "đã HT rồi": the abbreviation of "hoàn thành" in officials' tables, alone.
# "Rồi ạ", "r ạ", "dạ rồi", "xg": "done" to a reminder, most likely, but thin: confirmed too.
# "Đã làm rồi", "em làm rồi ạ": done, most likely, or begun? Confirmed too.
ABBREVIATED_DONE_RE = re.compile(
    r"^(?:da\s+)?(?:ht|htanh|hthanh|xg|roi|rui|r"
    r"|(?:(?:em|minh|toi|ben\s+em)\s+)?(?:da\s+lam|lam\s+(?:roi|r|rui)))"
    r"(?:\s+(?:roi|r|a|nhe|nha|sep|em|anh|chi))*\W*$"
)
CLAUSE_BREAK_RE = re.compile(r"[,;!\n]|\.(?!\d)|\b(?:nhung|but)\b")
# Folded words that are also other words: accepted only when typed as one of these.
# Not "đăng"; nor "đang họp", "đang đi công tác", "đang nghỉ phép": the official is busy,
# which says nothing of the task.
DANG = (
    re.compile(
        r"\bd(?:an?)?g\b(?!\s+(?:(?:di\s+)?(?:hop|cong\s+tac|hoc|tap\s+huan)|nghi|om|tiep\s+khach"
        r"|lai\s+xe|tren\s+duong|nam\s+vien|(?:bi\s+)?benh|ban(?!\s+(?:giao|hanh|bac|voi)\b))\b)"
    ),
    frozenset({"đang", "dang", "đag", "dag", "đg", "dg"}),
)
CHO = (re.compile(r"\bcho\b"), frozenset({"chờ"}))  # "cho" is "give"
SE = (re.compile(r"\bse\b"), frozenset({"sẽ", "se", "sẻ"}))  # "sẻ" is a common typo
MAI = (re.compile(r"\bmai\b"), frozenset({"mai"}))  # not "mãi", "mái"
MOT = (re.compile(r"\bmot\b"), frozenset({"mốt"}))  # the day after tomorrow; not "một"
NUA = (re.compile(rf"\bnua\b{NOT_A_SHARE}"), frozenset({"nửa"}))  # not "nữa" (more)
DA = (re.compile(r"\bda\b"), frozenset({"dạ", "da"}))  # "dạ" is yes; not "đã"
# "đâu" in a clause that says done denies it: "có xong đâu", "xong gì đâu", "đâu đã xong"
# (not "đầu", the beginning; nor "xong đâu vào đấy", all in its place).
DAU = (re.compile(r"\bdau\b(?!\s+(?:vao|ra)\s+day\b)"), frozenset({"đâu", "dau"}))
# "tưởng xong rồi", "em tưởng đã gửi": thought done, so it is not (not "tường", a wall).
TUONG = (
    re.compile(rf"\btuong\b(?=\s+(?:\w+\s+){{0,3}}?(?:{_DONE_WORD}|{_VERB})\b)"),
    frozenset({"tưởng", "tuong"}),
)
CAUSE_FORMS = {"vi": frozenset({"vì", "vi"}), "do": frozenset({"do"})}  # not "vị", "đó"
# A reply taking itself back: "nhầm" typed so (not "nhằm", in order to; "nham" without
# diacritics is taken as "nhầm"), "lộn" typed so (not "lớn", "lợn"; not "lộn xộn").
NHAM = (re.compile(r"\bnham\b"), frozenset({"nhầm", "nham"}))
LON = (re.compile(r"\blon\b(?!\s+xon)"), frozenset({"lộn"}))
CORRECTION_RE = re.compile(
    r"\b(?:(?:gui|bao|go|nhan|chon|bam)\s+sai|sai\s+roi|bo\s+qua\s+tin|huy\s+tin"
    r"|(?:my|by|a)\s+mistake|mistaken|wrong\s+(?:task|one|message|chat|unit|item)"
    r"|ignore\s+(?:that|this|it|the\s+(?:above|previous|last)|my\s+(?:last|previous))"
    r"|disregard|w?oops)\b"
    r"|\b(?:khong|ko|k|kg)\s+phai\s*(?:[.,;!)]|$)"  # "không phải" ending a clause
)
# "xong nhưng thiếu", "xong nhưng sai số liệu", "hoàn thành nhưng không đạt": done, said with
# a flaw; to confirm, never recorded as is.
FLAW_RE = re.compile(
    rf"\b(?:nhung|ma|but)\s+(?:(?:van|bi|co|hoi)\s+)*(?:thieu|sai|loi|(?:{_KHONG}|chua)\s+dat"
    r"|missing|wrong|incomplete|errors?)\b"
)
# Done of the sender's own part: "phần của em xong rồi", "my part is done" (others' may be
# left; not "phần của xã", the unit's part, which is its task).
OWN_PART_RE = re.compile(
    r"\bphan\s+(?:viec\s+)?(?:cua\s+)?(?:em|e|minh|toi)\b"
    r"|\b(?:my|our)\s+(?:part|side|bit|share)\b|\b(?:from|on|for)\s+(?:my|our)\s+(?:side|part)\b"
)
# Done said with a doubt: "có lẽ xong", "hình như xong rồi", "chắc xong rồi" (not "chắc chắn",
# surely), "coi như xong", "xong sơ bộ", "probably done"; "tạm xong" is :data:`TAM`.
HEDGE_RE = re.compile(
    r"\b(?:co\s+le|hinh\s+nhu|chac(?!\s+chan\b)|coi\s+nhu|so\s+bo|maybe|probably|perhaps"
    r"|mong\s+la|hy\s+vong|hi\s+vong|hope(?:fully)?|should\s+be|ish"
    r"|i\s+think|i\s+guess|kind\s+of|sort\s+of|more\s+or\s+less"
    # "nghĩ là xong rồi", "xong rồi thì phải", "xong rồi hay sao ấy": I think so
    r"|nghi\s+(?:la|rang)|thi\s+phai(?=\W*$)|hay\s+sao\s+(?:ay|y))\b"
)
TAM = (re.compile(r"\btam\b"), frozenset({"tạm", "tam"}))  # not "tâm" (trung tâm), "tám"
# "xong hết trừ xã A", "trừ báo cáo": all but some (not "trụ", a pillar).
TRU = (re.compile(r"\btru\b"), frozenset({"trừ", "tru"}))
Guarded = tuple[re.Pattern[str], frozenset[str]]
