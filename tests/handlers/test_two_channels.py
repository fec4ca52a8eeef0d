"""The same use cases through two adapters: Telegram (fake Bot API) and a text-only channel.

Two communes share a task: Lan reports for Xã A on Telegram, Hoa for Xã B on a text-only
channel (numbered choices instead of buttons). Whatever one does, the other can do by
typing, and the database keeps the same outcome for both.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from app.signing import sign
from db.models import Assignment, ExtensionRequest, Outbox, StatusReport
from handlers.text.channel import TextChannel
from scheduler.nudge import NUDGE_AGAIN_AFTER
from tests.factories import make_contact, make_task, make_unit
from tests.harness import BotUnderTest

LAN, COORDINATOR = 3101, 3102  # on Telegram
HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"  # on the text channel
DEADLINE = date(2026, 11, 30)


@dataclass(frozen=True)
class Twins:
    """The task's two assignments: Lan's (Telegram) and Hoa's (text channel)."""

    task_id: int
    telegram: int
    text: int


async def twins(bot: BotUnderTest) -> Twins:
    """Two communes with one task, an official and a coordinator on each channel."""
    with bot.session() as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        task = make_task(s, "Kế hoạch chuyển đổi số", DEADLINE, [a, b])
        make_contact(s, LAN, units=[a], name="Lan")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        make_contact(s, 0, units=[b], name="Hoa", channel="text", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="text", external_id=CHI)
        ids = {
            unit: s.exec(
                select(Assignment.id).where(
                    Assignment.task_id == task.id, Assignment.unit_id == unit
                )
            ).one()
            for unit in (a.id, b.id)
        }
    for user, name in ((LAN, "Lan"), (COORDINATOR, "Điều phối")):
        bot.user(user, name)
        await bot.send(user, "/start")
    return Twins(task.id or 0, ids[a.id] or 0, ids[b.id] or 0)


def typed(bot: BotUnderTest, person: str, text: str, n: int) -> list[str]:
    """Send a text as a person on the text channel and return what the bot answered."""
    return TextChannel(bot.services).receive(person, text, str(n))


async def typed_off_loop(bot: BotUnderTest, person: str, text: str, n: int) -> list[str]:
    """The same, off the event loop (a nudge composes messages while the bot runs)."""
    return await asyncio.to_thread(typed, bot, person, text, n)


def buttons_of(bot: BotUnderTest, message_id: int) -> list[str]:
    """Return the callback data of the buttons a message of Lan's chat shows now."""
    shown = [m for m in bot.server.messages(LAN) if m.message_id == message_id]
    rows = (shown[0].reply_markup or {}).get("inline_keyboard", []) if shown else []
    return [str(b.get("callback_data")) for row in rows for b in row]


def reports(bot: BotUnderTest, assignment_id: int) -> list[tuple[str, str, int | None]]:
    """Return an assignment's reports as (state, source, percent), oldest first."""
    with bot.session() as s:
        rows = s.exec(
            select(StatusReport)
            .where(StatusReport.assignment_id == assignment_id)
            .order_by(col(StatusReport.id))
        ).all()
    return [(r.state, r.source, r.percent) for r in rows]


async def test_a_typed_report_is_recorded_and_confirmed_alike_on_both_channels(
    bot: BotUnderTest,
) -> None:
    """ "xong" on Telegram and on the text channel records done and says the same words."""
    world = await twins(bot)
    on_telegram = await bot.send(LAN, "xong")
    [on_text] = typed(bot, HOA, "xong", 1)
    assert reports(bot, world.telegram) == reports(bot, world.text) == [("done", "text", 100)]
    assert on_text == on_telegram.text


async def test_numbered_choices_are_answered_like_buttons(bot: BotUnderTest) -> None:
    """An unclear reply offers the statuses; "2" then "2" records in progress at 50% once."""
    world = await twins(bot)
    asked = await bot.send(LAN, "báo cáo tuần này")
    assert asked.reply_markup is not None
    pressed = sign(bot.services.button_key, str(LAN), "st", "progress", world.telegram)
    await bot.press(LAN, pressed, asked.message_id)
    half = sign(bot.services.button_key, str(LAN), "pc", 50, world.telegram)
    await bot.server.wait_until(lambda: half in buttons_of(bot, asked.message_id), timeout=5)
    await bot.press(LAN, half, asked.message_id)

    [question] = typed(bot, HOA, "báo cáo tuần này", 1)
    labels = [b["text"] for row in asked.reply_markup["inline_keyboard"] for b in row]
    assert [f"{n} = {label}" for n, label in enumerate(labels, 1)] == question.split("\n")[-4:]
    [percents] = typed(bot, HOA, "2", 2)
    assert "2 = 50%" in percents.split("\n")
    typed(bot, HOA, "2", 3)
    typed(bot, HOA, "2", 4)  # the choices were used: a second "2" records nothing more

    expected = [("in_progress", "button", 50)]
    assert reports(bot, world.telegram) == reports(bot, world.text) == expected


