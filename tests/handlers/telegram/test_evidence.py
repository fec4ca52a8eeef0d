"""Evidence files: kept from a reply or after done, with checksum, and fetched from disk."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select
from telegram import Chat, Document, Message

from app.signing import sign
from db.models import Evidence, ExtensionRequest, Outbox, StatusReport, Task
from devtools.fakebotapi import ChatMessage, Fault, FaultRule
from handlers.telegram.evidence_store import upload_of
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.checkin_world import (
    COORDINATOR,
    DEADLINE,
    OFFICIAL,
    assignment_of,
    remind,
    reports,
    scene,
)
from tests.harness import BotUnderTest, button_data, buttons

PDF = b"%PDF-1.4 ke hoach chuyen doi so " * 100


def kept(bot: BotUnderTest) -> list[Evidence]:
    """Return the evidence recorded."""
    with bot.session() as s:
        return list(s.exec(select(Evidence)))


def send_document_reply(
    bot: BotUnderTest,
    user_id: int,
    content: bytes,
    reply_to: int,
    name: str = "ke-hoach.pdf",
    caption: str | None = None,
) -> int:
    """Have a user send a document in reply to a bot message (a raw update, as Telegram)."""
    state = bot.server.state
    stored = state.store_file(content, "document", name, "application/pdf")
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": name,
        "mime_type": "application/pdf",
        "file_size": len(content),
    }
    with state.lock:
        chat = state.chats[user_id]
        message = state.add_message(
            chat,
            state.user(user_id),
            reply_to_message_id=reply_to,
            document=document,
            caption=caption,
        )
        payload = {"message": state.message_api(message)}
    payload["message"]["date"] = int(time.time())
    return bot.server.inject_update(payload)


async def test_document_in_reply_to_a_reminder_is_kept_and_fetched(bot: BotUnderTest) -> None:
    """A PDF replying to a reminder is stored with its checksum; /evidence sends it back."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    after = bot.server.last_message_id(OFFICIAL)
    send_document_reply(bot, OFFICIAL, PDF, reminder.message_id)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "Đã lưu minh chứng «ke-hoach.pdf»" in (reply.text or "")
    [evidence] = kept(bot)
    assert evidence.assignment_id == aid
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.size, evidence.file_name) == (len(PDF), "ke-hoach.pdf")
    path = bot.services.settings.evidence_path / evidence.storage_path
    assert path.read_bytes() == PDF
    fetched = await bot.send(
        COORDINATOR,
        f"/evidence #{world.tasks[0].id} Tam Xuân",
        match=lambda m: m.document is not None,
    )
    assert fetched.document is not None
    assert bot.server.file_content(fetched.document["file_id"]) == PDF
    assert fetched.document["file_name"] == "ke-hoach.pdf"


@pytest.mark.parametrize("named", ["#{task} xong", "Nhiệm vụ {task} xong"])
async def test_a_document_naming_another_task_in_reply_to_a_reminder_is_that_tasks(
    bot: BotUnderTest, named: str
) -> None:
    """A PDF captioned "#2 xong" (or "Nhiệm vụ 2 xong", which was #1's) sent in reply to the
    reminder of #1 (the message at hand) is #2's evidence and records #2 done; #1, which it
    does not name, is left as it was."""
    world = await scene(bot, tasks=2)
    first, second = world.assignments
    reminder = await remind(bot, OFFICIAL, [first])
    after = bot.server.last_message_id(OFFICIAL)
    task = world.tasks[1].id
    caption = named.format(task=task)
    send_document_reply(bot, OFFICIAL, PDF, reminder.message_id, caption=caption)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert f"cho #{task} Kế hoạch CĐS 2" in (reply.text or "")
    assert [evidence.assignment_id for evidence in kept(bot)] == [second]
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(second, "done")]


