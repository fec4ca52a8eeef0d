"""The per-person lanes: an update waiting for its person's turn holds no slot; heavy updates
leave a slot to the others."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, Document, Message, Update, User

from app.signing import sign
from handlers.telegram import export, summary
from handlers.telegram.flows import flows
from handlers.telegram.lanes import MAX_CONCURRENT, HeavyUpdates, PersonLanes
from scheduler import workers
from scheduler.workers import in_heavy_worker
from tests.factories import make_contact
from tests.handlers.telegram.checkin_world import COORDINATOR, OFFICIAL, remind, scene
from tests.harness import BotUnderTest

WHEN = 1_700_000_000


def update_from(user_id: int, update_id: int) -> Update:
    """Return a text update from `user_id` (only its sender matters to the lanes)."""
    user = User(user_id, "Cán bộ", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, WHEN, chat, from_user=user, text="/export")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_a_persons_queued_updates_leave_the_slots_to_others() -> None:
    """An admin's four files sent while the first imports: the three waiting their turn took
    three of PTB's four slots before, and a fourth person's tap waited for the import."""
    lanes = PersonLanes(4)
    first_done = asyncio.Event()
    ran: list[str] = []

    async def work(name: str, until: asyncio.Event | None = None) -> None:
        ran.append(name)
        if until is not None:
            await until.wait()

    admin = [
        asyncio.ensure_future(
            lanes.process_update(update_from(1, n), work(f"file {n}", first_done))
        )
        for n in range(4)
    ]
    tap = asyncio.ensure_future(lanes.process_update(update_from(2, 9), work("tap")))
    for _ in range(20):  # let every task run as far as it can
        await asyncio.sleep(0)
    try:
        assert ran == ["file 0", "tap"]
        assert tap.done()
    finally:
        first_done.set()
        await asyncio.gather(*admin, tap)
    assert ran == ["file 0", "tap", "file 1", "file 2", "file 3"]


async def test_an_officials_tap_is_answered_while_summaries_hold_the_heavy_slots(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four coordinators' /summary at once held every slot until one ended, and an official's
    status tap waited behind them (bench.heavy: taps p95 1.4 s during fifty summaries). The
    summaries take all but one slot; the tap goes in that one; the fourth summary follows."""
    world = await scene(bot)
    coordinators = [COORDINATOR, *range(COORDINATOR + 1, COORDINATOR + MAX_CONCURRENT)]
    with bot.session() as s:
        for user in coordinators[1:]:
            make_contact(s, user, role="coordinator", name="Điều phối")
    for user in coordinators[1:]:
        bot.user(user, "Điều phối")
        await bot.send(user, "/start")
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    release, held = asyncio.Event(), [0]

    async def long_read(function: Callable[..., Any], *args: Any) -> Any:
        held[0] += 1
        await release.wait()
        return await in_heavy_worker(function, *args)

    monkeypatch.setattr(summary, "in_heavy_worker", long_read)
    asked = [bot.server.send_text(user, "/summary") for user in coordinators]
    try:
        for update_id in asked:
            await bot.server.wait_for_delivery(update_id)
        await bot.server.wait_until(lambda: held[0] >= MAX_CONCURRENT - 1)
        tap = bot.server.press_button(
            OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "done", aid)
        )
        answer = await bot.server.wait_for_answer(bot.server.callback_id(tap), timeout=10)
        assert (answer.text or "").startswith("Đã ghi nhận: Hoàn thành")
        assert held[0] == MAX_CONCURRENT - 1  # the fourth summary waits for a heavy slot
    finally:
        release.set()
    for user in coordinators:  # each is answered once the slots free up
        await bot.server.wait_for_message(user, lambda m: "#" in (m.text or ""))


