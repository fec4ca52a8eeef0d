"""A number typed after a command that is no number we can use gets the command's usual answer.

"²" and "①" are digits to `str.isdigit` but not to `int`; twenty digits overflow the database's
integer; four thousand digits (about what a Telegram message can carry) do both. None of these
may end in the apology for an internal error: a page number that cannot be read is the first
page, a request number that cannot be read gets the usage of /approve and /reject (and a task
number after /mytasks, where "12" is a task of the person's, that of /mytasks), and after
/tasks (where "#12" is any task) it is a task not found.
"""

from __future__ import annotations

import pytest

from core.markup import to_plain
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import ADMIN_ID, BotUnderTest

BAD_NUMBERS = ["²", "①", "#²", "99999999999999999999", "#99999999999999999999", "9" * 4000]


@pytest.mark.parametrize(
    ("command", "sender", "key", "fields"),
    [
        pytest.param(
            "/units", ADMIN_ID, "units.list_header", {"count": 2, "flagged": 0}, id="units"
        ),
        pytest.param("/mytasks", OFFICIAL, "mytasks.usage", {}, id="mytasks"),
        pytest.param("/approve", ADMIN_ID, "extensions.usage", {}, id="approve"),
        pytest.param("/reject", ADMIN_ID, "extensions.usage", {}, id="reject"),
    ],
)
async def test_a_number_that_cannot_be_read_gets_the_usual_answer(
    bot: BotUnderTest, command: str, sender: int, key: str, fields: dict[str, int]
) -> None:
    """Each bad number after the command gets its first page or its usage, never an error."""
    await scene(bot, tasks=2)
    expected = to_plain(bot.services.catalog.get("vi", key, **fields))
    answers = {}
    for number in BAD_NUMBERS:
        answers[number[:22]] = (await bot.send(sender, f"{command} {number}")).text or ""
    assert {n: expected in text for n, text in answers.items()} == dict.fromkeys(answers, True)


async def test_a_task_number_that_cannot_be_read_is_a_task_not_found(bot: BotUnderTest) -> None:
    """After /tasks each bad number is looked up as a task and not found, never an error."""
    await scene(bot, tasks=2)
    answers = {}
    for number in BAD_NUMBERS:
        answers[number[:22]] = (await bot.send(ADMIN_ID, f"/tasks {number}")).text or ""
    found = {n: "Không tìm thấy nhiệm vụ" in text for n, text in answers.items()}
    assert found == dict.fromkeys(answers, True)
