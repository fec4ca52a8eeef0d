"""Fixtures for the fake Bot API server's own tests: a running server, a PTB Bot, httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Bot

from devtools.fakebotapi import FakeBotApi

USER_ID = 1001


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """Run a fake Bot API server for one test."""
    with FakeBotApi() as running:
        yield running


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    """Return an initialized PTB Bot that talks to the fake server."""
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def http(server: FakeBotApi) -> AsyncIterator[httpx.AsyncClient]:
    """Return an httpx client whose base URL is the bot's method root."""
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


@pytest.fixture
def user(server: FakeBotApi) -> int:
    """Create user 1001 who has started the bot (their /start update is already confirmed)."""
    server.add_user(USER_ID, "An", username="an_nguyen")
    server.send_command(USER_ID, "start")
    server.drop_pending_updates()
    return USER_ID


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta retry_after, so a RetryAfter raises no deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