async def test_the_same_document_again_is_said_received_already(bot: BotUnderTest) -> None:
    """The same PDF sent twice in reply to the reminder is recorded once, and the second time
    the official is told it was received already (as on Zalo), not that it was kept."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    for said in ("Đã lưu minh chứng «ke-hoach.pdf»", "đã được nhận trước đó"):
        after = bot.server.last_message_id(OFFICIAL)
        send_document_reply(bot, OFFICIAL, PDF, reminder.message_id, name="ban-sao.pdf")
        reply = await bot.server.wait_for_message(OFFICIAL, after=after)
        assert said.replace("ke-hoach", "ban-sao") in (reply.text or "")
    assert len(kept(bot)) == 1


async def test_a_file_kept_already_is_not_stored_again_under_another_suffix(
    bot: BotUnderTest,
) -> None:
    """The same bytes sent again as "ban-sao.docx" are said received already and not written
    to the evidence folder again: a second copy, named for the new suffix, no row would
    name (as on Zalo, where a photo kept already is not stored again)."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    for name in ("ke-hoach.pdf", "ban-sao.docx"):
        after = bot.server.last_message_id(OFFICIAL)
        send_document_reply(bot, OFFICIAL, PDF, reminder.message_id, name=name)
        reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "đã được nhận trước đó" in (reply.text or "")
    [evidence] = kept(bot)
    folder = bot.services.settings.evidence_path / str(evidence.assignment_id)
    assert [p.name for p in folder.iterdir()] == [evidence.storage_path.split("/")[-1]]


async def test_photo_after_choosing_done_is_kept(bot: BotUnderTest) -> None:
    """A photo sent right after pressing done is evidence of that assignment."""
    world = await scene(bot, tasks=2)
    aid = world.assignments[1]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "done", aid))
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG)
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert f"#{world.tasks[1].id}" in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [aid]


async def test_a_photo_naming_a_task_not_the_units_after_done_is_asked_about(
    bot: BotUnderTest,
) -> None:
    """Right after done, a photo whose caption names a task the unit does not have (a typo,
    another unit's) is not filed under the task just done, nor its words recorded there:
    the sender is asked which task it is for."""
    world = await scene(bot, tasks=2)
    aid = world.assignments[1]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "done", aid))
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption="#99 xong biên bản")
    question = await bot.server.wait_for_message(OFFICIAL, saying("nhiệm vụ nào"), after=after)
    assert [label.split()[0] for label, _ in buttons(question)] == [
        f"#{task.id}" for task in world.tasks
    ]
    assert kept(bot) == []


def saying(words: str) -> Callable[[ChatMessage], bool]:
    """Match a bot message by what it says: another (a reminder) may come first."""
    return lambda message: words in (message.text or "")


async def test_file_without_context_asks_which_task(bot: BotUnderTest) -> None:
    """With two open tasks a bare document is kept only once the task is chosen.

    The morning's reminder may come meanwhile (the sweep runs a second after start), and
    took the question's place: the question and the answer are each waited for by what
    they say, not as the next message.
    """
    world = await scene(bot, tasks=2)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(OFFICIAL, PDF, "bien-ban.pdf", "application/pdf")
    question = await bot.server.wait_for_message(OFFICIAL, saying("nhiệm vụ nào"), after=after)
    assert [label.split()[0] for label, _ in buttons(question)] == [
        f"#{task.id}" for task in world.tasks
    ]
    assert kept(bot) == []
    reply = await bot.send(OFFICIAL, str(world.tasks[0].id), match=saying("Đã lưu"))
    assert "minh chứng «bien-ban.pdf»" in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [world.assignments[0]]


async def test_a_file_asked_about_then_a_task_reported_done_is_kept_for_it(
    bot: BotUnderTest,
) -> None:
    """Evidence before its status: a bare document, then "#A xong" typed instead of a tap
    on the question. The file was forgotten with the question, the official told only that
    the status was recorded; it is now kept for the task the text reported."""
    world = await scene(bot, tasks=2)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(OFFICIAL, PDF, "bien-ban.pdf", "application/pdf")
    await bot.server.wait_for_message(OFFICIAL, saying("nhiệm vụ nào"), after=after)
    await bot.send(OFFICIAL, f"#{world.tasks[0].id} xong", match=saying("Đã ghi nhận"))
    assert [e.assignment_id for e in kept(bot)] == [world.assignments[0]]
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]
    lines = [m.text or "" for m in bot.server.messages(OFFICIAL)]
    assert any("Đã lưu minh chứng «bien-ban.pdf»" in line for line in lines)


async def file_asked_about_then(bot: BotUnderTest, text: str) -> None:
    """With two tasks, send a bare document, wait for "which task?", then send `text`: its
    answer must say that the file was not kept (and how to send it)."""
    await scene(bot, tasks=2)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(OFFICIAL, PDF, "bien-ban.pdf", "application/pdf")
    await bot.server.wait_for_message(OFFICIAL, saying("nhiệm vụ nào"), after=after)
    left = await bot.send(OFFICIAL, text, match=saying("chưa được lưu làm minh chứng"))
    assert "Tệp «bien-ban.pdf» gửi trước đó" in (left.text or "")


