"""The tour's "open the dashboard as …" links, after the visitor changed who is who."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.demo.conftest import Running, start, stop

ANSWER_S = 20.0
POLL_S = 0.2


def last(running: Running, persona: str, count: int) -> dict[str, Any]:
    """Return the persona's newest message once the pane holds `count` of them."""
    deadline = time.monotonic() + ANSWER_S
    while time.monotonic() < deadline:
        shown = httpx.get(running.url + "/api/chats", timeout=10).json()["chats"][persona]
        if len(shown) >= count and not shown[-1]["mine"]:
            newest: dict[str, Any] = shown[-1]
            return newest
        time.sleep(POLL_S)
    pytest.fail(f"no answer in {persona}'s pane")


def press(running: Running, persona: str, message: dict[str, Any], label: str) -> None:
    """Press the button with `label` under a message of the persona's pane."""
    [data] = [b["data"] for row in message["buttons"] for b in row if b["text"] == label]
    body = {"persona": persona, "message_id": message["id"], "data": data}
    assert httpx.post(running.url + "/api/press", json=body, timeout=10).json() == {"ok": True}


def test_the_coordinator_made_a_member_gets_a_page_that_says_why(tmp_path: Path) -> None:
    """The admin makes the coordinator a member (/contacts): the tour's link to her dashboard
    then opens a page saying she has none any more and how to give the role back, in the
    page's language, not an error meant for a chat message."""
    running = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        say = {"persona": "admin", "text": "/contacts"}
        assert httpx.post(running.url + "/api/say", json=say, timeout=10).json()["ok"]
        listed = last(running, "admin", 2)
        press(running, "admin", listed, "Phạm Thu Hà")
        card = last(running, "admin", 3)
        press(running, "admin", card, "Đặt là thành viên")
        last(running, "admin", 4)
        for lang, words in (("en", "/contacts"), ("vi", "/contacts")):
            opened = httpx.get(
                running.url + "/as/coordinator", cookies={"dondoc_lang": lang}, timeout=10
            )
            assert opened.status_code == 403
            assert opened.headers["content-type"].startswith("text/html")
            assert f'<html lang="{lang}">' in opened.text
            assert "Phạm Thu Hà" in opened.text
            assert words in opened.text
            assert 'href="/demo"' in opened.text
    finally:
        stop(running, tmp_path)
