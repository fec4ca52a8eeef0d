"""A new unit's code and name on Telegram: what would keep it from being named in a list."""

from __future__ import annotations

from sqlmodel import select

from db.models import Unit
from tests.harness import ADMIN_ID, BotUnderTest


async def test_addunit_refuses_a_code_with_a_list_separator(bot: BotUnderTest) -> None:
    """A code with a comma or semicolon could never be named in a list of units: refused."""
    for code in ("X,05", "X;06"):
        said = (await bot.send(ADMIN_ID, f"/addunit {code} | Xã Phẩy | xã")).text or ""
        assert "dấu phẩy hoặc chấm phẩy" in said
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_addunit_refuses_a_name_of_no_words(bot: BotUnderTest) -> None:
    """A unit named by emoji alone would name nothing in a list: refused, nothing added."""
    said = (await bot.send(ADMIN_ID, "/addunit Y1 | 🔥🔥 | xã")).text or ""
    assert "không có chữ hay số" in said
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None