async def test_a_file_asked_about_then_a_status_of_no_task_says_it_was_not_kept(
    bot: BotUnderTest,
) -> None:
    """A bare document, then "xong" (which of two tasks?): the file's question is gone, and
    the official is told in the same answer that the file was not kept and how to send it."""
    await file_asked_about_then(bot, "xong")
    assert kept(bot) == []


async def test_a_file_asked_about_then_a_text_of_faces_says_it_was_not_kept(
    bot: BotUnderTest,
) -> None:
    """A bare document, then only faces ("🙂 😊"): the usage hint answered it and the file's
    question was gone unsaid; the same answer now says the file was not kept and how to
    send it again, as a status of no task does."""
    await file_asked_about_then(bot, "🙂 😊")
    lines = [m.text or "" for m in bot.server.messages(OFFICIAL)]
    assert any(line.startswith("Khi nhận được nhắc việc") for line in lines)
    assert kept(bot) == []
    assert reports(bot) == []


async def test_file_over_twenty_megabytes_gets_a_clear_answer(bot: BotUnderTest) -> None:
    """A file Telegram would not let the bot download is refused with its size and the limit."""
    await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(OFFICIAL, b"0" * (21 * 1024 * 1024), "scan.pdf", "application/pdf")
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "quá lớn" in (reply.text or "")
    assert "20 MB" in (reply.text or "")
    assert kept(bot) == []


async def test_an_empty_file_is_not_kept_and_the_sender_is_told(bot: BotUnderTest) -> None:
    """A file of 0 bytes proves nothing: it was kept as evidence "0,0 KB"; now it is refused
    with what to do."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)
    after = bot.server.last_message_id(OFFICIAL)
    send_document_reply(bot, OFFICIAL, b"", reminder.message_id)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "trống" in (reply.text or "")
    assert kept(bot) == []


async def test_a_hostile_file_name_is_kept_as_a_plain_name(bot: BotUnderTest) -> None:
    """A path, control characters (NUL: PostgreSQL refuses it) and a right-to-left override
    ("fdp.exe" shown as "exe.pdf") leave the name; what remains is kept and shown."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)
    after = bot.server.last_message_id(OFFICIAL)
    name = "../../etc/bi\x00en\x1b[0m\nbản\u202egpj.pdf"
    send_document_reply(bot, OFFICIAL, PDF, reminder.message_id, name)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "«bien[0m bảngpj.pdf»" in (reply.text or "")
    [evidence] = kept(bot)
    assert evidence.file_name == "bien[0m bảngpj.pdf"


def test_a_document_type_longer_than_kept_is_dropped_not_the_file() -> None:
    """A type longer than the database keeps (PostgreSQL refused the whole evidence, and the
    sender read "error") is left out; the file is kept without it, served as bytes."""
    document = Document("f1", "u1", file_name="a.pdf", mime_type="application/" + "x" * 200)
    chat = Chat(OFFICIAL, "private")
    message = Message(1, datetime.now(UTC), chat, document=document)
    upload = upload_of(message)
    assert upload is not None
    assert upload.mime_type is None
    assert upload.file_name == "a.pdf"


async def test_evidence_command_is_for_coordinators(bot: BotUnderTest) -> None:
    """An official cannot fetch files with /evidence."""
    world = await scene(bot)
    reply = await bot.send(OFFICIAL, f"/evidence #{world.tasks[0].id} Tam Xuân")
    assert "không có quyền" in (reply.text or "")


# The smallest valid PNG (1x1), so the fake server can read its size.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_photo_with_a_status_caption_records_both(bot: BotUnderTest) -> None:
    """ "đã xong, gửi ảnh biên bản" on a photo keeps the file and records done, and says both."""
    world = await scene(bot)
    aid = world.assignments[0]
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} đã xong, gửi ảnh biên bản")
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Hoàn thành" in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [aid]
    with bot.session() as s:
        [report] = s.exec(select(StatusReport).where(StatusReport.assignment_id == aid)).all()
    assert (report.state, report.text) == (
        "done",
        f"#{world.tasks[0].id} đã xong, gửi ảnh biên bản",
    )


