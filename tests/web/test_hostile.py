"""Bad requests to `dondoc serve` get a page that says what is wrong, never a bare 500.

Ids no row can have in a page's or an action's address, filters that are no number, a
download link whose expiry is no number, and an upload that is not the page's form or is
over the size limit: each is answered "not found", ignored, refused or explained, and
nothing is decided, queued or imported.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlmodel import select

import web.auth
from app import import_files, links
from bot.settings import Settings
from bot.web import TELEGRAM_HEADER, telegram_secret
from db.models import AuditLog, Contact, ExtensionRequest, Outbox, Unit
from tests.factories import person
from tests.web.conftest import COORDINATOR, Served, ask_extension
from tests.web.test_dashboard import csrf_of
from tests.web.test_webhooks import inbox_count
from web.upload import FORM_SLACK

HUGE = "99999999999999999999"  # past any id a database holds
LIMIT = 4096  # the import size limit in these tests
HANG_GUARD_S = 20  # a guard against a hang, not a measure


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The web tests' settings with a small import limit, so an oversized file is small."""
    return settings.model_copy(update={"import_max_bytes": LIMIT})


async def test_ids_no_row_can_have_are_not_found(served: Served) -> None:
    """A task or unit number of twenty digits in a page's or an action's address: 404 page."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        pages = [await browser.get(path) for path in (f"/tasks/{HUGE}", f"/units/{HUGE}")]
        decide = {"csrf": csrf, "decision": "approve"}
        actions = [
            await browser.post(f"/tasks/{HUGE}/nudge", data={"csrf": csrf}),
            await browser.post(f"/tasks/{task_id}/extensions/{HUGE}", data=decide),
            await browser.post(f"/tasks/{HUGE}/extensions/{request_id}", data=decide),
        ]
    for response in pages + actions:
        assert response.status_code == 404, response.url
        assert "Không tìm thấy trang này" in response.text
    with served.bot.session() as s:
        request = s.get(ExtensionRequest, request_id)
        assert request is not None
        assert request.status == "pending"
        assert s.exec(select(Outbox).where(Outbox.kind == "nudge")).all() == []


async def test_an_id_of_thousands_of_digits_is_not_found_not_an_error(served: Served) -> None:
    """A page's, an action's or a file's number of 5,000 digits (past what `int` reads): a
    page that says "not found" or asks to sign in, never the internal error's 500."""
    endless = "9" * 5000
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{served.tasks[0].id}")).text)
        pages = [await browser.get(f"/{kind}/{endless}") for kind in ("tasks", "units")]
        nudge = await browser.post(f"/tasks/{endless}/nudge", data={"csrf": csrf})
    for response in [*pages, nudge]:
        assert response.status_code == 404, response.url
        assert "Không tìm thấy trang này" in response.text
    async with served.client() as anonymous:
        assert (await anonymous.get(f"/tasks/{endless}")).status_code == 401
        evidence = await anonymous.get(f"/files/evidence/{endless}")
        assert evidence.status_code == 403  # a record's number: the link is refused
        assert "/web" in evidence.text
        # A chart's path names what it covers (a task, `d<id>`, `all`), as an export's does:
        # one that names nothing is not found.
        for kind in ("chart", "photo", "export"):
            response = await anonymous.get(f"/files/{kind}/{endless}")
            assert response.status_code == 404, kind
            assert "Không tìm thấy trang này" in response.text


async def test_an_action_whose_body_is_not_utf8_is_a_bad_request(served: Served) -> None:
    """A nudge posted with bytes that are no form: refused as a bad request, not "too large"."""
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        response = await browser.post(f"/tasks/{task_id}/nudge", content=b"csrf=\xff\xfe")
    assert response.status_code == 403
    assert "Yêu cầu không hợp lệ" in response.text
    with served.bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.kind == "nudge")).all() == []


async def test_filters_that_are_no_number_are_ignored(served: Served) -> None:
    """ "?directive=²" ("²" is a digit to str.isdigit, not to int) shows the page unfiltered."""
    async with served.signed_in(COORDINATOR) as browser:
        overview = await browser.get("/", params={"directive": "²", "group": HUGE})
        matrix = await browser.get("/matrix", params={"parent": "²", "group": "①"})
    assert overview.status_code == 200
    assert "Kế hoạch chuyển đổi số" in overview.text
    assert matrix.status_code == 200


