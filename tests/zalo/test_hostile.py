"""Bad input on Zalo gets one clear answer, and nothing stops or is lost.

Numbers that are no number ("²", twenty digits) in every command taking one, a command hidden
behind a zero-width space, a command longer than a message, an event Zalo sends malformed, a
photo whose address cannot be read, which is too large or comes from staff without a unit, a
dated extension typed with no offer pending, a form left for another: each is answered as
what it is (or skipped), and the bot goes on answering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date

import pytest
from sqlmodel import select

from db.models import (
    Assignment,
    ContactIdentity,
    Evidence,
    ExtensionRequest,
    RecurringTask,
    StatusReport,
)
from devtools.fakezalo import FaultRule
from handlers.zalo import answers as zalo_answers
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_commands import CHI, HOA, province

HUGE = "99999999999999999999"  # past any id a database holds
JPEG = b"\xff\xd8\xff\xe0" + b"bien-ban" * 100


async def answers(zbot: ZaloBot, person: str, texts: list[str]) -> dict[str, list[str]]:
    """Send each text in turn as the person; return what each got."""
    return {text: await zbot.say(person, text) for text in texts}


async def test_numbers_that_are_no_number_get_an_answer(zbot: ZaloBot) -> None:
    """ "²" (a digit to str.isdigit, not to int) and twenty digits are answered by each command
    taking a number: a usage, "not found" or the last page; nothing is decided or stopped."""
    province(zbot)
    member, coordinator, admin = await asyncio.gather(
        answers(zbot, HOA, ["²", "/mytasks ²", f"/mytasks {HUGE}"]),
        answers(zbot, CHI, ["/approve ²", f"/reject #{HUGE} lý do"]),
        answers(
            zbot,
            ZALO_ADMIN,
            [
                "/tasks ²",
                "/calendar ²",
                "/units ²",
                "/recurring stop ²",
                f"/recurring stop {HUGE}",
            ],
        ),
    )
    assert all(len(said) == 1 for said in (member | coordinator | admin).values())
    [usage] = member[f"/mytasks {HUGE}"]  # a number there is a task of hers: none has it
    assert "Cách dùng: /mytasks" in usage
    assert all("/approve <số đề nghị>" in said[0] for said in coordinator.values())
    assert "/recurring" in admin[f"/recurring stop {HUGE}"][0]
    with zbot.session() as s:
        assert s.exec(select(ExtensionRequest)).all() == []
        assert s.exec(select(RecurringTask)).all() == []


async def test_a_command_behind_invisible_characters_is_still_the_command(
    zbot: ZaloBot,
) -> None:
    """A zero-width space, a BOM or a direction mark around "/help" leaves it /help."""
    province(zbot)
    for text in ("\u200b/help", "/help\u200b", "\ufeff/help", "\u202e/help\u200d"):
        [answer] = await zbot.say(HOA, text)
        assert "/mytasks" in answer, repr(text)


async def test_a_command_longer_than_a_message_is_refused_in_one_answer(zbot: ZaloBot) -> None:
    """10,000 characters after /summary are not echoed back in six messages: one says why."""
    province(zbot)
    [refused] = await zbot.say(CHI, "/summary " + "x" * 10_000)
    assert "quá dài" in refused
    assert "4.000" in refused


def queue_raw(
    zbot: ZaloBot, message: dict[str, object], name: str = "message.text.received"
) -> None:
    """Queue an event as Zalo would send it, with whatever its message holds."""
    event = {"event_name": name, "message": message}
    with zbot.zalo.state.lock:
        zbot.zalo.state.events.append(event)


async def test_a_malformed_event_does_not_stop_polling(zbot: ZaloBot) -> None:
    """An event whose date is words (or an object) is read without it; the next is answered."""
    province(zbot)
    for date_field in ("hôm qua", {"ms": 1}):
        queue_raw(
            zbot,
            {
                "message_id": f"bad-{len(str(date_field))}",
                "date": date_field,
                "chat": {"id": HOA, "chat_type": "PRIVATE"},
                "from": {"id": HOA, "display_name": "Hoa"},
                "text": "/whoami",
            },
        )
        await zbot.handled(f"bad-{len(str(date_field))}")
    [answer] = await zbot.say(HOA, "/whoami")
    assert HOA in answer


async def test_a_photo_at_an_unreadable_address_is_answered(zbot: ZaloBot) -> None:
    """A photo event whose photo_url httpx cannot parse: "send it again", nothing kept."""
    province(zbot)
    queue_raw(
        zbot,
        {
            "message_id": "photo-bad-url",
            "date": 1_700_000_000_000,
            "chat": {"id": HOA, "chat_type": "PRIVATE"},
            "from": {"id": HOA, "display_name": "Hoa"},
            "photo_url": "http://[::1",
        },
        "message.image.received",
    )
    await zbot.handled("photo-bad-url")
    [answer] = [m.text for m in zbot.zalo.messages(HOA)]
    assert "Không tải được ảnh" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []


async def test_a_photo_too_large_is_refused_with_the_limit(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo past the size a download allows is not kept, and the answer says the limit."""
    province(zbot)
    monkeypatch.setattr(zalo_answers, "MAX_PHOTO", len(JPEG) - 1)
    [answer] = await zbot.photo(HOA, JPEG, "đã xong")
    assert "quá lớn" in answer
    assert "20 MB" in answer
    with zbot.session() as s:
        assert s.exec(select(Evidence)).all() == []


