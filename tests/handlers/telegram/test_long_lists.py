"""Admins' lists and cards of long unit names, within Telegram's 4,096 characters."""

from __future__ import annotations

from db.models import Unit
from devtools.fakebotapi import ChatMessage
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

LIMIT = 4096


def long_units(bot: BotUnderTest, count: int) -> list[int]:
    """Create units with codes of 40 and names of 200 characters (the longest kept)."""
    with bot.session() as s:
        units = [
            make_unit(s, f"X-{i:03d}".ljust(40, "K"), (f"Xã Rất Dài Số {i:03d} " * 12)[:200])
            for i in range(count)
        ]
    return [u.id for u in units if u.id is not None]


async def test_units_page_of_long_names_is_one_message_its_pager_works(bot: BotUnderTest) -> None:
    """A full page of /units with 200-character names is one message under 4,096 characters,
    each name cut with "…", and its "next" button edits it into page 2."""
    long_units(bot, 30)
    listing = await bot.send(ADMIN_ID, "/units")
    text = listing.text or ""
    assert len(text) <= LIMIT
    assert "Trang 1/2" in text
    assert "…" in text
    await bot.press(ADMIN_ID, button_data(listing, "Sau"), listing.message_id)
    await bot.server.wait_until(
        lambda: "Trang 2/2" in (bot.server.messages(ADMIN_ID)[-1].text or "")
    )


async def test_contact_card_of_many_long_units_comes_in_parts(bot: BotUnderTest) -> None:
    """The card of someone in 30 units of long names passes 4,096 characters: it comes in
    parts split between lines, the buttons under the last, rather than an error."""
    with bot.session() as s:
        ids = long_units(bot, 30)
        units = [s.get(Unit, i) for i in ids]
        make_contact(s, 4901, units=[u for u in units if u is not None], name="Hoa")
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Hoa"), listing.message_id)
    last = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: bool((m.reply_markup or {}).get("inline_keyboard")), after=after
    )
    parts = [m for m in bot.server.messages(ADMIN_ID) if m.message_id > after]
    assert len(parts) >= 2
    assert all(len(m.text or "") <= LIMIT for m in parts)
    assert "Hoa" in (parts[0].text or "")
    assert button_data(last, "Gỡ khỏi X-029")
    assert "lỗi" not in " ".join(m.text or "" for m in parts)


async def test_card_of_someone_in_more_units_than_buttons_pages_its_removals(
    bot: BotUnderTest,
) -> None:
    """The card of someone in 120 units opens (Telegram refuses a keyboard of over 100
    buttons): its "remove from" buttons come a page at a time, and one on the last page
    removes them from that unit."""
    with bot.session() as s:
        units = [make_unit(s, f"U{i:03d}", f"Xã Số {i:03d}") for i in range(120)]
        make_contact(s, 4902, units=units, name="Hải")
    listing = await bot.send(ADMIN_ID, "/contacts")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(listing, "Hải"), listing.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, with_buttons, after=after)

    while "Gỡ khỏi U119" not in str(buttons(card)):
        assert len(buttons(card)) <= 100
        after = bot.server.last_message_id(ADMIN_ID)
        await bot.press(ADMIN_ID, button_data(card, "Sau"), card.message_id)
        card = await bot.server.wait_for_message(ADMIN_ID, with_buttons, after=after)
    removed = await bot.press(ADMIN_ID, button_data(card, "Gỡ khỏi U119"), card.message_id)

    assert removed == "" or "lỗi" not in removed
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "Đã gỡ Hải khỏi Xã Số 119" in (m.text or "")
    )


def with_buttons(message: ChatMessage) -> bool:
    """Tell whether a bot message carries buttons (a card's last part)."""
    return bool((message.reply_markup or {}).get("inline_keyboard"))
