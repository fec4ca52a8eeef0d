"""The dashboard over HTTP: sign-in by a link from the bot, staff and scope on every page."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import docx
import httpx
import openpyxl
import pytest
from sqlmodel import Session, select

from app import links
from app.dashboard import matrix as dashboard_matrix
from app.unit_merge import merge
from db.models import Assignment, ContactIdentity, Directive, Evidence, UnitGroup, WebLogin
from db.queries.due_times import due_time
from db.queries.reports import record_report
from tests.factories import VN, make_task, make_unit, person
from tests.harness import ADMIN_ID
from tests.web.conftest import COORDINATOR, DEADLINE, OFFICIAL, SCOPED, Served
from web import pages
from web import render as web_render
from web.server import create_app

PAGES = ("/", "/matrix", "/tasks/1", "/units/1")


def export_href(html: str, anchor: str) -> str:
    """Return the href of the export link with this id in a page."""
    start = html.index(f'id="{anchor}"') if f'id="{anchor}"' in html else -1
    assert start >= 0, f"no {anchor} link"
    tag = html[html.rindex("<a", 0, start) : html.index(">", start)]
    href = tag.split('href="', 1)[1].split('"', 1)[0]
    return href.replace("&amp;", "&")


def csrf_of(html: str) -> str:
    """Return the CSRF token of a page's sign-out form."""
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def test_web_link_signs_in_once(served: Served) -> None:
    """/web answers a link whose page's button opens a session once; then it says "used"."""
    link = await served.login_link(COORDINATOR)
    async with served.client() as browser:
        response = await browser.post(link)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        page = await browser.get("/")
        assert page.status_code == 200
        assert "Kế hoạch chuyển đổi số" in page.text
    used = served.bot.services.catalog.plain("vi", "web.link_used", command="/web")
    async with served.client() as other:
        for again in (await other.post(link), await other.get(link)):
            assert again.status_code == 410
            assert used in again.text
        assert (await other.get("/")).status_code == 401


async def test_web_link_expires_after_ten_minutes(served: Served) -> None:
    """A sign-in link not used within ten minutes is gone (410)."""
    link = await served.login_link(COORDINATOR)
    served.bot.clock.advance(timedelta(minutes=10, seconds=1))
    async with served.client() as browser:
        assert (await browser.get(link)).status_code == 410


async def test_an_expired_link_is_refused_in_its_persons_or_the_browsers_language(
    served: Served,
) -> None:
    """An expired link's page speaks the language of the person it was for; a code nobody
    knows, the browser's (Accept-Language), else Vietnamese."""
    with served.bot.session() as s:
        person(s, COORDINATOR).language = "en"
        s.commit()
    link = await served.login_link(COORDINATOR)
    served.bot.clock.advance(timedelta(minutes=10, seconds=1))
    english, vietnamese = "This link is invalid, expired", "Liên kết không hợp lệ, đã hết hạn"
    async with served.client() as browser:
        expired = await browser.get(link, headers={"Accept-Language": "vi"})
        unknown = link[:-4] + "AAAA"
        asked = await browser.get(unknown, headers={"Accept-Language": "fr, en-GB;q=0.8"})
        bare = await browser.get(unknown)
    assert [r.status_code for r in (expired, asked, bare)] == [410, 403, 403]
    assert "This link has expired. Type /web again" in expired.text
    assert english in asked.text
    assert vietnamese in bare.text


async def test_static_files_are_cached_by_version_and_pages_are_not(served: Served) -> None:
    """A page names its styles, script and icon by version, kept a year; the bare name is
    revalidated (304 while unchanged); the page itself is never stored."""
    async with served.signed_in(COORDINATOR) as browser:
        page = await browser.get("/")
        named = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        kept = [await browser.get(url) for url in named]
        bare = await browser.get("/static/dashboard.css")
        again = await browser.get(
            "/static/dashboard.css", headers={"If-None-Match": bare.headers["etag"]}
        )
    assert page.headers["cache-control"] == "no-store"
    assert sorted(u.split("?v=")[0] for u in named) == [
        "/static/dashboard.css",
        "/static/dashboard.js",
        "/static/favicon.svg",
    ]
    assert {r.headers["cache-control"] for r in kept} == {"public, max-age=31536000, immutable"}
    assert all("default-src 'self'" in r.headers["content-security-policy"] for r in kept)
    assert (bare.status_code, bare.headers["cache-control"]) == (200, "no-cache")
    assert (again.status_code, again.headers["cache-control"]) == (304, "no-cache")


async def test_web_command_refused_to_member(served: Served) -> None:
    """An official (member) asking /web gets no link, and nothing is stored."""
    reply = await served.bot.send(OFFICIAL, "/web")
    assert "/login/" not in (reply.text or "")
    with served.bot.session() as s:
        assert s.exec(select(WebLogin)).all() == []


async def test_forged_login_code_is_refused(served: Served) -> None:
    """A made-up or altered sign-in code opens nothing."""
    link = await served.login_link(COORDINATOR)
    async with served.client() as browser:
        assert (await browser.get(link[:-2] + "xx")).status_code == 403
        assert (await browser.get("/login/" + "a" * 300)).status_code == 403


@pytest.mark.parametrize("path", PAGES)
async def test_pages_need_a_session(served: Served, path: str) -> None:
    """Every page answers 401 without a session, and with a made-up cookie."""
    assert (await served.http.get(path)).status_code == 401
    async with httpx.AsyncClient(
        base_url=served.url, cookies={"dondoc_session": "made-up"}
    ) as client:
        assert (await client.get(path)).status_code == 401