async def test_an_extension_request_is_kept_and_sent_alike_from_both_channels(
    bot: BotUnderTest,
) -> None:
    """A request typed on either channel is stored the same and goes to both coordinators."""
    world = await twins(bot)
    text = "xin gia hạn đến 15/12 vì chờ kinh phí"
    on_telegram = await bot.send(LAN, text)
    [on_text] = typed(bot, HOA, text, 1)
    assert on_text == on_telegram.text
    with bot.session() as s:
        kept = {
            r.assignment_id: (r.requested_deadline, r.reason, r.status)
            for r in s.exec(select(ExtensionRequest))
        }
        notices = s.exec(select(Outbox).where(col(Outbox.key).startswith("extension:"))).all()
    same = (date(2026, 12, 15), "chờ kinh phí", "pending")
    assert kept == {world.telegram: same, world.text: same}
    assert sorted((n.channel, n.chat_id) for n in notices) == sorted(
        [("telegram", str(COORDINATOR)), ("text", CHI)] * 2
    )


async def test_a_nudge_from_either_channel_queues_the_same_reminders(bot: BotUnderTest) -> None:
    """/nudge #N on Telegram and on the text channel queue one reminder per unit contact (an
    hour apart: within it, a person nudged once is not nudged again)."""
    world = await twins(bot)

    def queued() -> list[tuple[str, str, int | None]]:
        with bot.session() as s:
            rows = s.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
        return sorted((r.channel, r.chat_id, r.contact_id) for r in rows)

    on_telegram = await bot.send(COORDINATOR, f"/nudge #{world.task_id}")
    first = queued()
    bot.clock.advance(NUDGE_AGAIN_AFTER)
    [on_text] = await typed_off_loop(bot, CHI, f"/nudge #{world.task_id}", 1)
    second = sorted((Counter(queued()) - Counter(first)).elements())

    assert on_text == on_telegram.text
    assert [(channel, chat) for channel, chat, _ in first] == sorted(
        [("telegram", str(LAN)), ("text", HOA)]
    )
    assert second == first


async def test_a_member_cannot_nudge_from_the_text_channel(bot: BotUnderTest) -> None:
    """Roles hold on every channel: an official's /nudge is refused and queues nothing."""
    world = await twins(bot)
    [answer] = typed(bot, HOA, f"/nudge #{world.task_id}", 1)
    assert "không có quyền" in answer
    with bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.kind == "nudge")).all() == []


NARRATIVE = (
    "Đơn vị đã tổ chức họp triển khai, phân công cán bộ phụ trách từng nội dung. "
    "Đã gửi báo cáo sơ bộ cho Sở. Hiện đang tổng hợp số liệu các thôn để hoàn thiện kế hoạch, "
    "dự kiến tuần sau trình UBND xã ban hành."
)


async def test_a_long_narrative_is_confirmed_before_it_is_recorded(bot: BotUnderTest) -> None:
    """A long report is not taken as done: the bot asks once, then keeps the text as the note."""
    world = await twins(bot)
    asked = await bot.send(LAN, NARRATIVE)
    [question] = typed(bot, HOA, NARRATIVE, 1)
    assert reports(bot, world.telegram) == reports(bot, world.text) == []
    assert asked.reply_markup is not None
    labels = [b["text"] for row in asked.reply_markup["inline_keyboard"] for b in row]
    assert question.split("\n")[-3:] == [f"{n} = {label}" for n, label in enumerate(labels, 1)]

    progress = sign(bot.services.button_key, str(LAN), "cf", "in_progress", world.telegram)
    await bot.press(LAN, progress, asked.message_id)
    typed(bot, HOA, "2", 2)

    with bot.session() as s:
        kept = {
            r.assignment_id: (r.state, r.text)
            for r in s.exec(
                select(StatusReport).where(
                    col(StatusReport.assignment_id).in_([world.telegram, world.text])
                )
            )
        }
    assert kept == {
        world.telegram: ("in_progress", NARRATIVE),
        world.text: ("in_progress", NARRATIVE),
    }