async def test_a_photo_from_staff_without_a_unit_says_so(zbot: ZaloBot) -> None:
    """A coordinator's photo is not kept, and they are not told to ask for an invite code."""
    province(zbot)
    [answer] = await zbot.photo(CHI, JPEG, "#1")
    assert "chưa thuộc đơn vị nào" in answer
    assert "mã mời" not in answer


async def test_a_dated_extension_typed_without_an_offer_is_an_extension(zbot: ZaloBot) -> None:
    """ "4 15/12/2026 chờ kinh phí" after the offer is gone (here: /help) asks an extension;
    it was read as free text and "chờ kinh phí" recorded as work in progress."""
    province(zbot)
    await zbot.say(HOA, "/help")
    said = await zbot.say(HOA, "4 15/12/2026 chờ kinh phí")
    assert "Đang thực hiện" not in said[0]
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).all() == []
        [asked] = s.exec(select(ExtensionRequest)).all()
    assert asked.requested_deadline == date(2026, 12, 15)


async def test_a_form_left_for_another_is_said_to_be_dropped(zbot: ZaloBot) -> None:
    """/addunit in the middle of /newtask says the /newtask form was dropped (it was, silently);
    a form started with none under way says nothing of the kind."""
    province(zbot)
    [first] = await zbot.say(ZALO_ADMIN, "/newtask")
    assert "bỏ biểu mẫu" not in first
    await zbot.say(ZALO_ADMIN, "Báo cáo quý IV")
    [switched] = await zbot.say(ZALO_ADMIN, "/addunit")
    assert "Đã bỏ biểu mẫu /newtask" in switched
    [one_line] = await zbot.say(ZALO_ADMIN, "/newtask Việc | 15/12/2026 | X000")
    assert "Đã bỏ biểu mẫu /addunit" in one_line
    assert "1 = " in one_line


async def test_a_full_width_number_sign_names_the_task(zbot: ZaloBot) -> None:
    """ "＃12 xong" (a phone keyboard in full-width mode) names task 12 as "#12 xong" does: it
    was read as no task named, and recorded for the one task left open."""
    first, second = province(zbot, tasks=2)
    await zbot.say(HOA, f"#{first} xong")
    [refused] = await zbot.say(HOA, "＃12 xong")
    assert "không phải nhiệm vụ đang mở" in refused
    [recorded] = await zbot.say(HOA, f"＃{second} đang làm ５０％")
    assert "50%" in recorded
    with zbot.session() as s:
        states = [(r.assignment_id, r.state, r.percent) for r in s.exec(select(StatusReport))]
    assert [(state, percent) for _, state, percent in states] == [
        ("done", 100),
        ("in_progress", 50),
    ]