async def test_pages_refuse_someone_no_longer_staff(served: Served) -> None:
    """A coordinator made a member after signing in is refused on every page and download."""
    async with served.signed_in(COORDINATOR) as browser:
        export = export_href((await browser.get("/")).text, "export-all")
        with served.bot.session() as s:
            contact = person(s, COORDINATOR)
            contact.role = "member"
            s.add(contact)
            s.commit()
        for path in PAGES:
            assert (await browser.get(path)).status_code == 403
        assert (await browser.get(export)).status_code == 403


async def test_scoped_coordinator_sees_only_their_groups(served: Served) -> None:
    """A coordinator limited to the pilot communes sees nothing of other units, anywhere."""
    tasks = served.tasks
    async with served.signed_in(SCOPED) as browser:
        overview = (await browser.get("/")).text
        assert "Kế hoạch chuyển đổi số" in overview
        assert "Báo cáo an toàn thông tin" not in overview  # only Điện Bàn has it
        matrix = (await browser.get("/matrix")).text
        assert "Xã Tam Xuân" in matrix
        assert "Xã Tam Bình" in matrix
        assert "Điện Bàn" not in matrix
        assert "Sở Y tế" not in matrix
        task = (await browser.get(f"/tasks/{tasks[0].id}")).text
        assert "Sở Y tế" not in task
        assert (await browser.get(f"/tasks/{tasks[1].id}")).status_code == 404
        outside = served.units["SYT"].id
        assert (await browser.get(f"/units/{outside}")).status_code == 404
        inside = served.units["TX"].id
        assert (await browser.get(f"/units/{inside}")).status_code == 200


async def test_scoped_coordinators_filters_name_nothing_outside_their_scope(
    served: Served,
) -> None:
    """The filters of a coordinator limited to the pilot communes offer no other group's
    name and no directive that gave nothing to their units; an admin's offer them all."""
    with served.bot.session() as s:
        mine = Directive(number="4824/UBND-KGVX", number_folded="4824/ubnd-kgvx")
        theirs = Directive(number="99/QĐ-UBND", number_folded="99/qd-ubnd")
        s.add_all([mine, theirs])
        s.commit()
        outside = make_unit(s, "HD", "Xã Hòa Đông", groups=["Nhóm Điện Bàn"])
        make_task(s, "Rà soát hộ nghèo", DEADLINE, [outside], directive_id=theirs.id)
        make_task(s, "Số hóa hồ sơ", DEADLINE, [served.units["TX"]], directive_id=mine.id)
    async with served.signed_in(SCOPED) as scoped:
        for path in ("/", "/matrix"):
            text = (await scoped.get(path)).text
            assert "Thí điểm" in text
            assert "Nhóm Điện Bàn" not in text
        for path in ("/", "/matrix"):
            text = (await scoped.get(path)).text
            assert "4824/UBND-KGVX" in text
            assert "99/QĐ-UBND" not in text
    async with served.signed_in(ADMIN_ID) as admin:
        for path in ("/", "/matrix"):
            text = (await admin.get(path)).text
            assert "Nhóm Điện Bàn" in text
            assert "99/QĐ-UBND" in text


async def test_matrix_filters_by_kind_group_and_overdue(served: Served) -> None:
    """The matrix narrows to a kind, a group, and to overdue units only."""
    async with served.signed_in(COORDINATOR) as browser:
        wards = (await browser.get("/matrix", params={"kind": "ward"})).text
        assert "Phường Điện Bàn" in wards
        assert "Xã Tam Xuân" not in wards
        assert "Sở Y tế" not in wards
        bad = await browser.get("/matrix", params={"kind": "x" * 500, "group": "abc"})
        assert bad.status_code == 200  # malformed filters are ignored, not an error
        assert "Sở Y tế" not in (await browser.get("/matrix?overdue=1")).text
    served.bot.clock.advance(timedelta(days=20))
    async with served.signed_in(COORDINATOR) as browser:
        late = (await browser.get("/matrix?overdue=1")).text
        assert "Sở Y tế" in late
        assert 'data-status="overdue"' in late


async def units_page_by_page(admin: httpx.AsyncClient, path: str) -> list[list[str]]:
    """Return the units of each page of a matrix, following its "next" links."""
    found: list[list[str]] = []
    while path:
        html = (await admin.get(path)).text
        found.append(re.findall(r'<tr data-unit="(\d+)"', html))
        assert ('id="matrix-previous"' in html) == (len(found) > 1)
        path = export_href(html, "matrix-next") if 'id="matrix-next"' in html else ""
    return found


