"""An import upload link takes one file: spent once a file is accepted, not by a refused one.

A file accepted (applied at once, or read into a preview) spends the link: sending another
through it, or opening it again, says so and to ask for a new link in chat, in the admin's
language; the preview's Apply still works, and until it is applied (or cancelled) the page
shows that preview again on a reload, not "used". A file refused (not a table, too large, of no
known header) leaves the link usable, so the admin sends the right one. Of two files posted
at once, one is taken. On SQLite and PostgreSQL (the `served` fixture).
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser
from sqlmodel import select

from app.i18n import Lang
from bot.settings import Settings
from db.models import Contact, Outbox, Task, Unit
from tests.factories import make_contact, make_unit
from tests.web.conftest import Served
from tests.web.test_browser import browser, shot  # noqa: F401 (a fixture)
from tests.web.test_hostile import upload_link

LIMIT = 4096  # the import size limit in these tests
HEADER = "code,name,kind\n"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The web tests' settings with a small import limit, so an oversized file is small."""
    return settings.model_copy(update={"import_max_bytes": LIMIT})


def units_csv(first: int, count: int) -> dict[str, tuple[str, bytes, str]]:
    """Return the form's file: `count` new communes numbered from `first`."""
    rows = "".join(f"XN{n:03d},Xã Mới {n:03d},commune\n" for n in range(first, first + count))
    return {"file": ("don-vi.csv", (HEADER + rows).encode(), "text/csv")}


def new_units(served: Served) -> list[str]:
    """Return the codes of the units the files added."""
    with served.bot.session() as s:
        return sorted(s.exec(select(Unit.code).where(Unit.code.startswith("XN"))).all())


def used_text(served: Served, lang: Lang = "vi") -> str:
    """Return what a spent upload link says, in a language."""
    return served.bot.services.catalog.plain(lang, "web.upload_used", command="/import")


async def test_a_file_applied_spends_the_link(served: Served) -> None:
    """Three units applied at once; the page offers no second file; a second file and a later
    visit are told the link was used and to ask for a new one with /import (410)."""
    link = upload_link(served)
    first = await served.http.post(link, files=units_csv(0, 3))
    assert first.status_code == 200
    assert 'id="upload"' not in first.text  # no form to send a second file through
    assert "gửi lại /import" in first.text
    second = await served.http.post(link, files=units_csv(10, 3))
    later = await served.http.get(link)
    for refused in (second, later):
        assert refused.status_code == 410
        assert used_text(served) in refused.text
    assert new_units(served) == ["XN000", "XN001", "XN002"]


async def test_a_preview_spends_the_link_and_its_apply_still_works(served: Served) -> None:
    """25 rows are previewed (nothing written yet): the link is spent, Apply applies them."""
    link = upload_link(served)
    preview = await served.http.post(link, files=units_csv(0, 25), follow_redirects=True)
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text)
    assert token is not None
    again = await served.http.post(link, files=units_csv(100, 3))
    assert again.status_code == 410
    fields = {"token": token.group(1), "action": "apply"}
    applied = await served.http.post(link, data=fields, files={"action": (None, "apply")})
    assert applied.status_code == 200
    assert len(new_units(served)) == 25


