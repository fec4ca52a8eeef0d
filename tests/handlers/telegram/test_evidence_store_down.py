"""An evidence store that cannot take a file: the person is told, their status is kept."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from db.models import Evidence
from tests.handlers.telegram.checkin_world import OFFICIAL, assignment, reports, scene
from tests.handlers.telegram.test_evidence import PNG
from tests.harness import BotUnderTest


async def test_a_photo_the_store_cannot_take_is_refused_and_its_status_recorded(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """EVIDENCE_DIR unwritable (here a file stands where its folder should be; a full or
    read-only disk fails the same way): the official is told the file was not kept and to
    send it again later, "xong" in its caption is recorded, nothing half-written stays.
    It ended in the generic error and lost the status."""
    world = await scene(bot)
    blocker = tmp_path / "evidence-is-a-file"
    blocker.write_bytes(b"not a folder")
    bot.configure(evidence_dir=blocker)
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} xong")
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    text = reply.text or ""
    assert "Chưa lưu được tệp" in text
    assert "gửi lại tệp sau" in text
    assert "Hoàn thành đúng hạn" in text
    assert [r.state for r in reports(bot)] == ["done"]
    assert assignment(bot, world.assignments[0]).state == "done"
    with bot.session() as s:
        assert list(s.exec(select(Evidence))) == []
    assert blocker.read_bytes() == b"not a folder"
