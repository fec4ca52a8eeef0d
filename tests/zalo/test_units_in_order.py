"""An official of several units on Zalo meets them in Vietnamese alphabetical order where
one task lists them, as on Telegram (tests/handlers/telegram/test_units_in_order.py)."""

from __future__ import annotations

from tests.handlers.telegram.test_units_in_order import (
    HOA_ZALO,
    IN_ORDER,
    in_text_order,
    official_of_seven_units,
)
from tests.zalo.conftest import ZaloBot


async def test_mytasks_on_zalo_lists_a_tasks_units_in_vietnamese_order(zbot: ZaloBot) -> None:
    """/mytasks on Zalo lists the task's units in the alphabet's order, across its pages."""
    official_of_seven_units(zbot.tg, channel="zalo")
    zbot.zalo.add_user(HOA_ZALO, "Hoa", wrote=True)
    shown = "\n".join(await zbot.say(HOA_ZALO, "/mytasks") + await zbot.say(HOA_ZALO, "tiếp"))
    assert in_text_order(shown) == IN_ORDER