async def test_an_event_that_is_no_message_gets_no_answer(zbot: ZaloBot) -> None:
    """An event Zalo may add that is no message ("user_seen_message", a reaction to one) is
    kept and not answered: it was told "only text and photos" (a heart on a reminder too), and
    each answer seen could be one more such event; a sticker is thanked for. A file Zalo does
    not hand over (message.unsupported.received) is told how to send evidence."""
    province(zbot)
    for name in ("user_seen_message", "message.reaction.received", "message.sticker.received"):
        queue_raw(
            zbot,
            {
                "message_id": f"event-{name}",
                "date": 1_700_000_000_000,
                "chat": {"id": HOA, "chat_type": "PRIVATE"},
                "from": {"id": HOA, "display_name": "Hoa"},
            },
            name,
        )
        await zbot.handled(f"event-{name}")
    [sticker] = [m.text for m in zbot.zalo.messages(HOA)]
    assert sticker == "Dạ, cảm ơn anh/chị."  # a sticker is a message: thanked for
    queue_raw(zbot, written(HOA, "file-1"), "message.unsupported.received")  # a PDF, say
    await zbot.handled("file-1")
    [_, document] = [m.text for m in zbot.zalo.messages(HOA)]
    assert "chụp ảnh văn bản" in document  # how to send it: it was told no way


async def test_a_protected_account_is_told_what_to_do_and_shown_to_the_admins(
    zbot: ZaloBot,
) -> None:
    """Every message of an account Zalo protects comes as "message.unsupported.received", no
    words in it: Hoa is told that, if she typed words, Zalo hands the bot none of hers, and
    what to do (with her Zalo id for the admins); `/contacts` flags her until a message of
    hers is read again. She was told to "report in words", which she had done."""
    province(zbot)
    for message_id in ("xong-1", "xong-2"):  # "xong", twice, as Zalo hands it over
        queue_raw(zbot, written(HOA, message_id), "message.unsupported.received")
        await zbot.handled(message_id)
    told = zbot.zalo.messages(HOA)[-1].text
    assert "Nếu anh/chị đã gõ chữ: Zalo không chuyển nội dung tin nhắn" in told
    assert f"Zalo id {HOA}" in told
    assert "nhờ một đồng nghiệp cùng đơn vị báo cáo thay" in told
    [listed] = await zbot.say(ZALO_ADMIN, "/contacts")
    assert "bot không đọc được tin nhắn Zalo từ" in listed
    await zbot.say(HOA, "/help")  # a message of hers read: she is readable again
    [again] = await zbot.say(ZALO_ADMIN, "/contacts")
    assert "không đọc được" not in again


async def test_units_and_the_unit_card_flag_a_protected_account_in_english(
    zbot: ZaloBot,
) -> None:
    """Hoa's messages come unreadable ("message.unsupported.received"): an admin reading in
    English sees her commune flagged in /units and her flagged on its card (/editunit), with
    the day, as /contacts flags her; both said nothing of it."""
    province(zbot)
    queue_raw(zbot, written(HOA, "xong-1"), "message.unsupported.received")
    await zbot.handled("xong-1")
    await zbot.say(ZALO_ADMIN, "/lang en")
    [listed] = await zbot.say(ZALO_ADMIN, "/units")
    assert "⚠️ X000 Xã số 000: 1 contact, 1 whose Zalo messages the bot cannot read" in listed
    assert "with someone whose Zalo messages the bot cannot read: 1 (⚠️)" in listed
    [card] = await zbot.say(ZALO_ADMIN, "/editunit X000")
    day = f"{zbot.services.clock.now().astimezone(zbot.services.settings.tz):%d/%m/%Y}"
    assert f"⚠️ Hoa (focal point), their Zalo messages unreadable since {day}" in card


