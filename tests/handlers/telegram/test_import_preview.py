"""A units or tasks file of more than 20 rows sent in chat is previewed, then applied or not.

Through the real stack: the fake Bot API server and the bot's SQLite database.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from db.models import AuditLog, Task, Unit
from db.queries.pending import IMPORT_KIND, IMPORT_TTL, get_pending, prune_pending
from devtools.fakebotapi import ChatMessage, Fault, FaultRule
from tests.factories import make_unit, person
from tests.handlers.telegram.test_inbox import processed
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

STALE = "không còn hiệu lực"


def units_csv(count: int, prefix: str = "X", bad: int = 0) -> bytes:
    """Return a units file of count rows, the last `bad` of them without a name."""
    rows = [f"{prefix}{i},Xã {prefix} {i},xã" for i in range(1, count - bad + 1)]
    rows += [f"{prefix}B{i},,xã" for i in range(1, bad + 1)]
    return ("code,name,kind\n" + "\n".join(rows) + "\n").encode()


async def send_file(bot: BotUnderTest, content: bytes, name: str = "don-vi.csv") -> ChatMessage:
    """Have the admin send a file; return the bot's last answer to it (after its chunks)."""
    if not bot.server.messages(ADMIN_ID):
        await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, content, name, "text/csv")
    await bot.server.wait_for_message(ADMIN_ID, after=after)
    await bot.server.wait_until(lambda: bot.server.pending_updates() == 0)
    return bot.server.messages(ADMIN_ID)[-1]


def has(message: ChatMessage, *parts: str) -> bool:
    """Tell whether a message's text holds every one of parts."""
    return all(part in (message.text or "") for part in parts)


def unit_codes(bot: BotUnderTest) -> set[str]:
    """Return the codes of the units in the database."""
    with bot.session() as s:
        return set(s.exec(select(Unit.code)))


def current(bot: BotUnderTest, message_id: int) -> ChatMessage:
    """Return a bot message as it stands now (after edits)."""
    return next(m for m in bot.server.messages(ADMIN_ID) if m.message_id == message_id)


async def test_big_units_file_is_previewed_without_writing_then_applied(
    bot: BotUnderTest,
) -> None:
    """25 rows: counts and first rejections, nothing written; apply imports as today, once."""
    preview = await send_file(bot, units_csv(25, bad=2))
    assert has(preview, "Xem trước tệp", "25 dòng", "thêm mới 23", "bị từ chối 2"), preview.text
    assert has(preview, "Dòng 25", "Dòng 26"), preview.text
    assert len(buttons(preview)) == 2
    assert unit_codes(bot) == set()
    with bot.session() as s:
        assert list(s.exec(select(AuditLog))) == []

    after = preview.message_id
    assert await bot.press(ADMIN_ID, button_data(preview, "Áp dụng"), preview.message_id) == ""
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert has(report, "Kết quả nhập tệp", "thêm mới 23"), report.text
    assert len(unit_codes(bot)) == 23
    # Used: its buttons go, once the report is sent (the press was answered before).
    await bot.server.wait_until(lambda: buttons(current(bot, preview.message_id)) == [])
    with bot.session() as s:
        admin = person(s, str(ADMIN_ID))
        assert admin.id is not None
        assert get_pending(s, contact_id=admin.id, now=bot.clock.now(), kind=IMPORT_KIND) is None


async def test_a_double_press_of_apply_imports_once(bot: BotUnderTest) -> None:
    """Two presses reaching the bot before the buttons go: one applies, one is refused."""
    preview = await send_file(bot, units_csv(25))
    data = button_data(preview, "Áp dụng")
    first = bot.server.press_button(ADMIN_ID, data, preview.message_id)
    second = bot.server.press_button(ADMIN_ID, data, preview.message_id)
    answers = [
        (await bot.server.wait_for_answer(bot.server.callback_id(u))).text or ""
        for u in (first, second)
    ]
    assert sorted(STALE in a for a in answers) == [False, True], answers
    reports = [m for m in bot.server.messages(ADMIN_ID) if "Kết quả nhập tệp" in (m.text or "")]
    assert len(reports) == 1
    assert len(unit_codes(bot)) == 25


async def test_cancel_changes_nothing_and_apply_afterwards_is_refused(
    bot: BotUnderTest,
) -> None:
    """Cancel: nothing written, the file forgotten; the preview's apply is then refused."""
    preview = await send_file(bot, units_csv(25))
    apply, cancel = button_data(preview, "Áp dụng"), button_data(preview, "Hủy")
    # Apply pressed right after cancel, before the buttons went (a quick second tap).
    pressed = [bot.server.press_button(ADMIN_ID, d, preview.message_id) for d in (cancel, apply)]
    answers = [
        (await bot.server.wait_for_answer(bot.server.callback_id(u))).text or "" for u in pressed
    ]
    assert [STALE in a for a in answers] == [False, True], answers
    assert any("Đã hủy" in (m.text or "") for m in bot.server.messages(ADMIN_ID))
    assert buttons(current(bot, preview.message_id)) == []
    assert unit_codes(bot) == set()


