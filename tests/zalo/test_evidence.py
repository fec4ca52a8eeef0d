"""A photo sent on Zalo is downloaded from photo_url and kept as evidence of the task."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from core.clock import ManualClock
from db.models import Assignment, Evidence, ExtensionRequest, StatusReport, Task
from handlers.zalo import answers as zalo_answers
from handlers.zalo.channel import ZaloChannel
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZaloBot
from zalo import Event

HOA = "7f3a9c0e51d24b8e"
JPEG = b"\xff\xd8\xff\xe0" + b"bien-ban" * 100


def _event(sender: str, message_id: str, text: str) -> Event:
    """Return a private text event of the sender (what a restarted channel reads)."""
    return Event("message.text.received", message_id, 0, sender, "PRIVATE", sender, "Hoa", text)


def official(zbot: ZaloBot, tasks: int = 1) -> list[int]:
    """Hoa on Zalo, focal point of Xã A, which has the tasks; return their ids."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        ids = [make_task(s, f"Việc {n}", date(2026, 11, 30), [unit]).id or 0 for n in range(tasks)]
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa")
    return ids


async def test_a_photo_is_kept_with_the_status_of_its_caption(zbot: ZaloBot) -> None:
    """A photo captioned "đã xong" is stored for the only task, and done is recorded."""
    official(zbot)
    [answer] = await zbot.photo(HOA, JPEG, "đã xong, gửi biên bản")
    assert "Việc 0" in answer
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        [report] = s.exec(select(StatusReport)).all()
    stored = zbot.tg.settings.evidence_path / kept.storage_path
    assert stored.read_bytes() == JPEG
    assert (kept.size, kept.mime_type, report.state) == (len(JPEG), "image/jpeg", "done")


async def test_a_photo_whose_address_is_named_photo_is_kept(zbot: ZaloBot) -> None:
    """A photo event giving its address as `photo`, the field Zalo's documentation names
    (not `photo_url`, as its webhook was seen to), is fetched and kept with its caption's
    status: it was answered "could not fetch the photo, send it again", every time."""
    official(zbot)
    message_id = zbot.zalo.send_photo(HOA, JPEG, "đã xong", field="photo")
    await zbot.handled(message_id)
    [answer] = [m.text for m in zbot.zalo.messages(HOA)]
    assert "Không tải được ảnh" not in answer
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        [report] = s.exec(select(StatusReport)).all()
    assert (kept.size, report.state) == (len(JPEG), "done")


async def test_a_photo_names_its_task_when_there_are_several(zbot: ZaloBot) -> None:
    """With two tasks, a photo captioned "#N" is kept there at once."""
    first, second = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG, f"#{second} biên bản")
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        about = s.get(Assignment, kept.assignment_id)
    assert about is not None
    assert (about.task_id, first != second) == (second, True)


async def test_photos_sent_in_a_row_follow_the_first_ones_task(zbot: ZaloBot) -> None:
    """Three photos of one record sent together, the first captioned "#N biên bản" (Zalo has
    no album to tie them), are all kept for #N, as an album's are on Telegram; each of the
    others was asked "which task?", one question a photo. A photo sent later, uncaptioned,
    is asked about again."""
    _, second = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG + b"1", f"#{second} biên bản")
    for n in (2, 3):
        [answer] = await zbot.photo(HOA, JPEG + bytes([n]))
        assert "Đã lưu minh chứng «zalo_" in answer
        assert f"cho #{second} Việc 1" in answer
    with zbot.session() as s:
        query = select(Assignment.task_id).join(Evidence)
        assert s.exec(query).all() == [second] * 3
    zbot.tg.clock.advance(timedelta(minutes=10))
    [asked] = await zbot.photo(HOA, JPEG + b"4")
    assert "việc nào" in asked


async def test_a_text_between_two_photos_ends_their_row(zbot: ZaloBot) -> None:
    """A photo captioned "#A", then the text "#B", then a photo without a caption a minute
    later: that photo is asked about, not filed under #A (it followed the first photo's
    task, whatever Hoa wrote between them: her evidence of #B kept as #A's)."""
    first, second = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG + b"1", f"#{first} biên bản")
    await zbot.say(HOA, f"#{second}")
    zbot.tg.clock.advance(timedelta(minutes=1))
    [asked] = await zbot.photo(HOA, JPEG + b"2")
    assert "cho việc nào" in asked
    with zbot.session() as s:
        assert s.exec(select(Assignment.task_id).join(Evidence)).all() == [first]