async def test_the_matrix_shows_its_units_a_page_at_a_time(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix shows MATRIX_UNITS units a page, in name order, with a link to the next
    page (filters kept) and back: each unit once. A country's whole grid was 100 MB."""
    async with served.signed_in(ADMIN_ID) as admin:
        whole = (await units_page_by_page(admin, "/matrix"))[0]
        monkeypatch.setattr(dashboard_matrix, "MATRIX_UNITS", 2)
        paged = await units_page_by_page(admin, "/matrix")
    assert len(whole) > 2
    assert [len(units) for units in paged[:-1]] == [2] * (len(paged) - 1)
    assert [u for units in paged for u in units] == whole
    served.bot.clock.advance(timedelta(days=20))
    async with served.signed_in(ADMIN_ID) as admin:
        monkeypatch.setattr(dashboard_matrix, "MATRIX_UNITS", 100)
        late = (await units_page_by_page(admin, "/matrix?overdue=1"))[0]
        monkeypatch.setattr(dashboard_matrix, "MATRIX_UNITS", 1)
        paged = await units_page_by_page(admin, "/matrix?overdue=1")
    assert late
    assert paged == [[u] for u in late]


async def test_pages_are_rendered_off_the_event_loop(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each dashboard page's template is rendered in a worker thread: a country's overview
    took the loop 0.4 s and its matrix 35 s, and every chat's update waited for them."""
    on_loop: list[bool] = []
    rendered = web_render.page

    def recording(*args: object, **values: object) -> object:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return rendered(*args, **values)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "page", recording)
    async with served.signed_in(ADMIN_ID) as admin:
        for path in PAGES:
            assert (await admin.get(path)).status_code == 200
    assert on_loop == [False] * len(PAGES)


async def test_export_link_downloads_the_appendix(served: Served) -> None:
    """The overview's export link downloads an XLSX that openpyxl reads, with its units."""
    async with served.signed_in(COORDINATOR) as browser:
        href = export_href((await browser.get("/")).text, "export-all")
        response = await browser.get(href)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "Xã Tam Xuân" in cells
    assert "Sở Y tế" in cells


async def test_export_link_refused_when_forged_expired_or_someone_elses(served: Served) -> None:
    """A changed or another person's link gets 403; so does it in another session. An
    expired one is gone (410), its page saying to type /export again (a changed one's not)."""
    async with served.signed_in(COORDINATOR) as browser:
        href = export_href((await browser.get(f"/tasks/{served.tasks[0].id}")).text, "export-task")
    path, query = urlsplit(href).path, dict(parse_qsl(urlsplit(href).query))
    forged = {**query, "p": str(int(query["p"]) + 1)}
    other_task = path.rsplit("/", 1)[0] + f"/{served.tasks[1].id}"
    async with served.client() as anonymous:
        assert (await anonymous.get(f"{path}?{urlencode(forged)}")).status_code == 403
        assert (await anonymous.get(f"{other_task}?{urlencode(query)}")).status_code == 403
        assert (await anonymous.get(path)).status_code == 403
        assert (await anonymous.post(f"{path}?{urlencode(forged)}")).status_code == 403
    async with served.signed_in(SCOPED) as someone_else:
        assert (await someone_else.get(href)).status_code == 403
        assert (await someone_else.post(href)).status_code == 403
    served.bot.clock.advance(timedelta(hours=1, seconds=1))
    async with served.client() as anonymous:
        late = await anonymous.get(href)
        assert late.status_code == 410
        # Its own person's link, only late: the page says what gives a new one.
        assert "Liên kết này đã hết hạn" in late.text
        assert "Gõ lại /export" in late.text
        assert (await anonymous.post(href)).status_code == 410
        assert "Gõ lại /export" not in (await anonymous.get(f"{path}?{urlencode(forged)}")).text


async def test_export_link_for_task_outside_scope_is_refused(served: Served) -> None:
    """A correctly signed link to a task outside the person's scope downloads nothing."""
    with served.bot.session() as s:
        scoped = person(s, SCOPED)
    path = f"/files/export/{served.tasks[1].id}"
    signed = links.sign(
        served.bot.services.link_key,
        path=path,
        person=str(scoped.id),
        expires=served.bot.clock.now() + timedelta(minutes=5),
    )
    async with served.client() as anonymous:
        assert (await anonymous.post(signed)).status_code == 403  # scope is checked at use


async def test_logout_needs_the_csrf_token(served: Served) -> None:
    """Signing out without the page's CSRF token is refused and the session stays."""
    async with served.signed_in(COORDINATOR) as browser:
        token = csrf_of((await browser.get("/")).text)
        assert (await browser.post("/logout", data={"csrf": "wrong"})).status_code == 403
        assert (await browser.post("/logout")).status_code == 403
        assert (await browser.get("/")).status_code == 200
        big = await browser.post("/logout", content=b"csrf=" + b"a" * 100_000)
        assert big.status_code == 413
        assert (await browser.post("/logout", data={"csrf": token})).status_code == 200
        assert (await browser.get("/")).status_code == 401


async def test_session_ends_after_twelve_idle_hours(served: Served) -> None:
    """A session unused for twelve hours is over; one in use goes on."""
    async with served.signed_in(COORDINATOR) as browser:
        served.bot.clock.advance(timedelta(hours=11))
        assert (await browser.get("/")).status_code == 200
        served.bot.clock.advance(timedelta(hours=11))
        assert (await browser.get("/")).status_code == 200
        served.bot.clock.advance(timedelta(hours=12))
        assert (await browser.get("/")).status_code == 401


async def test_session_in_daily_use_ends_seven_days_after_sign_in(served: Served) -> None:
    """A session used every few hours still ends a week after its sign-in: a cookie taken
    from a browser does not open the dashboard for ever. A new link signs in again."""
    async with served.signed_in(COORDINATOR) as browser:
        for _ in range(15):  # every 11 hours: never idle for 12
            served.bot.clock.advance(timedelta(hours=11))
            assert (await browser.get("/")).status_code == 200
        served.bot.clock.advance(timedelta(hours=3))  # 168 hours since sign-in
        assert (await browser.get("/")).status_code == 401
    async with served.signed_in(COORDINATOR) as browser:
        assert (await browser.get("/")).status_code == 200


async def test_a_units_contacts_name_their_channel_as_people_know_it(served: Served) -> None:
    """A unit's page names a contact's channel "Telegram", never the internal "telegram"."""
    async with served.signed_in(COORDINATOR) as browser:
        html = (await browser.get(f"/units/{served.units['TX'].id}")).text
    contacts = html.split('id="contacts"', 1)[1].split("</ul>", 1)[0]
    assert "Lan" in contacts
    assert "· Telegram" in contacts
    assert "telegram" not in contacts


async def test_a_units_contact_whose_messages_cannot_be_read_is_flagged(served: Served) -> None:
    """A contact whose messages come unreadable (Zalo's unsupported message: an account Zalo
    protects) is shown so on the unit's page, not as merely reachable."""
    with served.bot.session() as s:
        identity = s.exec(
            select(ContactIdentity).where(ContactIdentity.external_id == str(OFFICIAL))
        ).one()
        identity.unreadable_since = served.bot.clock.now()
        s.add(identity)
        s.commit()
    async with served.signed_in(COORDINATOR) as browser:
        html = (await browser.get(f"/units/{served.units['TX'].id}")).text
    contacts = html.split('id="contacts"', 1)[1].split("</ul>", 1)[0]
    assert "bot không đọc được tin nhắn" in contacts


async def test_cookies_behind_https_are_secure_httponly_and_lax(served: Served) -> None:
    """Behind https (PUBLIC_BASE_URL), the session cookie and the language one are sent
    only over https, never read by scripts, and not sent by other sites' POSTs; the browser
    is told to come back over https only (HSTS)."""
    deps = replace(served.server.config.loaded_app.app.state.deps, secure_cookies=True)
    site = "https://dondoc.example"
    transport = httpx.ASGITransport(app=create_app(deps))
    link = urlsplit(await served.login_link(COORDINATOR)).path
    async with httpx.AsyncClient(transport=transport, base_url=site) as browser:
        signed = await browser.post(link, headers={"origin": site})
        assert signed.status_code == 303
        english = await browser.get("/?lang=en")
    cookies = signed.headers.get_list("set-cookie") + english.headers.get_list("set-cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["__Host-dondoc_session", "dondoc_lang"]
    for cookie in cookies:
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, cookie
    assert english.headers["strict-transport-security"] == "max-age=31536000"


async def test_behind_https_a_session_cookie_another_host_could_set_opens_nothing(
    served: Served,
) -> None:
    """Behind https, a session's token under the plain cookie name, which a site on a sibling
    subdomain may set for the whole domain, opens no session (it put a visitor in the
    session of the site's choosing); under its __Host- name, set by this host only, it does;
    the sign-out unsets that cookie over https."""
    deps = replace(served.server.config.loaded_app.app.state.deps, secure_cookies=True)
    site = "https://dondoc.example"
    transport = httpx.ASGITransport(app=create_app(deps))
    link = urlsplit(await served.login_link(COORDINATOR)).path
    async with httpx.AsyncClient(transport=transport, base_url=site) as browser:
        signed = await browser.post(link, headers={"origin": site})
        token = signed.cookies["__Host-dondoc_session"]
        page = await browser.get("/")
        assert page.status_code == 200
        signed_out = await browser.post(
            "/logout", data={"csrf": csrf_of(page.text)}, headers={"origin": site}
        )
    unset = signed_out.headers["set-cookie"].lower()
    assert unset.startswith("__host-dondoc_session=")
    assert "secure" in unset
    link = urlsplit(await served.login_link(COORDINATOR)).path
    async with httpx.AsyncClient(transport=transport, base_url=site) as browser:
        token = (await browser.post(link, headers={"origin": site})).cookies[
            "__Host-dondoc_session"
        ]
    async with httpx.AsyncClient(
        transport=transport, base_url=site, cookies={"dondoc_session": token}
    ) as tossed:
        assert (await tossed.get("/")).status_code == 401
    async with httpx.AsyncClient(
        transport=transport, base_url=site, cookies={"__Host-dondoc_session": token}
    ) as own:
        assert (await own.get("/")).status_code == 200


async def test_pages_speak_english_when_asked(served: Served) -> None:
    """Vietnamese by default; ?lang=en switches the page to English and remembers it."""
    async with served.signed_in(COORDINATOR) as browser:
        assert "Tổng quan" in (await browser.get("/")).text
        assert "Overview" in (await browser.get("/?lang=en")).text
        assert "Overview" in (await browser.get("/matrix")).text


async def test_switching_language_keeps_the_pages_filters(served: Served) -> None:
    """The language link of a filtered matrix shows the same filtered matrix in the other
    language: only wards, in English."""
    async with served.signed_in(COORDINATOR) as browser:
        page = await browser.get("/matrix", params={"kind": "ward", "overdue": "1"})
        switch = export_href(page.text, "lang")
        assert parse_qsl(urlsplit(switch).query) == [
            ("kind", "ward"),
            ("overdue", "1"),
            ("lang", "en"),
        ]
        english = await browser.get("/matrix" + switch)
    assert "Units × tasks" in english.text
    assert '<option value="ward" selected>' in english.text


async def test_pages_carry_security_headers_and_no_traceback(served: Served) -> None:
    """Answers forbid framing and referrers; an unknown path is a page saying so, no more."""
    response = await served.http.get("/nope")
    assert response.status_code == 404
    assert "Không tìm thấy trang này." in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain http: said for nothing


def keep_evidence(
    served: Served,
    unit: str,
    name: str,
    content: bytes,
    stored: str,
    *,
    size: int | None = None,
    sender: str | None = None,
    at: datetime | None = None,
) -> int:
    """Store an evidence file of the unit's first-task assignment (sent by the person whose
    chat id is `sender`, at `at`, of `size` bytes if given); return its id."""
    root = served.bot.settings.evidence_path
    target = root / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    with served.bot.session() as s:
        assignment = s.exec(
            select(Assignment).where(
                Assignment.task_id == served.tasks[0].id,
                Assignment.unit_id == served.units[unit].id,
            )
        ).one()
        contact_id = None
        if sender is not None:
            contact_id = s.exec(
                select(ContactIdentity.contact_id).where(ContactIdentity.external_id == sender)
            ).one()
        evidence = Evidence(
            assignment_id=assignment.id or 0,
            contact_id=contact_id,
            file_name=name,
            mime_type="application/pdf",
            size=len(content) if size is None else size,
            sha256="0" * 64,
            storage_path=stored,
        )
        if at is not None:
            evidence.created_at = at
        s.add(evidence)
        s.commit()
        assert evidence.id is not None
        return evidence.id


async def test_evidence_downloads_by_signed_link_within_scope(served: Served) -> None:
    """The task page links each evidence file; the link downloads it, for its person only."""
    keep_evidence(served, "TX", "biên bản.pdf", b"%PDF-tx", "tx/1.pdf")
    keep_evidence(served, "SYT", "syt.pdf", b"%PDF-syt", "syt/1.pdf")
    task_id = served.tasks[0].id
    async with served.signed_in(SCOPED) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        assert "syt.pdf" not in page
        href = export_href(page.replace('class="evidence"', 'id="evidence"', 1), "evidence")
        response = await browser.get(href)
    assert response.status_code == 200
    assert response.content == b"%PDF-tx"
    assert (
        "filename*=utf-8''bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["content-disposition"]
    )
    async with served.signed_in(COORDINATOR) as other:
        assert (await other.get(href)).status_code == 403  # someone else's link


async def test_evidence_outside_scope_or_outside_storage_is_refused(served: Served) -> None:
    """A signed link to a file of a unit outside scope is 403; a path out of storage is 404."""
    outside = keep_evidence(served, "SYT", "syt.pdf", b"%PDF", "syt/1.pdf")
    escaping = keep_evidence(served, "TX", "x.pdf", b"x", "../escape.pdf")
    with served.bot.session() as s:
        scoped = person(s, SCOPED)
    expires = served.bot.clock.now() + timedelta(minutes=5)
    key = served.bot.services.link_key
    async with served.client() as anonymous:
        for evidence_id, status in ((outside, 403), (escaping, 404)):
            path = f"/files/evidence/{evidence_id}"
            link = links.sign(key, path=path, person=str(scoped.id), expires=expires)
            assert (await anonymous.post(link)).status_code == status


async def test_an_evidence_name_with_a_direction_trick_is_listed_and_sent_plain(
    served: Served,
) -> None:
    """A file kept under a name with a right-to-left override and control characters (kept
    before such names were cleaned) is listed on the task page and sent under its plain
    name, as its download page shows it: the page showed "fdp.exe" as "exe.pdf", and the
    browser saved it under the override."""
    keep_evidence(served, "TX", "bi\x1ben bản\u202efdp.exe", b"MZ", "tx/1.bin")
    async with served.signed_in(SCOPED) as browser:
        page = (await browser.get(f"/tasks/{served.tasks[0].id}")).text
        href = export_href(page.replace('class="evidence"', 'id="evidence"', 1), "evidence")
        shown = page[page.index(href.replace("&", "&amp;")) :].split(">", 1)[1].split("<")[0]
        response = await browser.get(href)
    assert shown == "bien bảnfdp.exe"
    assert response.status_code == 200
    sent = response.headers["content-disposition"]
    assert sent.endswith("filename*=utf-8''bien%20b%E1%BA%A3nfdp.exe"), sent


async def test_evidence_is_sent_as_bytes_when_its_type_is_a_page_or_malformed(
    served: Served,
) -> None:
    """A file its sender's app called HTML (or a type no header can hold) downloads as bytes,
    never as a page of ours nor a failed answer; a PDF stays a PDF."""
    kinds = {"text/html": b"<script>1</script>", "ảnh/jpeg": b"x", "application/pdf": b"%PDF"}
    ids = {}
    for n, (kind, content) in enumerate(kinds.items()):
        ids[kind] = keep_evidence(served, "TX", f"f{n}.html", content, f"tx/{n}.bin")
    with served.bot.session() as s:
        for kind, evidence_id in ids.items():
            evidence = s.get(Evidence, evidence_id)
            assert evidence is not None
            evidence.mime_type = kind
            s.add(evidence)
        s.commit()
    async with served.signed_in(SCOPED) as browser:
        page = (await browser.get(f"/tasks/{served.tasks[0].id}")).text
        for kind, evidence_id in ids.items():
            start = page.index(f"/files/evidence/{evidence_id}?")
            href = page[start : page.index('"', start)].replace("&amp;", "&")
            response = await browser.get(href)
            assert response.status_code == 200
            assert response.content == kinds[kind]
            expected = kind if kind == "application/pdf" else "application/octet-stream"
            assert response.headers["content-type"] == expected
            assert response.headers["content-disposition"].startswith("attachment;")


async def test_chart_link_downloads_a_png_within_scope(served: Served) -> None:
    """The task page's chart link downloads a PNG; a task outside scope gets none."""
    task_id = served.tasks[0].id
    async with served.signed_in(SCOPED) as browser:
        href = export_href((await browser.get(f"/tasks/{task_id}")).text, "chart-task")
        response = await browser.get(href)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    with served.bot.session() as s:
        scoped = person(s, SCOPED)
    path = f"/files/chart/{served.tasks[1].id}"
    expires = served.bot.clock.now() + timedelta(minutes=5)
    link = links.sign(
        served.bot.services.link_key, path=path, person=str(scoped.id), expires=expires
    )
    async with served.client() as anonymous:
        assert (await anonymous.post(link)).status_code == 403


async def test_report_links_download_the_formal_report_within_scope(served: Served) -> None:
    """The overview's and the task page's report links download Word files in scope."""
    async with served.signed_in(SCOPED) as browser:
        overview = (await browser.get("/")).text
        everything = await browser.get(export_href(overview, "report-all"))
        task_page = (await browser.get(f"/tasks/{served.tasks[0].id}")).text
        one = await browser.get(export_href(task_page, "report-task"))
    for response in (everything, one):
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment;")
        document = docx.Document(io.BytesIO(response.content))
        cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
        text = "\n".join([*(p.text for p in document.paragraphs), *cells])
        assert "BÁO CÁO" in text
        assert "Xã Tam Xuân" in text
        assert "Sở Y tế" not in text  # outside the scoped coordinator's groups


@pytest.mark.parametrize(("which", "busy"), [("export", "export.busy"), ("report", "report.busy")])
async def test_a_file_link_opened_while_the_persons_file_is_built_asks_to_wait(
    served: Served, which: str, busy: str
) -> None:
    """While a person's workbook or report is being built (from any channel), their link
    answers 429 with the catalog's "please wait" and stays usable: it works once after."""
    with served.bot.session() as s:
        coordinator = person(s, COORDINATOR)
    assert coordinator.id is not None
    signed = links.sign(
        served.bot.services.link_key,
        path=f"/files/{which}/all",
        person=str(coordinator.id),
        expires=served.bot.clock.now() + timedelta(minutes=5),
    )
    wait = served.bot.services.catalog.get("vi", busy)
    async with served.client() as anonymous:
        async with served.bot.services.turns.turn(which, coordinator.id):
            refused = await anonymous.post(signed)
        built = await anonymous.post(signed)
        again = await anonymous.post(signed)

    assert refused.status_code == 429
    assert wait.split(";")[0] in refused.text
    assert built.status_code == 200
    assert built.content.startswith(b"PK")
    assert again.status_code == 410


async def test_the_sign_in_page_says_what_it_does_in_the_language_chosen(served: Served) -> None:
    """The page in front of a /web link, switched to English, says all of it in English:
    the sentence naming what the link does too, not only the page around it."""
    link = await served.login_link(COORDINATOR)
    async with served.client() as browser:
        shown = await browser.get(link, params={"lang": "en"})
    assert shown.status_code == 200
    assert "Sign in to the dashboard as" in shown.text
    assert "Đăng nhập trang tổng hợp" not in shown.text


async def test_english_page_workbook_and_report_say_one_day_overdue_right(
    served: Served,
) -> None:
    """A day past the deadline, the English task page and workbook say "1 day overdue", not
    "1 days overdue"; the report, a Vietnamese document whoever downloads it, "quá hạn 1
    ngày"."""
    served.bot.clock.advance(timedelta(days=13))  # 01/12, the day after the deadline
    task = f"/tasks/{served.tasks[0].id}"
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(task, params={"lang": "en"})).text
        book = await browser.get(export_href(page, "export-task"))
        report = await browser.get(export_href(page, "report-task"))
    assert "(1 day overdue)" in page
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["Units x Tasks"]
    assert {c.value for row in sheet.iter_rows(min_row=4) for c in row[1:]} == {
        "Overdue 1 day (Never reported)"
    }
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.content)).paragraphs)
    assert "Xã Tam Xuân: quá hạn 1 ngày, chưa báo cáo." in text
    assert "days" not in page + text
    assert "in Vietnamese" in page  # the page's link says which language the report is in