async def test_a_voice_message_is_told_to_report_in_words(zbot: ZaloBot) -> None:
    """A voice message (Zalo's "message.voice.received", its .aac at voice_url), the way an
    official on the road reports, is answered that the bot reads no voice message and how
    to report; nothing is recorded."""
    province(zbot)
    await zbot.handled(zbot.zalo.send_voice(HOA))
    [answer] = [m.text for m in zbot.zalo.messages(HOA)]
    assert "ghi âm" in answer
    assert "Báo cáo bằng chữ" in answer
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).all() == []


@pytest.mark.parametrize("text", ["   ", "\u200b", "\u200b\ufeff ", "😀", "🙂🙂"])
async def test_a_text_of_no_words_gets_the_usage_hint(zbot: ZaloBot, text: str) -> None:
    """Blanks, zero-width characters or a smiley alone say nothing: the usage hint answers,
    as for an empty message; they were asked "which task, which status"."""
    province(zbot)
    [answer] = await zbot.say(HOA, text)
    assert "trả lời ngắn" in answer, repr(text)
    assert "1 =" not in answer


async def test_an_answer_refused_as_unreachable_marks_the_chat_unreachable(
    zbot: ZaloBot,
) -> None:
    """Hoa writes, then blocks the bot before its answer goes (Zalo answers 403): her Zalo
    chat is marked unreachable, as a refused reminder marks it, so that the coordinator's
    lists show it and her messages go to her other chats. It was only logged."""
    province(zbot)
    zbot.zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), chat_ids=(HOA,), code=403))
    message_id = zbot.zalo.send_text(HOA, "/help")
    await zbot.handled(message_id)
    await zbot.zalo.wait_until(lambda: not reachable(zbot))


def reachable(zbot: ZaloBot) -> bool:
    """Tell whether Hoa's Zalo chat is marked reachable."""
    with zbot.session() as s:
        query = select(ContactIdentity).where(
            ContactIdentity.chat_id == HOA, ContactIdentity.channel == "zalo"
        )
        [identity] = s.exec(query).all()
        return identity.reachable


def written(person: str, message_id: str, **fields: object) -> dict[str, object]:
    """Return the message of an event from a person's private chat, holding `fields`."""
    chat = {"id": person, "chat_type": "PRIVATE"}
    sender = {"id": person, "display_name": "Hoa"}
    made = {"message_id": message_id, "date": 1_700_000_000_000, "chat": chat, "from": sender}
    return made | fields


async def test_a_link_or_an_unnamed_event_is_read_for_what_it_holds(zbot: ZaloBot) -> None:
    """A report holding a link (Zalo's "message.link.received"), and a text and a photo whose
    event has no name (as Zalo's documented getUpdates answer shows one), are read as a text
    and a photo: the first was answered "only text and photos", the others not at all, each
    report lost."""
    first, second = province(zbot, tasks=2)
    link = f"#{first} xong, biên bản: https://drive.google.com/file/d/1a2b"
    queue_raw(zbot, written(HOA, "link-1", text=link), "message.link.received")
    await zbot.handled("link-1")
    with zbot.zalo.state.lock:
        zbot.zalo.state.photos["p1"] = (JPEG, "image/jpeg")
        for message in (
            written(HOA, "unnamed-1", text=f"#{second} đang làm 50%"),
            written(
                HOA, "unnamed-2", photo_url=f"{zbot.zalo.url}/_photos/p1.jpg", caption=f"#{second}"
            ),
        ):
            zbot.zalo.state.events.append({"message": message})
    await zbot.handled("unnamed-2")
    said = "\n".join(m.text for m in zbot.zalo.messages(HOA))
    assert "chữ và ảnh" not in said
    with zbot.session() as s:
        states = {(r.assignment_id, r.state) for r in s.exec(select(StatusReport))}
        assert len(s.exec(select(Evidence)).all()) == 1
    assert {state for _, state in states} == {"done", "in_progress"}


