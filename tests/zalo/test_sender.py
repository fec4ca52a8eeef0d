"""The Zalo sender against the fake Zalo server: parts, pace, refusals and retries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Contact, ContactIdentity, Outbox
from db.queries.outbox import PRIORITY_INTERACTIVE, enqueue
from devtools.fakezalo import FakeZalo, FaultRule, Limits
from scheduler import zalo_sender
from scheduler.zalo_sender import ZaloPacer, drain
from tests.factories import make_contact
from tests.harness import DEFAULT_NOW
from web.health import render
from zalo import ZaloClient

PEOPLE = [f"{n:016x}" for n in range(0xA000, 0xA000 + 12)]


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """Run a fake Zalo Bot API whose people all wrote to the bot, limits enforced."""
    async with FakeZalo(rate_limits="enforce", limits=Limits(30, 1)) as server:
        for person in PEOPLE:
            server.add_user(person, "Người", wrote=True)
        yield server


@pytest.fixture
def services(settings: Settings, engine: Engine) -> Services:
    """Return services on the test database with a clock in working hours."""
    return Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))


def queue(engine: Engine, person: str, text: str, key: str) -> int:
    """Queue a message to a Zalo person; return the contact's id."""
    with Session(engine, expire_on_commit=False) as s:
        known = s.exec(
            select(ContactIdentity).where(ContactIdentity.external_id == person)
        ).first()
        contact = s.get(Contact, known.contact_id) if known is not None else None
        if contact is None:
            contact = make_contact(s, 0, channel="zalo", external_id=person)
        enqueue(
            s,
            key=key,
            chat_id=person,
            contact_id=contact.id,
            kind="notice",
            text=text,
            now=DEFAULT_NOW,
            priority=PRIORITY_INTERACTIVE,
            channel="zalo",
        )
        s.commit()
        return contact.id or 0


async def send_all(zalo: FakeZalo, services: Services, rate: float = 10) -> int:
    """Drain the Zalo outbox once against the fake server."""
    async with ZaloClient(zalo.token, zalo.url, backoff=(0.01, 0.02)) as client:
        return await drain(
            client, services, ZaloPacer(rate), owner="test", keep_going=lambda: True
        )


def statuses(engine: Engine) -> list[str]:
    """Return the Zalo outbox rows' statuses, oldest first."""
    with Session(engine) as s:
        return [r.status for r in s.exec(select(Outbox).order_by(Outbox.id))]  # type: ignore[arg-type]


