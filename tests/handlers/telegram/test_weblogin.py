"""/web: a staff member's one-time sign-in link to the dashboard (and its Mini App button)."""

from __future__ import annotations

import json

from sqlmodel import select

from db.models import WebLogin
from tests.factories import make_contact
from tests.harness import BotUnderTest

COORDINATOR = 2001
MEMBER = 3001


async def test_web_answers_link_and_miniapp_button_behind_https(bot: BotUnderTest) -> None:
    """Behind https the link comes with a button opening the dashboard as a Mini App."""
    bot.configure(public_base_url="https://dondoc.example.vn")
    with bot.session() as s:
        make_contact(s, COORDINATOR, role="coordinator")
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, "/web")
    assert "https://dondoc.example.vn/login/" in (reply.text or "")
    [[button]] = (reply.reply_markup or {})["inline_keyboard"]
    assert button["web_app"] == {"url": "https://dondoc.example.vn/app"}
    with bot.session() as s:
        [login] = s.exec(select(WebLogin)).all()
    assert login.code_hash not in (reply.text or "")  # only the hash of the code is kept


async def test_web_link_is_sent_without_a_preview(bot: BotUnderTest) -> None:
    """The one-time link goes with previews disabled: Telegram's server does not fetch it."""
    with bot.session() as s:
        make_contact(s, COORDINATOR, role="coordinator")
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, "/web")
    assert "/login/" in (reply.text or "")
    call = bot.server.last_call("sendMessage")
    assert call is not None
    options = call.params.get("link_preview_options")
    options = json.loads(options) if isinstance(options, str) else options
    assert options == {"is_disabled": True}


async def test_web_refused_to_member(bot: BotUnderTest) -> None:
    """A member asking /web gets no link."""
    with bot.session() as s:
        make_contact(s, MEMBER)
    bot.user(MEMBER)
    reply = await bot.send(MEMBER, "/web")
    assert "/login/" not in (reply.text or "")
    with bot.session() as s:
        assert s.exec(select(WebLogin)).all() == []
