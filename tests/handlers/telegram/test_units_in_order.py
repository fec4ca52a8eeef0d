"""An official of several units meets them in Vietnamese alphabetical order wherever one task
lists them: /mytasks (on Zalo: tests/zalo/test_units_in_order.py) and the question which
unit's task a reply is about."""

from __future__ import annotations

from datetime import date

from tests.factories import make_contact, make_task, make_unit
from tests.harness import BotUnderTest, buttons

# Added in this order (ids), which is not the alphabet's: "Đ" after "D" and before "E",
# "Â" after "A", "Ư" after "U", numbers by their value ("Phường 2" before "Phường 10").
ADDED = ["Xã Ưu Điềm", "Phường 10", "Xã Zô", "Xã Đông Sơn", "Xã Dương", "Xã Ân Hảo", "Phường 2"]
IN_ORDER = ["Phường 2", "Phường 10", "Xã Ân Hảo", "Xã Dương", "Xã Đông Sơn", "Xã Ưu Điềm", "Xã Zô"]
HOA_ZALO = "7f3a9c0e51d24b8e"


def official_of_seven_units(bot: BotUnderTest, *, channel: str = "telegram") -> int:
    """One task given to seven units, whose official is Hoa (Telegram 2001, or on Zalo)."""
    with bot.session() as s:
        units = [make_unit(s, f"U{n}", name) for n, name in enumerate(ADDED)]
        task = make_task(s, "Báo cáo quý", date(2026, 12, 1), units)
        external = HOA_ZALO if channel == "zalo" else ""
        make_contact(s, 2001, units=units, name="Hoa", channel=channel, external_id=external)
    return task.id or 0


def in_text_order(text: str) -> list[str]:
    """Return the names of IN_ORDER as they come in a text."""
    return sorted(IN_ORDER, key=lambda name: text.index(f"· {name}\n"))


async def test_mytasks_and_which_unit_list_a_tasks_units_in_vietnamese_order(
    bot: BotUnderTest,
) -> None:
    """/mytasks lists the task once per unit in the alphabet's order, across its pages, and
    "xong" asks which with the units' buttons in that order."""
    task = official_of_seven_units(bot)
    bot.user(2001, "Hoa")
    first = await bot.send(2001, "/mytasks")
    second = await bot.send(2001, "/mytasks trang 2")
    shown = f"{first.text}\n{second.text}\n"
    assert in_text_order(shown) == IN_ORDER
    asked = await bot.send(2001, "xong")
    labels = [label for label, _ in buttons(asked)]
    assert labels == [f"#{task} {name}: Báo cáo quý" for name in IN_ORDER]


async def test_units_no_longer_followed_are_named_in_vietnamese_order(bot: BotUnderTest) -> None:
    """An official of two deactivated units is told both are no longer followed, "Xã Đông
    Sơn" before "Xã Yên Bình" (in bytes "Đ" comes after "Y")."""
    with bot.session() as s:
        units = [make_unit(s, "U1", "Xã Yên Bình"), make_unit(s, "U2", "Xã Đông Sơn")]
        make_task(s, "Báo cáo quý", date(2026, 12, 1), units)
        for unit in units:
            unit.active = False
            s.add(unit)
        s.commit()
        make_contact(s, 2001, units=units, name="Hoa")
    bot.user(2001, "Hoa")
    said = (await bot.send(2001, "/mytasks")).text or ""
    assert "Xã Đông Sơn, Xã Yên Bình" in said
