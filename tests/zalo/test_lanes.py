"""Zalo's per-person turns: a message waiting for its person's turn holds no slot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from handlers.zalo import dispatch
from handlers.zalo.dispatch import AT_ONCE
from handlers.zalo.poller import ZaloPoller
from scheduler.zalo_sender import ZaloPacer
from tests.harness import DEFAULT_NOW
from zalo import ZaloClient
from zalo.types import Event

ACCOUNT = "zalo-bot"


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

    async def admitted(_event: Event, _verdict: Any) -> bool:
        return True

    async def stored(_event: Event, **_kw: Any) -> bool:
        return True

    async def answer(event: Event, *_how: object) -> None:
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