async def test_a_replaced_or_expired_preview_is_refused(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """A newer file replaces the pending one; a preview older than an hour applies nothing.
    The refused press is logged without its token, which is what applies a file."""
    first = await send_file(bot, units_csv(25, prefix="A"))
    second = await send_file(bot, units_csv(25, prefix="B"))
    data = button_data(first, "Áp dụng")
    token = re.findall(r"im:ok:(\w+)", data)[0]
    with caplog.at_level(logging.INFO, logger="handlers.telegram.imports"):
        assert STALE in await bot.press(ADMIN_ID, data, first.message_id)
    [logged] = [r.getMessage() for r in caplog.records if "stale import" in r.getMessage()]
    assert token not in logged
    assert unit_codes(bot) == set()
    assert buttons(current(bot, first.message_id)) == []

    bot.clock.advance(IMPORT_TTL + timedelta(minutes=1))
    assert STALE in await bot.press(ADMIN_ID, button_data(second, "Áp dụng"), second.message_id)
    assert unit_codes(bot) == set()
    with bot.session() as s:  # housekeeping deletes the expired file
        assert prune_pending(s, kind=IMPORT_KIND, before=bot.clock.now() - IMPORT_TTL) == 1
        s.commit()


async def test_small_units_file_is_applied_at_once(bot: BotUnderTest) -> None:
    """5 rows (20 or fewer): imported straight away, as before, with no buttons."""
    report = await send_file(bot, units_csv(5))
    assert has(report, "Kết quả nhập tệp", "thêm mới 5"), report.text
    assert buttons(report) == []
    assert len(unit_codes(bot)) == 5


async def test_big_tasks_file_is_previewed_then_applied(bot: BotUnderTest) -> None:
    """A tasks file is previewed the same way (the dry run creates no task)."""
    with bot.session() as s:
        make_unit(s, "A1")
    rows = "".join(f"Báo cáo {i},15/12/2026,xã\n" for i in range(1, 23))
    preview = await send_file(bot, f"title,deadline,assignees\n{rows}".encode(), "tasks.csv")
    assert has(preview, "Xem trước tệp", "thêm mới 22"), preview.text
    with bot.session() as s:
        assert list(s.exec(select(Task))) == []
    after = preview.message_id
    await bot.press(ADMIN_ID, button_data(preview, "Áp dụng"), preview.message_id)
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "thêm mới 22" in (report.text or "")
    with bot.session() as s:
        assert len(list(s.exec(select(Task)))) == 22


async def test_a_units_file_naming_a_twin_is_flagged_in_the_preview_and_skipped(
    bot: BotUnderTest,
) -> None:
    """A row whose name reads as an existing unit's under the same parent ("xã  hoà phước",
    NFD, for "Xã Hòa Phước"), and two rows of the file alike, are flagged with the reason in
    the preview and skipped by the apply; they were added as new units."""
    import unicodedata

    with bot.session() as s:
        make_unit(s, "X0", "Xã Hòa Phước")
    twin = unicodedata.normalize("NFD", "xã  hoà phước")
    rows = [f"T1,{twin},xã", "T2,Xã Tân An,xã", "T3,XÃ TÂN AN,xã"]
    rows += [f"N{i},Xã Mới {i},xã" for i in range(1, 23)]
    preview = await send_file(bot, ("code,name,kind\n" + "\n".join(rows) + "\n").encode())
    assert has(preview, "thêm mới 22", "bị từ chối 3"), preview.text
    assert has(preview, "Dòng 2: tên của T1 trùng với đơn vị Xã Hòa Phước (X0)"), preview.text
    assert has(preview, "tên của T2 trùng với tên đơn vị ở dòng 4 của tệp"), preview.text
    after = preview.message_id
    assert await bot.press(ADMIN_ID, button_data(preview, "Áp dụng"), preview.message_id) == ""
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert has(report, "thêm mới 22", "trùng với đơn vị Xã Hòa Phước (X0)"), report.text
    assert not unit_codes(bot) & {"T1", "T2", "T3"}
    assert len(unit_codes(bot)) == 23


async def test_an_apply_longer_than_a_press_may_wait_is_answered_at_once(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """An Apply whose import outlasts the time Telegram gives to answer a press (some
    seconds; thousands of rows take longer): the press is answered at once (the button's
    spinner stops), the report comes, and no error is logged for an answer refused as too
    late, with the apology that then fails too."""
    preview = await send_file(bot, units_csv(25))
    reached, gate = threading.Event(), threading.Event()
    held = Fault.hold(gate, reached)
    bot.server.faults.add(FaultRule(held, methods=["sendMessage"], chat_ids=[ADMIN_ID], times=1))
    after = preview.message_id

    with caplog.at_level(logging.ERROR):
        pressed = bot.server.press_button(ADMIN_ID, button_data(preview, "Áp dụng"), after)
        await asyncio.to_thread(reached.wait, 20)  # the import is done, its report on the way
        bot.server.expire_presses()
        gate.set()
        await bot.server.wait_until(lambda: processed(bot.engine, pressed))

    assert [c.status for c in bot.server.calls("answerCallbackQuery")] == [200]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    said = [m.text or "" for m in bot.server.messages(ADMIN_ID) if m.message_id > after]
    assert any("Kết quả nhập tệp" in text for text in said), said
    assert not any("mã lỗi" in text for text in said), said
    assert len(unit_codes(bot)) == 25
