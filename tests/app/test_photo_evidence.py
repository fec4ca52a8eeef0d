"""The photo-evidence use case (`app.photo_evidence`) on what Zalo's end-to-end tests leave
unsaid: a question keeps at most MAX_ASKED photos (the oldest dropped, its file deleted),
and the channel that sent them names the files kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import photo_evidence
from app.actor import Actor
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment, Evidence
from tests.factories import make_contact, make_task, make_unit

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
HOA = "hoa-on-a-text-channel"


def _official(engine: Engine) -> tuple[Actor, int]:
    """Hoa, focal point of Xã A, which has two open tasks; return her and the first's
    assignment."""
    with Session(engine) as s:
        unit = make_unit(s, "XA", "Xã A")
        first = make_task(s, "Việc 1", date(2026, 11, 30), [unit])
        make_task(s, "Việc 2", date(2026, 11, 30), [unit])
        hoa = make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        s.commit()
        assignment = s.exec(select(Assignment).where(Assignment.task_id == first.id)).one()
        actor = Actor(hoa.id or 0, HOA, "vi", "member", (unit.id or 0,), ())
        return actor, assignment.id or 0


def _sent(n: int) -> photo_evidence.Sent:
    """Return the n-th photo's message, without a caption."""
    return photo_evidence.Sent("text", f"m{n}", "", f"text:msg:{HOA}:m{n}")


def test_a_question_keeps_the_last_photos_and_files_them_under_their_channel(
    engine: Engine, settings: Settings
) -> None:
    """Photos past MAX_ASKED drop the oldest (its file deleted); the number typed files the
    rest, each named by the channel and message it came in."""
    services = Services(settings, engine, load_catalog(), ManualClock(NOW), b"test-key")
    actor, assignment_id = _official(engine)
    sent = photo_evidence.MAX_ASKED + 2
    for n in range(sent):
        asked = photo_evidence.keep(services, actor, _sent(n), b"\xff\xd8\xff" + b"%d" % n)
        assert asked.choices, asked.text  # which task: asked each time
    folder = settings.evidence_path / photo_evidence.PENDING_FOLDER / str(actor.contact_id)
    assert len(list(folder.iterdir())) == photo_evidence.MAX_ASKED

    said = photo_evidence.take(services, actor, ("ep", str(assignment_id)), channel="text")

    assert len(said) == photo_evidence.MAX_ASKED
    assert not folder.exists()
    with Session(engine) as s:
        query = select(Evidence).order_by(col(Evidence.id))
        kept = [(e.file_name, e.channel_file_id) for e in s.exec(query)]
    assert kept == [(f"text_m{n}.jpg", f"text:m{n}") for n in range(2, sent)]