async def test_photo_with_an_extension_caption_keeps_it_and_asks_the_extension(
    bot: BotUnderTest,
) -> None:
    """A photo captioned "#N xin gia hạn đến 15/01/2027 vì chờ kinh phí" is kept as evidence
    and sends the extension request, as the same text alone would. It was kept with "no
    status was recorded", and no request was made."""
    world = await scene(bot)
    aid = world.assignments[0]
    after = bot.server.last_message_id(OFFICIAL)
    caption = f"#{world.tasks[0].id} xin gia hạn đến 15/01/2027 vì chờ kinh phí"
    bot.server.send_photo(OFFICIAL, PNG, caption=caption)
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Đã gửi đề nghị gia hạn" in (reply.text or "")
    assert "Chưa ghi nhận tình trạng" not in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [aid]
    with bot.session() as s:
        asked = s.exec(select(ExtensionRequest)).all()
        told = s.exec(select(Outbox).where(col(Outbox.key).startswith("extension:"))).all()
    assert [(r.assignment_id, r.requested_deadline, r.reason) for r in asked] == [
        (aid, date(2027, 1, 15), "chờ kinh phí")
    ]
    assert [n.chat_id for n in told] == [str(COORDINATOR)]


async def test_a_forwarded_photo_is_kept_and_its_status_confirmed(bot: BotUnderTest) -> None:
    """A photo forwarded from a colleague with "đã xong" is another's words: the file is kept
    as evidence, but the status is asked (as for a forwarded text) before it is recorded."""
    world = await scene(bot)
    aid = world.assignments[0]
    after = bot.server.last_message_id(OFFICIAL)
    origin = {
        "type": "user",
        "date": int(time.time()) - 600,
        "sender_user": {"id": 5555, "is_bot": False, "first_name": "Đồng nghiệp"},
    }
    caption = f"#{world.tasks[0].id} đã xong, gửi ảnh biên bản"
    bot.server.send_photo(OFFICIAL, PNG, caption=caption, forward_origin=origin)
    asked = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Xin chọn tình trạng" in (asked.text or "")
    assert [e.assignment_id for e in kept(bot)] == [aid]
    with bot.session() as s:
        assert s.exec(select(StatusReport).where(StatusReport.assignment_id == aid)).all() == []
    await bot.press(OFFICIAL, button_data(asked, "Hoàn thành"), asked.message_id)
    await bot.server.wait_until(lambda: len(reports(bot)) == 1)
    [report] = reports(bot)
    assert (report.assignment_id, report.state, report.text) == (aid, "done", caption)


async def test_photo_with_a_caption_but_no_status_says_none_was_recorded(
    bot: BotUnderTest,
) -> None:
    """A caption that gives no status keeps the file and says no status was recorded."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} ảnh hiện trường")
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Chưa ghi nhận tình trạng" in (reply.text or "")
    with bot.session() as s:
        assert s.exec(select(StatusReport)).all() == []


async def test_a_photo_with_one_open_task_is_kept_for_it_with_its_caption(
    bot: BotUnderTest,
) -> None:
    """One open task, a photo captioned "đã xong" and no reply: kept and done, as on Zalo."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption="đã xong")
    reply = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
    )
    assert "Hoàn thành" in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [world.assignments[0]]
    assert [r.state for r in reports(bot)] == ["done"]


async def test_evidence_of_a_name_fitting_two_units_offers_a_button_per_unit(
    bot: BotUnderTest,
) -> None:
    """ "Hòa An" fits Xã Hòa An and Phường Hòa An, both given the task: /evidence offers one
    signed button per unit (it listed the names, to be typed again); pressing one sends that
    unit's files, as the full command would."""
    with bot.session() as s:
        xa, phuong = make_unit(s, "XHA", "Xã Hòa An"), make_unit(s, "PHA", "Phường Hòa An")
        task = make_task(s, "Kế hoạch chuyển đổi số", DEADLINE, [xa, phuong])
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        aid = assignment_of(s, task.id, phuong.id)
        s.add(
            Evidence(
                assignment_id=aid,
                file_name="phuong.pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                storage_path=f"{aid}/phuong.pdf",
                created_at=bot.clock.now(),
            )
        )
        s.commit()
    path = bot.services.settings.evidence_path / f"{aid}/phuong.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(PDF)
    bot.user(COORDINATOR)
    asked = await bot.send(COORDINATOR, f"/evidence #{task.id} Hòa An")
    assert "khớp 2 đơn vị được giao việc #" in (asked.text or "")
    assert [label for label, _ in buttons(asked)] == ["Phường Hòa An (PHA)", "Xã Hòa An (XHA)"]
    after = bot.server.last_message_id(COORDINATOR)
    await bot.press(COORDINATOR, button_data(asked, "Phường Hòa An"), asked.message_id)
    sent = await bot.server.wait_for_message(
        COORDINATOR, lambda m: m.document is not None, after=after
    )
    assert sent.document is not None
    assert sent.document["file_name"] == "phuong.pdf"
    assert bot.server.file_content(sent.document["file_id"]) == PDF