async def test_a_scoped_coordinators_report_and_workbook_say_whose_figures_they_give(
    served: Served,
) -> None:
    """The formal report and the workbook of a coordinator limited to the pilot communes say
    their figures cover that group's units (they read as the whole province's); an admin's
    say nothing of the kind."""
    texts = {}
    for who in (SCOPED, ADMIN_ID):
        async with served.signed_in(who) as browser:
            overview = (await browser.get("/")).text
            report = await browser.get(export_href(overview, "report-all"))
            book = await browser.get(export_href(overview, "export-all"))
        paragraphs = docx.Document(io.BytesIO(report.content)).paragraphs
        sheets = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets
        texts[who] = "\n".join(
            [*(p.text for p in paragraphs), *(str(sheet["A2"].value) for sheet in sheets)]
        )
    assert "Số liệu trong báo cáo này gồm các đơn vị thuộc nhóm: Thí điểm." in texts[SCOPED]
    stated = "Số liệu tính đến 09:00 ngày 18/11/2026. Số liệu gồm các đơn vị thuộc nhóm: Thí điểm."
    assert texts[SCOPED].count(stated) == 3  # under each sheet's title
    assert "thuộc nhóm" not in texts[ADMIN_ID]


async def test_a_task_page_says_which_units_were_given_an_extension(served: Served) -> None:
    """Xã Tam Xuân extended to Saturday 12/12 (met on Monday 14/12) and Sở Y tế to 10/12:
    the task page says so under each status, as /summary and the workbook do (it listed them
    "within deadline" past the task's deadline of 30/11 with no word of why)."""
    with served.bot.session() as s:
        for code, to in (("TX", date(2026, 12, 12)), ("SYT", date(2026, 12, 10))):
            a = s.exec(
                select(Assignment).where(
                    Assignment.task_id == served.tasks[0].id,
                    Assignment.unit_id == served.units[code].id,
                )
            ).one()
            a.deadline, a.due_at = to, due_time(s, to, VN)
            s.add(a)
        s.commit()
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{served.tasks[0].id}")).text
    row = r'<tr data-unit="(?P<unit>\d+)"(?P<row>.*?)</tr>'
    rows = {m["unit"]: m["row"] for m in re.finditer(row, page, re.S)}
    extended = "Gia hạn đến 14/12/2026 (hạn ghi 12/12/2026 là ngày nghỉ); hạn ban đầu 30/11/2026"
    assert extended in rows[str(served.units["TX"].id)]
    assert "Gia hạn đến 10/12/2026; hạn ban đầu 30/11/2026" in rows[str(served.units["SYT"].id)]
    assert "Gia hạn" not in rows[str(served.units["TB"].id)]


