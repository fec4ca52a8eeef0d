"""Stopping the demo (Ctrl+C) and starting it again: the four people's chats are where the
visitor left them, and the tour goes on from there; `--fresh` starts them over."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.demo.clock import CLOCK_KEY
from db.engine import make_engine
from db.queries import state
from tests.demo.conftest import Running, start, stop

TASK = "Báo cáo kết quả triển khai Tổ công nghệ số cộng đồng"
ANSWER_S = 20.0
POLL_S = 0.2
Chat = list[dict[str, Any]]


def chat(running: Running, persona: str) -> Chat:
    """Return what a persona's pane shows."""
    shown: Chat = httpx.get(running.url + "/api/chats", timeout=10).json()["chats"][persona]
    return shown


def shown(message: dict[str, Any]) -> str:
    """Return a message's text as its pane holds it."""
    return str(message.get("html") or message.get("text"))


def until(running: Running, persona: str, ready: Callable[[Chat], bool]) -> Chat:
    """Return the persona's pane once `ready` holds for it."""
    deadline = time.monotonic() + ANSWER_S
    while time.monotonic() < deadline:
        messages = chat(running, persona)
        if ready(messages):
            return messages
        time.sleep(POLL_S)
    pytest.fail(f"{persona}'s pane never got there: {chat(running, persona)}")


def test_a_restarted_demo_shows_the_chats_where_they_were(tmp_path: Path) -> None:
    """The morning's reminders, the Zalo official's "1" and its answer are still shown after
    a restart, and the Telegram official can still press the reminder's button."""
    first = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        until(first, "official_tg", lambda c: any(TASK in shown(m) for m in c))
        until(first, "official_zalo", lambda c: any(TASK in shown(m) for m in c))
        said = httpx.post(
            first.url + "/api/say", json={"persona": "official_zalo", "text": "1"}, timeout=10
        )
        assert said.json() == {"ok": True}
        zalo = until(first, "official_zalo", lambda c: "Đã ghi nhận" in shown(c[-1]))
        telegram = chat(first, "official_tg")
    finally:
        stop(first, tmp_path)

    again = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        assert chat(again, "official_zalo") == zalo
        assert chat(again, "official_tg") == telegram
        reminder = next(m for m in telegram if TASK in shown(m))
        done = reminder["buttons"][0][0]
        pressed = httpx.post(
            again.url + "/api/press",
            json={"persona": "official_tg", "message_id": reminder["id"], "data": done["data"]},
            timeout=10,
        )
        assert pressed.json() == {"ok": True}
        until(
            again,
            "official_tg",
            lambda c: any(m["id"] == reminder["id"] and "Đã ghi nhận" in shown(m) for m in c),
        )
    finally:
        stop(again, tmp_path)

    fresh = start(tmp_path, "demo", "--fresh", DEFAULT_LANGUAGE="en")
    try:
        restarted = until(fresh, "official_zalo", lambda c: any(TASK in shown(m) for m in c))
        assert not any(m["mine"] for m in restarted)  # the sample's morning, nothing typed
    finally:
        stop(fresh, tmp_path)


def kept_clock(folder: Path) -> datetime:
    """Return where the demo's clock is kept in its data folder's database."""
    engine = make_engine(f"sqlite:///{folder / 'demo.sqlite3'}")
    try:
        with engine.connect() as connection:
            kept = state.value(connection, CLOCK_KEY)
    finally:
        engine.dispose()
    assert kept is not None
    return datetime.fromisoformat(kept)


def test_a_restarted_demo_goes_on_from_the_time_it_was_stopped_at(tmp_path: Path) -> None:
    """The demo's clock runs while it runs: stopped and started again, it goes on from where
    it stood, not from the morning it was last moved to (a report made in between would
    else be later than the next one)."""
    first = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        until(first, "official_zalo", lambda c: any(TASK in shown(m) for m in c))
        morning = kept_clock(tmp_path)
    finally:
        stop(first, tmp_path)
    assert kept_clock(tmp_path) > morning


def test_a_file_the_bot_sent_still_opens_after_a_restart(tmp_path: Path) -> None:
    """The coordinator's /export workbook, shown as a link in her pane, still downloads the
    same workbook after a restart (the fake Telegram keeps files in memory only)."""
    first = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        said = {"persona": "coordinator", "text": "/export"}
        assert httpx.post(first.url + "/api/say", json=said, timeout=10).json()["ok"]
        pane = until(first, "coordinator", lambda c: any(m.get("file") for m in c))
        [sent] = [m for m in pane if m.get("file")]
        workbook = httpx.get(sent["file"]["url"], timeout=10).content
    finally:
        stop(first, tmp_path)
    again = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        [kept] = [m for m in chat(again, "coordinator") if m["id"] == sent["id"]]
        assert kept["file"]["name"] == sent["file"]["name"]
        opened = httpx.get(kept["file"]["url"], timeout=10)
        assert opened.status_code == 200
        assert opened.content == workbook
    finally:
        stop(again, tmp_path)


def test_chats_kept_by_another_version_are_left_out_not_a_failed_start(tmp_path: Path) -> None:
    """Chats kept in a shape this version does not read (an update changed it, or the file
    was edited by hand) leave those panes empty: the demo starts, without a traceback."""
    first = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        until(first, "official_zalo", lambda c: any(TASK in shown(m) for m in c))
        said = {"persona": "coordinator", "text": "/help"}
        assert httpx.post(first.url + "/api/say", json=said, timeout=10).json()["ok"]
        until(first, "coordinator", lambda c: c != [])
    finally:
        stop(first, tmp_path)
    kept = tmp_path / "demo-chats.json"
    chats = json.loads(kept.read_text(encoding="utf-8"))
    chats["official_tg"] = [{"message_id": 1, "written_by": "an older dondoc"}]
    chats["official_zalo"] = {"sent": [{"at": 1.0}], "typed": [[2.0]]}
    kept.write_text(json.dumps(chats), encoding="utf-8")
    again = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        assert chat(again, "official_tg") == []
        assert chat(again, "official_zalo") == []
        assert chat(again, "coordinator") != []  # the panes kept as this version writes them
    finally:
        stop(again, tmp_path)
    assert "Traceback" not in (tmp_path / "demo.log").read_text()
