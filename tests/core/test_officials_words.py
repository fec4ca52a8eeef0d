"""What an official's own words to a reminder are read as: a corpus, a line a case.

The reminder was "Nhắc việc: … hạn 15/12/2026", read on Monday 7 December 2026. Each line is
a reply as typed on a phone (no diacritics, teencode, Telex left in, capitals, emoji) and
what it must be read as, in a few words:

- ``done``: done, recorded as is; ``confirm``: done to confirm, or asked (nothing recorded
  unasked); ``doc 123/BC-UBND``: done, that document cited;
- ``progress`` or ``progress 60``: in progress, with that share (none when not given);
- ``blocked: <reason>``: blocked, with the reason as typed;
- ``extension 20/12/2026``, ``extension +7`` (days), ``extension``: an extension asked, to
  that day, for so many days, or with neither said;
- ``ask``: nothing recorded, the bot asks; ``ask question``: asked as a question;
- ``not done``: anything but done (in progress, blocked or asked are all right).

Guessing done is the worst outcome: a text that is not done is never read as done.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyHint, ReplyKind

TODAY = date(2026, 12, 7)  # a Monday; the task is due on 15/12/2026

CORPUS: list[tuple[str, str]] = [
    # Done, as typed.
    ("xong", "done"),
    ("xong r", "done"),
    ("xg", "confirm"),
    ("đã xong ạ", "done"),
    ("da hoan thanh", "done"),
    ("hoàn thành rồi anh ơi", "done"),
    ("dạ em báo cáo đã thực hiện xong", "done"),
    ("Xong", "done"),
    ("XONG", "done"),
    ("XONG Ạ", "done"),
    ("XONG RỒI!!!", "done"),
    ("Đã Hoàn Thành", "done"),
    ("xong.", "done"),
    ("xong ạ.", "done"),
    ("xong ✅", "done"),
    ("xong 👍", "done"),
    ("xong ạ 🙏", "done"),
    ("xong rồi ạ 😊", "done"),
    ("đã xong 🎉🎉", "done"),
    ("done", "done"),
    ("Done!", "done"),
    ("done ✅", "done"),
    ("hoan thanh roi", "done"),
    ("hoàn thành", "done"),
    ("hoàn tất", "done"),
    ("xong xuôi", "done"),
    ("xong hết", "done"),
    ("xong hết rồi nha", "done"),
    ("đã xong nhé", "done"),
    ("xong rùi", "done"),
    ("xong òi", "done"),
    ("xong r nha a", "done"),
    ("xog", "done"),
    ("ok xong", "done"),
    ("ok xong rồi", "done"),
    ("đã làm xong", "done"),
    ("lam xong roi", "done"),
    ("em làm xong rồi ạ", "done"),
    ("đã thực hiện xong", "done"),
    ("hoàn thành 100%", "done"),
    ("đã hoàn thành 100%", "done"),
    ("hoàn thành 100 phần trăm", "done"),
    ("100%", "done"),
    ("da xong 100%", "done"),
    ("đã hoàn thành nhiệm vụ", "done"),
    ("đã hoàn thành báo cáo và gửi về sở", "done"),
    ("Dạ em báo cáo: đơn vị đã hoàn thành nhiệm vụ được giao ạ", "done"),
    ("Kính gửi anh, xã em đã xong ạ", "done"),
    ("không vướng mắc, đã xong", "done"),
    ("đã hoàn thành trước hạn", "done"),
    # Done, the Vietnamese keyboard off (Telex left in).
    ("xongf", "done"),
    ("ddax xong", "done"),
    ("hoanf thanhf", "done"),
    ("ddax hoanf thanhf", "done"),
    # Done on a given day.
    ("xong ngày 5/12", "done"),
    ("đã xong ngày 5/12", "done"),
    ("xong 5-12-2026", "done"),
    ("xong vào 05/12/2026", "done"),
    ("hoàn thành ngày 05-12-2026", "done"),
    ("xong ngày 5 tháng 12", "done"),
    ("hoàn thành ngày 5 tháng 12 năm 2026", "done"),
    ("xong hôm 5/12", "done"),
    ("xong từ hôm qua", "done"),
    ("hôm qua xong rồi", "done"),
    ("xong từ tuần trước", "done"),
    ("xong 5/12", "ask"),  # 5 December, or 5 of 12?
    # Done, to confirm: a verb alone, a bare number, an abbreviation.
    ("ht", "confirm"),
    ("HT", "confirm"),
    ("rồi ạ", "confirm"),
    ("dạ rồi", "confirm"),
    ("100", "confirm"),
    ("đã gửi báo cáo", "confirm"),
    ("gửi rồi", "confirm"),
    ("đã nộp", "confirm"),
    ("đã ban hành kế hoạch", "confirm"),
    ("đã ký ban hành", "confirm"),
    ("chắc xong rồi", "confirm"),
    ("đã xong 2 xã", "confirm"),
    ("xong nhưng thiếu", "confirm"),
    ("xong nhưng sai số liệu", "confirm"),
    ("hoàn thành nhưng không đạt", "confirm"),
    ("xong rồi, không có sai sót", "done"),
    # Done, a document cited.
    ("đã nộp báo cáo số 123/BC-UBND ngày 4/12", "doc 123/BC-UBND"),
    ("đã ban hành kế hoạch số 45/KH-UBND", "doc 45/KH-UBND"),
    ("Đã ban hành Kế hoạch số 45/KH-UBND ngày 02/12/2026", "doc 45/KH-UBND"),
    ("đã ban hành quyết định số 12/QĐ-UBND ngày 1/12/2026", "doc 12/QĐ-UBND"),
    ("số 123/BC-UBND", "doc 123/BC-UBND"),
    ("đã gửi công văn 567/UBND-VP", "doc 567/UBND-VP"),
    # In progress, with a share or not.
    ("đang làm, được 60%", "progress 60"),
    ("dang lam 60 phan tram", "progress 60"),
    ("6 phần 10", "progress 60"),
    ("được 7 phần mười", "progress 70"),
    ("em đang làm ạ, được 6 phần 10 rồi", "progress 60"),
    ("được một nửa", "progress 50"),
    ("được 1 nửa rồi ạ", "progress 50"),
    ("một nửa", "progress 50"),
    ("60", "progress 60"),
    ("60%", "progress 60"),
    ("75% ạ", "progress 75"),
    ("75 %.", "progress 75"),
    ("70 phần trăm", "progress 70"),
    ("bảy mươi phần trăm", "progress 70"),
    ("tiến độ 70%", "progress 70"),
    ("được khoảng 30%", "progress 30"),
    ("tầm 40%", "progress 40"),
    ("đạt 80%", "progress 80"),
    ("hoàn thành được 80%", "progress 80"),
    ("xong 80%", "progress 80"),
    ("mới hoàn thành được 50%", "progress 50"),
    ("đã làm được 30%", "progress 30"),
    ("99%", "progress 99"),
    ("ĐANG LÀM 50%", "progress 50"),
    ("ddang lamf 50%", "progress 50"),
    ("báo cáo anh: đang triển khai, đạt khoảng 60%", "progress 60"),
    ("không có vướng mắc, đang làm 50%", "progress 50"),
    ("đang làm", "progress"),
    ("dạ em đang làm ạ", "progress"),
    ("đang thực hiện", "progress"),
    ("dang thuc hien", "progress"),
    ("đang triển khai", "progress"),
    ("đang tiến hành", "progress"),
    ("đang tổng hợp số liệu", "progress"),
    ("dang tong hop", "progress"),
    ("đag lm", "progress"),
    ("đg làm", "progress"),
    ("lm đc 60%", "progress 60"),
    ("đang xây dựng kế hoạch", "progress"),
    ("đang soạn dự thảo", "progress"),
    ("đang hoàn thiện hồ sơ", "progress"),
    ("đang lấy ý kiến", "progress"),
    ("đang trình ký", "progress"),
    ("đã trình lãnh đạo", "progress"),
    ("đã trình ký lãnh đạo", "progress"),
    ("đang chờ lãnh đạo ký", "progress"),
    ("đã trình, chờ phê duyệt", "progress"),
    ("đã nhận, đang triển khai", "progress"),
    ("đã nhận và đang xử lý", "progress"),
    ("đang chờ số liệu các xã", "progress"),
    ("xong dự thảo", "progress"),
    ("đã xong dự thảo, đang trình ký", "progress"),
    ("làm xong rồi, đang chờ ký", "progress"),
    ("mới bắt đầu", "progress"),
    ("vừa bắt đầu làm", "progress"),
    ("mới làm được chút", "progress"),
    ("làm được 1 ít", "progress"),
    ("đã bắt đầu", "progress"),
    # Part of it: never done.
    ("xong phần 1", "progress"),
    ("xong phần 1 rồi", "progress"),
    ("xong 1 phần", "progress"),
    ("xong bước 1", "progress"),
    ("đã xong giai đoạn 1", "progress"),
    ("xong được 1 nửa", "progress 50"),
    ("mới xong 1 nửa", "progress 50"),
    ("sắp xong", "progress"),
    ("sap xong", "progress"),
    ("gần xong", "progress"),
    ("gần xong rồi ạ", "progress"),
    ("sắp hoàn thành", "progress"),
    ("almost done", "progress"),
    ("xong hết trừ xã A", "progress"),
    ("xong một số", "progress"),
    ("xong vài xã", "progress"),
    ("đã xong 7/10 xã", "progress"),
    ("còn 2 xã chưa gửi", "not done"),
    ("xong việc 1, việc 2 đang làm", "progress"),
    ("đã xong nhưng còn thiếu chữ ký", "progress"),
    ("em đã hoàn thành nhưng sở yêu cầu bổ sung", "not done"),
    ("xong rồi mà bị trả lại", "not done"),
    ("xong, còn xã B", "not done"),
    ("xong kế hoạch, còn báo cáo", "not done"),
    ("xong rồi, không còn việc gì", "done"),
    ("xong hết, không còn xã nào", "done"),
    ("xong rồi không còn sai sót", "done"),
    ("được 7/10", "progress"),  # a count, not a share: as "đạt 8/10 tiêu chí"
    ("mới được 1/3", "progress"),
    ("xong 0%", "not done"),
    ("0%", "not done"),
    # Blocked, with its reason.
    ("vướng: chưa có kinh phí", "blocked: chưa có kinh phí"),
    ("vuong kinh phi", "blocked: kinh phi"),
    ("vướng kinh phí", "blocked: kinh phí"),
    ("vuowngs kinh phis", "blocked: kinh phí"),
    ("đang vướng thủ tục", "blocked: thủ tục"),
    ("vướng mắc: chưa có hướng dẫn của sở", "blocked: chưa có hướng dẫn của sở"),
    ("khó khăn do thiếu nhân lực", "blocked: thiếu nhân lực"),
    ("thiếu kinh phí", "blocked: thiếu kinh phí"),
    ("hết kinh phí rồi", "blocked: hết kinh phí rồi"),
    ("chưa có kinh phí", "blocked: chưa có kinh phí"),
    ("chua co huong dan", "blocked: chua co huong dan"),
    ("chưa xong vì thiếu số liệu", "blocked: thiếu số liệu"),
    ("chua xong vi thieu so lieu", "blocked: thieu so lieu"),
    ("chưa làm được vì thiếu người", "blocked: thiếu người"),
    ("chưa làm được do chưa có kinh phí", "blocked: chưa có kinh phí"),
    ("k làm được vì mất điện", "blocked: mất điện"),
    ("ko lam dc vi thieu kinh phi", "blocked: thieu kinh phi"),
    ("k lm đc vì thiếu người", "blocked: thiếu người"),
    ("chưa triển khai được vì chưa có hướng dẫn", "blocked: chưa có hướng dẫn"),
    (
        "chưa thực hiện được do chưa có văn bản hướng dẫn",
        "blocked: chưa có văn bản hướng dẫn",
    ),
    ("chưa làm vì chưa có hướng dẫn", "blocked: chưa có hướng dẫn"),
    ("chưa bắt đầu do chờ kinh phí", "blocked: chờ kinh phí"),
    ("bị kẹt ở khâu thẩm định", "blocked: ở khâu thẩm định"),
    ("còn thiếu 2 xã", "not done"),
    # No blocker is no blocker.
    ("không có vướng mắc", "ask"),
    ("không có vướng mắc gì", "ask"),
    ("khong vuong mac", "ask"),
    ("không có khó khăn", "ask"),
    ("ko vướng", "ask"),
    ("vướng mắc: không", "ask"),
    # An extension asked.
    ("xin gia hạn đến 20/12", "extension 20/12/2026"),
    ("xin gia han den 20/12", "extension 20/12/2026"),
    ("xin gia hanj ddeens 20/12", "extension 20/12/2026"),
    ("xin gia hạn đến ngày 20/12/2026", "extension 20/12/2026"),
    ("xin lùi đến 25-12", "extension 25/12/2026"),
    ("xin gia hạn đến 5/1/2027", "extension 05/01/2027"),
    ("xin gia hạn đến hết tháng 12", "extension 31/12/2026"),
    ("xin gia hạn đến cuối tháng", "extension"),  # which month's end: the bot asks
    ("xin gia hạn đến 20/12 vì thiếu người", "extension 20/12/2026"),
    ("xin lùi hạn 1 tuần", "extension +7"),
    ("xin lui han 1 tuan", "extension +7"),
    ("xin gia hạn thêm 1 tuần", "extension +7"),
    ("gia han 5 ngay", "extension +5"),
    ("gia hạn 5 ngày", "extension +5"),
    ("xin thêm 5 ngày", "extension +5"),
    ("xin gia hạn thêm 3 hôm", "extension +3"),
    ("cho em xin thêm 3 ngày", "extension +3"),
    ("xin phép chậm 2 ngày", "extension +2"),
    ("cho em nộp trễ 3 ngày", "extension +3"),
    ("xin lùi sang tuần sau", "extension"),
    ("xin gia hạn vì chưa có kinh phí", "extension"),
    # A promise is not done: asked.
    ("tuần sau xong", "ask"),
    ("tuan sau xong", "ask"),
    ("tuần sau em xong", "ask"),
    ("mai xong", "ask"),
    ("ngày mai xong", "ask"),
    ("mai em nộp báo cáo", "ask"),
    ("thứ 6 xong", "ask"),
    ("thu 6 xong", "ask"),
    ("20/12 xong", "ask"),
    ("xong ngày 14/12", "ask"),
    ("xong 14/12", "ask"),
    ("chiều nay xong", "ask"),
    ("cuối tuần xong", "ask"),
    ("3 ngày nữa xong", "ask"),
    ("sẽ xong trước 15/12", "ask"),
    ("sẽ hoàn thành đúng hạn", "ask"),
    ("dự kiến hoàn thành 14/12", "ask"),
    ("phấn đấu xong 14/12", "ask"),
    ("cố gắng xong trước hạn", "ask"),
    ("vâng ạ em sẽ làm", "ask"),
    ("em xin nhận, sẽ hoàn thành đúng hạn", "ask"),
    ("đã nhận và sẽ hoàn thành trước 15/12", "ask"),
    ("xong sẽ báo cáo", "ask"),
    ("họp xong em gửi", "ask"),  # after the meeting
    ("đi họp xong em làm", "ask"),
    ("em đi công tác xong về làm", "ask"),
    ("xong việc này em làm", "ask"),
    ("em họp xong rồi làm tiếp", "ask"),
    ("họp xong rồi", "done"),
    ("đã xong rồi, em làm tiếp việc khác", "done"),
    ("làm xong em báo", "ask"),
    ("nếu xong", "ask"),
    ("phải xong", "ask"),
    ("phải xong trước 15/12", "ask"),
    ("muốn xong", "ask"),
    ("định xong", "ask"),
    ("đảm bảo hoàn thành", "ask"),
    ("cam kết hoàn thành", "ask"),
    ("xong ngay", "ask"),
    ("em làm xong ngay", "ask"),
    ("xong liền anh ơi", "ask"),
    ("tí nữa xong", "ask"),
    ("lát nữa xong", "ask"),
    ("lát xong", "ask"),
    # Not done, said every way.
    ("chưa", "ask"),
    ("chưa xong", "ask"),
    ("chua xong", "ask"),
    ("chưa xong ạ", "ask"),
    ("chua hoan thanh", "ask"),
    ("chuaw xong", "ask"),
    ("vẫn chưa xong", "ask"),
    ("không xong", "ask"),
    ("k xong", "ask"),
    ("ko xong", "ask"),
    ("kh xong", "ask"),
    ("hk xong", "ask"),
    ("hok xong dc", "ask"),
    ("k xong kịp", "ask"),
    ("ko", "ask"),
    ("ko kịp", "ask"),
    ("không kịp hạn", "ask"),
    ("không hoàn thành được", "ask"),
    ("không thể hoàn thành", "ask"),
    ("khó hoàn thành", "ask"),
    ("làm không xong", "ask"),
    ("làm mãi không xong", "ask"),
    ("không xong nổi", "ask"),
    ("xong không kịp", "ask"),
    ("xong ko dc", "ask"),
    ("xong không nổi", "ask"),
    ("hoàn thành không nổi", "ask"),
    ("xong sao nổi", "ask"),
    ("không có cách nào xong", "ask"),
    ("không đời nào xong", "ask"),
    ("không có cách nào khác, đã xong", "done"),
    ("đã xong đâu", "ask"),
    ("đâu có xong", "ask"),
    ("xong đâu mà báo", "ask"),
    ("chưa đâu", "ask"),
    ("sẽ không xong", "ask"),
    ("chẳng xong", "ask"),
    ("not done", "ask"),
    ("chưa triển khai", "ask"),
    ("chưa làm gì", "ask"),
    ("chưa bắt đầu", "ask"),
    ("chưa làm được chút nào", "ask"),
    ("chua lam", "ask"),
    ("mới nhận, chưa làm", "ask"),
    ("xong rồi nhưng chưa nộp", "not done"),
    ("xã A xong, xã B chưa", "not done"),
    ("tưởng xong rồi", "ask"),
    ("em tưởng đã hoàn thành rồi", "ask"),
    # Acknowledging is not done.
    ("ok", "ask"),
    ("oke", "ask"),
    ("ok anh", "ask"),
    ("ok rồi", "ask"),
    ("ok em làm ngay", "ask"),
    ("Dạ vâng ạ", "ask"),
    ("dạ", "ask"),
    ("đã nhận", "ask"),
    ("em nhận rồi ạ", "ask"),
    ("nhận được rồi ạ", "ask"),
    ("đã nhận nhiệm vụ", "ask"),
    ("đã nhận văn bản", "ask"),
    ("em đã nhận được tin nhắn", "ask"),
    ("đã nhận được kinh phí", "ask"),
    ("đã nhận kế hoạch, sẽ triển khai", "ask"),
    ("đc rồi", "ask"),
    ("👍", "ask"),
    ("đã xem", "ask"),
    ("em đọc xong rồi ạ", "ask"),  # the reminder read, not the work done
    ("em xem xong rồi", "ask"),
    ("đã xem xong văn bản", "ask"),
    ("em đọc xong, sẽ triển khai", "ask"),
    ("đã xem xong và hoàn thành", "done"),
    ("em đã đọc", "ask"),
    # Questions and help: asked.
    ("?", "ask question"),
    ("xong chưa", "ask question"),
    ("đã xong chưa ạ", "ask question"),
    ("xong không?", "ask question"),
    ("xong rồi à?", "ask question"),
    ("xong rồi hả?", "ask question"),
    ("xong rồi à", "ask question"),
    ("xong rồi hả", "ask question"),
    ("đã xong rồi hả anh", "ask question"),
    ("xong rồi ư", "ask question"),
    ("làm thế nào", "ask question"),
    ("nộp ở đâu ạ", "ask question"),
    ("cái này là gì", "ask question"),
    ("không biết xong chưa", "ask"),
    ("việc nào ạ", "ask"),
    ("việc gì vậy anh", "ask"),
    ("em không hiểu", "ask"),
    ("em hỏi hạn hoàn thành", "ask"),  # the deadline asked about
    ("hạn hoàn thành", "ask"),
    ("đúng hạn hoàn thành rồi", "done"),
    ("hướng dẫn em với", "ask"),
    ("gửi cho ai ạ", "ask"),
    ("mẫu báo cáo đâu ạ", "ask"),
    # Taken back, cancelled, or nothing to read: asked.
    ("hủy", "ask"),
    ("sai rồi", "ask"),
    ("sai", "ask"),
    ("nhầm rồi", "ask"),
    ("xong nhầm", "ask"),
    ("bấm nhầm", "ask"),
    ("bỏ qua tin trước", "ask"),
    ("không phải việc của em", "ask"),
    ("đã chuyển cho anh Nam", "ask"),  # handed on, not done
    ("đã chuyển phòng chuyên môn", "ask"),
    ("đã chuyển cho đ/c Hùng xử lý", "ask"),
    ("đã chuyển báo cáo về sở", "confirm"),
    ("đã giao cho cán bộ thực hiện", "ask"),
    ("đã phân công", "ask"),
    # Numbers, dates and signs alone.
    ("0", "ask"),
    ("5", "ask"),
    ("150", "ask"),
    ("-10", "ask"),
    ("5/12", "ask"),
    ("7/10", "not done"),
    (".", "ask"),
    ("...", "ask"),
    ("😀", "ask"),
    ("✅", "ask"),
    # As officials type on Zalo: no marks, teencode ("dc", "ko", "r", "e", "a" for "ạ"),
    # emoji, capitals, a document's number and date, several tasks, English, long reports.
    # --- Done, as typed on Zalo: no marks, teencode, emoji, capitals.
    ("xong r a", "done"),
    ("xong r ạ", "done"),
    ("dạ xong r ạ", "done"),
    ("da xong roi a", "done"),
    ("e xong r nha a", "done"),
    ("e lam xong r a", "done"),
    ("bên e xong rồi ạ", "done"),
    ("ben e da hoan thanh a", "done"),
    ("dạ e đã hoàn thành r ạ 🙏🙏", "done"),
    ("xong rồi nhé sếp 👌", "done"),
    ("Oke xong rồi a", "done"),
    ("oke e xong r", "done"),
    ("Dạ Xong Rồi Ạ", "done"),
    ("đã xong ạ!!!", "done"),
    ("hoàn thành r nha", "done"),
    ("HOÀN THÀNH", "done"),
    ("HOAN THANH ROI A", "done"),
    ("dc r a, xong r", "done"),
    ("xong hết r a", "done"),
    ("xong roi ma", "done"),
    ("dạ việc này xã em xong rồi ạ", "done"),
    ("Phường đã hoàn thành nhiệm vụ ạ", "done"),
    ("đã xong 100% ạ", "done"),
    ("100% r a", "done"),
    ("đã thực hiện xong ạ ✅", "done"),
    ("Da bao cao a, don vi da hoan thanh a", "done"),
    ("xong từ hôm thứ 6 rồi ạ", "done"),
    ("xong hôm qua r a", "done"),
    ("em xong từ tuần trước rồi anh", "done"),
    ("hoàn thành từ 04/12 ạ", "done"),
    # --- Done, a document cited, as the office types it.
    ("đã ban hành văn bản số 123/UBND-VP ngày 02/12", "doc 123/UBND-VP"),
    ("Dạ đã ban hành văn bản số 123/UBND-VP ngày 02/12/2026 ạ", "doc 123/UBND-VP"),
    ("da ban hanh vb so 123/UBND-VP ngay 02/12", "doc 123/UBND-VP"),
    ("đã gửi BC số 88/BC-UBND ngày 3/12 về Sở ạ", "doc 88/BC-UBND"),
    ("da gui bc 88/BC-UBND", "doc 88/BC-UBND"),
    ("Đã có Kế hoạch 210/KH-UBND ngày 01/12/2026", "doc 210/KH-UBND"),
    ("đã ký QĐ 1234/QĐ-UBND ngày 30/11/2026 ạ", "doc 1234/QĐ-UBND"),
    ("xong, báo cáo số 77/BC-PNV ngày 4/12", "doc 77/BC-PNV"),
    ("hoàn thành, đã gửi văn bản 45/UBND-KT qua hệ thống ạ", "doc 45/UBND-KT"),
    ("Đã ban hành Công văn số 1502/UBND-VX ngày 05/12/2026", "doc 1502/UBND-VX"),
    ("đã gửi tờ trình số 12/TTr-UBND ngày 2/12", "progress"),  # a submission: to approve
    # --- In progress, as typed.
    ("dang lam a", "progress"),
    ("đang lm ạ", "progress"),
    ("e dang lam", "progress"),
    ("dg lam a", "progress"),
    ("dang trien khai a", "progress"),
    ("dạ đang triển khai ạ", "progress"),
    ("đang làm đc 60% r a", "progress 60"),
    ("dc 70% r a", "progress 70"),
    ("dc khoang 50% a", "progress 50"),
    ("tầm 80% r ạ", "progress 80"),
    ("đag tổng hợp ạ", "progress"),
    ("đang tổng hợp số liệu từ các thôn ạ", "progress"),
    ("dang cho so lieu cac xa gui len", "progress"),
    ("đang chờ xã gửi số liệu", "progress"),
    ("đang trình lãnh đạo ký ạ", "progress"),
    ("da trinh ky, dang cho ky", "progress"),
    ("xong dự thảo r, đang xin ý kiến", "progress"),
    ("đang hoàn thiện dự thảo ạ", "progress"),
    ("dang sua theo y kien so", "progress"),
    ("đang làm, khoảng 60% ạ", "progress 60"),
    ("làm được 1 nửa r", "progress 50"),
    ("được hơn nửa rồi ạ", "progress"),
    ("mới được 30% thôi ạ", "progress 30"),
    ("tiến độ đạt 85%", "progress 85"),
    ("xong 8/12 xã, còn 4 xã", "progress"),
    ("đã có 5/9 xã gửi báo cáo", "not done"),
    ("đã thu được 20/25 hồ sơ", "not done"),
    ("sắp xong r a", "progress"),
    ("gần xong rồi sếp", "progress"),
    ("sap xong roi a", "progress"),
    # --- Blocked, as typed.
    ("vướng kinh phí ạ", "blocked: kinh phí"),
    ("vuong mat bang", "blocked: mat bang"),
    ("vướng: dân chưa đồng ý", "blocked: dân chưa đồng ý"),
    ("đang vướng mặt bằng ạ", "blocked: mặt bằng"),
    ("khó khăn: thiếu cán bộ", "blocked: thiếu cán bộ"),
    ("thieu kinh phi a", "blocked: thieu kinh phi"),
    ("thiếu người làm ạ", "blocked: thiếu người làm"),
    ("ko lam dc vi may tinh hong", "blocked: may tinh hong"),
    ("chưa làm được do chưa có số liệu của sở", "blocked: chưa có số liệu của sở"),
    ("chua xong do cho so lieu", "blocked: cho so lieu"),
    ("k triển khai được vì mưa lũ", "blocked: mưa lũ"),
    ("bị kẹt thủ tục đất đai", "blocked: thủ tục đất đai"),
    ("chưa có hướng dẫn của tỉnh nên chưa làm", "not done"),
    ("đang gặp vấn đề về phần mềm", "blocked: phần mềm"),
    # --- An extension asked, as typed.
    ("xin gia hạn đến 20/12 ạ", "extension 20/12/2026"),
    ("xin gia han den 20/12 a", "extension 20/12/2026"),
    ("e xin gia han den 25/12 a", "extension 25/12/2026"),
    ("cho e xin gia hạn thêm 1 tuần ạ", "extension +7"),
    ("xin thêm 3 ngày ạ", "extension +3"),
    ("xin them 3 ngay nua a", "extension +3"),
    ("cho e xin them 5 ngay", "extension +5"),
    ("xin lùi đến thứ 6 tuần sau ạ", "extension 18/12/2026"),
    ("lùi sang 20/12", "extension 20/12/2026"),
    ("lùi đến 22/12 ạ", "extension 22/12/2026"),
    ("cho em khất đến thứ 2", "extension 14/12/2026"),
    ("cho e khất đến thứ 2 tuần sau", "extension 14/12/2026"),
    ("khất sang 18/12 được không ạ", "extension 18/12/2026"),
    ("xin gia hạn vì thiếu người ạ", "extension"),
    ("vướng kinh phí, xin gia hạn đến 31/12", "extension 31/12/2026"),
    ("xin gia hạn đến hết 20/12 do chờ số liệu sở", "extension 20/12/2026"),
    # --- A promise is not done: asked.
    ("mai e gửi ạ", "ask"),
    ("mai xong a", "ask"),
    ("chiều nay e gửi", "ask"),
    ("tối nay xong ạ", "ask"),
    ("thứ 6 e nộp", "ask"),
    ("t6 xong a", "ask"),
    ("tuần sau e gửi bc", "ask"),
    ("e sẽ hoàn thành trước 15/12 ạ", "ask"),
    ("se xong truoc han a", "ask"),
    ("trước hạn 15/12 xong", "ask"),
    ("trước hạn xong ạ", "ask"),
    ("xong em báo", "ask"),
    ("xong e báo a", "ask"),
    ("xong em gửi anh", "ask"),
    ("xong thì e báo ạ", "ask"),
    ("làm xong e gửi liền", "ask"),
    ("dạ để e làm xong rồi báo ạ", "ask"),
    ("15/12 xong", "ask"),
    ("đúng hạn sẽ xong ạ", "ask"),
    ("e đang làm, mai xong", "not done"),
    ("2 hôm nữa xong ạ", "ask"),
    ("vài hôm nữa xong", "ask"),
    ("ok e sẽ làm ngay", "ask"),
    # --- Not done, said every way as typed.
    ("chua a", "ask"),
    ("chưa ạ", "ask"),
    ("chua xong a", "ask"),
    ("chưa xong đâu ạ", "ask"),
    ("ch xong", "ask"),
    ("ko kip a", "ask"),
    ("k kịp ạ", "ask"),
    ("chưa kịp làm ạ", "ask"),
    ("hổng kịp", "ask"),
    ("chưa làm đc gì", "ask"),
    ("mới nhận văn bản chưa triển khai", "ask"),
    ("còn lâu mới xong", "ask"),
    ("xong gì đâu a ơi", "ask"),
    ("chưa có gì ạ", "ask"),
    # --- Asked back, or a question: asked.
    ("xong rồi chứ", "ask question"),
    ("xong r chứ a", "ask question"),
    ("việc này xong rồi mà?", "ask question"),
    ("hạn khi nào ạ", "ask question"),
    ("nộp bản giấy hay bản mềm ạ", "ask"),
    ("gửi qua mail nào a", "ask"),
    ("báo cáo theo mẫu nào ạ?", "ask question"),
    ("đã làm rồi à", "ask"),
    ("xong chưa ta", "ask"),
    # --- Typos and slips: asked.
    ("xông", "ask"),
    ("XÔNG", "ask"),
    ("xống rồi", "ask"),
    # --- Acknowledged: asked.
    ("ok a", "ask"),
    ("oke a", "ask"),
    ("okie", "ask"),
    ("vâng a", "ask"),
    ("dạ vâng", "ask"),
    ("da e nhan r a", "ask"),
    ("dạ e nắm rồi ạ", "ask"),
    ("dạ e đã nhận đc tin nhắn ạ", "ask"),
    ("ok tks a", "ask"),
    ("👌", "ask"),
    ("🙏", "ask"),
    # --- Shares said in words or as a fraction.
    ("sáu phần mười", "progress 60"),
    ("được sáu phần mười rồi", "progress 60"),
    ("khoảng bảy mươi phần trăm", "progress 70"),
    ("3/4", "ask"),  # 3 April, or 3 of 4, or 75%? A lone pair is asked
    ("3/4 xã đã xong", "progress"),
    ("được 3/4 rồi", "progress"),
    # --- Done or begun? Confirmed.
    ("đã làm rồi", "confirm"),
    ("e gửi r nha", "confirm"),
    ("làm rồi ạ", "confirm"),
    ("em làm rồi", "confirm"),
    # --- English, as some officials write it.
    ("done already", "done"),
    ("it's done", "done"),
    ("Task completed.", "done"),
    ("completed, report sent to the department", "done"),
    ("finished yesterday", "done"),
    ("all done 👍", "done"),
    ("in progress, about 60%", "progress 60"),
    ("working on it", "progress"),
    ("still working on it", "progress"),
    ("50% done", "progress 50"),
    ("blocked: no budget", "blocked: no budget"),
    ("not yet", "ask"),
    ("not finished yet", "ask"),
    ("will finish by friday", "ask"),
    ("will be done tomorrow", "ask"),
    ("need 3 more days", "extension +3"),
    ("can we extend to 20/12?", "extension 20/12/2026"),
    ("is it done?", "ask question"),
    ("ok noted", "ask"),
    ("sorry, wrong task", "ask"),
    # --- Several tasks named in one reply: never all done.
    ("kế hoạch xong rồi, báo cáo đang làm", "not done"),
    ("KH xong r, BC đang làm a", "not done"),
    ("việc 1 xong, việc 2 chưa", "not done"),
    ("#12 xong, #13 đang làm 50%", "not done"),
    ("xã A xong, xã B đang làm", "not done"),
    ("báo cáo xong rồi, còn kế hoạch đang trình ký", "not done"),
    ("xong 2 việc, còn 1 việc", "not done"),
    # --- Long messages, as the office writes them.
    (
        "Kính gửi đồng chí, UBND xã Tam Xuân đã ban hành văn bản số 123/UBND-VP ngày 02/12/2026"
        " triển khai nhiệm vụ, đồng thời gửi báo cáo kết quả về Sở theo quy định ạ.",
        "doc 123/UBND-VP",
    ),
    (
        "Dạ báo cáo anh, đơn vị đã tổ chức họp triển khai ngày 3/12, hiện đang tổng hợp số liệu"
        " các thôn, dự kiến hoàn thành trước 14/12 ạ",
        "not done",
    ),
    (
        "Đơn vị đã hoàn thành 8/10 nội dung, còn 2 nội dung đang chờ hướng dẫn của Sở, dự kiến"
        " xong trong tuần sau",
        "not done",
    ),
    (
        "da trien khai xong o 5 thon, con 3 thon dang lam, du kien cuoi tuan xong a",
        "not done",
    ),
    (
        "Báo cáo: việc rà soát hộ nghèo đã xong, đã gửi kết quả về phòng LĐTBXH bằng văn bản"
        " 56/BC-UBND ngày 4/12/2026.",
        "doc 56/BC-UBND",
    ),
    (
        "Dạ em xin báo cáo, do thiếu kinh phí nên chưa triển khai được, em xin gia hạn đến"
        " 31/12 ạ",
        "extension 31/12/2026",
    ),
    (
        "Xã đã hoàn thành việc kiểm tra, nhưng biên bản còn thiếu chữ ký của 2 thành viên,"
        " em bổ sung xong sẽ gửi ạ",
        "not done",
    ),
    (
        "em đã gửi dự thảo cho phòng Tư pháp thẩm định từ 1/12, đến nay chưa có kết quả ạ",
        "not done",
    ),
    # --- A promise, a date, a deadline copied.
    ("xong r, mai gửi bc", "confirm"),  # the report may be the task
    ("done, will send the report tomorrow", "confirm"),
    ("xong r e gửi file sau", "ask"),
    ("Hi, the report was sent on 4/12 with number 12/BC-UBND", "doc 12/BC-UBND"),
    ("hạn 15/12: xong", "done"),
    ("xong trước hạn 15/12 rồi ạ", "done"),
    ("đã hoàn thành trước hạn ạ", "done"),
    # --- Round two: what the first grown corpus revealed.
    # Done, said with a doubt or asked back as typed in chat: confirmed or asked.
    ("nghĩ là xong r", "confirm"),
    ("xong r thì phải", "confirm"),
    ("xong r hay sao ấy", "confirm"),
    ("xong r nhỉ", "ask question"),
    ("xong r đấy nhỉ", "ask question"),
    ("xong rồi đấy ạ", "done"),
    ("xong rồi đó nha", "done"),
    ("xong r nè", "done"),
    ("xong rùi nè a", "done"),
    ("xong ruj", "done"),
    ("xong ròi", "done"),
    ("hoàn thành ròi", "done"),
    ("e xong r mà", "done"),
    ("dạ e xog r ạ", "done"),
    ("xonggg", "done"),
    ("okela xong", "done"),
    ("xong lâu r sếp ơi", "done"),
    ("đã xong, nhờ a kiểm tra giúp", "done"),
    ("dạ e hoàn thành r, e gửi anh file ạ", "done"),
    ("xg r a", "confirm"),
    ("ht r a", "confirm"),
    ("đã ht", "confirm"),
    ("ht 100%", "done"),
    ("chưa ht", "ask"),
    ("chx a", "ask"),
    ("ch làm", "ask"),
    ("song r a", "ask"),  # "sông"? "xong" with s for x: asked
    # Another side's part left: the sender's may be done, not the task.
    ("bên e xong r, còn bên phòng TC", "confirm"),
    ("xong hết, không còn bên nào", "done"),
    ("xong phần e, còn phần chị Lan", "not done"),
    ("xong r nhưng sếp chưa ký", "not done"),
    ("xog r nhung chua gui dc", "not done"),
    ("xong, chỉ còn đóng dấu", "not done"),
    ("xong nhưng còn phải trình", "not done"),
    ("xong r, a ký giúp e", "not done"),  # the reader's signature asked: still to come
    ("em làm xong rồi, anh duyệt giúp em", "not done"),
    ("xong r, a check giúp e nhé", "done"),
    # The sender's own part, or a doubt in a clause of its own: confirmed.
    ("phần của em xong rồi", "confirm"),
    ("phần của xã đã xong", "done"),  # the unit's part is its task
    ("xong, chắc vậy", "confirm"),
    ("done, I think", "confirm"),
    ("done, hopefully", "confirm"),
    ("my part is done", "confirm"),
    ("done from our side", "confirm"),
    # In English: when it will be done, or asked back with a tag.
    ("I'll let you know when done", "ask"),
    ("let you know once done", "ask"),
    ("it's done, isn't it", "ask question"),
    ("done, right?", "ask question"),
    ("I'll do it", "ask"),
    ("done when approved", "ask"),
    # Chat shorthand for "rồi", "báo cáo", and done as said to a reminder already answered.
    ("r a", "confirm"),
    ("dạ r ạ", "confirm"),
    ("ok r a", "ask"),
    ("bc r a", "confirm"),
    ("đã bc", "confirm"),
    ("da nop bao cao roi a", "confirm"),
    ("e bc a: xong", "done"),
    ("xong cmnr", "done"),
    ("dạ đã xong ạ, e gửi kèm file", "done"),
    ("hạn 15/12 nhưng e xong r", "done"),
    ("việc này đã xong từ lâu, sao còn nhắc", "done"),
    ("xong từ tuần trước, a xem lại giúp e", "done"),
    ("bot nhắc sai rồi, việc này xong lâu rồi", "ask"),
    ("xong 3/3", "ask"),  # 3 March, or all three?
    ("đã triển khai", "ask"),
    ("đã giao cho công chức địa chính", "ask"),
    ("đã tiếp nhận", "ask"),
    ("e mới chuyển về, chưa nắm", "ask"),
    ("e ko phụ trách việc này", "ask"),
    # Sent back, signed by others, still to submit: not done.
    ("xong rồi nhưng phải sửa lại", "not done"),
    ("xong mà chưa đóng dấu", "not done"),
    ("đã nộp, chờ thẩm định", "progress"),
    ("nộp r, đang chờ phản hồi", "progress"),
    ("đã gửi, chưa thấy sở phản hồi", "not done"),
    ("hồ sơ đã hoàn thiện, chờ nộp", "progress"),
    ("finished, pending signature", "progress"),
    ("completed but waiting for approval", "progress"),
    ("finished but not submitted", "not done"),
    ("we're done with phase 1", "progress"),
    # When it will be done, said as the south or chat says it: asked.
    ("sang năm xong", "ask"),
    ("qua tuần xong", "ask"),  # next week
    ("hết tuần xong", "ask"),
    ("ngày kia xong", "ask"),
    ("mốt xong", "ask"),  # the day after tomorrow
    ("bữa sau xong", "ask"),
    ("bữa nay xong", "ask"),  # today
    ("chút xíu xong", "ask"),
    ("xíu xong", "ask"),
    ("tí xong", "ask"),
    ("tí e gửi", "ask"),
    ("đầu tuần xong", "ask"),
    ("giữa tháng xong", "ask"),
    ("trong tháng xong", "ask"),
    ("tháng 12 xong", "ask"),  # this month, not over
    ("tháng 11 xong", "done"),
    ("ngày 15 xong", "ask"),  # the 15th of this month, to come
    ("xong ngày 15", "ask"),
    ("xong ngày 5", "done"),
    ("15 xong", "ask"),  # on the 15th, or 15 of them?
    ("#12 xong", "done"),  # task 12
    ("xong từ đầu tuần", "done"),
    ("đầu tuần đã xong", "done"),
    ("15 xong r", "done"),
    ("xong báo cáo tháng 12", "done"),
    # Today, in chat, and later today: a promise.
    ("hnay xong", "ask"),
    ("hum nay xong", "ask"),
    ("hnay xong r", "done"),
    ("chiều xong", "ask"),
    ("chiều xong rồi", "done"),
    ("trưa e gửi", "ask"),
    ("sáng nay xong r", "done"),
    ("tối qua xong r", "done"),
    ("mai là xong", "ask"),
    ("thứ 2 là xong", "ask"),
    ("đầu tuần sau xong", "ask"),
    ("chưa xong, mai xong", "ask"),
    # An extension, as typed in chat.
    ("xin gh đến 20/12", "extension 20/12/2026"),
    ("xin GH 5 ngày", "extension +5"),
    ("xin delay 3 ngày", "extension +3"),
    ("cho e thêm 1 tuần nữa", "extension +7"),
    ("cho e thêm tuần nữa nha a", "extension"),
    ("a cho e thêm mấy hôm", "extension"),
    ("e xin nộp muộn 2 hôm", "extension +2"),
    ("e xin nộp chậm đến thứ 4", "extension 09/12/2026"),
    ("xin phép lùi lịch sang tuần sau", "extension"),
    ("xin gia hạn 2 tuần do mưa bão", "extension +14"),
    ("lùi lại chút được ko a", "ask"),
    # Blocked, as typed in chat ("kp" is "kinh phí").
    ("vướg kp", "blocked: kp"),
    ("k có kp", "blocked: k có kp"),
    ("chưa có kp", "blocked: chưa có kp"),
    ("hết kp r", "blocked: hết kp r"),
    ("chưa đc cấp kinh phí", "blocked: chưa đc cấp kinh phí"),
    ("đang khó khăn về kinh phí", "blocked: kinh phí"),
    ("mất mạng ko gửi đc", "not done"),
    ("phần mềm lỗi ko nộp đc", "not done"),
    ("cán bộ nghỉ ốm, chưa làm được", "not done"),
    # Busy, which says nothing of the task: asked.
    ("e đang nằm viện", "ask"),
    ("đang bận", "ask"),
    ("đang đi học", "ask"),
    ("đang bàn giao hồ sơ", "progress"),
    # English, as some officials write it.
    ("in process", "progress"),
    ("processing", "progress"),
    ("under review", "progress"),
    ("halfway", "progress"),
    ("i'm on it", "progress"),
    ("we finished 80%", "progress 80"),
    ("90 percent", "progress 90"),
    ("It is finished", "done"),
    ("We have completed the task and sent the report", "done"),
    ("Completed except for 2 communes", "progress"),
    ("Not completed due to lack of funds", "not done"),
    ("We need an extension to 31/12 due to lack of staff", "extension 31/12/2026"),
    ("pls extend 1 week", "extension +7"),
    ("Could I have until Friday?", "ask"),
    ("Report sent", "confirm"),
    ("incomplete", "ask"),
    ("unfinished", "ask"),
    ("The plan was issued, No. 45/KH-UBND dated 02/12/2026", "doc 45/KH-UBND"),
    # Several tasks or items in one reply.
    ("Kế hoạch: xong. Báo cáo: đang làm", "not done"),
    ("1. KH: xong 2. BC: đang làm 50%", "not done"),
    ("Task #12 done, #13 in progress", "not done"),
    ("#5 xong #6 chưa", "not done"),
    ("xong 2/3 việc", "progress"),
    ("cả 3 việc đều xong", "done"),
    ("2 việc xong r", "confirm"),
    # Long reports.
    (
        "Kính gửi: Văn phòng UBND tỉnh. UBND xã Tam Xuân báo cáo: đã ban hành Kế hoạch số"
        " 45/KH-UBND ngày 02/12/2026 về việc triển khai; đã tổ chức hội nghị ngày 04/12/2026."
        " Hiện đang tổng hợp kết quả, dự kiến gửi báo cáo trước 14/12/2026.",
        "not done",
    ),
    (
        "Dạ em báo cáo, nhiệm vụ này đơn vị đã hoàn thành từ ngày 03/12, văn bản báo cáo số"
        " 99/BC-UBND đã gửi qua hệ thống quản lý văn bản ạ. Em cảm ơn anh.",
        "doc 99/BC-UBND",
    ),
    (
        "da bao cao a, viec nay xa em da lam xong tu tuan truoc, da gui bc so 15/BC-UBND"
        " ngay 30/11 a",
        "doc 15/BC-UBND",
    ),
    (
        "Dạ anh ơi việc này bên em vướng do chưa có hướng dẫn của Sở Nội vụ, em đã gửi công"
        " văn 321/UBND-NV ngày 01/12 xin ý kiến nhưng chưa có phản hồi ạ",
        "not done",
    ),
    (
        "Em chào anh. Việc rà soát hộ nghèo xã em đã xong, nhưng danh sách còn phải niêm yết"
        " công khai 7 ngày, dự kiến 16/12 mới gửi chính thức được ạ",
        "not done",
    ),
    ("xong rồi anh nhé, em gửi kèm báo cáo số 12/BC-UBND ngày 5/12 rồi ạ", "doc 12/BC-UBND"),
    ("ok a, e đã nhận, e sẽ triển khai ngay và báo cáo a trước 15/12 ạ", "ask"),
]


def _day(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def _reads_as(parsed: ParsedReply, expected: str) -> bool:
    """Tell whether a reading is what the corpus says it must be."""
    word, _, rest = expected.partition(" ")
    kind = parsed.kind
    if expected.startswith("blocked: "):
        return kind is ReplyKind.BLOCKED and parsed.reason == expected.removeprefix("blocked: ")
    if word == "done":
        return kind is ReplyKind.DONE and not parsed.uncertain
    if word == "confirm":
        return kind is ReplyKind.UNCLEAR or (kind is ReplyKind.DONE and parsed.uncertain)
    if word == "doc":
        return kind is ReplyKind.DONE and parsed.evidence_number == rest
    if word == "progress":
        share = int(rest) if rest else None
        return kind is ReplyKind.IN_PROGRESS and parsed.percent == share
    if word == "extension":
        if kind is not ReplyKind.EXTENSION:
            return False
        if rest.startswith("+"):
            return parsed.extension_days == int(rest[1:])
        return parsed.new_deadline == (_day(rest) if rest else None)
    if word == "ask":
        hint = ReplyHint(rest) if rest else None
        return kind is ReplyKind.UNCLEAR and hint in (None, parsed.hint)
    assert expected == "not done", expected
    return kind is not ReplyKind.DONE


def _shown(parsed: ParsedReply) -> str:
    details = {
        name: value
        for name in ("percent", "reason", "new_deadline", "extension_days", "evidence_number")
        if (value := getattr(parsed, name)) is not None
    }
    sure = " (to confirm)" if parsed.uncertain else ""
    return f"{parsed.kind.value}/{parsed.hint.value}{sure} {details}"


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[text for text, _ in CORPUS])
def test_an_officials_reply_reads_as_meant(text: str, expected: str) -> None:
    parsed = parse_reply(text, today=TODAY)
    assert _reads_as(parsed, expected), f"{text!r} read as {_shown(parsed)}, not {expected}"


def test_the_corpus_is_large_and_each_reply_once() -> None:
    texts = [text for text, _ in CORPUS]
    assert len(texts) >= 600
    assert len(set(texts)) == len(texts)


def corpus_score() -> tuple[int, int, list[str]]:
    """Return how many corpus replies read as meant, of how many, and those that do not."""
    wrong = [
        f"{text!r}: {_shown(parsed)}, not {expected}"
        for text, expected in CORPUS
        if not _reads_as(parsed := parse_reply(text, today=TODAY), expected)
    ]
    return len(CORPUS) - len(wrong), len(CORPUS), wrong


if __name__ == "__main__":
    right, total, misread = corpus_score()
    print("\n".join(misread))
    print(f"{right}/{total} read as meant")