async def test_a_deactivated_units_page_says_it_is_no_longer_followed(served: Served) -> None:
    """The page of a commune merged away (from a closed task's row, an old link) said
    nothing of it: no task, its contacts reachable, as if merely idle."""
    said = await served.bot.send(ADMIN_ID, "/deactivate TX")
    assert "Đã ngừng theo dõi" in (said.text or "")
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/units/{served.units['TX'].id}")).text
        kept = (await browser.get(f"/units/{served.units['TB'].id}")).text
    assert "Xã Tam Xuân đã ngừng theo dõi (sáp nhập, giải thể)" in page
    assert "đã ngừng theo dõi" not in kept


async def history_said(served: Served) -> list[str]:
    """Return what each report said, as unit DB's page lists its history to the coordinator."""
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/units/{served.units['DB'].id}")).text
    history = page[page.index('<table id="history">') :]
    return [
        re.sub(r"\s+", " ", c).strip()
        for c in re.findall(r"<tr><td>.*?</td><td>.*?</td><td>(.*?)</td></tr>", history, re.S)
    ]


def db_assignments(s: Session, served: Served) -> tuple[Assignment, Assignment]:
    """Return unit DB's assignments to the two tasks served, in the tasks' order."""
    first, second = (
        s.exec(
            select(Assignment).where(
                Assignment.task_id == task.id, Assignment.unit_id == served.units["DB"].id
            )
        ).one()
        for task in served.tasks
    )
    return first, second


