"""A reminder's button pressed twice fast (both presses before the bot answered the first)."""

from __future__ import annotations

import pytest

from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest, button_data


@pytest.mark.parametrize(
    ("label", "question", "answer", "reports_kept"),
    [
        ("Vướng mắc", "nội dung vướng mắc", "Thiếu kinh phí", ["blocked"]),
        ("Xin gia hạn", "ngày đề nghị gia hạn", "15/12/2026 vì thiếu người", []),
    ],
)
async def test_a_question_button_tapped_twice_asks_once(
    bot: BotUnderTest, label: str, question: str, answer: str, reports_kept: list[str]
) -> None:
    """ "Blocked" (or "extension") tapped twice: the question comes once, not twice; the
    answer typed then is taken once."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    data = button_data(reminder, label)
    presses = [bot.server.press_button(OFFICIAL, data, reminder.message_id) for _ in range(2)]
    for update_id in presses:
        await bot.server.wait_for_answer(bot.server.callback_id(update_id))
    # The person's updates are answered in order: once this one is, both presses were.
    said = await bot.send(OFFICIAL, answer, match=lambda m: question not in (m.text or ""))
    assert "Đã" in (said.text or "")
    asked = [m for m in bot.server.messages(OFFICIAL) if question in (m.text or "")]
    assert len(asked) == 1
    assert [r.state for r in reports(bot)] == reports_kept  # a request is no status
