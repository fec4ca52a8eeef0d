"""Read an official's free-text answer to a task reminder as a status report.

Replies come in Vietnamese with or without diacritics, in capitals, with emoji or in
English. Matching runs on folded text (:mod:`core.textnorm`) with word boundaries, and a
few words whose folded form is ambiguous ("dang" is both "đang" and "đăng") are checked
against what was typed. Reasons and document numbers are quoted from the original.

Rules run in this order and the first that decides wins:

1. empty: nothing but spaces and punctuation;
2. question: "?", a question word, "… xong chưa", or done asked back ("xong rồi à", "đã
   xong rồi hả anh", "xong rồi chứ", "xong r đấy nhỉ"; not "xong rồi ạ"); but "xin gia
   hạn … được không ạ?" is a polite request, not a question, so a request for an extension
   skips this rule;
2b. moved: the sender no longer follows the unit ("em đã chuyển công tác", "không còn phụ
   trách", "đã nghỉ hưu"): UNCLEAR (hint MOVED: the bot says whom to tell);
3. number alone: "60" is in progress at 60%, "100" done (to confirm), below 0 or over 100
   refused (UNCLEAR, hint PERCENT), as is a stated share out of range ("150%", "-5%")
   once blocked found nothing; a letter O typed for a zero ("6O%") is read as a zero, and
   a share said in words before "phần trăm" as its number ("sáu mươi lăm phần trăm": 65,
   as voice typing writes it; "sáu phần mười": 60);
4. extension: "gia hạn", "lùi hạn", "thêm 1 tuần", "thêm tuần nữa" (a week), "xin phép
   chậm 2 ngày", a delay to a day named ("lùi sang 20/12", "cho em khất đến thứ 2"), as
   typed in chat ("xin gh", "xin delay 3 ngày", "nộp muộn 2 hôm") …, with a target date or
   a duration; then a share typed with a space inside its number ("6 0%", read as 0%):
   UNCLEAR (hint SPLIT: the bot asks whether 60% is meant);
5. blocked: "vướng", "khó khăn", "blocked" …, or "chưa xong vì …", "chưa làm được do …";
6. progress: "đang …", a percentage under 100, partial work ("xong phần khảo sát", "phase 1
   done", "mostly done", "xong vài xã"), work begun ("mới bắt đầu"), work left ("đã hoàn
   thành 3/3 nội dung, còn 2 việc", "còn sai", "xong, còn xã B"), waiting for a signature
   ("đợi ký", "pending approval", "anh ký giúp em") or sent back ("sở trả về", "sở yêu cầu
   bổ sung"), most of it ("xong hầu hết", "phần lớn các xã đã hoàn thành");
6. correction (before progress): the reply takes itself back ("xong rồi, à nhầm", "đã
   xong nhưng nhầm", "done, sorry wrong task"): UNCLEAR, whatever else it says;
7. negation: any "chưa", or "không"/"not" shortly before a done word, also typed with the
   Vietnamese keyboard off ("chuaw", "chuwa", "khoong", "kh xong"), said as in the south or
   in chat right before one ("hông xong", "hok xong", "chả xong"), or denied around one
   ("có xong đâu", "còn lâu mới xong", "khó xong", "xong không nổi", "far from done"), or
   thought done ("tưởng xong rồi");
8. date or count: a done word beside a pair that reads two ways ("xong 8/10": done on 8
   October, or 8 of 10?) is UNCLEAR (hint AMBIGUOUS: the bot asks); a pair that can only be
   a count of some ("đã xong 8/10" in June: no such day has passed) is in progress;
9. document: a document number ("15/KH-UBND") cited as evidence;
10. done: a clause with a done word and no promise in it, or "HT", "đã làm rồi" alone (to
   confirm); "xông" (a slip, or another word) is no done word, so it is asked about;
11. promise ("sẽ", "mai", "tuần sau", "xin hoàn thành sớm", a duty, an intention or a
    pledge: "phải xong", "muốn xong", "đảm bảo hoàn thành", in a moment or at once: "lát
    nữa xong", "xong ngay", the work after something else: "họp xong em gửi", "xong việc
    này em làm", what follows it: "xong em báo" …, or, unless said as past, a day to come or
    this day or week: "thứ 6 xong", "15/12 xong", "trước hạn 15/12 xong", "cuối tháng
    xong", "ngày 15 xong", "tháng 12 xong", "qua tuần xong", "mốt xong", "tí xong", "hôm nay
    xong", "hnay xong", "chiều xong", "tuần này xong", "tối nay em gửi";
    "hôm nay đã xong", "thứ 6 xong r" are done), then acknowledgement ("ok", "👍",
    "đc rồi", "đọc xong rồi" …).

Negation comes after extension and blocked because their reasons usually contain
"chưa" ("vì chưa có hướng dẫn"); it still comes before anything that can say DONE, so a
reply with "chưa" is never read as done. Correction sits there too, for the same reasons
("vướng: số liệu bị nhầm" is a blocker with its reason). Anything else is UNCLEAR and
``hint`` tells the bot which question to ask. Nothing here is user-facing prose.

A status the rules guessed is ``uncertain`` (to be confirmed by the official, not recorded
as is), with the whole reply kept as ``note``, when the reply

- is long: more than MAX_CERTAIN_SENTENCES sentences (of three words or more: voice typing
  stops at each pause, "Dạ. Em báo cáo. Đã xong ạ.") or MAX_CERTAIN_WORDS words, a signature
  under it left out (a progress narrative mentions finished steps without the task being
  finished);
- mixes signals: blocked or an extension request, next to a clause that says done;
- reads as done only from a past-tense verb ("đã gửi báo cáo", "đã tổ chức …"), with no done
  word ("xong", "hoàn thành"), no 100 % and no cited document;
- says done beside a promise to send something ("xong r, mai gửi bc": the report may be the
  task), with others' part left ("bên e xong r, còn bên phòng TC"), or of the sender's own
  part ("phần của em xong rồi", "my part is done");
- says done with "xong" typed with an s ("song r", "đã song": the north says both), or
  with an unmarked "ha" at the end ("xong r ha": "hả?" asked back, or the south's "ha" that
  closes a report as "nha" does), or beside another thing promised ("bc xong r, kh thì mai
  xong");
- says done with a doubt ("tạm xong", "có lẽ xong", "hình như xong rồi", "nghĩ là xong r",
  "xong r thì phải", "probably done"),
  about all of it ("gần 100%", "khoảng 100%"), or with a flaw ("xong nhưng thiếu", "hoàn
  thành nhưng không đạt").

Short clear replies ("xong", "đang làm 60%", "vướng: thiếu kinh phí") stay certain, and an
UNCLEAR result is never uncertain (it records nothing anyway).

The package, by what a newcomer looks for:

- :mod:`core.replies.parse`: ``parse_reply``, the rules in order, and how sure a result is;
- :mod:`core.replies.result`: ``ParsedReply``, ``ReplyKind``, ``ReplyHint``;
- :mod:`core.replies.rules_unclear` and :mod:`core.replies.rules_status`: the rules that
  leave a reply UNCLEAR, and those that read a status;
- :mod:`core.replies.extension`: a request for more time (rule 4);
- :mod:`core.replies.vocabulary`: the words, as patterns on folded text;
- :mod:`core.replies.percent`, :mod:`core.replies.dates`, :mod:`core.replies.evidence`:
  the share stated, dates and durations, a cited document number;
- :mod:`core.replies.reading`: the reply being read, and the spans the rules look into.
- :mod:`core.replies.telex`: the words the rules read, typed in Telex or VNI with the
  Vietnamese keyboard off ("hoanf thanhf", "ddax xong", "sawps xong", "se4 xong", "d9ang
  la2m"), spelled back before folding.
"""
