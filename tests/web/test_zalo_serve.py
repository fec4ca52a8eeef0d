"""Zalo under `dondoc serve`: events by webhook, and file links a coordinator follows.

The fake Zalo server delivers events by webhook to the served application; /export, /chart
and /report answer with signed links to its /files/... routes, followed here over HTTP.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import docx
import openpyxl
import pytest
from playwright.async_api import Browser
from pydantic import SecretStr
from sqlmodel import select

from app import links
from bot.settings import Settings
from bot.web import ZALO_HEADER, zalo_secret
from db.models import (
    Contact,
    ContactIdentity,
    Directive,
    Inbox,
    StatusReport,
    Task,
    UnitContact,
    UnitGroup,
)
from db.queries import inbox as inbox_rows
from db.queries.scope import set_scope
from db.queries.units import find_group
from devtools.fakezalo import FakeZalo, FaultRule
from handlers.zalo import answers, dispatch
from scheduler import workers
from scheduler.delivery import DISPATCH_JOB
from tests.factories import make_contact
from tests.harness import stored_text
from tests.web.conftest import COORDINATOR, OFFICIAL, Served
from tests.web.test_browser import browser  # noqa: F401 (a fixture)
from tests.zalo.conftest import ZALO_ADMIN, fake_zalo  # noqa: F401 (a fixture)

ZCOORD = "c00dc00dc00dc00d"  # a coordinator on Zalo (every unit)
ZMEMBER = "e00be00be00be00b"  # an official of Xã Tam Xuân on Zalo
ZSCOPED = "5c0be5c0be5c0be5"  # a coordinator on Zalo limited to the pilot communes
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/files/[^\s]+)")


@pytest.fixture
def settings(settings: Settings, fake_zalo: FakeZalo) -> Settings:  # noqa: F811
    """The web tests' settings with Zalo pointed at the fake Zalo server."""
    for user, name in ((ZALO_ADMIN, "Quản trị Zalo"), (ZCOORD, "Điều phối Zalo")):
        fake_zalo.add_user(user, name)
    fake_zalo.add_user(ZMEMBER, "Lan Zalo")
    fake_zalo.add_user(ZSCOPED, "Phạm vi Zalo")
    return settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_send_per_person_s": 0.02,  # its own test: tests/zalo/test_sender.py
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )


def zalo_rows(served: Served) -> list[str]:
    """Return the message ids of the Zalo events in the inbox."""
    with served.bot.session() as s:
        return list(s.exec(select(Inbox.update_id).where(Inbox.channel == "zalo")).all())


def event(message_id: str, text: str = "/whoami", sender: str = ZALO_ADMIN) -> dict[str, object]:
    """Return a Zalo text event (from the Zalo admin), without the {ok, result} wrapper."""
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id,
            "date": 1_700_000_000_000,
            "chat": {"id": sender, "chat_type": "PRIVATE"},
            "from": {"id": sender, "display_name": "Quản trị Zalo", "is_bot": False},
            "text": text,
        },
    }


async def test_serve_sets_zalo_webhook_and_does_not_poll(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """At start Zalo is pointed at /webhook/zalo with the derived secret; no getUpdates."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    [call] = fake_zalo.calls("setWebhook")
    assert call["url"] == f"{served.url}/webhook/zalo"
    assert call["secret_token"] == zalo_secret(served.bot.settings)
    await asyncio.sleep(0.3)
    assert not fake_zalo.calls("getUpdates")
    assert not fake_zalo.calls("deleteWebhook")


@pytest.fixture
def token_refused_twice(fake_zalo: FakeZalo) -> None:  # noqa: F811
    """Have Zalo refuse the bot's token (401) to the first two setWebhook calls."""
    fake_zalo.add_fault(FaultRule("server_error", methods=("setWebhook",), status=401, times=2))


async def test_serve_sets_zalo_webhook_once_zalo_takes_the_token_again(
    token_refused_twice: None,
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Zalo refusing the token to setWebhook for a while (401), then taking it: the webhook
    is set and a message answered. The first 401 ended it: no event ever came."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.state.webhook.url))
    assert len(fake_zalo.calls("setWebhook")) == 3
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)))
    assert zalo_rows(served) == [message_id]


