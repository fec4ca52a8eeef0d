"""/chart sends a valid PNG: stacked bars per task, or per kind and group for one task."""

from __future__ import annotations

import io
import struct

from tests.handlers.telegram.summary_data import COORDINATOR, MEMBER, make_province
from tests.harness import BotUnderTest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(content: bytes) -> tuple[int, int]:
    """Return the width and height of a PNG after checking its signature and header."""
    assert content[:8] == PNG_SIGNATURE
    assert content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


async def chart_of(bot: BotUnderTest, command: str) -> bytes:
    """Send the command and return the bytes of the photo the bot sent."""
    reply = await bot.send(COORDINATOR, command, match=lambda m: m.photo is not None)
    assert reply.photo is not None
    assert "Số liệu tính đến 09:00 ngày 18/11/2026" in (reply.caption or "")
    largest = max(reply.photo, key=lambda p: p.get("width", 0) * p.get("height", 0))
    return bot.server.file_content(largest["file_id"])


async def test_chart_of_all_tasks_is_a_valid_png(bot: BotUnderTest) -> None:
    """/chart draws one bar per open task as a PNG of readable size."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    width, height = png_size(await chart_of(bot, "/chart"))
    assert width >= 800
    assert height >= 200


async def test_chart_of_one_task_is_a_valid_png(bot: BotUnderTest) -> None:
    """/chart #1 draws bars per unit kind and group."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    content = await chart_of(bot, "/chart #1")
    png_size(content)
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.verify()


async def test_chart_is_refused_to_a_member(bot: BotUnderTest) -> None:
    """A member may not draw charts."""
    with bot.session() as s:
        make_province(s)
    bot.user(MEMBER)
    reply = await bot.send(MEMBER, "/chart")
    assert "không có quyền" in (reply.text or "")
