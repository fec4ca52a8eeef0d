"""The guided tour's suggestions are what the bot does: each command it offers a persona is
answered for that persona, never refused."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.demo.conftest import Running

# "/help as the admin", "/help với vai quản trị": a command the tour suggests, and for whom.
SUGGESTED = {
    "en": re.compile(r"(/\w+) as the (admin|coordinator)"),
    "vi": re.compile(r"(/\w+) với vai (quản trị|điều phối viên)"),
}
PERSONA = {
    "admin": "admin",
    "coordinator": "coordinator",
    "quản trị": "admin",
    "điều phối viên": "coordinator",
}
REFUSED = (
    "You are not allowed to use this",
    "Anh/chị không có quyền dùng chức năng này",
)
ANSWER_S = 20.0
POLL_S = 0.2


def tour_step(demo: Running, lang: str) -> str:
    """Return the tour's last step ("try more") as the page shows it in a language."""
    page = httpx.get(demo.url, params={"lang": lang}, timeout=10).text
    found = re.search(r'<li id="tour-6">(.*?)</li>', page, re.S)
    assert found is not None
    return found.group(1)


def answer_to(demo: Running, persona: str, text: str) -> str:
    """Send a text as the persona and return the bot's next answer in their chat."""
    chats = demo.url + "/api/chats"
    before = len(httpx.get(chats, timeout=10).json()["chats"][persona])
    sent = httpx.post(demo.url + "/api/say", json={"persona": persona, "text": text}, timeout=10)
    assert sent.json() == {"ok": True}
    deadline = time.monotonic() + ANSWER_S
    while time.monotonic() < deadline:
        shown = httpx.get(chats, timeout=10).json()["chats"][persona]
        answers = [m for m in shown[before:] if not m["mine"]]
        if answers:
            return str(answers[0].get("html") or answers[0].get("text"))
        time.sleep(POLL_S)
    pytest.fail(f"no answer to {text!r} as {persona}")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_commands_the_tour_suggests_are_answered_for_their_persona(
    demo: Running, lang: str
) -> None:
    """Every "<command> as the <persona>" of the tour's last step gets a real answer."""
    suggested = SUGGESTED[lang].findall(tour_step(demo, lang))
    assert {PERSONA[who] for _, who in suggested} == {"admin", "coordinator"}
    for command, who in suggested:
        answer = answer_to(demo, PERSONA[who], command)
        assert not any(refusal in answer for refusal in REFUSED), (command, who, answer)
