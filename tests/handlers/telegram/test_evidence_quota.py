"""The evidence quota: a unit keeps at most EVIDENCE_QUOTA_MB of files on the bot's storage."""

from __future__ import annotations

from sqlmodel import select

from db.models import Evidence
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, scene
from tests.handlers.telegram.test_evidence import send_document_reply
from tests.harness import BotUnderTest

KB = 1024


def kept(bot: BotUnderTest) -> list[Evidence]:
    """Return the evidence recorded."""
    with bot.session() as s:
        return list(s.exec(select(Evidence)))


async def test_evidence_past_the_unit_quota_is_refused_and_nothing_stored(
    bot: BotUnderTest,
) -> None:
    """With 1 MB allowed and 900 KB kept, a 200 KB file is refused; a 50 KB one is kept."""
    bot.configure(evidence_quota_mb=1)
    world = await scene(bot)
    aid = world.assignments[0]
    with bot.session() as s:
        s.add(
            Evidence(
                assignment_id=aid,
                file_name="cu.pdf",
                size=900 * KB,
                sha256="0" * 64,
                storage_path=f"{aid}/cu.pdf",
                created_at=bot.clock.now(),
            )
        )
        s.commit()
    reminder = await remind(bot, OFFICIAL, [aid])
    after = bot.server.last_message_id(OFFICIAL)
    send_document_reply(bot, OFFICIAL, b"%PDF" + b"x" * (200 * KB), reminder.message_id)
    refused = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "chưa được lưu" in (refused.text or "")
    assert "hạn mức 1 MB" in (refused.text or "")
    assert "PDF nén" in (refused.text or "")
    assert [e.file_name for e in kept(bot)] == ["cu.pdf"]
    evidence_dir = bot.services.settings.evidence_path
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*.*"))
    after = bot.server.last_message_id(OFFICIAL)
    send_document_reply(bot, OFFICIAL, b"%PDF" + b"y" * (50 * KB), reminder.message_id)
    accepted = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "Đã lưu minh chứng" in (accepted.text or "")
    assert len(kept(bot)) == 2
