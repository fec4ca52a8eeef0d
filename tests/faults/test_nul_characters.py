"""A NUL character from a platform (PostgreSQL refuses it in text and jsonb) loses nothing.

Updates come by polling here, on PostgreSQL; by webhook, tests/web/test_webhooks.py and
tests/web/test_zalo_serve.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.textnorm import without_nul
from tests.factories import make_contact
from tests.harness import BotUnderTest, stored_text
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot, fake_zalo, zbot  # noqa: F401 (fixtures)

MEMBER = 3401


@pytest.fixture
def engine(pg_engine: Engine) -> Engine:
    """Run this module's bots on a fresh PostgreSQL database."""
    return pg_engine


def test_without_nul_takes_nul_out_of_every_string_and_key() -> None:
    """Strings and keys at any depth lose their NULs; other values are kept as they are."""
    data = {"a\x00": ["x\x00y", {"n": 1, "t": True, "z": None}], "b": "\x00"}
    assert without_nul(data) == {"a": ["xy", {"n": 1, "t": True, "z": None}], "b": ""}


@pytest.mark.postgres
async def test_polled_message_from_a_name_holding_nul_is_stored_and_answered(
    bot: BotUnderTest,
) -> None:
    """A contact whose Telegram names and message hold NULs is answered once and kept."""
    bot.server.add_user(MEMBER, "Lan\x00", last_name="Ng\x00uyễn", username="lan\x00")
    with bot.session() as session:
        make_contact(session, MEMBER)
        session.commit()
    reply = await bot.send(MEMBER, "/whoami\x00")
    assert "3401" in (reply.text or "")
    await bot.send(MEMBER, "xong\x00")
    assert len(bot.server.messages(MEMBER)) == 2
    assert "\x00" not in stored_text(bot.engine)


@pytest.mark.postgres
async def test_polled_zalo_message_from_a_name_holding_nul_is_stored_and_answered(
    zbot: ZaloBot,  # noqa: F811
) -> None:
    """A Zalo person whose display name and message hold NULs is answered once and kept."""
    zbot.zalo.add_user(ZALO_ADMIN, "Quản\x00 trị")
    [answer] = await zbot.say(ZALO_ADMIN, "/whoami\x00")
    assert ZALO_ADMIN in answer
    assert "\x00" not in stored_text(zbot.tg.engine)
