"""A coordinator limited to groups learns nothing from outside them, whatever they ask.

Each command that reads or acts on tasks and units is asked about task #1 and unit Y1, both
outside the coordinator's only group: every message and file it answers names neither, and
nothing is queued for Y1's people.
"""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from sqlalchemy import text

from devtools.fakebotapi import ChatMessage
from tests.handlers.telegram.roles_world import (
    COORDINATOR,
    OUTSIDE_FILE,
    OUTSIDE_TASK,
    OUTSIDE_UNIT,
    OUTSIDER,
    arrange,
)
from tests.harness import BotUnderTest

ASKED = (
    "/summary #1",
    "/tonghop #1",
    "/summary",
    "/export #1",
    "/export",
    "/chart #1",
    "/chart",
    "/report #1",
    "/report",
    "/nudge #1",
    "/unit Y1",
    f"/unit {OUTSIDE_UNIT}",
    "/ranking",
    "/evidence #1 Y1",
    "/explain #1 Y1",
    "/digest",
)


def said(bot: BotUnderTest, message: ChatMessage) -> str:
    """Return what a message shows: its text or caption, and the text inside an Office file."""
    shown = message.text or message.caption or ""
    document = message.document
    if document and str(document.get("file_name", "")).endswith((".xlsx", ".docx")):
        content = bot.server.file_content(document["file_id"])
        with zipfile.ZipFile(io.BytesIO(content)) as office:
            shown += "".join(
                html.unescape(office.read(name).decode("utf-8", "replace"))
                for name in office.namelist()
                if name.endswith(".xml")
            )
    return shown


def queued_for_outsider(bot: BotUnderTest) -> int:
    """Return how many messages but the day's own reminders are queued for Y1's contact."""
    with bot.engine.connect() as connection:
        queued = connection.execute(
            text("SELECT count(*) FROM outbox WHERE chat_id = :chat AND kind <> 'reminder'"),
            {"chat": str(OUTSIDER)},
        ).scalar_one()
    return int(queued)


@pytest.mark.parametrize("command", ASKED)
async def test_a_scoped_coordinator_learns_nothing_outside_their_groups(
    bot: BotUnderTest, command: str
) -> None:
    """Every answer (files included) names neither the outside task nor the outside unit."""
    arrange(bot)
    before = len(bot.server.messages(COORDINATOR))
    update_id = bot.server.send_text(COORDINATOR, command)
    await bot.processed(update_id)
    await bot.server.wait_until(lambda: len(bot.server.messages(COORDINATOR)) > before)
    for message in bot.server.messages(COORDINATOR)[before:]:
        shown = said(bot, message)
        assert OUTSIDE_TASK not in shown, f"{command}: {shown[:300]!r}"
        assert OUTSIDE_FILE not in shown, f"{command}: {shown[:300]!r}"
        assert OUTSIDE_UNIT not in shown or "Không tìm thấy" in shown, (
            f"{command}: {shown[:300]!r}"
        )
    assert queued_for_outsider(bot) == 0