async def test_photos_sent_in_a_row_without_their_task_are_asked_about_once(
    zbot: ZaloBot,
) -> None:
    """Three photos sent together, none naming its task, with two tasks open: one question
    "which task?", and "2" files the three there. Each photo was asked the same question,
    three lists one after another for one answer."""
    _, second = official(zbot, tasks=2)
    [asked] = await zbot.photo(HOA, JPEG + b"1")
    assert "cho việc nào" in asked
    assert await zbot.photo(HOA, JPEG + b"2") == []
    assert await zbot.photo(HOA, JPEG + b"3") == []
    kept = await zbot.say(HOA, "2")
    assert len(kept) == 3
    assert all("Đã lưu minh chứng" in answer for answer in kept)
    with zbot.session() as s:
        assert s.exec(select(Assignment.task_id).join(Evidence)).all() == [second] * 3


async def test_a_photo_without_its_task_is_kept_pending_and_a_typed_number_files_it(
    zbot: ZaloBot,
) -> None:
    """With two tasks, a photo without "#N" is kept pending and the bot asks which task
    with numbered choices; Hoa types "2" and the photo is filed to the second task, with the
    status its caption states. It was not kept, and Hoa was asked to send it again."""
    first, second = official(zbot, tasks=2)
    [asked] = await zbot.photo(HOA, JPEG, "đã xong")
    assert "cho việc nào" in asked
    assert f"#{first} Việc 0" in asked
    assert f"#{second} Việc 1" in asked
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []
    [answer] = await zbot.say(HOA, "2")
    assert "Đã lưu minh chứng" in answer
    assert f"#{second}" in answer
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        about = s.get(Assignment, kept.assignment_id)
        [report] = s.exec(select(StatusReport)).all()
    assert about is not None
    assert about.task_id == second
    assert (report.assignment_id, report.state) == (kept.assignment_id, "done")
    stored = zbot.tg.settings.evidence_path / kept.storage_path
    assert stored.read_bytes() == JPEG
    assert list((zbot.tg.settings.evidence_path / "pending").glob("*/*")) == []


async def test_a_photo_asked_about_names_the_unit_of_a_task_given_to_two_of_hers(
    zbot: ZaloBot,
) -> None:
    """Hoa is the focal point of Xã A and Xã B, both given task 1: a photo without its task
    offers that task once for each commune, named, and "2" files it for Xã B's. Both were
    offered as "#1 Việc chung", told nothing apart."""
    with zbot.session() as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        shared = make_task(s, "Việc chung", date(2026, 11, 30), [a, b]).id
        make_contact(s, 0, units=[a, b], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa")
    [asked] = await zbot.photo(HOA, JPEG, "")
    assert f"1 = #{shared} Xã A: Việc chung" in asked
    assert f"2 = #{shared} Xã B: Việc chung" in asked
    await zbot.say(HOA, "2")
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        about = s.get(Assignment, kept.assignment_id)
    assert about is not None
    assert about.unit_id == b.id


async def test_a_photo_asked_about_is_asked_again_after_a_status_typed_instead(
    zbot: ZaloBot,
) -> None:
    """Evidence before its status: a photo, asked about, then "#2 xong" typed instead of the
    number. The photo was left pending unsaid, and "1" then went to the check-in ("all
    tasks done"), never to it; now the answer asks about the photo again, and "1" files it."""
    first, second = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG, "")
    recorded, again = await zbot.say(HOA, f"#{second} xong")
    assert "Đã ghi nhận" in recorded
    assert "Ảnh gửi trước đó chưa được lưu" in again
    assert f"1 = #{first} Việc 0" in again
    [kept] = await zbot.say(HOA, "1")
    assert "Đã lưu minh chứng" in kept
    assert evidence_task(zbot) == first