def asked_which(bot: BotUnderTest, after: int) -> list[ChatMessage]:
    """Return the "which task?" questions the official was asked after a message."""
    return [
        m
        for m in bot.server.messages(OFFICIAL)
        if m.message_id > after and "nhiệm vụ nào" in (m.text or "")
    ]


async def test_an_album_without_a_caption_is_asked_about_once_and_kept_whole(
    bot: BotUnderTest,
) -> None:
    """Three photos sent together (an album) with two tasks open: one question, and the task
    typed keeps all three; each photo asked again had put the earlier ones out of the
    question, so only the last was kept."""
    world = await scene(bot, tasks=2)
    after = bot.server.last_message_id(OFFICIAL)
    for n in range(3):
        bot.server.send_photo(OFFICIAL, PNG + bytes([n]), media_group_id="album-1")
    await bot.server.wait_for_message(OFFICIAL, saying("nhiệm vụ nào"), after=after)
    bot.server.send_document(OFFICIAL, PDF, "bien-ban.pdf", "application/pdf")  # not the album's
    await bot.server.wait_until(lambda: len(asked_which(bot, after)) == 2)
    reply = await bot.send(OFFICIAL, str(world.tasks[1].id), match=saying("Đã lưu"))
    await bot.server.wait_until(lambda: len(kept(bot)) == 4)
    assert {e.assignment_id for e in kept(bot)} == {world.assignments[1]}
    assert "#" in (reply.text or "")
    assert len(asked_which(bot, after)) == 2  # the album once, the document once


async def test_an_album_whose_first_photo_names_the_task_is_kept_for_it_whole(
    bot: BotUnderTest,
) -> None:
    """An album's caption rides on its first photo only: the others are the same task's, not
    a question each."""
    world = await scene(bot, tasks=2)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(
        OFFICIAL, PNG, caption=f"#{world.tasks[1].id} biên bản", media_group_id="album-2"
    )
    for n in range(2):
        bot.server.send_photo(OFFICIAL, PNG + bytes([n]), media_group_id="album-2")
    await bot.server.wait_until(lambda: len(kept(bot)) == 3)
    assert {e.assignment_id for e in kept(bot)} == {world.assignments[1]}
    assert asked_which(bot, after) == []


async def test_a_file_replying_to_a_closed_tasks_reminder_is_not_kept_for_another(
    bot: BotUnderTest,
) -> None:
    """A file in reply to the reminder of a task closed since, the unit's other task open:
    the official is told that task is over and nothing is kept. It was kept as the evidence
    of the other task, the only one open, where the coordinator would not look for it."""
    world = await scene(bot, tasks=2)
    closed = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [closed])
    with bot.session() as s:
        task = s.get(Task, world.tasks[0].id)
        assert task is not None
        task.status = "closed"
        s.add(task)
        s.commit()
    after = bot.server.last_message_id(OFFICIAL)
    send_document_reply(bot, OFFICIAL, PDF, reminder.message_id)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "đã kết thúc hoặc bị hủy" in (reply.text or "")  # no admin to name
    assert kept(bot) == []


async def test_a_file_captioned_with_a_closed_task_says_it_is_closed(bot: BotUnderTest) -> None:
    """A caption naming a task of the unit closed since is answered with that, not with a
    question listing the other tasks as if the number were unknown."""
    world = await scene(bot, tasks=3)
    with bot.session() as s:
        task = s.get(Task, world.tasks[0].id)
        assert task is not None
        task.status = "cancelled"
        s.add(task)
        s.commit()
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} biên bản")
    reply = await bot.server.wait_for_message(OFFICIAL, saying("đã kết thúc"), after=after)
    assert "nhiệm vụ nào" not in (reply.text or "")
    assert kept(bot) == []