async def test_zalo_event_by_webhook_is_stored_and_answered(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A person's message, posted by Zalo with the secret, is stored, 200, and answered."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)), 5)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200]
    assert zalo_rows(served) == [message_id]
    assert ZALO_ADMIN in fake_zalo.messages(ZALO_ADMIN)[0].text


async def test_zalo_webhook_wrong_or_missing_secret_is_refused(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Without the secret, or with another, 403 and nothing stored or answered."""
    for headers in ({}, {ZALO_HEADER: "not-the-secret"}, {ZALO_HEADER: "x" * 300}):
        response = await served.http.post("/webhook/zalo", json=event("e1"), headers=headers)
        assert response.status_code == 403
    await asyncio.sleep(0.3)
    assert zalo_rows(served) == []
    assert fake_zalo.messages(ZALO_ADMIN) == []


async def test_zalo_webhook_wrapped_or_not_and_no_event(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The {ok, result} wrapper is taken off; JSON holding no event we read (a kind of
    event without a message, say) is dropped with 200, or Zalo would send it again; a body
    that is no JSON object gets 400."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    for body in ({"ok": True}, {"event_name": "x"}, {"ok": True, "result": {"message": 3}}):
        response = await served.http.post("/webhook/zalo", json=body, headers=headers)
        assert response.status_code == 200
    for raw in (b"{", b'"event"'):
        response = await served.http.post("/webhook/zalo", content=raw, headers=headers)
        assert response.status_code == 400
    assert zalo_rows(served) == []
    wrapped = {"ok": True, "result": event("e2")}
    response = await served.http.post("/webhook/zalo", json=wrapped, headers=headers)
    assert response.status_code == 200
    assert zalo_rows(served) == ["e2"]  # stored before the 200


async def test_zalo_webhook_called_with_no_body_is_answered_200(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A call with the secret and an empty body (Zalo was seen to probe a webhook so, no
    content type) is answered 200 and stores nothing: it got 400, which asks a platform to
    send it again, though no delivery of it would ever hold an event."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    for raw in (b"", b" \r\n"):
        response = await served.http.post("/webhook/zalo", content=raw, headers=headers)
        assert response.status_code == 200
    assert zalo_rows(served) == []


async def test_zalo_webhook_json_nested_past_any_event_is_dropped_with_200(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """An event nested hundreds deep, with the right secret, is dropped with 200 and nothing
    stored or answered (it raised a 500 with a traceback, and Zalo would send it again)."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    nested = '{"ok": true, "result": ' + '{"message": ' * 600 + "1" + "}" * 601
    for body in (nested.encode(), b'{"ok": ' + b"[" * 100_000):
        response = await served.http.post("/webhook/zalo", content=body, headers=headers)
        assert response.status_code == 200
    assert zalo_rows(served) == []
    assert fake_zalo.messages(ZALO_ADMIN) == []


async def test_zalo_webhook_event_with_ids_longer_than_zalos_is_dropped_with_200(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """An event whose message id, or sender's id, is longer than any Zalo id (65, 90
    characters) is dropped with 200, nothing stored: PostgreSQL refused to store it, a 500
    with a traceback, which Zalo would send again and again. An event beside it is kept."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    long_sender = event("e2", sender="f" * 90)
    for body in (event("m" * 65), long_sender):
        response = await served.http.post("/webhook/zalo", json=body, headers=headers)
        assert response.status_code == 200
    wrapped = {"ok": True, "result": [event("m" * 65), event("e3")]}
    response = await served.http.post("/webhook/zalo", json=wrapped, headers=headers)
    assert response.status_code == 200
    assert zalo_rows(served) == ["e3"]


async def test_zalo_webhook_event_of_a_long_unknown_kind_is_kept_with_200(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """An event of a kind the bot does not know, named in 60 characters, is stored and
    answered 200 (its kind cut to what the inbox keeps): PostgreSQL refused it, a 500 with a
    traceback, which Zalo would send again and again."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    body = {**event("e4"), "event_name": "message.text.received." + "x" * 38}
    response = await served.http.post("/webhook/zalo", json=body, headers=headers)
    assert response.status_code == 200
    assert zalo_rows(served) == ["e4"]


async def test_zalo_webhook_redelivered_event_is_handled_once(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Zalo posting the same event again gets 200 and no second answer."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)), 5)
    fake_zalo.redeliver(message_id)
    await fake_zalo.wait_until(lambda: len(fake_zalo.webhook_posts()) == 2, 5)
    await asyncio.sleep(1.5)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200, 200]
    assert len(fake_zalo.messages(ZALO_ADMIN)) == 1
    assert zalo_rows(served) == [message_id]


async def test_zalo_webhook_event_posted_25_times_is_answered_once_and_no_flood(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Zalo posting one event 25 times more, at once (past a person's burst of 20), gets 200
    each time, one answer and no "sending too fast"; the person's next message is answered."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 30)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(ZALO_ADMIN)) == 1, 30)
    for _ in range(25):
        fake_zalo.redeliver(message_id)
    await fake_zalo.wait_until(lambda: len(fake_zalo.webhook_posts()) == 26, 30)
    fake_zalo.send_text(ZALO_ADMIN, "/help")
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(ZALO_ADMIN)) >= 2, 30)
    assert {status for status, _ in fake_zalo.webhook_posts()} == {200}
    texts = [m.text for m in fake_zalo.messages(ZALO_ADMIN)]
    assert len(texts) == 2
    assert not any("gửi quá nhanh" in text for text in texts)


async def test_a_zalo_burst_past_what_may_wait_gets_503_and_loses_nothing(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While MAX_WAITING events wait to be handled, Zalo's next post gets 503 with
    Retry-After and nothing is stored; posted again once they are handled, it is stored and
    answered: every event answered once (a burst of 1,000 made as many waiting tasks)."""
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo", wrote=True)
    monkeypatch.setattr(dispatch, "MAX_WAITING", 2)
    gate, answer = asyncio.Event(), answers.answer

    async def held(*args: Any, **kwargs: Any) -> None:
        await gate.wait()
        await answer(*args, **kwargs)

    monkeypatch.setattr(dispatch, "answer", held)
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    # Four different texts: the same text again before its answer went is a repeat, not read.
    sent = [event(f"b{n}", text=f"/whoami {n}") for n in range(4)]
    posted = [await served.http.post("/webhook/zalo", json=e, headers=headers) for e in sent]
    assert [r.status_code for r in posted] == [200, 200, 503, 503]
    assert posted[2].headers["retry-after"] == "5"
    assert sorted(zalo_rows(served)) == ["b0", "b1"]
    gate.set()
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(ZALO_ADMIN)) >= 2, 10)
    for again in sent[2:]:  # Zalo sends again, later, what was not answered 2xx
        for _ in range(50):
            response = await served.http.post("/webhook/zalo", json=again, headers=headers)
            if response.status_code != 503:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 200
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(ZALO_ADMIN)) >= 4, 10)
    await asyncio.sleep(0.5)
    assert len(fake_zalo.messages(ZALO_ADMIN)) == 4
    assert sorted(zalo_rows(served)) == ["b0", "b1", "b2", "b3"]


async def test_zalo_event_from_a_name_holding_nul_is_stored_and_answered(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A Zalo official whose display name and report hold NUL characters (which PostgreSQL
    refuses in text) is answered once, and the report kept without the NULs."""
    await zalo_people(served, fake_zalo)
    fake_zalo.add_user(ZMEMBER, "Lan\x00 Zalo")
    [answer] = await ask(fake_zalo, ZMEMBER, "đang làm 50%\x00 chờ kinh phí")
    assert "Kế hoạch chuyển đổi số" in answer
    assert {status for status, _ in fake_zalo.webhook_posts()} == {200}
    with served.bot.session() as s:
        [report] = s.exec(select(StatusReport)).all()
    assert report.percent == 50
    assert "\x00" not in stored_text(served.bot.engine)


async def zalo_people(served: Served, fake_zalo: FakeZalo) -> None:  # noqa: F811
    """Add the Zalo coordinator and member, and wait until Zalo's webhook is set.

    The morning dispatch is left out: its first run, a second after start, would remind
    the member between a question and its answer.
    """
    jobs = served.bot.app.job_queue
    assert jobs is not None
    for job in jobs.get_jobs_by_name(DISPATCH_JOB):
        job.schedule_removal()
    with served.bot.session() as s:
        make_contact(
            s, 0, role="coordinator", name="Điều phối Zalo", channel="zalo", external_id=ZCOORD
        )
        make_contact(
            s, 0, units=[served.units["TX"]], name="Lan Zalo", channel="zalo", external_id=ZMEMBER
        )
        scoped = make_contact(
            s, 0, role="coordinator", name="Phạm vi Zalo", channel="zalo", external_id=ZSCOPED
        )
        group = find_group(s, text="Thí điểm")
        assert group is not None
        assert group.id is not None
        assert scoped.id is not None
        set_scope(s, contact_id=scoped.id, group_ids=[group.id])
        s.commit()
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)


async def ask(fake_zalo: FakeZalo, user: str, text: str, count: int = 1) -> list[str]:  # noqa: F811
    """Send text as a Zalo user by webhook; return the texts of the bot's next answers."""
    after = len(fake_zalo.messages(user))
    fake_zalo.send_text(user, text)
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(user)) >= after + count, 10)
    return [m.text for m in fake_zalo.messages(user)[after:]]


