"""Telegram out of reach at start, beside Zalo (blocked by the operator): the process serves
Zalo, then brings Telegram up once it answers; a refused token is said and Zalo serves on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo import FakeZalo
from devtools.ports import free_port
from tests.bot.test_cli import TOKEN, env_for, line_said, started

ZALO_TOKEN = "4242424242:telegram-later-zalo-secret"
OFFICIAL = "zalo-official-1"
TELEGRAM_USER = 5151
# The line by which Zalo takes events: by long polling under `run`, its webhook under `serve`.
ZALO_READY = {"run": "dondoc serves Zalo", "serve": "Zalo webhook set"}


def answered_on_zalo(zalo: FakeZalo) -> str:
    """Have an official write to the bot on Zalo; return the bot's answer."""
    zalo.add_user(OFFICIAL, "Chị Lan", wrote=True)
    before = len(zalo.messages(OFFICIAL))
    zalo.send_text(OFFICIAL, "/start")
    zalo.wait_for_sync(lambda: len(zalo.messages(OFFICIAL)) > before, 30)
    return zalo.messages(OFFICIAL)[before].text


def stopped(process: subprocess.Popen[str], log: Path) -> str:
    """End the process as systemd does (SIGTERM); return its log."""
    process.terminate()
    process.wait(timeout=60)
    return log.read_text(errors="replace")


@pytest.mark.parametrize("command", ["run", "serve"])
def test_telegram_out_of_reach_at_start_zalo_serves_and_telegram_comes_up_when_it_answers(
    tmp_path: Path, command: str
) -> None:
    """Both tokens, Telegram's address refusing connections: the process used to end with
    status 1 (Zalo down with it, systemd giving up after its restarts). Now Zalo answers,
    one line says Telegram is out of reach, and once Telegram answers one line says so and
    a Telegram message is answered (by polling under `run`, the webhook under `serve`)."""
    port = free_port()
    web = free_port()
    with FakeZalo(ZALO_TOKEN) as zalo:
        env = env_for(
            tmp_path,
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
            TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
            ZALO_BOT_TOKEN=ZALO_TOKEN,
            ZALO_BASE_URL=zalo.url,
            WEB_PORT=str(web),
            PUBLIC_BASE_URL=f"http://127.0.0.1:{web}",
            LOG_LEVEL="INFO",
        )
        telegram = FakeBotApi(TOKEN, port=port)  # started once Zalo has answered
        process, log = started(tmp_path, env, command)
        try:
            down = line_said(process, log, "Telegram does not answer")
            assert f"127.0.0.1:{port}" in down
            line_said(process, log, ZALO_READY[command])
            assert answered_on_zalo(zalo)
            telegram.start()
            line_said(process, log, "Telegram answers again after")
            telegram.add_user(TELEGRAM_USER, "Anh Minh")
            telegram.send_text(TELEGRAM_USER, "/start")
            telegram.wait_for_sync(lambda: telegram.messages(TELEGRAM_USER) or None, 30)
            assert telegram.calls("setMyCommands")
        finally:
            said = stopped(process, log)
            telegram.stop()
    assert process.returncode == 0
    assert "Traceback" not in said
    assert said.count("Telegram does not answer") == 1
    assert said.count("Telegram answers again after") == 1


def test_a_refused_telegram_token_beside_zalo_is_said_and_zalo_serves_on(tmp_path: Path) -> None:
    """Telegram answers 401 to getMe: the run used to end with status 2, Zalo down with it.
    Now one line names BOT_TOKEN, says it will not mend itself, and Zalo answers."""
    with FakeBotApi() as telegram, FakeZalo(ZALO_TOKEN) as zalo:
        env = env_for(
            tmp_path,
            telegram,
            BOT_TOKEN="1:not-the-token",
            ZALO_BOT_TOKEN=ZALO_TOKEN,
            ZALO_BASE_URL=zalo.url,
            LOG_LEVEL="INFO",
        )
        process, log = started(tmp_path, env, "run")
        try:
            refused = line_said(process, log, "Telegram refused BOT_TOKEN")
            assert "will not mend itself" in refused
            line_said(process, log, ZALO_READY["run"])
            assert answered_on_zalo(zalo)
        finally:
            said = stopped(process, log)
    assert process.returncode == 0
    assert "Traceback" not in said
    assert "not-the-token" not in said