async def test_a_photo_asked_about_is_asked_again_after_a_text_of_faces(
    zbot: ZaloBot,
) -> None:
    """A photo, asked about, then only faces ("🙂 😊"): the usage hint answered it alone, the
    photo left pending unsaid; now the photo's question follows the hint, and "1" files it."""
    first, _ = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG, "")
    hint, again = await zbot.say(HOA, "🙂 😊")
    assert hint.startswith("Khi nhận được nhắc việc")
    assert "Ảnh gửi trước đó chưa được lưu" in again
    [kept] = await zbot.say(HOA, "1")
    assert "Đã lưu minh chứng" in kept
    assert evidence_task(zbot) == first


async def test_a_photo_after_reporting_a_task_done_is_kept_for_it(zbot: ZaloBot) -> None:
    """With two tasks, "#N xong" and then a photo without a caption: the photo is evidence of
    the task just reported done (as on Telegram), not asked about."""
    _, second = official(zbot, tasks=2)
    await zbot.say(HOA, f"#{second} xong")
    [answer] = await zbot.photo(HOA, JPEG, "")
    assert "Đã lưu minh chứng" in answer
    assert f"#{second}" in answer
    assert evidence_task(zbot) == second


async def test_a_photo_after_two_tasks_reported_done_together_is_asked_about(
    zbot: ZaloBot,
) -> None:
    """ "#N xong, #M xong" in one message and then a photo: which task it shows is asked,
    not given to the last of the two."""
    first, second = official(zbot, tasks=2)
    await zbot.say(HOA, f"#{first} xong, #{second} xong")
    [asked] = await zbot.photo(HOA, JPEG, "")
    assert "Đã lưu minh chứng" not in asked
    assert f"#{first}" in asked
    assert f"#{second}" in asked
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []


