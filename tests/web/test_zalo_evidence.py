"""/evidence on Zalo under `dondoc serve`: a unit's evidence files listed, each with a link
signed for the coordinator that downloads the file once; within the coordinator's scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.async_api import Browser
from sqlmodel import select

from db.models import Contact, ContactIdentity, Evidence
from devtools.fakezalo import FakeZalo
from tests.web.conftest import Served
from tests.web.test_browser import browser  # noqa: F401 (a fixture)
from tests.web.test_dashboard import keep_evidence
from tests.web.test_zalo_serve import (
    LINK,
    ZCOORD,
    ZMEMBER,
    ZSCOPED,
    ask,
    link_in,
    settings,  # noqa: F401 (a fixture: Zalo pointed at the fake server)
    zalo_people,
)
from tests.zalo.conftest import fake_zalo  # noqa: F401 (a fixture)

LIMIT = 2000  # characters of a Zalo text message


def keep(
    served: Served,
    unit: str,
    name: str,
    content: bytes,
    *,
    size: int | None = None,
    sender: str | None = None,
    at: datetime = datetime(2026, 12, 4, 20, 30, tzinfo=UTC),  # 05/12/2026 in Hồ Chí Minh
) -> int:
    """Store a file as the unit's evidence of the first task, sent by a Zalo person."""
    stored = f"{unit.lower()}/{name}"
    return keep_evidence(served, unit, name, content, stored, size=size, sender=sender, at=at)