def link_in(texts: list[str]) -> str:
    """Return the download link the bot answered."""
    found = LINK.search("\n".join(texts))
    assert found is not None, f"no link in {texts!r}"
    return found.group(1)


async def test_zalo_export_link_opens_the_workbook(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A Zalo coordinator asks /export, follows the link and opens the XLSX with openpyxl."""
    await zalo_people(served, fake_zalo)
    texts = await ask(fake_zalo, ZCOORD, "/export")
    link = link_in(texts)
    assert link.startswith(f"{served.url}/files/export/all?")
    assert "24" in texts[0]
    response = await served.http.post(link)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Kế hoạch chuyển đổi số" in c for c in cells)
    assert any("Xã Tam Xuân" in c for c in cells)


async def test_zalo_export_link_in_a_browser_is_a_page_whose_button_downloads(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Opened in Chromium as a person opens it from Zalo, /export's link shows a page; its
    button downloads the workbook; opened again, the link says it was used."""
    await zalo_people(served, fake_zalo)
    link = link_in(await ask(fake_zalo, ZCOORD, "/export"))
    context = await browser.new_context(accept_downloads=True, locale="vi-VN")
    page = await context.new_page()
    await page.goto(link)
    assert "Phụ lục tổng hợp" in await page.locator("#what").inner_text()
    assert "Điều phối Zalo" in await page.locator("#expiry").inner_text()
    await page.screenshot(path=str(tmp_path / "export-landing.png"), full_page=True)
    async with page.expect_download() as waiting:
        await page.click("#go")
    download = await waiting.value
    await download.save_as(str(tmp_path / "export.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "export.xlsx")
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Xã Tam Xuân" in c for c in cells)
    again = await (await context.new_page()).goto(link)
    assert again is not None
    assert again.status == 410
    await context.close()


async def test_zalo_export_of_one_task_and_its_scope(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/export #N links to that task's sheet; a coordinator demoted since is refused (403)."""
    await zalo_people(served, fake_zalo)
    task = served.tasks[1]
    link = link_in(await ask(fake_zalo, ZCOORD, f"/export #{task.id}"))
    served.bot.clock.advance(timedelta(seconds=1))  # a link of the same second is the same
    kept = link_in(await ask(fake_zalo, ZCOORD, f"/export #{task.id}"))
    assert f"/files/export/{task.id}?" in link
    response = await served.http.post(link)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Báo cáo an toàn thông tin" in c for c in cells)
    assert not any("Kế hoạch chuyển đổi số" in c for c in cells)
    with served.bot.session() as s:
        identity = s.exec(
            select(ContactIdentity).where(ContactIdentity.external_id == ZCOORD)
        ).one()
        contact = s.get(Contact, identity.contact_id)
        assert contact is not None
        contact.role = "member"
        s.commit()
    assert (await served.http.get(kept)).status_code == 403
    assert (await served.http.post(kept)).status_code == 403


async def test_zalo_member_gets_no_link(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A member asking /export, /chart or /report is refused, with no link."""
    await zalo_people(served, fake_zalo)
    for command in ("/export", f"/chart #{served.tasks[0].id}", "/report"):
        texts = await ask(fake_zalo, ZMEMBER, command)
        assert "không có quyền" in texts[0]
        assert LINK.search(texts[0]) is None


async def test_zalo_link_of_someone_else_or_expired_is_refused(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The link works for its person only, and for 24 hours."""
    await zalo_people(served, fake_zalo)
    link = link_in(await ask(fake_zalo, ZCOORD, "/export"))
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    with served.bot.session() as s:
        other = s.exec(
            select(ContactIdentity.contact_id).where(
                ContactIdentity.external_id == str(COORDINATOR)
            )
        ).one()
    as_other = f"{served.url}{parts.path}?{urlencode({**query, 'p': str(other)})}"
    assert (await served.http.get(as_other)).status_code == 403
    async with served.signed_in(COORDINATOR) as client:  # another coordinator's session
        assert (await client.get(link)).status_code == 403
    served.bot.clock.advance(timedelta(hours=24, minutes=1))
    assert (await served.http.get(link)).status_code == 410


async def test_zalo_chart_is_sent_as_a_photo_of_its_link(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/chart #N answers a link (a page, then the PNG) and Zalo is sent a photo URL of its
    own, which Zalo's server fetched (a PNG) and which works once."""
    await zalo_people(served, fake_zalo)
    task = served.tasks[0]
    texts = await ask(fake_zalo, ZCOORD, f"/chart #{task.id}", count=2)
    link = link_in(texts)
    assert f"/files/chart/{task.id}?" in link
    [photo] = [m for m in fake_zalo.messages(ZCOORD) if m.method == "sendPhoto"]
    assert photo.photo is not None
    assert photo.photo != link
    assert photo.photo.startswith(f"{served.url}/files/photo/{task.id}?")
    assert f"#{task.id}" in photo.text
    fetched_again = await served.http.get(photo.photo)  # the fake Zalo fetched it already
    assert fetched_again.status_code == 410
    assert not fetched_again.content.startswith(b"\x89PNG")
    shown = await served.http.get(link)
    assert shown.status_code == 200
    assert "Biểu đồ việc" in shown.text
    response = await served.http.post(link)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def directive_of(served: Served, task_id: int | None) -> int:
    """Give the task to directive 4824/UBND-KGVX; return the directive's id."""
    with served.bot.session() as s:
        directive = Directive(number="4824/UBND-KGVX", number_folded="4824/ubnd-kgvx")
        s.add(directive)
        s.flush()
        task = s.get(Task, task_id)
        assert task is not None
        task.directive_id = directive.id
        s.commit()
        assert directive.id is not None
        return directive.id


async def test_a_directives_file_link_names_the_directive_by_its_number(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The page of /export, /report and /chart of a directive says "văn bản 4824/UBND-KGVX",
    as the coordinator typed it: it said "văn bản số 1", the database's id of it."""
    await zalo_people(served, fake_zalo)
    directive = directive_of(served, served.tasks[1].id)
    for command, count in (("/export", 1), ("/report", 1), ("/chart", 2)):
        link = link_in(await ask(fake_zalo, ZCOORD, f"{command} 4824/UBND-KGVX", count=count))
        assert f"/d{directive}?" in link
        shown = await served.http.get(link)
        assert "các việc của văn bản 4824/UBND-KGVX" in shown.text, command
        assert "văn bản số" not in shown.text


async def test_zalo_chart_of_every_open_task_or_a_directive_is_drawn_as_on_telegram(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/chart alone and /chart <directive> answer a link and a photo of a bar per task, as
    Telegram's /chart sends them (they said a chart on Zalo is of one task); a coordinator
    limited to the pilot communes is told a directive of none of theirs has nothing to draw."""
    await zalo_people(served, fake_zalo)
    which = f"d{directive_of(served, served.tasks[1].id)}"  # the department's task only
    for command, path, caption in (
        ("/chart", "all", "Biểu đồ các nhiệm vụ đang mở"),
        ("/chart 4824/UBND-KGVX", which, "Biểu đồ các nhiệm vụ của văn bản 4824/UBND-KGVX"),
    ):
        link = link_in(await ask(fake_zalo, ZCOORD, command, count=2))  # a text, a photo
        assert f"/files/chart/{path}?" in link
        photo = [m for m in fake_zalo.messages(ZCOORD) if m.method == "sendPhoto"][-1]
        assert str(photo.photo).startswith(f"{served.url}/files/photo/{path}?")
        assert photo.text.startswith(caption)
        shown = await served.http.get(link)
        assert "mỗi việc một cột" in shown.text
        response = await served.http.post(link)
        assert response.content.startswith(b"\x89PNG")
    [nothing] = await ask(fake_zalo, ZSCOPED, "/chart 4824/UBND-KGVX")
    assert "không giao cho đơn vị nào trong phạm vi" in nothing
    assert "/files/" not in nothing


async def test_a_zalo_chart_past_zalos_limit_is_not_sent_as_a_photo(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """With ZALO_FILE_MAX_BYTES below the chart's size, its photo URL answers 413, so Zalo
    sends no photo; the link to the chart's page still gives the PNG, once."""
    await zalo_people(served, fake_zalo)
    served.bot.configure(zalo_file_max_bytes=1000)
    task = served.tasks[0]
    link = link_in(await ask(fake_zalo, ZCOORD, f"/chart #{task.id}"))
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("sendPhoto")), 10)
    [call] = fake_zalo.calls("sendPhoto")
    path = f"/files/photo/{task.id}"
    assert path in str(call["photo"])
    # The bot's URL is Zalo's to fetch once (a GET of it here races the fake's own fetch):
    # the same file's photo URL, signed again for the same person, is answered the same way.
    with served.bot.session() as s:
        contact = s.exec(
            select(ContactIdentity.contact_id).where(ContactIdentity.external_id == ZCOORD)
        ).one()
    key, now = served.bot.services.link_key, served.bot.clock.now()
    again = links.sign(key, path=path, person=str(contact), expires=now + links.PHOTO_TTL)
    assert (await served.http.get(again)).status_code == 413
    assert [m for m in fake_zalo.messages(ZCOORD) if m.method == "sendPhoto"] == []
    response = await served.http.post(link)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


async def test_zalo_chart_photo_url_works_once_and_for_fifteen_minutes(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The photo URL answers the PNG to its first GET only, and none after 15 minutes."""
    await zalo_people(served, fake_zalo)
    task = served.tasks[0]
    with served.bot.session() as s:
        contact = s.exec(
            select(ContactIdentity.contact_id).where(ContactIdentity.external_id == ZCOORD)
        ).one()
    key, now = served.bot.services.link_key, served.bot.clock.now()
    path = f"/files/photo/{task.id}"
    photo = links.sign(key, path=path, person=str(contact), expires=now + links.PHOTO_TTL)
    first = await served.http.get(photo)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/png"
    assert (await served.http.get(photo)).status_code == 410
    late = links.sign(key, path=path, person=str(contact), expires=now + links.PHOTO_TTL)
    long_lived = links.sign(key, path=path, person=str(contact), expires=now + links.DEFAULT_TTL)
    assert (await served.http.get(long_lived)).status_code == 403
    served.bot.clock.advance(links.PHOTO_TTL)
    assert (await served.http.get(late)).status_code == 410  # expired: gone


async def test_zalo_report_link_gives_the_word_document(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/report and /report <period> link to the formal report (DOCX)."""
    await zalo_people(served, fake_zalo)
    link = link_in(await ask(fake_zalo, ZCOORD, "/report"))
    response = await served.http.post(link)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"PK")
    link = link_in(await ask(fake_zalo, ZCOORD, "/report 01/11/2026-31/12/2026"))
    assert "/files/report/p20261101-20261231?" in link
    assert (await served.http.post(link)).status_code == 200
    # A year before 1000 is written with four digits in the link's path, which reads it back.
    link = link_in(await ask(fake_zalo, ZCOORD, "/report 01/01/0001-31/12/2026"))
    assert "/files/report/p00010101-20261231?" in link
    assert (await served.http.post(link)).status_code == 200


async def test_zalo_report_of_a_period_with_nothing_due_names_the_period(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/report of a month with no task due gives no link and says so, naming its days."""
    await zalo_people(served, fake_zalo)
    [said] = await ask(fake_zalo, ZCOORD, "/report tháng 3/2027")
    assert LINK.search(said) is None
    assert "Không có nhiệm vụ nào có thời hạn từ ngày 01/03/2027 đến ngày 31/03/2027" in said


async def test_zalo_scoped_coordinator_gets_no_link_out_of_scope(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A task outside the coordinator's scope is not found; within it, the link works."""
    await zalo_people(served, fake_zalo)
    outside, inside = served.tasks[1], served.tasks[0]  # Điện Bàn only; pilots too
    texts = await ask(fake_zalo, ZSCOPED, f"/export #{outside.id}")
    assert LINK.search(texts[0]) is None
    link = link_in(await ask(fake_zalo, ZSCOPED, f"/export #{inside.id}"))
    response = await served.http.post(link)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Xã Tam Xuân" in c for c in cells)
    assert not any("Phường Điện Bàn" in c for c in cells)


async def test_zalo_coordinator_signs_in_to_the_dashboard_with_web(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/web on Zalo answers a sign-in link that opens the dashboard once; a member gets none."""
    await zalo_people(served, fake_zalo)
    [text] = await ask(fake_zalo, ZCOORD, "/web")
    found = re.search(r"(https?://\S+/login/\S+)", text)
    assert found is not None, text
    link = found.group(1)
    assert link.startswith(f"{served.url}/login/")
    shown = await served.http.get(link)  # as Zalo's server does, to preview it
    assert "Đăng nhập trang tổng hợp với tên Điều phối Zalo." in shown.text
    first = await served.http.post(link, follow_redirects=True)
    assert first.status_code == 200, first.text
    assert "Tổng quan" in first.text  # the dashboard's overview, in Vietnamese
    again = await served.http.post(link)
    assert again.status_code == 410  # used once
    [refused] = await ask(fake_zalo, ZMEMBER, "/web")
    assert "/login/" not in refused


async def test_a_scope_holding_nothing_is_told_so_not_given_a_link(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A coordinator whose scope holds no unit asks /export or /report: Telegram says there
    is nothing to export or report on, and Zalo says the same words instead of a link."""
    await zalo_people(served, fake_zalo)
    empty, tg_empty = "e3e3e3e3e3e3e3e3", 3909
    fake_zalo.add_user(empty, "Phạm vi trống")
    with served.bot.session() as s:
        group = UnitGroup(name="Nhóm trống", name_folded="nhom trong")
        s.add(group)
        s.flush()
        for person in (
            make_contact(s, 0, role="coordinator", channel="zalo", external_id=empty),
            make_contact(s, tg_empty, role="coordinator"),
        ):
            set_scope(s, contact_id=person.id or 0, group_ids=[group.id or 0])
        s.commit()
    served.bot.user(tg_empty, "Phạm vi trống")
    nothing = {
        "/export": "Không có nhiệm vụ nào để xuất trong phạm vi anh/chị theo dõi.",
        "/report": "Không có nhiệm vụ nào để báo cáo trong phạm vi anh/chị theo dõi.",
        "/report 01/11/2026-31/12/2026": (
            "Không có nhiệm vụ nào có thời hạn từ ngày 01/11/2026 đến ngày 31/12/2026 trong phạm"
            " vi anh/chị theo dõi"
        ),
        f"/export #{served.tasks[0].id}": "Không tìm thấy nhiệm vụ hay văn bản",
    }
    for command, words in nothing.items():
        on_telegram = (await served.bot.send(tg_empty, command)).text or ""
        [on_zalo] = await ask(fake_zalo, empty, command)
        assert words in on_telegram, (command, on_telegram)
        assert words in on_zalo, (command, on_zalo)
        assert LINK.search(on_zalo) is None
    link = link_in(await ask(fake_zalo, ZCOORD, "/export"))  # a scope with units: a link
    assert (await served.http.post(link)).status_code == 200


async def test_zalo_webhook_with_the_database_out_of_reach_is_answered_503_in_one_line(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database locked past its busy timeout: Zalo's post gets 503 (it posts again), the
    log has one warning and no traceback (it had a 500 and one); once the database is back
    the same event, posted again, is stored and answered."""
    engine = served.bot.services.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("an outage is made here by locking SQLite's file")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    blocker = sqlite3.connect(str(engine.url.database), timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.INFO):
            message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
            await fake_zalo.wait_until(lambda: bool(fake_zalo.webhook_posts()), 10)
    finally:
        blocker.rollback()
        blocker.close()
    assert [status for status, _ in fake_zalo.webhook_posts()] == [503]
    [warning] = [r for r in caplog.records if r.name == "web.webhooks"]
    assert "database is out of reach" in warning.getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    fake_zalo.redeliver(message_id)
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)), 5)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [503, 200]
    assert zalo_rows(served) == [message_id]


async def test_a_telegram_message_is_answered_while_a_zalo_burst_waits_to_be_stored(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While more Zalo events than the bot has threads for updates wait to be stored (their
    database write held back here), a Telegram official's message is stored and answered;
    then every Zalo event is stored, each answered 200. The webhook's events were stored
    one transaction each in the update threads, and a tap waited behind the whole burst."""
    burst, gate, entered = 3 * workers.UPDATE_WORKERS, threading.Event(), []
    record = inbox_rows.record

    def held(connection: Any, **row: Any) -> None:
        if row["channel"] == "zalo":
            gate.wait()
        record(connection, **row)

    monkeypatch.setattr(inbox_rows, "record", held)
    accept = dispatch.ZaloDispatch.accept

    async def counted(self: dispatch.ZaloDispatch, payload: dict[str, Any]) -> None:
        entered.append(payload)  # then runs until its write is queued, on the same turn
        await accept(self, payload)

    monkeypatch.setattr(dispatch.ZaloDispatch, "accept", counted)
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    people = [f"{n:016x}" for n in range(burst)]
    for person in people:
        fake_zalo.add_user(person, "Khách", wrote=True)
    posts = [
        asyncio.create_task(served.http.post("/webhook/zalo", json=sent, headers=headers))
        for sent in (event(f"q{n}", "/help", sender=p) for n, p in enumerate(people))
    ]
    try:
        await fake_zalo.wait_until(lambda: len(entered) == burst, 10)
        reply = await served.bot.send(OFFICIAL, "/help", timeout=10)
    finally:
        gate.set()
    assert reply.text
    assert [r.status_code for r in await asyncio.gather(*posts)] == [200] * burst
    assert sorted(zalo_rows(served)) == sorted(f"q{n}" for n in range(burst))


async def test_zalo_scoped_coordinators_files_say_their_own_units_count_too(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A coordinator limited to the pilot group who is also Phường Điện Bàn's focal point:
    the workbook and the report count that ward, and now say so (they named the group only)."""
    await zalo_people(served, fake_zalo)
    with served.bot.session() as s:
        scoped = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == ZSCOPED))
        contact_id = scoped.one().contact_id
        s.add(UnitContact(unit_id=served.units["DB"].id or 0, contact_id=contact_id))
        s.commit()
    said = "Thí điểm; và các đơn vị của chính người"
    book_link = link_in(await ask(fake_zalo, ZSCOPED, "/export"))
    book = openpyxl.load_workbook(io.BytesIO((await served.http.post(book_link)).content))
    for sheet in book.worksheets:
        assert said in str(sheet["A2"].value)
        assert "Phường Điện Bàn." in str(sheet["A2"].value)
    report_link = link_in(await ask(fake_zalo, ZSCOPED, "/report"))
    report = docx.Document(io.BytesIO((await served.http.post(report_link)).content))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "lập báo cáo: Phường Điện Bàn." in text
    assert "Thí điểm; và" in text