def test_heavy_updates_are_told_from_the_commands_and_buttons_the_flows_mark() -> None:
    """A marked command (any alias, any case, addressed to the bot) and a marked button are
    heavy; a status tap, plain text and an unmarked command are not."""
    heavy = HeavyUpdates.of(flows())
    user, chat = User(7, "Điều phối", is_bot=False), Chat(7, Chat.PRIVATE)

    def typed(text: str) -> Update:
        return Update(1, message=Message(1, WHEN, chat, from_user=user, text=text))  # type: ignore[arg-type]

    def pressed(data: str) -> Update:
        return Update(2, callback_query=CallbackQuery("q", user, "c", data=data))

    assert all(heavy(typed(t)) for t in ("/summary", "/TongHop #12", "/export@dondoc_bot"))
    assert all(heavy(pressed(d)) for d in ("sm:t:12:2", "xp~a1b2", "im:ok:tok"))
    assert not any(heavy(typed(t)) for t in ("/mytasks", "/help", "xong", "/", "#12 1"))
    assert not any(heavy(pressed(d)) for d in ("st:done:5", "pc~50", "smx:1"))


def test_a_spreadsheet_sent_in_private_is_heavy_whoever_sent_it() -> None:
    """An admin's tasks file is read, previewed or applied (minutes on a country's database):
    it took a common slot before. Whether it is an import or evidence is the sender's role,
    which the lanes do not read: an official's spreadsheet waits for a heavy slot too. A PDF,
    a photo's document or a spreadsheet in a group is not heavy."""
    heavy = HeavyUpdates.of(flows())
    user, private = User(7, "Quản trị", is_bot=False), Chat(7, Chat.PRIVATE)

    def sent(name: str, mime: str, chat: Chat = private) -> Update:
        document = Document("f", "u", file_name=name, mime_type=mime)
        return Update(3, message=Message(3, WHEN, chat, from_user=user, document=document))  # type: ignore[arg-type]

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = [("nhiem_vu.xlsx", xlsx), ("don_vi.csv", "text/csv"), ("bang.tsv", "text/plain")]
    assert all(heavy(sent(name, mime)) for name, mime in files)
    assert not heavy(sent("bao_cao.pdf", "application/pdf"))
    assert not heavy(sent("anh.jpg", "image/jpeg"))
    assert not heavy(sent("nhiem_vu.xlsx", xlsx, Chat(-100, Chat.SUPERGROUP)))


async def test_exports_waiting_for_a_heavy_slot_are_told_they_are_queued_then_get_the_file(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More coordinators' /export than heavy slots: those that wait are told at once, once,
    that their request is queued, then get their workbook; those that found a slot are not
    told. Before, fifty coordinators' /export ran three at a time and most waited minutes
    with no word at all."""
    await scene(bot)
    coordinators = [COORDINATOR, *range(COORDINATOR + 1, COORDINATOR + MAX_CONCURRENT + 1)]
    with bot.session() as s:
        for user in coordinators[1:]:
            make_contact(s, user, role="coordinator", name="Điều phối")
    for user in coordinators[1:]:
        bot.user(user, "Điều phối")
        await bot.send(user, "/start")
    release, held = asyncio.Event(), [0]
    build = workers.made_unless_stopping

    async def long_build(*args: Any, **kwargs: Any) -> Any:
        held[0] += 1
        await release.wait()
        return await build(*args, **kwargs)

    monkeypatch.setattr(export, "made_unless_stopping", long_build)
    queued = bot.services.catalog.plain("vi", "common.heavy_queued")
    first = coordinators[: MAX_CONCURRENT - 1]  # as many as the heavy slots
    later = coordinators[MAX_CONCURRENT - 1 :]
    for user in first:
        await bot.server.wait_for_delivery(bot.server.send_text(user, "/export"))
    await bot.server.wait_until(lambda: held[0] == len(first))
    try:
        for user in later:
            bot.server.send_text(user, "/export")
        for user in later:
            await bot.server.wait_for_message(user, lambda m: m.text == queued)
    finally:
        release.set()
    for user in coordinators:  # each gets the workbook once the slots free up
        await bot.server.wait_for_message(user, lambda m: m.document is not None)
    for user in coordinators:
        told = [m for m in bot.server.messages(user) if m.text == queued]
        assert len(told) == (1 if user in later else 0), user