async def test_zalo_evidence_lists_the_files_with_a_link_that_downloads_once(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """/evidence #N <unit> lists each file (name, size with a decimal comma, day, sender) with
    its own link; the link's page names the file (name, size, day), its button sends it once."""
    await zalo_people(served, fake_zalo)
    first = keep(served, "TX", "biên bản.pdf", b"%PDF-tx", size=1_572_864, sender=ZMEMBER)
    keep(served, "TX", "ke-hoach.pdf", b"%PDF-plan", size=3_277)
    task = served.tasks[0]
    [text] = await ask(fake_zalo, ZCOORD, f"/evidence #{task.id} Tam Xuân")
    assert f"Minh chứng của Xã Tam Xuân cho việc #{task.id} Kế hoạch chuyển đổi số" in text
    assert "1. biên bản.pdf - 1,5 MB - 05/12/2026 - Lan Zalo" in text
    assert "2. ke-hoach.pdf - 3,2 KB - 05/12/2026 - không rõ người gửi" in text
    links = LINK.findall(text)
    assert len(links) == 2
    assert f"/files/evidence/{first}?" in links[0]
    page = await served.http.get(links[0])  # what Zalo's preview fetches: the page only
    assert page.status_code == 200
    assert "Tệp minh chứng «biên bản.pdf» (1,5 MB, gửi ngày 05/12/2026)." in page.text
    response = await served.http.post(links[0])
    assert response.status_code == 200, response.text
    assert response.content == b"%PDF-tx"
    assert "bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["content-disposition"]
    used = await served.http.post(links[0])
    assert used.status_code == 410  # used once; how to get a new one
    assert "Gửi lại /evidence trong cuộc trò chuyện" in used.text


async def test_zalo_evidence_of_a_unit_that_sent_none(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A unit given the task that sent no file: said so, with no link."""
    await zalo_people(served, fake_zalo)
    keep(served, "TX", "biên bản.pdf", b"%PDF-tx")
    [text] = await ask(fake_zalo, ZCOORD, f"/minhchung #{served.tasks[0].id} Tam Bình")
    assert text == "Đơn vị chưa gửi tệp minh chứng nào cho nhiệm vụ này."


async def test_zalo_evidence_of_a_unit_outside_the_scope_is_refused_without_naming_it(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A coordinator limited to the pilot communes asking for Sở Y tế's files is told the
    task and unit were not found, with no link and no name; a pilot commune's are listed."""
    await zalo_people(served, fake_zalo)
    keep(served, "SYT", "syt.pdf", b"%PDF-syt")
    keep(served, "TX", "tx.pdf", b"%PDF-tx")
    task = served.tasks[0]
    [text] = await ask(fake_zalo, ZSCOPED, f"/evidence #{task.id} Sở Y tế")
    assert text.startswith("Không xác định được nhiệm vụ và đơn vị.")
    assert "Sở Y tế" not in text
    assert "syt.pdf" not in text
    assert LINK.search(text) is None
    [inside] = await ask(fake_zalo, ZSCOPED, f"/evidence #{task.id} Tam Xuân")
    assert "1. tx.pdf" in inside
    assert LINK.search(inside) is not None


async def test_zalo_evidence_is_refused_to_a_member(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A unit's member asking for its evidence gets the refusal, and no link."""
    await zalo_people(served, fake_zalo)
    keep(served, "TX", "tx.pdf", b"%PDF-tx")
    [text] = await ask(fake_zalo, ZMEMBER, f"/evidence #{served.tasks[0].id} Tam Xuân")
    assert "không có quyền" in text
    assert "tx.pdf" not in text
    assert LINK.search(text) is None


async def test_zalo_evidence_of_an_ambiguous_unit_offers_the_units_given_the_task(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The name "Tam" fits Xã Tam Bình and Xã Tam Xuân, both given the task: a numbered
    choice in Vietnamese order; a typed "2" lists Tam Xuân's files."""
    await zalo_people(served, fake_zalo)
    keep(served, "TX", "tx.pdf", b"%PDF-tx")
    task = served.tasks[0]
    [offer] = await ask(fake_zalo, ZCOORD, f"/evidence #{task.id} Tam")
    assert f"khớp 2 đơn vị được giao việc #{task.id}" in offer
    assert re.search(r"1\D+Xã Tam Bình \(TB\)", offer), offer
    assert re.search(r"2\D+Xã Tam Xuân \(TX\)", offer), offer
    assert LINK.search(offer) is None
    [text] = await ask(fake_zalo, ZCOORD, "2")
    assert "Minh chứng của Xã Tam Xuân" in text
    response = await served.http.post(link_in([text]))
    assert response.content == b"%PDF-tx"


async def test_zalo_evidence_in_english(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A coordinator who reads English gets the list in English, with a decimal point."""
    await zalo_people(served, fake_zalo)
    with served.bot.session() as s:
        coordinator = s.exec(
            select(Contact)
            .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)  # type: ignore[arg-type]
            .where(ContactIdentity.external_id == ZCOORD)
        ).one()
        coordinator.language = "en"
        s.commit()
    keep(served, "TX", "plan.pdf", b"%PDF", size=2_500_000, sender=ZMEMBER)
    task = served.tasks[0]
    [text] = await ask(fake_zalo, ZCOORD, f"/evidence #{task.id} Tam Xuân")
    assert f"Evidence of Xã Tam Xuân for task #{task.id}" in text
    assert ": 1 file. Its link is for you only" in text  # one file: English's singular
    assert "1. plan.pdf - 2.4 MB - 05/12/2026 - Lan Zalo" in text
    assert "Download: " in text
    [none] = await ask(fake_zalo, ZCOORD, f"/evidence #{task.id} Tam Bình")
    assert none == "The unit has not sent any evidence file for this task."


async def test_zalo_evidence_of_many_files_goes_on_with_next(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Thirty files do not fit one Zalo message: pages under 2,000 characters, "tiếp" shows
    the next, until every file was listed once with its link."""
    await zalo_people(served, fake_zalo)
    names = [f"bien-ban-so-{n:02}-nam-2026.pdf" for n in range(1, 31)]
    for name in names:
        keep(served, "TX", name, b"%PDF")
    pages = await ask(fake_zalo, ZCOORD, f"/evidence #{served.tasks[0].id} Tam Xuân")
    while "tiếp" in pages[-1]:
        pages += await ask(fake_zalo, ZCOORD, "tiếp")
    assert len(pages) > 1
    assert all(len(page) <= LIMIT for page in pages)
    listed = "\n".join(pages)
    assert [name for name in names if f". {name} - " in listed] == names
    assert len(LINK.findall(listed)) == len(names)


async def test_zalo_evidence_whose_file_left_the_store_is_listed_without_a_link(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A file recorded but gone from the evidence store is listed with a word for the admin,
    and no link that would lead to nothing; the others keep theirs."""
    await zalo_people(served, fake_zalo)
    keep(served, "TX", "gone.pdf", b"%PDF-gone")
    keep(served, "TX", "kept.pdf", b"%PDF-kept")
    (served.bot.settings.evidence_path / "tx" / "gone.pdf").unlink()
    [text] = await ask(fake_zalo, ZCOORD, f"/evidence #{served.tasks[0].id} Tam Xuân")
    gone, kept = text.split("\n2. ")
    assert "1. gone.pdf" in gone
    assert "Tệp không còn trong kho minh chứng; xin báo quản trị viên." in gone
    assert LINK.search(gone) is None
    assert LINK.search(kept) is not None


async def test_zalo_evidence_page_names_a_hostile_file_name_safely_in_a_browser(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    """A file named with markup and a right-to-left override shows in /evidence's list and on
    its page, in Chromium, as the words it is made of: no script runs, no direction trick;
    in English, a decimal point and the day dd/mm/yyyy."""
    await zalo_people(served, fake_zalo)
    name = "<img src=x onerror=alert(1)>\u202egpj.exe"
    keep(served, "TX", "hostile.bin", b"MZ", size=1_234_567)
    with served.bot.session() as s:
        evidence = s.exec(select(Evidence)).one()
        evidence.file_name = name
        s.add(evidence)
        coordinator = s.exec(
            select(Contact)
            .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)  # type: ignore[arg-type]
            .where(ContactIdentity.external_id == ZCOORD)
        ).one()
        coordinator.language = "en"
        s.commit()
    [text] = await ask(fake_zalo, ZCOORD, f"/evidence #{served.tasks[0].id} Tam Xuân")
    assert "alert(1)>gpj.exe" in text  # the list names it plain too, as the page does
    assert "\u202e" not in text
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.goto(link_in([text]))
    what = await page.locator("#what").inner_text()
    assert (
        what == 'Evidence file "<img src=x onerror=alert(1)>gpj.exe" (1.2 MB, sent on 05/12/2026).'
    )
    assert await page.locator("#what img").count() == 0
    assert dialogs == []
    await context.close()