async def test_a_units_history_lists_the_newest_report_first_by_when_it_was_said(
    served: Served,
) -> None:
    """A report that waited (a Zalo message queued while the bot was down) counts from when
    it was sent: stored after a newer one, it was listed first, above the newer report, in
    a history said to be "newest first" (the workbook's history is by time)."""
    with served.bot.session() as s:
        first, second = db_assignments(s, served)
        now = served.bot.clock.now()
        record_report(s, assignment_id=first.id or 0, state="done", now=now)
        waited = now - timedelta(hours=2)
        record_report(s, assignment_id=second.id or 0, state="in_progress", now=waited)
        s.commit()
    said = await history_said(served)
    assert said == ["Hoàn thành", "Đang thực hiện"]


async def test_a_units_history_shows_an_admins_correction_beside_the_report_it_mends(
    served: Served,
) -> None:
    """A "done" tapped by mistake and set back by an admin's `/setstatus`: the unit page's
    history lists both, the admin's said as theirs with its reason."""
    with served.bot.session() as s:
        first, _ = db_assignments(s, served)
        record_report(s, assignment_id=first.id or 0, state="done", now=served.bot.clock.now())
        s.commit()
    task_id = served.tasks[0].id
    said = await served.bot.send(ADMIN_ID, f"/setstatus #{task_id} DB | đang thực hiện | bấm nhầm")
    assert "→ Đang thực hiện" in (said.text or "")
    [corrected, mistaken] = await history_said(served)
    assert re.fullmatch(r"Đang thực hiện \(sửa bởi quản trị viên .+\): bấm nhầm", corrected)
    assert mistaken == "Hoàn thành"
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
    row = re.search(rf'<tr data-unit="{served.units["DB"].id}"(.*?)</tr>', page, re.S)
    assert row is not None
    assert "<small>Quản trị viên sửa: bấm nhầm</small>" in row[1]