async def test_a_file_too_big_still_records_the_status_of_its_caption(bot: BotUnderTest) -> None:
    """A 21 MB scan captioned "đã xong" with one task open: refused with the limit, and done
    recorded all the same (as when the store cannot take it); it was lost with the file."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(
        OFFICIAL, b"0" * (21 * 1024 * 1024), "scan.pdf", "application/pdf", caption="đã xong"
    )
    reply = await bot.server.wait_for_message(OFFICIAL, saying("quá lớn"), after=after)
    assert "Hoàn thành" in (reply.text or "")
    assert kept(bot) == []
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]


async def test_a_file_too_big_still_asks_the_extension_of_its_caption(bot: BotUnderTest) -> None:
    """A 21 MB scan captioned "xin gia hạn đến 15/01/2027 vì chờ kinh phí": refused with the
    limit, and the extension asked for all the same; it was lost with the file."""
    world = await scene(bot)
    after = bot.server.last_message_id(OFFICIAL)
    caption = "xin gia hạn đến 15/01/2027 vì chờ kinh phí"
    big = b"0" * (21 * 1024 * 1024)
    bot.server.send_document(OFFICIAL, big, "scan.pdf", "application/pdf", caption=caption)
    reply = await bot.server.wait_for_message(OFFICIAL, saying("quá lớn"), after=after)
    assert "Đã gửi đề nghị gia hạn" in (reply.text or "")
    assert kept(bot) == []
    with bot.session() as s:
        asked = s.exec(select(ExtensionRequest)).all()
    assert [(r.assignment_id, r.requested_deadline) for r in asked] == [
        (world.assignments[0], date(2027, 1, 15))
    ]


async def test_a_file_that_cannot_be_downloaded_still_records_its_status(
    bot: BotUnderTest,
) -> None:
    """Telegram refuses the download (getFile fails): the official is told, and the status
    of the caption is recorded all the same."""
    world = await scene(bot)
    bot.server.add_fault(
        FaultRule(Fault.server_error(400, "Bad Request: file is too big"), methods=["getFile"])
    )
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_document(OFFICIAL, PDF, "bien-ban.pdf", "application/pdf", caption="xong rồi")
    reply = await bot.server.wait_for_message(OFFICIAL, saying("Không tải được"), after=after)
    assert "Hoàn thành" in (reply.text or "")
    assert kept(bot) == []
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]


async def test_a_photo_sent_again_with_a_caption_but_no_status_says_none_was_recorded(
    bot: BotUnderTest,
) -> None:
    """The same photo sent again captioned "#N ảnh hiện trường" is said received already, and
    that its caption recorded no status, as the first time (the hint was lost when the two
    channels' filing became one)."""
    world = await scene(bot)
    caption = f"#{world.tasks[0].id} ảnh hiện trường"
    for said in ("Đã lưu minh chứng", "đã được nhận trước đó"):
        after = bot.server.last_message_id(OFFICIAL)
        bot.server.send_photo(OFFICIAL, PNG, caption=caption)
        reply = await bot.server.wait_for_message(
            OFFICIAL, lambda m: "minh chứng" in (m.text or ""), after=after
        )
        assert said in (reply.text or "")
        assert "Chưa ghi nhận tình trạng" in (reply.text or "")
    assert len(kept(bot)) == 1
    assert reports(bot) == []


async def test_a_file_of_a_unit_with_many_open_tasks_says_how_to_name_the_others(
    bot: BotUnderTest,
) -> None:
    """A photo from a unit with 25 open tasks: twenty task buttons, and the question says the
    other five are named by typing a number (it offered twenty and said nothing of the rest);
    "#25" typed then keeps the photo for task #25."""
    world = await scene(bot, tasks=25)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG)
    asked = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "nhiệm vụ nào" in (m.text or ""), after=after
    )
    assert len(buttons(asked)) == 20
    assert "… và 5 nhiệm vụ khác không có trong danh sách trên" in (asked.text or "")
    await bot.send(OFFICIAL, f"#{world.tasks[-1].id}")
    await bot.server.wait_until(lambda: len(kept(bot)) == 1)
    assert [e.assignment_id for e in kept(bot)] == [world.assignments[-1]]
