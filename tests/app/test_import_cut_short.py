"""An admin's apply cut short by a killed process is told of, once: among several workers by
the leader's housekeeping (no start of the dead worker's own tells of it), and with nothing
saved yet said so rather than "0/0"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import import_files
from app.services import Services
from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from db.engine import session_scope
from db.models import Outbox
from db.queries import import_claims
from db.queries.workers import heartbeat
from scheduler.delivery import housekeeping
from tests.factories import make_contact

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
FILE = (
    b"title,deadline,assignees\n"
    + "".join(f"Việc {i},31/12/2030,xã\n" for i in range(120)).encode()
)


def services_of(
    settings: Settings, engine: Engine, clock: ManualClock, *, multi: bool
) -> Services:
    """Return a worker's services on the database (`multi`: one of several workers)."""
    mode = settings.model_copy(update={"workers": "multi" if multi else "single"})
    token = mode.bot_token.get_secret_value() if mode.bot_token else ""
    return build_services(mode, token, clock=clock, engine=engine)


def admin(engine: Engine, user_id: int, language: str = "vi") -> int:
    """Create an admin on Telegram; return their contact id."""
    with Session(engine) as session:
        contact = make_contact(session, user_id, role="admin", language=language)
        session.commit()
        assert contact.id is not None
        return contact.id


def applying(services: Services, contact_id: int, *, where: str = "chat") -> str:
    """Keep a previewed file for the admin and press Apply on `services`' worker (claimed,
    as before the apply starts); return the file's token."""
    token = import_files.keep(services, contact_id, "viec.csv", FILE)
    assert import_files.claim(services, contact_id, token, where=where)
    return token


def moved(engine: Engine, token: str, done: int, total: int, now: datetime = NOW) -> None:
    """Write a slice's progress into the claim, as the apply's commit does."""
    with session_scope(engine) as session:
        import_claims.progress(session, token=token, done=done, total=total, now=now)


def notices(engine: Engine) -> dict[str, str]:
    """Return the cut-short notices queued, text by key."""
    with Session(engine) as session:
        query = select(Outbox).where(col(Outbox.key).startswith("import-cut:"))
        return {row.key: str(row.payload.get("text", "")) for row in session.exec(query)}


def claims_left(engine: Engine) -> set[str]:
    """Return the tokens of the files claimed for an apply."""
    with session_scope(engine) as session:
        return set(import_claims.left(session))


def test_a_killed_workers_apply_is_told_once_by_the_leaders_housekeeping(
    settings: Settings, pg_engine: Engine
) -> None:
    """Two workers; one is killed mid-apply (its row in `worker` stops moving). The
    housekeeping (run here by both at once, as two leaders for a moment) tells its admin how
    far it got, once, and lets the file go, so Apply pressed again goes on at once; the live
    worker's apply is left alone. Before, nobody was told, and Apply was refused for ten
    minutes."""
    clock = ManualClock(NOW)
    killed, alive = (services_of(settings, pg_engine, clock, multi=True) for _ in range(2))
    assert killed.worker is not None
    assert alive.worker is not None
    an, binh = admin(pg_engine, 7301), admin(pg_engine, 7302)
    cut = applying(killed, an)
    moved(pg_engine, cut, 40, 120)
    going = applying(alive, binh)
    moved(pg_engine, going, 10, 120)
    with pg_engine.begin() as connection:
        heartbeat(connection, worker=killed.worker)
        connection.execute(text("UPDATE worker SET seen_at = now() - interval '1 minute'"))
        heartbeat(connection, worker=alive.worker)
    clock.advance(timedelta(seconds=30))

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(housekeeping, [alive, killed, alive, killed]))

    told = notices(pg_engine)
    assert list(told) == [f"import-cut:{cut}:{an}"]
    [words] = told.values()
    assert "đã lưu 40/120 dòng" in words
    assert "Áp dụng" in words
    assert claims_left(pg_engine) == {going}  # the live worker's apply goes on
    assert import_files.claim(alive, an, cut)  # Apply again: taken at once, not refused


def test_an_apply_no_slice_moved_for_ten_minutes_is_told_of_among_workers(
    settings: Settings, pg_engine: Engine
) -> None:
    """A claim whose worker still writes its row but no slice moved for ten minutes (the
    apply is gone) is told of too, once."""
    clock = ManualClock(NOW)
    worker = services_of(settings, pg_engine, clock, multi=True)
    assert worker.worker is not None
    an = admin(pg_engine, 7301)
    token = applying(worker, an, where="upload")
    moved(pg_engine, token, 3, 120)
    with pg_engine.begin() as connection:
        heartbeat(connection, worker=worker.worker)
    clock.advance(import_claims.STALE - timedelta(seconds=1))
    housekeeping(worker)
    assert notices(pg_engine) == {}
    clock.advance(timedelta(seconds=1))
    housekeeping(worker)
    housekeeping(worker)
    [words] = notices(pg_engine).values()
    assert "đã lưu 3/120 dòng" in words
    assert "trang tải tệp lên" in words
    assert claims_left(pg_engine) == set()


def test_an_apply_killed_before_its_first_slice_says_nothing_was_saved_yet(
    settings: Settings, engine: Engine
) -> None:
    """Killed before any slice's commit (its claim holds no progress): at the next start
    the admin is told nothing was saved yet, in their language, on the chat or the upload
    page. Before, the notice said «đã lưu 0/0»."""
    services = services_of(settings, engine, ManualClock(NOW), multi=False)
    an, bob, chi = admin(engine, 7301), admin(engine, 7302, "en"), admin(engine, 7303)
    applying(services, an)
    applying(services, bob)
    applying(services, chi, where="upload")
    assert import_files.tell_cut_short(services) == 3
    told = {key.split(":")[2]: words for key, words in notices(engine).items()}
    assert "chưa có gì được lưu" in told[str(an)], told
    assert "Áp dụng" in told[str(an)]
    assert "nothing was saved yet" in told[str(bob)], told
    assert "Apply" in told[str(bob)]
    assert "chưa có gì được lưu" in told[str(chi)]
    assert "trang tải tệp lên" in told[str(chi)]
    assert not any("0/0" in words or "0 of 0" in words for words in told.values()), told