async def test_a_units_history_says_what_each_report_said(served: Served) -> None:
    """Reports made by button carry no words of their own: the unit page's history says the
    status each reported (and its percentage), as the workbook's history does (its "Nội
    dung báo cáo" was blank for them), and a blocker's reason once."""
    with served.bot.session() as s:
        first, second = db_assignments(s, served)
        now = served.bot.clock.now()
        record_report(s, assignment_id=first.id or 0, state="in_progress", percent=60, now=now)
        record_report(s, assignment_id=first.id or 0, state="done", now=now)
        record_report(
            s,
            assignment_id=second.id or 0,
            state="blocked",
            text="Thiếu kinh phí",
            reason="Thiếu kinh phí",
            now=now,
        )
        s.commit()
    said = await history_said(served)
    assert said == ["Vướng mắc: Thiếu kinh phí", "Hoàn thành", "Đang thực hiện (60%)"]


def file_texts(report: httpx.Response, book: httpx.Response) -> tuple[str, str]:
    """Return the text of a Word report (paragraphs and tables) and of a workbook's cells."""
    document = docx.Document(io.BytesIO(report.content))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets
    values = [str(c.value) for s in sheets for row in s.iter_rows() for c in row if c.value]
    return "\n".join([*(p.text for p in document.paragraphs), *cells]), "\n".join(values)