async def test_a_filter_naming_nothing_offered_is_ignored(served: Served) -> None:
    """A directive, kind, group or parent unit no filter offers (typed in the address, or
    outside the scope): the page unfiltered, its filters at "all", never "no open task in
    your scope" under filters that read "all"."""
    unknown = [{"directive": "999"}, {"kind": "zzz"}, {"group": "999"}, {"parent": "999"}]
    async with served.signed_in(COORDINATOR) as browser:
        for params in unknown:
            for path in ("/", "/matrix"):
                response = await browser.get(path, params=params)
                assert response.status_code == 200, (path, params)
                assert "Kế hoạch chuyển đổi số" in response.text, (path, params)
                assert "selected" not in response.text, (path, params)


async def test_a_kind_filter_with_a_nul_is_ignored(served: Served) -> None:
    """ "?kind=%00" (which PostgreSQL refuses in a query) shows the pages unfiltered."""
    async with served.signed_in(COORDINATOR) as browser:
        for path in ("/", "/matrix"):
            response = await browser.get(path, params={"kind": "ward\x00"})
            assert response.status_code == 200, path
            assert "Kế hoạch chuyển đổi số" in response.text  # not narrowed to wards


async def test_a_link_whose_expiry_is_no_number_is_refused(served: Served) -> None:
    """A download or upload link with "e=²" is a forged link: 403 with how to get a new one."""
    async with served.client() as anonymous:
        for path in ("/files/export/all", import_files.UPLOAD_PATH):
            response = await anonymous.get(path, params={"p": "1", "e": "²", "s": "x"})
            assert response.status_code == 403
            assert "/web" in response.text


def upload_link(served: Served) -> str:
    """Return an upload link signed for the admin, as /import on Zalo answers it."""
    with served.bot.session() as s:
        admin = s.exec(select(Contact).where(Contact.role == "admin")).one()
    services = served.bot.services
    return links.url(
        served.url,
        services.link_key,
        path=import_files.UPLOAD_PATH,
        person=str(admin.id),
        now=services.clock.now(),
        ttl=timedelta(hours=1),
    )


async def test_an_upload_that_is_not_the_pages_form_is_refused(served: Served) -> None:
    """A post without a form's type, or a plain form, is a bad request (not "too large")."""
    link = upload_link(served)
    bare = await served.http.post(link, content=b"code,name,kind\n")
    plain = await served.http.post(link, data={"action": "apply", "token": "x"})
    for response in (bare, plain):
        assert response.status_code == 400
        assert "Yêu cầu không hợp lệ" in response.text


