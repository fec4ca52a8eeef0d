"""/chart sends a valid PNG: stacked bars per task, or per kind and group for one task."""

from __future__ import annotations

import io
import struct
from datetime import date

from app.dashboard.charts import task_bars
from app.i18n import load_catalog
from db.models import Task
from db.queries.scope import contact_scope
from tests.factories import make_task, make_unit, person
from tests.handlers.telegram.summary_data import COORDINATOR, MEMBER, at, make_province
from tests.handlers.telegram.test_summary import limit_to
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


async def test_chart_of_more_tasks_than_bars_is_a_photo_telegram_takes(bot: BotUnderTest) -> None:
    """/chart of 60 open tasks of 300-letter titles draws at most its 40 bars: a photo within
    the Bot API's dimensions (width and height at most 10000 together, which the fake
    refuses past), not a refusal."""
    with bot.session() as s:
        make_province(s)
        unit = make_unit(s, "XE", "Xã E")
        for n in range(60):
            make_task(s, f"Nhiệm vụ {n:02d} " + "chuyển đổi số " * 21, date(2026, 12, 15), [unit])
    bot.user(COORDINATOR)
    width, height = png_size(await chart_of(bot, "/chart"))
    assert width + height <= 10000
    assert max(width, height) <= 20 * min(width, height)


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


async def test_chart_of_a_date_is_answered_as_a_date(bot: BotUnderTest) -> None:
    """/chart takes no date: an impossible one (31/02/2026) is said so, a date (with or
    without its year) is said to be one, a period to be one; nothing is drawn."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    said = {
        "31/02/2026": "“31/02/2026” có một ngày không có thật trên lịch",
        "01/11/2026-31/11/2026": "có một ngày không có thật trên lịch",
        "30/11": "“30/11” là một ngày, lệnh này không nhận ngày",
        "01/01/1990": "“01/01/1990” là một ngày, lệnh này không nhận ngày",
        "01/11/2026-30/11/2026": "là một kỳ (khoảng ngày), lệnh này không nhận kỳ",
    }
    for typed, words in said.items():
        reply = await bot.send(COORDINATOR, f"/chart {typed}")
        assert words in (reply.text or "")
        assert reply.photo is None


IMPOSSIBLE_PERIODS = (
    "tháng 13/2026",
    "tháng 0/2026",
    "tháng 13",
    "tháng 2/20261",
    "quý 5/2026",
    "năm 99999",
)


async def test_a_period_no_calendar_has_is_refused_by_every_command_that_names_a_task(
    bot: BotUnderTest,
) -> None:
    """/chart, /summary and /export of "tháng 13/2026" (a month, a quarter or a year that does
    not exist) say there is no such period and how one is written, not that a day does not
    exist, that it is a period they do not take nor a task not found."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    for command in ("/chart", "/summary", "/export"):
        for typed in IMPOSSIBLE_PERIODS:
            reply = await bot.send(COORDINATOR, f"{command} {typed}")
            assert f"Không có kỳ “{typed}”: tháng từ 1 đến 12" in (reply.text or "")
            assert "Báo cáo theo kỳ: /report tháng 11/2026." in (reply.text or "")
            assert "ngày không có thật" not in (reply.text or "")
            assert reply.photo is None
            assert reply.document is None


async def test_a_period_no_calendar_has_is_refused_by_report(bot: BotUnderTest) -> None:
    """/report, which takes periods, says there is no such period and makes no file."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    for typed in IMPOSSIBLE_PERIODS:
        reply = await bot.send(COORDINATOR, f"/report {typed}")
        assert f"Không có kỳ “{typed}”: tháng từ 1 đến 12" in (reply.text or "")
        assert reply.document is None


async def test_chart_is_refused_to_a_member(bot: BotUnderTest) -> None:
    """A member may not draw charts."""
    with bot.session() as s:
        make_province(s)
    bot.user(MEMBER)
    reply = await bot.send(MEMBER, "/chart")
    assert "không có quyền" in (reply.text or "")


async def test_chart_of_a_scoped_coordinator_has_no_bar_of_a_group_outside_their_scope(
    bot: BotUnderTest,
) -> None:
    """A coordinator limited to "Thí điểm" (Xã A, Xã B) gets, for task #1, the communes' bar
    and their group's: not a bar of "Xã thí điểm", a group outside their scope that holds the
    same communes (it was drawn, named, with the figures of the part of it they see)."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    limit_to(bot, COORDINATOR, "Thí điểm", ["XA", "XB"])
    with bot.session() as s:
        task = s.get(Task, 1)
        assert task is not None
        coordinator = person(s, str(COORDINATOR))
        assert coordinator.id is not None
        scope = contact_scope(s, contact_id=coordinator.id)
        bars, _ = task_bars(s, task, scope=scope, lang="vi", now=at(18, 9), catalog=load_catalog())
    assert [bar.label for bar in bars] == ["Xã", "Nhóm: Thí điểm"]
    _, height = png_size(await chart_of(bot, "/chart #1"))
    assert height == round((2.4 + 0.55 * 2) * 110)
