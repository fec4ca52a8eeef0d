"""The dashboard in a real headless Chromium (Debian's, driven by Playwright).

Each test writes a screenshot of every page it visits under its temp folder, for review.
The `browser` fixture (tests/browser.py) is the test process's one Chromium, each test in
contexts of its own; without /usr/bin/chromium these tests skip with the reason, except on
CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
from datetime import date, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import Error as PlaywrightError
from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment, Directive, ExtensionRequest, Unit
from tests import browser as browsing
from tests.browser import BrowserServer
from tests.factories import make_task, make_unit
from tests.web.conftest import (
    COORDINATOR,
    DEADLINE,
    OFFICIAL,
    SCOPED,
    Served,
    ask_extension,
)

# The fixture (tests/browser.py, a plugin: every test has it), as other files import it here.
browser = browsing.browser


async def sign_in(page: Page, link: str) -> None:
    """Open a sign-in link and press its page's button, as a person does."""
    await page.goto(link)
    async with page.expect_navigation():
        await page.click("#go")


async def open_signed_in(served: Served, browser: Browser, user_id: int) -> Page:
    """Open a page signed in through the link the bot gave the person."""
    context = await browser.new_context(accept_downloads=True, locale="vi-VN")
    page = await context.new_page()
    await sign_in(page, await served.login_link(user_id))
    return page