async def test_a_long_text_goes_in_parts_split_between_lines(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """5000 characters in lines of 100 arrive as three messages, none over 2000, in order."""
    lines = [f"{n:03d} " + "x" * 95 for n in range(50)]
    queue(engine, PEOPLE[0], "\n".join(lines), "long")
    assert await send_all(zalo, services) == 1
    parts = [m.text for m in zalo.messages(PEOPLE[0])]
    assert [len(p) <= 2000 for p in parts] == [True] * 3
    assert "\n".join(parts).split("\n") == lines
    assert statuses(engine) == ["sent"]


async def test_an_emoji_heavy_text_is_split_by_what_zalo_counts(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """1,509 characters, 900 of them emoji of two UTF-16 units each (2,409 units), go in two
    parts, each within 2,000 units, nothing lost; counted as characters they went as one
    message over the limit, and were refused."""
    lines = ["🎉✅📌🔥" * 30 + "x" * 30 for _ in range(10)]  # 150 characters, 240 units a line
    queue(engine, PEOPLE[0], "\n".join(lines), "emoji")
    queue(engine, PEOPLE[1], "🎉" * 1500, "one line")  # 3,000 units, no space: cut in it
    assert await send_all(zalo, services) == 2
    parts = [m.text for m in zalo.messages(PEOPLE[0])]
    assert len(parts) == 2
    assert all(len(p.encode("utf-16-le")) // 2 <= 2000 for p in parts)
    assert "\n".join(parts).split("\n") == lines
    cut = [m.text for m in zalo.messages(PEOPLE[1])]
    assert [len(p) for p in cut] == [1000, 500]
    assert statuses(engine) == ["sent", "sent"]


async def test_the_pace_keeps_the_rates_and_nobody_is_refused(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """Two messages to each of 12 people at 10/s: held back 2.3 s at least, no 429, one a
    second each (how close to the rate it keeps is measured by `bench.fanout_zalo`)."""
    for n, person in enumerate(PEOPLE):
        queue(engine, person, f"Một {n}", f"a{n}")
        queue(engine, person, f"Hai {n}", f"b{n}")
    started = time.monotonic()
    assert await send_all(zalo, services, rate=10) == 24
    elapsed = time.monotonic() - started
    stats = zalo.rate_limit_stats()
    assert (stats.sends, stats.over_overall, stats.over_per_chat) == (24, 0, 0)
    assert elapsed >= 2.0  # 24 messages at 10/s cannot all go sooner
    times = {p: [m.at for m in zalo.messages(p)] for p in PEOPLE}
    assert all(b - a >= 0.95 for a, b in times.values())


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """403 fails the row and marks that Zalo identity unreachable; the others go out."""
    zalo.block(PEOPLE[1])
    blocked = queue(engine, PEOPLE[1], "Chào", "blocked")
    queue(engine, PEOPLE[2], "Chào", "fine")
    await send_all(zalo, services)
    with Session(engine) as s:
        [identity] = s.exec(
            select(ContactIdentity).where(ContactIdentity.contact_id == blocked)
        ).all()
    assert (identity.channel, identity.reachable) == ("zalo", False)
    assert statuses(engine) == ["failed", "sent"]


async def test_server_errors_and_timeouts_are_retried_and_ok_false_fails(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """Two 502s then a success go out once; ok:false with code -201 on HTTP 200 fails."""
    zalo.add_fault(
        FaultRule("server_error", methods=("sendMessage",), chat_ids=(PEOPLE[3],), times=2)
    )
    zalo.add_fault(
        FaultRule("ok_false", methods=("sendMessage",), chat_ids=(PEOPLE[4],), code=-201)
    )
    queue(engine, PEOPLE[3], "Thử lại", "retry")
    queue(engine, PEOPLE[4], "Bị từ chối", "refused")
    await send_all(zalo, services)
    assert [m.text for m in zalo.messages(PEOPLE[3])] == ["Thử lại"]
    assert zalo.messages(PEOPLE[4]) == []
    assert statuses(engine) == ["sent", "failed"]


async def test_the_zalo_sender_counts_its_sends_in_metrics(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """Each call's result is counted under channel "zalo", as Telegram's sender counts its
    own: /metrics showed no Zalo send at all, so an operator saw no Zalo failure either."""
    zalo.add_fault(
        FaultRule("server_error", methods=("sendMessage",), chat_ids=(PEOPLE[3],), times=1)
    )
    zalo.block(PEOPLE[5])
    queue(engine, PEOPLE[3], "Thử lại", "retry")
    queue(engine, PEOPLE[4], "Chào", "fine")
    queue(engine, PEOPLE[5], "Chào", "blocked")
    await send_all(zalo, services)
    text = render(services.metrics.snapshot(), None, {})
    lines = text.splitlines()
    assert 'dondoc_sends_total{channel="zalo",result="sent"} 2' in lines
    assert 'dondoc_sends_total{channel="zalo",result="error"} 1' in lines
    assert 'dondoc_sends_total{channel="zalo",result="unreachable"} 1' in lines
    assert "zalo" in services.metrics.snapshot().last_ok


async def test_only_zalo_rows_are_claimed(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """A Telegram row is left to Telegram's sender."""
    with Session(engine) as s:
        contact = make_contact(s, 4242)
        enqueue(
            s,
            key="tg",
            chat_id="4242",
            contact_id=contact.id,
            kind="notice",
            text="Telegram",
            now=DEFAULT_NOW,
        )
        s.commit()
    assert await send_all(zalo, services) == 0
    assert statuses(engine) == ["pending"]


@pytest.mark.postgres
async def test_the_zalo_sender_on_postgresql(
    zalo: FakeZalo, settings: Settings, pg_engine: Engine
) -> None:
    """On PostgreSQL too, a long text goes in parts and the row ends sent."""
    services = Services(settings, pg_engine, load_catalog(), ManualClock(DEFAULT_NOW))
    queue(pg_engine, PEOPLE[5], "\n".join("y" * 99 for _ in range(30)), "pg")
    assert await send_all(zalo, services) == 1
    assert len(zalo.messages(PEOPLE[5])) == 2
    assert statuses(pg_engine) == ["sent"]


async def test_a_refused_token_holds_the_messages_for_later_not_fails_them(
    zalo: FakeZalo,
    services: Services,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A token Zalo refuses (401: revoked, expired) is the bot's fault, not the message's:
    every row is kept for a later try, as Telegram's sender does, instead of failing the
    day's reminders for good; the operator is told once, without the token."""
    monkeypatch.setattr(zalo_sender, "_token_told", -zalo_sender.TOKEN_TOLD_EVERY_S)
    queue(engine, PEOPLE[5], "Một", "one")
    queue(engine, PEOPLE[6], "Hai", "two")
    async with ZaloClient("1:revoked-token", zalo.url, backoff=(0.01,)) as client:
        await drain(client, services, ZaloPacer(10), owner="test", keep_going=lambda: True)
    assert statuses(engine) == ["pending", "pending"]
    with Session(engine) as s:
        rows = list(s.exec(select(Outbox)))
    assert all(r.not_before is not None and r.not_before > DEFAULT_NOW for r in rows)
    refused = [r for r in caplog.records if "token" in r.getMessage() and r.levelname == "ERROR"]
    assert len(refused) == 1
    assert all("revoked-token" not in r.getMessage() for r in caplog.records)
    await send_all(zalo, services)  # not due yet: nothing goes, nothing fails
    assert zalo.messages(PEOPLE[5]) == []