async def test_a_refused_file_leaves_the_link_usable(served: Served) -> None:
    """A file that is no table, one too large and one of an unknown header are explained and
    spend nothing: the right file, sent next through the same link, is applied."""
    link = upload_link(served)
    oversized = "".join(f"XN{n:04d},Xã Mới {n:04d},commune\n" for n in range(400))
    refused = [
        {"file": ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")},
        {"file": ("don-vi.csv", (HEADER + oversized).encode(), "text/csv")},
        {"file": ("x.csv", b"a,b,c\n1,2,3\n", "text/csv")},
    ]
    for files in refused:
        response = await served.http.post(link, files=files)
        assert used_text(served) not in response.text
        assert 'id="upload"' in response.text  # the form, to send another
    assert new_units(served) == []
    assert (await served.http.post(link, files=units_csv(0, 2))).status_code == 200
    assert new_units(served) == ["XN000", "XN001"]


async def test_of_two_files_posted_at_once_one_is_taken(served: Served) -> None:
    """Two posts of one link at the same moment: one file is applied, the other refused."""
    link = upload_link(served)
    clients = [served.client() for _ in range(2)]
    try:
        answers = await asyncio.gather(
            *(c.post(link, files=units_csv(10 * n, 3)) for n, c in enumerate(clients))
        )
    finally:
        for c in clients:
            await c.aclose()
    assert sorted(a.status_code for a in answers) == [200, 410]
    assert len(new_units(served)) == 3


async def test_a_spent_link_is_explained_in_the_admins_language(served: Served) -> None:
    """An admin who reads the bot in English is told in English that the link was used."""
    with served.bot.session() as s:
        admin = s.exec(select(Contact).where(Contact.role == "admin")).one()
        admin.language = "en"
        s.add(admin)
        s.commit()
    link = upload_link(served)
    assert (await served.http.post(link, files=units_csv(0, 1))).status_code == 200
    again = await served.http.get(link)
    assert again.status_code == 410
    assert used_text(served, "en") in again.text
    assert 'lang="en"' in again.text


def token_and_said(page: str) -> tuple[str, str]:
    """Return a preview page's token and what it says."""
    token = re.search(r'name="token" value="([0-9a-f]+)"', page)
    said = re.search(r'id="said">([^<]*)<', page)
    assert token is not None, page
    assert said is not None, page
    return token.group(1), said.group(1)


async def test_a_reload_after_the_preview_shows_the_preview_again(served: Served) -> None:
    """The preview's post sends the browser to the link's page (303), which shows it: a
    reload (or coming back) shows the same preview with Apply, not "used"; a second file is
    still refused (410). Once applied, the page, a second Apply and a reload of the first
    say the link was used (410); the file was applied once."""
    link = upload_link(served)
    posted = await served.http.post(link, files=units_csv(0, 25))
    assert posted.status_code == 303
    assert served.url + posted.headers["location"] == link
    first = await served.http.get(link)
    reload = await served.http.get(link)
    for shown in (first, reload):
        assert shown.status_code == 200
        assert used_text(served) not in shown.text
        assert 'id="apply"' in shown.text
        assert 'id="upload"' not in shown.text  # no form for a second file
    token, said = token_and_said(first.text)
    assert token_and_said(reload.text) == (token, said)
    assert "25" in said
    second = await served.http.post(link, files=units_csv(100, 3))
    assert second.status_code == 410
    assert new_units(served) == []
    fields = {"token": token, "action": "apply"}
    applied = await served.http.post(link, data=fields, files={"action": (None, "apply")})
    assert applied.status_code == 200
    again = await served.http.post(link, data=fields, files={"action": (None, "apply")})
    later = await served.http.get(link)
    for refused in (again, later):
        assert refused.status_code == 410
        assert used_text(served) in refused.text
    assert len(new_units(served)) == 25


async def test_a_preview_is_shown_again_by_its_own_link_only(served: Served) -> None:
    """A cancelled preview is not shown again (410). The admin's preview through a second
    link replaces the first link's: the first link's page says it was used, the second shows
    its own preview."""
    link = upload_link(served)
    await served.http.post(link, files=units_csv(0, 25))
    token, _ = token_and_said((await served.http.get(link)).text)
    fields = {"token": token, "action": "cancel"}
    cancelled = await served.http.post(link, data=fields, files={"action": (None, "cancel")})
    assert cancelled.status_code == 200
    assert (await served.http.get(link)).status_code == 410
    first, other = upload_link(served), upload_link(served)
    fresh = await served.http.get(other)
    assert fresh.status_code == 200
    assert 'id="upload"' in fresh.text  # a new link's form, not another link's preview
    await served.http.post(first, files=units_csv(0, 25))
    await served.http.post(other, files=units_csv(100, 30))
    assert (await served.http.get(first)).status_code == 410
    _, said = token_and_said((await served.http.get(other)).text)
    assert "30" in said
    assert new_units(served) == []


@pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)  # the page's, not the data's
async def test_in_a_browser_reload_and_back_show_the_preview_until_it_is_applied(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """In Chromium: the file chosen and sent, the preview shows; a reload and the back
    button show it again (no resubmission, no "used"); Apply applies it once, and the page
    then says the link was used."""
    page = await (await browser.new_context(locale="vi-VN")).new_page()
    page.set_default_timeout(5000)  # a page that never shows fails fast
    await page.goto(upload_link(served))
    upload = tmp_path / "don-vi.csv"
    upload.write_bytes(units_csv(0, 25)["file"][1])
    await page.set_input_files("#file", str(upload))
    async with page.expect_navigation():
        await page.click("#send")
    said = await page.inner_text("#said")
    await shot(page, tmp_path, "preview")
    await page.reload()
    assert await page.inner_text("#said") == said
    await page.go_back()
    assert await page.inner_text("#said") == said
    assert await page.locator("#apply").count() == 1
    await shot(page, tmp_path, "preview-back")
    async with page.expect_navigation():
        await page.click("#apply")
    assert len(new_units(served)) == 25
    answer = await page.goto(page.url)
    assert answer is not None
    assert answer.status == 410
    assert used_text(served) in await page.inner_text("body")


async def test_a_look_at_the_upload_page_is_answered_as_its_get(served: Served) -> None:
    """A HEAD of an upload link (a link checker's) is answered as its GET, 200, not read as
    a file sent ("bad request", 400); the link stays usable."""
    link = upload_link(served)
    looked = await served.http.head(link)
    assert looked.status_code == 200
    assert looked.headers["content-type"].startswith("text/html")
    assert (await served.http.post(link, files=units_csv(0, 1))).status_code == 200
    assert new_units(served) == ["XN000"]


async def test_a_tasks_file_that_moves_a_deadline_tells_the_unit_and_says_so(
    served: Served,
) -> None:
    """A tasks file uploaded again with task T1's deadline brought forward: the page says
    the units are told, and the unit's contact has the notice /deadline would queue."""
    with served.bot.session() as s:
        make_contact(s, 7001, units=[make_unit(s, "A1", "Xã A")], name="Lan")
    today = served.bot.services.today()
    later = today + timedelta(days=60 - today.weekday())  # Mondays: no day off moves them
    sooner = later - timedelta(days=28)
    header = "code,title,deadline,assignees\n"
    for deadline in (later, sooner):
        tasks = header + f"T1,Báo cáo quý IV,{deadline:%d/%m/%Y},A1\n"
        page = await served.http.post(
            upload_link(served), files={"file": ("nv.csv", tasks.encode(), "text/csv")}
        )
        assert page.status_code == 200
    assert "Đã gửi 1 thông báo cho người phụ trách" in page.text
    with served.bot.session() as s:
        [notice] = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
        task = s.exec(select(Task).where(Task.code == "T1")).one()  # due `sooner`, or after
    moved = task.deadline
    assert notice.chat_id == "7001"
    assert f"sang **{moved:%d/%m/%Y}**" in str(notice.payload["text"])