async def shot(page: Page, folder: Path, name: str) -> None:
    """Write a full-page screenshot of the page for review."""
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def test_browser_counts_change_after_a_report_by_chat(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """Signed in by the bot's link, a coordinator sees a unit's report by chat on reload."""
    page = await open_signed_in(served, browser, COORDINATOR)
    task_id = served.tasks[0].id
    row = page.locator(f'#tasks tr[data-task="{task_id}"]')
    assert await row.locator('[data-count="done_on_time"]').inner_text() == "0"
    assert await row.locator('[data-count="no_report"]').inner_text() == "4"
    await shot(page, tmp_path, "overview")
    await served.bot.send(OFFICIAL, "/start")
    reply = await served.bot.send(OFFICIAL, "xong")
    assert "Tam Xuân" in (reply.text or "") or reply.text
    with served.bot.session() as s:
        states = set(s.exec(select(Assignment.state)))
    assert "done" in states
    await page.reload()
    assert await row.locator('[data-count="done_on_time"]').inner_text() == "1"
    assert await row.locator('[data-count="no_report"]').inner_text() == "3"
    await page.click(f'#tasks tr[data-task="{task_id}"] a')
    await page.wait_for_selector("#units")
    done = page.locator(f'#units tr[data-unit="{served.units["TX"].id}"] [data-status]')
    assert await done.get_attribute("data-status") == "done_on_time"
    await page.select_option("#status-filter", "done_on_time")
    assert await page.locator("#units tbody tr:visible").count() == 1
    await shot(page, tmp_path, "task")
    await page.click(f'#units tr[data-unit="{served.units["TX"].id}"] a')
    await page.wait_for_selector("#unit-name")
    assert "Lan" in await page.locator("#contacts").inner_text()
    await shot(page, tmp_path, "unit")


async def test_browser_pages_have_an_icon_the_server_serves(
    served: Served, browser: Browser
) -> None:
    """The sign-in page and the dashboard name an icon the server answers (an SVG): without
    it every browser asked /favicon.ico and logged its 404 in the console."""
    context = await browser.new_context(locale="vi-VN")
    landing = await context.new_page()
    await landing.goto(await served.login_link(COORDINATOR))
    page = await open_signed_in(served, browser, COORDINATOR)
    for shown in (landing, page):
        href = await shown.locator('link[rel="icon"]').get_attribute("href")
        assert href is not None
        assert href.startswith("/static/favicon.svg?v=")
        icon = await shown.request.get(served.url.rstrip("/") + href)
        assert icon.status == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert (await icon.body()).startswith(b"<svg")


async def test_browser_matrix_filters_as_selected(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """Choosing a kind or a group in the matrix narrows its rows at once (no button)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.click("#nav-matrix")
    await page.wait_for_selector("#matrix")
    assert await page.locator("#matrix tbody tr").count() == 4
    await shot(page, tmp_path, "matrix")
    async with page.expect_navigation():
        await page.select_option("#filter-kind", "department")
    assert "kind=department" in page.url
    names = await page.locator("#matrix tbody th").all_inner_texts()
    assert names == ["Sở Y tế"]
    async with page.expect_navigation():
        await page.select_option("#filter-kind", "")
    async with page.expect_navigation():
        await page.select_option("#filter-group", label="Thí điểm")
    names = await page.locator("#matrix tbody th").all_inner_texts()
    assert names == ["Xã Tam Bình", "Xã Tam Xuân"]  # Vietnamese alphabetical order
    await shot(page, tmp_path, "matrix-filtered")


async def test_browser_matrix_offers_a_scoped_coordinator_only_parent_units_in_scope(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A pilot commune under a district outside the scoped coordinator's groups: the matrix's
    parent filter offers the parent in scope and never names the district (it did); the
    province's coordinator is offered both."""
    with served.bot.session() as s:
        district = make_unit(s, "TXDBX", "Thị xã Điện Bàn Xa")
        tx = s.get(Unit, served.units["TX"].id)
        assert tx is not None
        tx.parent_id = district.id
        make_unit(s, "THM", "Thôn Hòa Một", parent=served.units["TB"], groups=["Thí điểm"])
        s.commit()
    page = await open_signed_in(served, browser, SCOPED)
    await page.click("#nav-matrix")
    await page.wait_for_selector("#matrix")
    offered = await page.locator("#filter-parent option").all_inner_texts()
    await shot(page, tmp_path, "matrix-parents-scoped")
    assert offered[1:] == ["Xã Tam Bình"]
    assert "Điện Bàn Xa" not in await page.content()
    everyone = await open_signed_in(served, browser, COORDINATOR)
    await everyone.click("#nav-matrix")
    await everyone.wait_for_selector("#matrix")
    offered = await everyone.locator("#filter-parent option").all_inner_texts()
    assert offered[1:] == ["Thị xã Điện Bàn Xa", "Xã Tam Bình"]


async def test_browser_task_page_sorts_units_by_status_in_the_taxonomy_order(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """Sorting the task page by status follows the taxonomy: done on time, done late, overdue,
    no report (it sorted the labels alphabetically), in Vietnamese and in English."""
    now, tz = served.bot.clock.now(), served.bot.settings.tz
    past = date(2026, 11, 10)
    task_id = served.tasks[0].id
    with served.bot.session() as s:
        rows = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
        by_unit = {a.unit_id: a for a in rows}
        for code, deadline, state in (
            ("TX", None, "done"),
            ("DB", past, "done"),
            ("TB", past, "in_progress"),
        ):
            assignment = by_unit[served.units[code].id or 0]
            if deadline is not None:
                assignment.deadline, assignment.due_at = deadline, due_at(deadline, tz)
            assignment.state, assignment.last_report_at, assignment.percent = state, now, 50
            assignment.done_at = now if state == "done" else None
            s.add(assignment)
        s.commit()
    expected = ["Xã Tam Xuân", "Phường Điện Bàn", "Xã Tam Bình", "Sở Y tế"]
    page = await open_signed_in(served, browser, COORDINATOR)
    for lang in ("vi", "en"):
        await page.goto(f"{served.url}/tasks/{task_id}?lang={lang}")
        await page.click("#units th:nth-child(2)")
        names = await page.locator("#units tbody td:first-child").all_inner_texts()
        await shot(page, tmp_path, f"task-by-status-{lang}")
        assert names == expected, lang


async def test_browser_task_page_sorts_units_by_name_as_the_server_lists_them(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """Sorting the task page by unit name keeps the order the page came in: Vietnamese
    letters (Đ after D, "An" before "Ấp") and numbers by value ("Phường 2" before "Phường
    10"); the browser's sort put Phường 10, 11 and 12 before Phường 2."""
    names = ["Phường 10", "Phường 2", "Xã Ấp Bắc", "Xã An Hòa", "Xã Đại Lộc", "Xã Duy Sơn"]
    with served.bot.session() as s:
        units = [make_unit(s, f"S{i}", name) for i, name in enumerate(names)]
        task_id = make_task(s, "Báo cáo sắp xếp", DEADLINE, units).id
    expected = ["Phường 2", "Phường 10", "Xã An Hòa", "Xã Ấp Bắc", "Xã Duy Sơn", "Xã Đại Lộc"]
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{task_id}")
    cells = page.locator("#units tbody td:first-child")
    assert await cells.all_inner_texts() == expected  # as the server lists them
    await page.click("#units th:nth-child(1)")
    await shot(page, tmp_path, "task-by-name")
    assert await cells.all_inner_texts() == expected
    await page.click("#units th:nth-child(1)")
    assert await cells.all_inner_texts() == expected[::-1]


async def test_browser_matrix_names_its_tasks_without_hover_on_a_phone(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """On a phone 360 px wide, the matrix's tasks are named under the table, number, title
    and deadline, a long title wrapped (the titles were only a header's hover tooltip), and
    the page still does not scroll sideways."""
    long_title = "Triển khai kế hoạch chuyển đổi số cấp xã giai đoạn 2026-2030 " * 3
    with served.bot.session() as s:
        task = make_task(s, long_title.strip(), DEADLINE, [served.units["TX"]])
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(served.url + "/matrix")
    legend = page.locator("#matrix-tasks li")
    texts = await legend.all_inner_texts()
    await shot(page, tmp_path, "matrix-legend-phone")
    assert texts == [  # as the columns: nearest deadline first
        "#1 Kế hoạch chuyển đổi số · Hạn: 30/11/2026",
        f"#{task.id} {long_title.strip()} · Hạn: 30/11/2026",
        "#2 Báo cáo an toàn thông tin · Hạn: 15/12/2026",
    ]
    assert await legend.nth(1).is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_browser_downloads_the_export(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """The overview's export link downloads a workbook that openpyxl opens."""
    page = await open_signed_in(served, browser, SCOPED)
    async with page.expect_download() as waiting:
        await page.click("#export-all")
    download = await waiting.value
    path = tmp_path / "export.xlsx"
    await download.save_as(str(path))
    book = openpyxl.load_workbook(path)
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "Xã Tam Xuân" in cells
    assert "Sở Y tế" not in cells  # the scoped coordinator's export keeps to their scope


async def test_browser_refuses_reused_forged_links_and_missing_csrf(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A used or forged sign-in link shows a refusal; sign-out needs the page's CSRF token."""
    link = await served.login_link(COORDINATOR)
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(link)
    assert "Điều phối" in await page.locator("#what").inner_text()
    await shot(page, tmp_path, "sign-in-landing")
    async with page.expect_navigation():
        await page.click("#go")
    assert await page.locator("#tasks").count() == 1
    other = await (await browser.new_context()).new_page()
    refused = await other.goto(link)
    assert refused is not None
    assert refused.status == 410
    assert "đã được dùng" in await other.locator("#message").inner_text()
    await shot(other, tmp_path, "used")
    forged = await other.goto(link[:-4] + "AAAA")
    assert forged is not None
    assert forged.status == 403
    late = await served.login_link(COORDINATOR)
    served.bot.clock.advance(timedelta(minutes=10, seconds=1))
    expired = await other.goto(late)
    assert expired is not None
    assert expired.status == 410
    await page.evaluate("document.querySelector('input[name=csrf]').value = 'tampered'")
    async with page.expect_navigation():
        await page.click("#logout")
    assert "không hợp lệ" in await page.locator("#message").inner_text()
    await page.goto(served.url + "/")
    assert await page.locator("#tasks").count() == 1  # still signed in
    async with page.expect_navigation():
        await page.click("#logout")
    assert "đã đăng xuất" in await page.locator("#message").inner_text()
    response = await page.goto(served.url + "/")
    assert response is not None
    assert response.status == 401


async def test_browser_approves_an_extension(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A coordinator approves a unit's extension request with one click on the task page."""
    request_id = ask_extension(served)
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    form = page.locator(f'form.decide[data-request="{request_id}"]')
    await shot(page, tmp_path, "task-with-request")
    async with page.expect_navigation():
        await form.locator("button.approve").click()
    assert "10/12/2026" in await page.locator("#said").inner_text()
    assert await page.locator("form.decide").count() == 0
    await shot(page, tmp_path, "task-approved")
    with served.bot.session() as s:
        decided = s.get(ExtensionRequest, request_id)
    assert decided is not None
    assert decided.status == "approved"


async def test_browser_after_a_nudge_or_a_decision_the_page_is_the_tasks_again(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """After a nudge or a decision the address is the task's page: its language link shows
    the task in English, and a reload shows it again without sending the form twice (the
    address stayed the form's, where the language link answered "this request is not
    valid" (405) and a reload asked to send the decision again)."""
    ask_extension(served)
    task_id = served.tasks[0].id
    page = await open_signed_in(served, browser, COORDINATOR)
    for button in ("#nudge", "form.decide button.approve"):
        await page.goto(f"{served.url}/tasks/{task_id}?lang=vi")
        async with page.expect_navigation():
            await page.click(button)
        assert await page.locator("#said").count() == 1, button
        assert page.url == f"{served.url}/tasks/{task_id}", button  # set as the page loaded
        await shot(page, tmp_path, "after-" + button.rsplit(".", 1)[-1].strip("#"))
        if button == "#nudge":
            response = await page.reload()
            assert response is not None
            assert (response.request.method, response.status) == ("GET", 200)
        else:
            async with page.expect_navigation():
                await page.click("#lang")
            assert await page.evaluate("document.documentElement.lang") == "en"
        assert await page.locator("#task-title").count() == 1, button


async def test_browser_a_form_of_a_page_older_than_the_session_can_be_sent_again(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A coordinator who signed in again (a new /web link) and presses a button of a page
    opened before is told nothing was done, on the task's page with buttons that work, and
    a second press decides; a sign-out from such a page leads home. Each said to reload the
    page, where a reload posted the same stale form and was refused again, however often."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{task_id}")
    again = await page.context.new_page()
    await sign_in(again, await served.login_link(COORDINATOR))  # the browser's new session
    async with page.expect_navigation():
        await page.click("form.decide button.approve")
    await shot(page, tmp_path, "stale-decision")
    assert await page.locator("#said").count() == 1
    assert "chưa làm gì" in await page.locator("#said").inner_text()
    assert page.url == f"{served.url}/tasks/{task_id}"
    async with page.expect_navigation():
        await page.click("form.decide button.approve")
    assert "10/12/2026" in await page.locator("#said").inner_text()
    with served.bot.session() as s:
        decided = s.get(ExtensionRequest, request_id)
        assert decided is not None
        assert decided.status == "approved"
    await sign_in(again, await served.login_link(COORDINATOR))
    async with page.expect_navigation():
        await page.click("#logout")
    assert page.url == f"{served.url}/"
    response = await page.reload()
    assert response is not None
    assert (response.request.method, response.status) == ("GET", 200)


async def test_browser_in_english_names_kinds_and_writes_files_in_english(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A Vietnamese-speaking coordinator who switches the dashboard to English gets the
    filters' kinds of unit and the downloaded workbook in English too; the formal report
    stays the Vietnamese document the province is sent (its link says so)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    async with page.expect_navigation():
        await page.click("#lang")
    kinds = await page.locator("#filter-kind option").all_inner_texts()
    assert "Commune" in kinds
    assert "Xã" not in kinds
    await shot(page, tmp_path, "overview-en")
    async with page.expect_download() as waiting:
        await page.click("#export-all")
    path = tmp_path / "export.xlsx"
    await (await waiting.value).save_as(str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["No.", "Unit", "Task"], header
    assert "Đơn vị" not in header
    async with page.expect_download() as waiting:
        await page.click("#report-all")
    path = tmp_path / "report.docx"
    await (await waiting.value).save_as(str(path))
    table = docx.Document(str(path)).tables[-1]
    headers = [cell.text for cell in table.rows[0].cells]
    assert "Đơn vị" in headers
    assert "Unit" not in headers


@pytest.mark.parametrize("path", ["/", "/matrix", "/tasks/1", "/units/1"])
async def test_browser_pages_fit_a_phone_without_scrolling_sideways(
    served: Served, browser: Browser, tmp_path: Path, path: str
) -> None:
    """On a phone 360 px wide (the Mini App's), a page does not scroll sideways: a wide
    table scrolls within its own box, as the matrix always did."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(served.url + path)
    await shot(page, tmp_path, "phone")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_browser_rate_and_as_of_are_the_chat_summarys(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """The overview and a task's page give its completion rate over what is due, and the
    time the figures are as of, in the very words of the chat's /summary (the not-yet-due
    left out), in either language."""
    task_id = served.tasks[0].id
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{task_id}")
    assert "chưa có việc đến hạn" in await page.locator("#rate").inner_text()
    served.bot.clock.advance(timedelta(days=13))  # 01/12: every unit is due
    await served.bot.send(OFFICIAL, "/start")
    await served.bot.send(OFFICIAL, "xong")
    summary = (await served.bot.send(COORDINATOR, f"/summary #{task_id}")).text or ""
    page = await open_signed_in(served, browser, COORDINATOR)  # 13 days on: a new session
    await page.goto(f"{served.url}/tasks/{task_id}")
    rate = await page.locator("#rate").inner_text()
    assert rate == "Tỷ lệ hoàn thành/đến hạn: 1/4 = 25,0%."
    assert rate in summary
    as_of = await page.locator("#as-of").inner_text()
    assert as_of == "Số liệu tính đến 09:00 ngày 01/12/2026."
    assert as_of in summary
    await shot(page, tmp_path, "task-rate")
    await page.goto(f"{served.url}/?lang=en")
    row = page.locator(f'#tasks tr[data-task="{task_id}"]')
    assert await row.locator('[data-count="rate"]').inner_text() == "25.0%"
    await page.goto(f"{served.url}/tasks/{task_id}")
    assert await page.locator("#rate").inner_text() == "Completed/due: 1/4 = 25.0%."


async def test_browser_task_page_picks_out_the_silent_and_says_how_late(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A task's page filters the units that never reported ("Chưa báo cáo", what a
    coordinator chases), and a unit done late says by how many days, as the summary does."""
    served.bot.clock.advance(timedelta(days=13))  # 01/12, a day past the deadline
    await served.bot.send(OFFICIAL, "/start")
    await served.bot.send(OFFICIAL, "xong")
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    late = page.locator(f'#units tr[data-unit="{served.units["TX"].id}"]')
    assert await late.locator(".status").inner_text() == "Xong, trễ (1 ngày)"
    assert await late.locator("td").last.inner_text() == "1"
    await page.select_option("#status-filter", "no_report")
    shown = await page.locator("#units tbody tr:visible td:first-child").all_inner_texts()
    assert shown == ["Phường Điện Bàn", "Sở Y tế", "Xã Tam Bình"]
    await shot(page, tmp_path, "task-silent")


async def test_browser_overview_downloads_follow_the_directive_chosen(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """With a directive chosen, the overview's workbook holds that directive's tasks only
    (it held every open task); with no task shown there is no download to fail."""
    with served.bot.session() as s:
        doc = Directive(number="4824/UBND-KGVX", number_folded="4824/ubnd-kgvx")
        s.add(doc)
        s.commit()
        make_task(s, "Số hóa hồ sơ", DEADLINE, [served.units["TX"]], directive_id=doc.id)
    page = await open_signed_in(served, browser, SCOPED)
    async with page.expect_navigation():
        await page.select_option("select[name=directive]", label="4824/UBND-KGVX")
    async with page.expect_download() as waiting:
        await page.click("#export-all")
    path = tmp_path / "directive.xlsx"
    await (await waiting.value).save_as(str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    tasks = {row[2] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert tasks == {"#3 Số hóa hồ sơ"}
    async with page.expect_navigation():
        await page.select_option("#filter-kind", "department")  # none in their scope
    await shot(page, tmp_path, "nothing-shown")
    assert await page.locator("#no-tasks").count() == 1
    assert await page.locator("#export-all, #report-all").count() == 0


async def test_browser_filters_follow_from_the_matrix_to_the_overview_and_back(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A group chosen on the matrix is still chosen on the overview reached from the menu,
    and back on the matrix; the browser's back button shows the page as it was."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.click("#nav-matrix")
    await page.wait_for_selector("#matrix")
    async with page.expect_navigation():
        await page.select_option("#filter-group", label="Thí điểm")
    async with page.expect_navigation():
        await page.click("#nav-overview")
    assert await page.locator("#filter-group option:checked").inner_text() == "Thí điểm"
    counts = page.locator(f'#tasks tr[data-task="{served.tasks[0].id}"] [data-count]')
    assert await counts.nth(4).inner_text() == "2"  # no report: the two pilot communes
    await shot(page, tmp_path, "overview-pilots")
    async with page.expect_navigation():
        await page.click("#nav-matrix")
    names = await page.locator("#matrix tbody th").all_inner_texts()
    assert names == ["Xã Tam Bình", "Xã Tam Xuân"]
    await page.go_back()
    assert await page.locator("#filter-group option:checked").inner_text() == "Thí điểm"


async def test_browser_unit_page_gives_the_on_time_rate_of_unit(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A unit's page gives its on-time rate (what the year-end ranking reads), in the words
    of the chat's /unit."""
    await served.bot.send(OFFICIAL, "/start")
    await served.bot.send(OFFICIAL, "xong")
    said = (await served.bot.send(COORDINATOR, "/unit Xã Tam Xuân")).text or ""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/units/{served.units['TX'].id}")
    rate = await page.locator("#on-time-rate").inner_text()
    assert rate == "Tỷ lệ hoàn thành đúng hạn: 1/1 = 100,0%."
    assert rate in said
    await shot(page, tmp_path, "unit-rate")


async def test_browser_signs_out_from_a_page_that_says_not_found(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """A signed-in coordinator on the "not found" page of a task no one has presses Sign out:
    the session ends (its form carried no token before, and the sign-out was refused)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    missing = await page.goto(served.url + "/tasks/987654")
    assert missing is not None
    assert missing.status == 404
    await shot(page, tmp_path, "not-found")
    async with page.expect_navigation():
        await page.click("#logout")
    assert "đã đăng xuất" in await page.locator("#message").inner_text()
    response = await page.goto(served.url + "/")
    assert response is not None
    assert response.status == 401


async def test_a_browser_that_crashed_fails_its_test_and_the_next_gets_a_new_one(
    browser_server: BrowserServer, browser: Browser
) -> None:
    """The process's one Chromium killed under a test (as a crash): the test's next step fails,
    saying the browser closed, and the next test's connection launches a new Chromium rather
    than failing on the dead one."""
    page = await browser.new_page()
    await page.set_content("<p id=said>một</p>")
    launches = browser_server.launches
    _python, _node, *chromium = browser_server.processes()  # Chromium: all under Node.js
    assert chromium, "no Chromium under the browser server"
    for pid in chromium:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with pytest.raises(PlaywrightError, match="closed"):
        await page.set_content("<p id=said>hai</p>")
    async with async_playwright() as playwright:
        again = await browser_server.connect(playwright)  # what the next test's fixture does
        fresh = await again.new_page()
        await fresh.set_content("<p id=said>ba</p>")
        assert await fresh.inner_text("#said") == "ba"
        await again.close()
    assert browser_server.launches == launches + 1