async def test_a_photo_is_kept_for_the_task_done_last_and_not_after_a_day(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """Done on one task, then in progress on the other: a photo is still the done task's
    evidence. A day later a photo is asked about again."""
    first, second = official(zbot, tasks=3)[:2]
    await zbot.say(HOA, f"#{first} xong")
    await zbot.say(HOA, f"#{second} đang làm 50%")
    [answer] = await zbot.photo(HOA, JPEG, "")
    assert "Đã lưu minh chứng" in answer
    assert evidence_task(zbot) == first
    clock.advance(timedelta(hours=25))
    [asked] = await zbot.photo(HOA, JPEG + b"2", "")
    assert "Đã lưu minh chứng" not in asked


async def test_a_pending_photo_survives_a_restart_and_expires_after_a_day(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """The pending photo lives on disk and in the database, not in the process: a restart
    (a fresh channel answering) still files it. One asked about more than a day ago is not
    filed: Hoa is told to send it again, and its file is deleted by the next photo."""
    first, _ = official(zbot, tasks=2)
    await zbot.photo(HOA, JPEG)
    # A restart: a new channel answers "1", with nothing but the database and the disk.
    fresh = ZaloChannel(zbot.services)
    [said] = await asyncio.to_thread(fresh.answer, _event(HOA, "m-restart", "1"))
    assert isinstance(said, str)
    assert "Đã lưu minh chứng" in said
    assert f"#{first}" in said
    await zbot.photo(HOA, JPEG + b"2")
    clock.advance(timedelta(hours=25))
    fresh = ZaloChannel(zbot.services)
    [asked] = await asyncio.to_thread(fresh.answer, _event(HOA, "m-late", "1"))
    assert isinstance(asked, str)
    with zbot.session() as s:
        assert len(s.exec(select(Evidence)).all()) == 1
    assert "Đã lưu" not in asked
    await zbot.photo(HOA, JPEG + b"3")
    pending = list((zbot.tg.settings.evidence_path / "pending").glob("*/*"))
    assert len(pending) == 1


async def test_the_same_photo_again_is_said_received_already(zbot: ZaloBot) -> None:
    """The same photo sent twice is kept once, and the second time Hoa is told it was
    received already. It was called kept under a new name, though not stored again."""
    official(zbot)
    [first] = await zbot.photo(HOA, JPEG)
    assert "Đã lưu minh chứng" in first
    [again] = await zbot.photo(HOA, JPEG)
    assert "đã được nhận trước đó" in again
    assert "Đã lưu" not in again
    with zbot.session() as s:
        assert len(s.exec(select(Evidence)).all()) == 1


async def test_a_photo_the_store_cannot_take_is_refused_and_its_status_recorded(
    zbot: ZaloBot, tmp_path: Path
) -> None:
    """EVIDENCE_DIR unwritable (a file where its folder should be, as a full or read-only
    disk): Hoa is told the photo was not kept and to send it again; "đã xong" is recorded.
    It ended in the generic error and lost the status."""
    official(zbot)
    blocker = tmp_path / "evidence-is-a-file"
    blocker.write_bytes(b"not a folder")
    zbot.tg.configure(evidence_dir=blocker)
    [answer] = await zbot.photo(HOA, JPEG, "đã xong")
    assert "Chưa lưu được tệp" in answer
    assert "Hoàn thành" in answer
    with zbot.session() as s:
        assert list(s.exec(select(Evidence))) == []
        assert [r.state for r in s.exec(select(StatusReport))] == ["done"]


async def test_a_photo_of_a_task_the_unit_reported_done_is_kept(zbot: ZaloBot) -> None:
    """Hoa reports #N done, then sends the minutes' photo captioned "#N": it is kept for
    that task, as on Telegram. Zalo asked which task, again and again, as if none matched."""
    first, second = official(zbot, tasks=2)
    await zbot.say(HOA, f"#{second} 1")
    [answer] = await zbot.photo(HOA, JPEG, f"#{second} biên bản")
    assert f"#{second}" in answer
    with zbot.session() as s:
        [kept] = s.exec(select(Evidence)).all()
        about = s.get(Assignment, kept.assignment_id)
    assert about is not None
    assert (about.task_id, first != second) == (second, True)


async def test_a_photo_saying_done_again_after_the_deadline_keeps_the_day_it_was_done(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """Done on time, then the minutes photographed after the deadline with "đã xong, gửi
    biên bản": the photo is kept, and the task stays done on time. The second "done" moved
    the day it was done to the photo's, and the unit counted as late."""
    official(zbot)
    await zbot.say(HOA, "xong")
    with zbot.session() as s:
        [first] = s.exec(select(Assignment)).all()
    assert first.done_at is not None
    clock.advance(timedelta(days=20))  # past the deadline of 30/11
    [answer] = await zbot.photo(HOA, JPEG, "đã xong, gửi biên bản")
    assert "Đã lưu minh chứng" in answer
    assert "đúng hạn" in answer
    with zbot.session() as s:
        [after] = s.exec(select(Assignment)).all()
        assert len(s.exec(select(Evidence)).all()) == 1
    assert (after.state, after.done_at) == ("done", first.done_at)


async def test_a_photo_naming_a_closed_task_says_it_is_closed(zbot: ZaloBot) -> None:
    """A caption "#N" of the unit's task closed since is answered that it is over, not
    "send it again with the task's number", which it had."""
    first, _ = official(zbot, tasks=2)
    with zbot.session() as s:
        task = s.get(Task, first)
        assert task is not None
        task.status = "closed"
        s.add(task)
        s.commit()
    [answer] = await zbot.photo(HOA, JPEG, f"#{first} biên bản")
    assert "đã kết thúc hoặc bị hủy" in answer  # no admin named yet: no one to ask
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []


async def test_a_photo_too_large_still_records_the_status_of_its_caption(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo past the download limit captioned "đã xong" is refused with the limit, and
    the status is recorded all the same, as when the store cannot take a file: it was lost
    with the photo, though Hoa had said the task was done."""
    official(zbot)
    monkeypatch.setattr(zalo_answers, "MAX_PHOTO", len(JPEG) - 1)
    [answer] = await zbot.photo(HOA, JPEG, "đã xong, gửi biên bản")
    assert "quá lớn" in answer
    assert "Hoàn thành" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []
        [report] = s.exec(select(StatusReport)).all()
    assert report.state == "done"


async def test_a_photo_too_large_still_asks_the_extension_of_its_caption(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo past the download limit captioned "4 15/01/2027 chờ kinh phí" is refused with
    the limit, and the extension is asked for all the same: it was lost with the photo."""
    official(zbot)
    monkeypatch.setattr(zalo_answers, "MAX_PHOTO", len(JPEG) - 1)
    [answer] = await zbot.photo(HOA, JPEG, "4 15/01/2027 chờ kinh phí")
    assert "quá lớn" in answer
    assert "Đã gửi đề nghị gia hạn" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []
        [asked] = s.exec(select(ExtensionRequest)).all()
    assert (asked.requested_deadline, asked.reason) == (date(2027, 1, 15), "chờ kinh phí")


async def test_an_empty_photo_is_not_kept_and_its_status_is_recorded(zbot: ZaloBot) -> None:
    """A photo whose download is empty (0 bytes) captioned "đã xong": Hoa is told it could
    not be fetched, to send it again, and the status is recorded. It was kept as evidence
    of 0 KB, the task's proof a file with nothing in it."""
    official(zbot)
    [answer] = await zbot.photo(HOA, b"", "đã xong")
    assert "Không tải được ảnh" in answer
    assert "Hoàn thành" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []
        assert [r.state for r in s.exec(select(StatusReport))] == ["done"]


async def test_a_caption_in_the_typed_answers_of_a_reminder_states_its_status(
    zbot: ZaloBot,
) -> None:
    """A photo captioned "#N 1" or "#N 3 <reason>" (the answers a Zalo reminder teaches)
    records done or blocked, as the same text would; one captioned "#N 4 15/01/2027 <reason>"
    asks for the extension, as the same text would, and keeps the photo as evidence. It
    kept the photo and asked for nothing, saying no status was recorded."""
    first, second, third = official(zbot, tasks=3)
    await zbot.photo(HOA, JPEG, f"#{first} 1")
    await zbot.photo(HOA, JPEG + b"3", f"#{second} 3 thiếu kinh phí")
    [extension] = await zbot.photo(HOA, JPEG + b"4", f"#{third} 4 15/01/2027 chờ kinh phí")
    assert "Đã lưu minh chứng" in extension
    assert "Đã gửi đề nghị gia hạn" in extension
    assert "Chưa ghi nhận tình trạng" not in extension
    with zbot.session() as s:
        rows = s.exec(select(StatusReport, Assignment).join(Assignment)).all()
        kept = len(s.exec(select(Evidence)).all())
        asked = s.exec(select(ExtensionRequest, Assignment).join(Assignment)).all()
    assert sorted((a.task_id, r.state) for r, a in rows) == [
        (first, "done"),
        (second, "blocked"),
    ]
    assert kept == 3
    assert [(a.task_id, r.requested_deadline, r.reason, r.status) for r, a in asked] == [
        (third, date(2027, 1, 15), "chờ kinh phí", "pending")
    ]


async def test_a_photo_naming_two_tasks_is_kept_pending_and_asked_about(zbot: ZaloBot) -> None:
    """With two tasks, a photo captioned "#A #B biên bản" is kept pending and the bot asks
    which task; "2" files it to B. It was dropped and Hoa told to send it again with the
    "#N" she had written."""
    first, second = official(zbot, tasks=2)
    [asked] = await zbot.photo(HOA, JPEG, f"#{first} #{second} biên bản")
    assert "cho việc nào" in asked
    assert "Gửi lại ảnh" not in asked
    await zbot.say(HOA, "2")
    assert evidence_task(zbot) == second


async def test_a_photo_from_a_unit_with_no_open_task_says_so(zbot: ZaloBot) -> None:
    """A unit whose only task was closed: a photo, without "#N" or with one not the unit's,
    is told the unit has no open task, nothing kept. It was asked which task and to send
    it again with "#N", and asked so again, round and round."""
    [task] = official(zbot)
    with zbot.session() as s:
        closed = s.get(Task, task)
        assert closed is not None
        closed.status = "closed"
        s.add(closed)
        s.commit()
    for caption in ("", "#99 biên bản"):
        [answer] = await zbot.photo(HOA, JPEG + caption.encode(), caption)
        assert "không có nhiệm vụ nào đang mở" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []


def evidence_task(zbot: ZaloBot) -> int:
    """Return the task of the one evidence file kept."""
    with zbot.session() as s:
        [evidence] = s.exec(select(Evidence)).all()
        about = s.get(Assignment, evidence.assignment_id)
    assert about is not None
    return about.task_id
