"""Zalo's per-person turns: a message waiting for its person's turn holds no slot; heavy
commands leave a slot to the others."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.checkin import Said
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from handlers.zalo import commands, dispatch
from handlers.zalo.dispatch import AT_ONCE
from handlers.zalo.poller import ZaloPoller
from handlers.zalo.staff import summary
from scheduler.zalo_sender import ZaloPacer
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW
from tests.zalo.conftest import ZaloBot
from zalo import ZaloClient
from zalo.types import Event

ACCOUNT = "zalo-bot"
HOA = "7f3a9c0e51d24b8e"
COORDINATORS = [f"c00rd{n:011d}" for n in range(AT_ONCE)]
DEADLINE = date(2026, 11, 30)


def message(sender: str, n: int) -> Event:
    """Return a text message from `sender`."""
    return Event("message.text.received", f"{sender}{n}", 0, sender, "PRIVATE", sender, "X")


async def test_a_persons_waiting_messages_leave_the_slots_to_others(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin's messages typed while their import runs: those waiting for its end took
    every slot before, and another person's "xong" waited for the import."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    release = asyncio.Event()
    answered: list[str] = []

    async def admitted(_event: Event, _verdict: Any, **_kw: Any) -> bool:
        return True

    async def stored(_event: Event, **_kw: Any) -> bool:
        return True

    async def answer(event: Event, *_how: object, **_where: object) -> None:
        answered.append(event.message_id)
        if event.sender_id == "admin":
            await release.wait()

    async with ZaloClient("1:x", "http://127.0.0.1:9") as client:
        poller = ZaloPoller(
            services, client, ZaloPacer(10), wake_sender=lambda: None, account=ACCOUNT
        )
        poller._admitted = admitted  # type: ignore[method-assign,assignment]
        poller._stored = stored  # type: ignore[method-assign,assignment]
        monkeypatch.setattr(dispatch, "answer", answer)
        poller.inbox.finish = lambda _event: None  # type: ignore[method-assign,assignment]
        admin = [asyncio.ensure_future(poller.handle(message("admin", n))) for n in range(AT_ONCE)]
        other = asyncio.ensure_future(poller.handle(message("hoa", 0)))
        for _ in range(20):  # let every task run as far as it can
            await asyncio.sleep(0)
        try:
            assert answered == ["admin0", "hoa0"]
        finally:
            release.set()
            await asyncio.gather(*admin, other)
    assert answered == ["admin0", "hoa0", "admin1", "admin2", "admin3"]


async def test_an_officials_reply_is_answered_while_summaries_hold_the_heavy_slots(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four coordinators' /summary at once held every slot until one ended, and an official's
    "#12 xong" waited behind them. The summaries take all but one slot, three worked out at
    once in Zalo's heavy lane (as many threads as heavy slots: in the two of Telegram's heavy
    pool they were two); the reply goes in the slot left; the fourth summary follows."""
    with zbot.session() as s:
        unit = make_unit(s, "X001", "Xã số 001")
        task = make_task(s, "Nhiệm vụ chuyển đổi số", DEADLINE, [unit]).id
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        for coordinator in COORDINATORS:
            make_contact(s, 0, role="coordinator", channel="zalo", external_id=coordinator)
    for user in (HOA, *COORDINATORS):
        zbot.zalo.add_user(user, "Cán bộ", wrote=True)
    held, release = [0], threading.Event()

    def long_read(*args: Any) -> list[Said]:  # in a thread of Zalo's heavy lane
        held[0] += 1
        release.wait(timeout=30)
        return summary(*args)

    monkeypatch.setitem(commands.COMMANDS, "summary", long_read)
    asked = [zbot.zalo.send_text(user, "/summary") for user in COORDINATORS]
    try:
        await zbot.zalo.wait_until(lambda: held[0] >= AT_ONCE - 1)
        replied = zbot.zalo.send_text(HOA, f"#{task} xong")
        await zbot.handled(replied, timeout=10)
        assert "Đã ghi nhận" in zbot.zalo.messages(HOA)[-1].text
        assert held[0] == AT_ONCE - 1  # the fourth summary waits for a heavy slot
    finally:
        release.set()
    for message_id in asked:  # each is answered once the slots free up
        await zbot.handled(message_id)


def test_heavy_commands_are_told_from_the_text_alone() -> None:
    """A heavy command however typed (marks, case, full-width slash, the bot's name) is heavy;
    a status reply, plain text and a light command are not; each heavy one is a command."""
    heavy = ("/summary", "/Tổnghợp #12", " ／export", "/chart@dondoc", "/nudge #12")
    assert all(commands.is_heavy(text) for text in heavy)
    light = ("#12 xong", "xong", "1", "/mytasks", "/việc", "tiếp", "/", "summary")
    assert not any(commands.is_heavy(text) for text in light)
    assert commands.HEAVY.issubset(commands.ACCESS)


async def test_a_summary_waiting_for_a_heavy_slot_is_told_it_is_queued_then_answered(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More coordinators' /summary than heavy slots: the one that waits is told at once, once,
    that its request is queued, then gets its summary; those that found a slot are not told.
    Before, fifty coordinators' /export waited minutes with no word at all."""
    later = "c00rd99999999999"
    with zbot.session() as s:
        unit = make_unit(s, "X001", "Xã số 001")
        make_task(s, "Nhiệm vụ chuyển đổi số", DEADLINE, [unit])
        for coordinator in (*COORDINATORS, later):
            make_contact(s, 0, role="coordinator", channel="zalo", external_id=coordinator)
    for user in (*COORDINATORS, later):
        zbot.zalo.add_user(user, "Cán bộ", wrote=True)
    held, release = [0], threading.Event()

    def long_read(*args: Any) -> list[Said]:  # in a thread of Zalo's heavy lane
        held[0] += 1
        release.wait(timeout=30)
        return summary(*args)

    monkeypatch.setitem(commands.COMMANDS, "summary", long_read)
    first = COORDINATORS[: AT_ONCE - 1]  # as many as the heavy slots
    queued = zbot.services.catalog.plain("vi", "common.heavy_queued")
    asked = [zbot.zalo.send_text(user, "/summary") for user in first]
    try:
        await zbot.zalo.wait_until(lambda: held[0] >= len(first))
        asked.append(zbot.zalo.send_text(later, "/summary"))
        await zbot.zalo.wait_until(lambda: bool(zbot.zalo.messages(later)))
        assert [m.text for m in zbot.zalo.messages(later)] == [queued]
    finally:
        release.set()
    for message_id in asked:  # each is answered once the slots free up
        await zbot.handled(message_id)
    told, *then = [m.text for m in zbot.zalo.messages(later)]
    assert told == queued
    assert then  # then the summary
    for user in first:
        assert queued not in [m.text for m in zbot.zalo.messages(user)]