async def test_an_upload_posted_from_another_sites_page_is_refused(served: Served) -> None:
    """A page elsewhere that learnt the link (a chat server previewed it) cannot post a file
    from the admin's browser: 403, nothing imported."""
    link = upload_link(served)
    files = {"file": ("don-vi.csv", "code,name,kind\nXN9,Xã Ngoài,commune\n".encode(), "text/csv")}
    for headers in (
        {"origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "null"},
    ):
        response = await served.http.post(link, files=files, headers=headers)
        assert response.status_code == 403
    with served.bot.session() as s:
        assert s.exec(select(Unit).where(Unit.code == "XN9")).all() == []


async def test_a_file_over_the_limit_is_refused_with_the_limit_and_what_to_do(
    served: Served,
) -> None:
    """A file past IMPORT_MAX_BYTES, or past it with the form's framing, says the limit and
    to split it; nothing is imported."""
    link = upload_link(served)
    rows = "".join(f"XN{n:04d},Xã Mới {n:04d},commune\n" for n in range(4000))
    content = ("code,name,kind\n" + rows).encode()
    assert len(content) > LIMIT + FORM_SLACK  # past what the page reads at all
    for size in (len(content), LIMIT + 100):
        files = {"file": ("don-vi.csv", content[:size], "text/csv")}
        response = await served.http.post(link, files=files)
        assert "Tệp quá lớn" in response.text
        assert "chia thành nhiều tệp" in response.text
    with served.bot.session() as s:
        assert s.exec(select(Unit).where(Unit.code.startswith("XN"))).all() == []


async def test_a_nul_character_in_a_dashboard_form_is_taken_out(served: Served) -> None:
    """A NUL in a reject reason (PostgreSQL refuses NUL in text, and in jsonb) is taken out
    before anything reads the form: the reason is recorded without it."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf, "decision": "reject", "note": "không đủ\x00 căn cứ"},
        )
    assert response.status_code == 200
    with served.bot.session() as s:
        [audit] = s.exec(select(AuditLog).where(AuditLog.action == "extension.rejected")).all()
    assert audit.details["note"] == "không đủ căn cứ"


async def test_a_page_for_a_links_person_shows_no_one_signed_in(served: Served) -> None:
    """An upload link of someone no longer an admin, opened in a browser signed in as nobody:
    the refusal names no one as signed in and offers no sign-out (it offered one, refused)."""
    with served.bot.session() as s:
        coordinator = person(s, COORDINATOR)
    link = links.sign(
        served.bot.services.link_key,
        path=import_files.UPLOAD_PATH,
        person=str(coordinator.id),
        expires=served.bot.clock.now() + timedelta(minutes=5),
    )
    async with served.client() as anonymous:
        response = await anonymous.get(link)
    assert response.status_code == 403
    assert 'id="logout"' not in response.text
    assert "Điều phối" not in response.text


async def test_a_sign_in_that_fails_keeps_its_code_out_of_the_log(
    served: Served, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign-in link whose use fails (the database gone, say) is logged with a reference and
    without its one-time code, which whoever read the log could have used in its ten minutes."""
    link = await served.login_link(COORDINATOR)
    code = link.rsplit("/", 1)[1]

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(web.auth, "sign_in", fails)
    caplog.set_level(logging.INFO)
    async with served.client() as browser:
        response = await browser.post(link)
    assert response.status_code == 500
    assert "Traceback" not in response.text
    errors = [r.getMessage() for r in caplog.records if r.name == "web.server"]
    assert errors
    assert errors[0].endswith("POST /login/<code> failed")
    ours = [r for r in caplog.records if not r.name.startswith("devtools")]  # the fake API's
    assert all(code not in r.getMessage() and code not in (r.exc_text or "") for r in ours)


async def test_a_method_an_address_does_not_take_is_answered_with_those_it_does(
    served: Served,
) -> None:
    """A GET of a form's address (sign-out, a nudge) or of a webhook is refused 405 with the
    methods it takes in Allow, as HTTP asks, and no page of the form's is run."""
    task_id = served.tasks[0].id
    for path in ("/logout", f"/tasks/{task_id}/nudge", "/webhook/telegram"):
        response = await served.http.get(path)
        assert response.status_code == 405, path
        assert response.headers["allow"] == "POST", path
        assert "Traceback" not in response.text
    response = await served.http.delete("/")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}  # in any order


async def wait_for_record(
    caplog: pytest.LogCaptureFixture, logger: str, limit: float = HANG_GUARD_S
) -> logging.LogRecord:
    """Return the first record of the logger, waiting for the server to write it (the bound
    is a guard against a hang, not a measure)."""
    async with asyncio.timeout(limit):
        while True:
            found = [r for r in caplog.records if r.name == logger]
            if found:
                return found[0]
            await asyncio.sleep(0.02)


@pytest.mark.parametrize("path", ["/login/telegram", "/webhook/telegram"])
async def test_a_client_gone_before_its_body_came_leaves_no_error_in_the_log(
    served: Served, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    """Anyone who opens a sign-in post (or Telegram whose connection drops mid-update), sends
    a part of its body and hangs up is one line of information, never an error with its
    traceback: a script doing it in a loop filled the log with errors an operator chases."""
    caplog.set_level(logging.INFO, logger="web")
    host, port = served.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    secret = telegram_secret(served.bot.settings)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1000\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n"
        f"{TELEGRAM_HEADER}: {secret}\r\n\r\ninitData=".encode()
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    told = await wait_for_record(caplog, "web.server")
    assert told.levelno == logging.INFO
    assert told.exc_info is None
    assert "went away" in told.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert inbox_count(served) == 0