async def test_the_overviews_downloads_cover_the_units_its_filters_keep_and_say_so(
    served: Served,
) -> None:
    """The overview filtered to the pilot group, or to wards named "điện", shows their units'
    figures: its workbook and report hold those units alone and name the filters that kept
    them. Before, both held every unit in scope whatever the page showed."""
    with served.bot.session() as s:
        pilot = s.exec(select(UnitGroup).where(UnitGroup.name == "Thí điểm")).one()
    pages_asked = {
        "group": ({"group": str(pilot.id)}, "nhóm Thí điểm", {"Xã Tam Xuân", "Xã Tam Bình"}),
        "ward": (
            {"kind": "ward", "q": "điện"},
            "loại đơn vị Phường; tên hoặc mã có “điện”",
            {"Phường Điện Bàn"},
        ),
    }
    every = {"Xã Tam Xuân", "Xã Tam Bình", "Phường Điện Bàn", "Sở Y tế"}
    async with served.signed_in(COORDINATOR) as browser:
        for params, named, kept in pages_asked.values():
            overview = (await browser.get("/", params=params)).text
            report = await browser.get(export_href(overview, "report-all"))
            book = await browser.get(export_href(overview, "export-all"))
            assert (report.status_code, book.status_code) == (200, 200)
            document, cells = file_texts(report, book)
            assert {u for u in every if u in document} == kept
            assert {u for u in every if u in cells} == kept
            assert f"chỉ gồm các đơn vị theo bộ lọc: {named}." in document
            assert cells.count(f"Chỉ gồm các đơn vị theo bộ lọc của trang: {named}.") == 3
        unfiltered = (await browser.get("/")).text
        report = await browser.get(export_href(unfiltered, "report-all"))
        book = await browser.get(export_href(unfiltered, "export-all"))
    document, cells = file_texts(report, book)
    assert {u for u in every if u in document} == every
    assert "bộ lọc" not in document + cells


async def test_the_matrixs_downloads_cover_the_units_it_shows_overdue_only_too(
    served: Served,
) -> None:
    """The matrix offers the workbook and the report of what it shows: filtered to the pilot
    group and overdue only on 08/12 (Xã Tam Xuân done, Xã Tam Bình overdue), Xã Tam Bình
    alone, the file saying both filters; filtered to wards, Phường Điện Bàn's two tasks.
    Before, the matrix offered no download, and the overview's ignored its filters."""
    served.bot.clock.advance(timedelta(days=20))
    with served.bot.session() as s:
        pilot = s.exec(select(UnitGroup).where(UnitGroup.name == "Thí điểm")).one()
        done = s.exec(
            select(Assignment).where(
                Assignment.task_id == served.tasks[0].id,
                Assignment.unit_id == served.units["TX"].id,
            )
        ).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=served.bot.clock.now())
        s.commit()
    every = {"Xã Tam Xuân", "Xã Tam Bình", "Phường Điện Bàn", "Sở Y tế"}
    asked = (
        (
            {"group": str(pilot.id), "overdue": "1"},
            "nhóm Thí điểm; chỉ các đơn vị có nhiệm vụ quá hạn",
            {"Xã Tam Bình"},
        ),
        ({"kind": "ward"}, "loại đơn vị Phường", {"Phường Điện Bàn"}),
    )
    async with served.signed_in(COORDINATOR) as browser:
        for params, named, kept in asked:
            matrix = await browser.get("/matrix", params=params)
            assert {u for u in every if f">{u}</a>" in matrix.text} == kept
            report = await browser.get(export_href(matrix.text, "report-all"))
            book = await browser.get(export_href(matrix.text, "export-all"))
            document, cells = file_texts(report, book)
            assert {u for u in every if u in document} == kept
            assert {u for u in every if u in cells} == kept
            assert f"chỉ gồm các đơn vị theo bộ lọc: {named}." in document
        assert "Báo cáo an toàn thông tin" in cells  # the ward's second task too


async def test_a_merged_units_page_says_where_it_comes_from_and_what_was_reported_before(
    served: Served,
) -> None:
    """Xã Tam Xuân (40% reported) and Xã Tam Bình merged into Xã Tam Hòa: its page showed
    no report until it reported again; it now says whom it was merged from and when, and
    lists Tam Xuân's report on the task it carries on as Tam Xuân's; Tam Xuân's page says
    where it went; the task's page shows Tam Hòa's row with Tam Xuân's report and file."""
    now = served.bot.clock.now()
    with served.bot.session() as s:
        new_id = make_unit(s, "THO", "Xã Tam Hòa").id or 0
        row = s.exec(
            select(Assignment).where(
                Assignment.task_id == served.tasks[0].id,
                Assignment.unit_id == served.units["TX"].id,
            )
        ).one()
        record_report(s, assignment_id=row.id or 0, state="in_progress", percent=40, now=now,
                      text="Đã trình dự thảo")  # fmt: skip
        s.add(Evidence(assignment_id=row.id or 0, file_name="du-thao.pdf", size=10,
                       sha256="ab", storage_path="1/ab.pdf"))  # fmt: skip
        s.commit()
    old_ids = (served.units["TX"].id or 0, served.units["TB"].id or 0)
    assert merge(served.bot.services, "vi", old_ids=old_ids, new_id=new_id, actor_id=None).possible
    day = now.astimezone(VN).strftime("%d/%m/%Y")
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/units/{new_id}")).text
        old = (await browser.get(f"/units/{old_ids[0]}")).text
        task = (await browser.get(f"/tasks/{served.tasks[0].id}")).text
    assert f"Gộp từ Xã Tam Bình (TB), Xã Tam Xuân (TX) ngày {day}" in page
    history = page[page.index('<table id="history">') :]
    assert "Đang thực hiện (40%) (Xã Tam Xuân báo cáo, trước khi gộp)" in history
    assert f"Đã gộp vào Xã Tam Hòa (THO) ngày {day}." in old
    new_row = re.search(rf'<tr data-unit="{new_id}"(.*?)</tr>', task, re.S)
    assert new_row is not None
    assert "Đã trình dự thảo" in new_row[1]
    assert "du-thao.pdf" in new_row[1]