async def test_polling_goes_on_after_zalo_refused_the_token_for_a_while(zbot: ZaloBot) -> None:
    """getUpdates answered 401 for a while (a token Zalo refused mid-run, then took again)
    leaves polling waiting, not ended: Hoa's next message is answered. Polling ended for good,
    the bot sending reminders whose answers it never read until restarted."""
    province(zbot)
    refused = FaultRule("server_error", methods=("getUpdates",), status=401, times=2)
    zbot.zalo.add_fault(refused)
    await zbot.zalo.wait_until(lambda: refused.times == 0)
    [answer] = await zbot.say(HOA, "/whoami")
    assert HOA in answer


async def test_a_message_in_a_group_is_not_answered_there_and_is_logged(
    zbot: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Hoa's "/mytasks" in a group chat the bot is in is not answered before the group (nor
    anywhere), and a line says why: it was dropped without a word. Nor is anything said
    there of words of hers Zalo dated before others. Her own chat is answered."""
    caplog.set_level(logging.INFO, logger="handlers.zalo.answers")
    province(zbot)
    group = "9a8b7c6d5e4f3a2b"
    later = zbot.zalo.send_text(HOA, "xong", group=group)
    await zbot.handled(later)
    message_id = zbot.zalo.send_text(HOA, "/mytasks", group=group, written_ms=1)
    await zbot.handled(message_id)
    earlier = zbot.zalo.send_text(HOA, "đang làm", group=group, written_ms=2)
    await zbot.handled(earlier)
    assert zbot.zalo.all_sent() == []
    assert f"Zalo event {message_id} was written in a group chat" in caplog.text
    [answer] = await zbot.say(HOA, "/mytasks")
    assert "Nhiệm vụ thứ 1" in answer


async def test_an_older_message_arriving_after_a_newer_one_does_not_undo_it(
    zbot: ZaloBot,
) -> None:
    """Hoa's "50%" and then "xong", handed over in the other order (a webhook's call refused,
    sent again after the next): the task stays done and she is told the late one was not
    read, quoted, to send it again if it holds. It was recorded over "xong", the task open
    again at 50%. A command arriving late is answered as usual."""
    [task] = province(zbot)
    sent = int(time.time() * 1000)
    queue_raw(zbot, written(HOA, "newer", text=f"#{task} xong", date=sent))
    await zbot.handled("newer")
    queue_raw(zbot, written(HOA, "older", text=f"#{task} đang làm 50%", date=sent - 10_000))
    queue_raw(zbot, written(HOA, "command", text="/whoami", date=sent - 5_000))
    await zbot.handled("command")
    done, late, whoami = [m.text for m in zbot.zalo.messages(HOA)]
    assert "Hoàn thành" in done
    assert f"«#{task} đang làm 50%»" in late
    assert "gửi lại" in late
    assert HOA in whoami
    with zbot.session() as s:
        [assignment] = s.exec(select(Assignment)).all()
    assert (assignment.state, assignment.percent) == ("done", 100)


async def test_a_flood_in_a_group_chat_is_not_told_to_slow_down_there(
    zbot: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Hoa sending 25 messages at once in a group chat the bot is in is over her burst, and
    the note to slow down, hers, does not go before the group: it did, the one answer the
    bot gave there."""
    caplog.set_level(logging.INFO, logger="handlers.zalo.notes")
    province(zbot)
    for n in range(25):
        zbot.zalo.send_text(HOA, f"tin {n}", group="9a8b7c6d5e4f3a2b")
    await zbot.zalo.wait_until(
        lambda: "slow-down note" in caplog.text or bool(zbot.zalo.all_sent())
    )
    assert zbot.zalo.all_sent() == []
    assert "was written in a group chat" in caplog.text
