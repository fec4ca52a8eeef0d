"""Importing a file from Zalo: /import answers a signed upload link to `dondoc serve`.

The page runs Telegram's import: a small file is applied at once (driven in Chromium), a
larger one is previewed first and applied once with its token. A forged, expired or
another person's link, and an admin demoted since, get 403 and change nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import Browser
from pydantic import SecretStr
from sqlmodel import select

from bench import hostile_files
from bot.settings import Settings
from db.models import Contact, ContactIdentity, Unit
from devtools.fakezalo import FakeZalo
from tests.web.conftest import Served
from tests.web.test_browser import browser  # noqa: F401 (a fixture)
from tests.web.test_zalo_serve import ask, zalo_people
from tests.zalo.conftest import ZALO_ADMIN, fake_zalo  # noqa: F401 (a fixture)

UPLOAD = re.compile(r"(http://127\.0\.0\.1:\d+/upload/import\?[^\s]+)")
HEADER = "code,name,kind,parent_code,groups\n"


@pytest.fixture
def settings(settings: Settings, fake_zalo: FakeZalo) -> Settings:  # noqa: F811
    """The web tests' settings with Zalo pointed at the fake Zalo server."""
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")
    return settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_send_per_person_s": 0.02,  # its own test: tests/zalo/test_sender.py
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )


async def upload_link(served: Served, fake_zalo: FakeZalo) -> str:  # noqa: F811
    """Return the upload link the Zalo admin's /import answers."""
    await zalo_people(served, fake_zalo)
    texts = await ask(fake_zalo, ZALO_ADMIN, "/import")
    found = UPLOAD.search("\n".join(texts))
    assert found is not None, texts
    return found.group(1)


def units_csv(count: int) -> bytes:
    """Return a units file of `count` new communes."""
    rows = "".join(f"XN{n:03d},Xã Mới {n:03d},commune,,\n" for n in range(count))
    return (HEADER + rows).encode()


def new_units(served: Served) -> list[str]:
    """Return the codes of the units the files added."""
    with served.bot.session() as s:
        return sorted(s.exec(select(Unit.code).where(Unit.code.startswith("XN"))).all())


async def test_a_small_file_sent_from_the_page_is_applied(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The admin opens the link in a browser, chooses a file of 3 units, and sees them added."""
    link = await upload_link(served, fake_zalo)
    path = tmp_path / "don-vi.csv"
    path.write_bytes(units_csv(3))
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    await page.goto(link)
    await page.set_input_files("#file", str(path))
    await page.click("#send")
    await page.wait_for_selector("#said")
    said = await page.inner_text("#said")
    await context.close()
    assert "3" in said
    assert new_units(served) == ["XN000", "XN001", "XN002"]


async def test_a_large_file_is_previewed_then_applied_once(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """25 rows: a preview (nothing written) with a token; Apply adds them; again, the link
    is used."""
    link = await upload_link(served, fake_zalo)
    files = {"file": ("don-vi.csv", units_csv(25), "text/csv")}
    preview = await served.http.post(link, files=files, follow_redirects=True)
    assert preview.status_code == 200, preview.text
    assert "Xem trước" in preview.text
    assert new_units(served) == []
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text)
    assert token is not None
    fields = {"token": token.group(1), "action": "apply"}
    applied = await served.http.post(link, files={"action": (None, "apply")}, data=fields)
    assert applied.status_code == 200
    assert len(new_units(served)) == 25
    again = await served.http.post(link, data=fields, files={"action": (None, "apply")})
    assert again.status_code == 410
    assert "Liên kết này đã được dùng" in again.text


async def test_an_unknown_file_and_no_file_are_explained(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A file whose header no importer knows is named as such; nothing changes."""
    link = await upload_link(served, fake_zalo)
    files = {"file": ("x.csv", b"a,b,c\n1,2,3\n", "text/csv")}
    unknown = await served.http.post(link, files=files)
    assert "không nhận ra" in unknown.text
    assert "tiêu đề, hạn, đơn vị" in unknown.text  # what the header row needs, in Vietnamese
    empty = await served.http.post(link, files={"action": (None, "")})
    assert "Chưa chọn tệp" in empty.text


async def test_a_hostile_workbook_is_refused_saying_what_is_too_large(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A small workbook of 300,000 cell formats is refused unparsed, with what to do."""
    link = await upload_link(served, fake_zalo)
    content = hostile_files.styles_bomb(300_000)
    files = {"file": ("nhiem-vu.xlsx", content, "application/octet-stream")}
    refused = await served.http.post(link, files=files)
    assert "Tệp XLSX chứa quá nhiều định dạng ô (17,7 MB; tối đa 0,5 MB)" in refused.text
    assert "«CSV UTF-8»" in refused.text
    assert new_units(served) == []


async def test_forged_expired_and_demoted_links_are_refused(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A changed signature or person and a demoted admin: 403; an expired link: 410 (gone);
    no import."""
    link = await upload_link(served, fake_zalo)
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = f"{served.url}{parts.path}?{urlencode({**query, 's': 'A' * 22})}"
    other = f"{served.url}{parts.path}?{urlencode({**query, 'p': '1'})}"
    files = {"file": ("don-vi.csv", units_csv(2), "text/csv")}
    for bad in (forged, other):
        assert (await served.http.get(bad)).status_code == 403
        assert (await served.http.post(bad, files=files)).status_code == 403
    with served.bot.session() as s:
        identity = s.exec(
            select(ContactIdentity).where(ContactIdentity.external_id == ZALO_ADMIN)
        ).one()
        admin = s.get(Contact, identity.contact_id)
        assert admin is not None
        admin.role = "coordinator"
        s.add(admin)
        s.commit()
    assert (await served.http.post(link, files=files)).status_code == 403
    with served.bot.session() as s:
        admin = s.get(Contact, identity.contact_id)
        assert admin is not None
        admin.role = "admin"
        s.add(admin)
        s.commit()
    assert (await served.http.get(link)).status_code == 200
    served.bot.clock.advance(timedelta(hours=2))
    assert (await served.http.post(link, files=files)).status_code == 410
    assert new_units(served) == []


async def test_a_units_file_naming_a_twin_is_flagged_then_skipped(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """From Zalo's upload page, a row naming "xã  TAM XUÂN" (the existing Xã Tam Xuân, no
    parent) is flagged in the preview with the reason and skipped by the apply; it was added."""
    link = await upload_link(served, fake_zalo)
    content = units_csv(24) + "XN900,xã  TAM XUÂN,commune,,\n".encode()
    files = {"file": ("don-vi.csv", content, "text/csv")}
    preview = await served.http.post(link, files=files, follow_redirects=True)
    assert "trùng với đơn vị Xã Tam Xuân (TX)" in preview.text, preview.text
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text)
    assert token is not None
    fields = {"token": token.group(1), "action": "apply"}
    applied = await served.http.post(link, files={"action": (None, "apply")}, data=fields)
    assert "trùng với đơn vị Xã Tam Xuân (TX)" in applied.text, applied.text
    assert len(new_units(served)) == 24
    assert "XN900" not in new_units(served)
