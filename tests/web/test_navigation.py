"""Going about the dashboard as a coordinator does: Back and Forward, a link edited by hand,
a page far past the last, a unit searched for by name, in Chromium.

Each test writes screenshots of the pages it visits under its temp folder, for review.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.web.conftest import COORDINATOR, SCOPED, Served
from tests.web.test_browser import browser, open_signed_in, shot  # noqa: F401 (a fixture)

# The pages' behaviour, whatever the database: in Chromium on SQLite only (a search's query
# on both databases, over HTTP).
SQLITE_ONLY = pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)

VISIBLE_ROWS = "(rows) => rows.filter((row) => !row.hidden).length"


@SQLITE_ONLY
async def test_back_to_a_page_shows_the_filters_its_table_was_read_with(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Back to the matrix after choosing a kind, its menu says "all" as its table does (it
    said the kind chosen, over every unit); back to a task's page whose units were narrowed
    to a status, they are narrowed still (its menu said the status, over every unit)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(served.url + "/matrix")
    async with page.expect_navigation():
        await page.select_option("#filter-kind", "ward")
    assert await page.locator("#matrix tbody th").all_inner_texts() == ["Phường Điện Bàn"]
    await page.go_back()
    await shot(page, tmp_path, "matrix-back")
    assert "kind=" not in page.url
    assert await page.locator("#matrix tbody th").count() == 4
    assert await page.locator("#filter-kind").input_value() == ""
    await page.go_forward()
    assert await page.locator("#filter-kind").input_value() == "ward"

    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    rows = page.locator("#units tbody tr")
    await page.select_option("#status-filter", "done_on_time")  # no unit has it
    assert await rows.evaluate_all(VISIBLE_ROWS) == 0
    async with page.expect_navigation():
        await page.click("#nav-overview")
    await page.go_back()
    await page.wait_for_load_state("load")
    await shot(page, tmp_path, "task-back")
    assert await page.locator("#status-filter").input_value() == "done_on_time"
    assert await rows.evaluate_all(VISIBLE_ROWS) == 0
    assert await page.locator("#status-none").is_visible()


@SQLITE_ONLY
async def test_a_matrix_page_far_past_the_last_leads_back_to_the_last(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A matrix page of units or of tasks far past the last (a link edited by hand, or kept
    from when the province had more) says so, and its link back leads to the last page
    holding any (it led to the page before, as empty: a billion clicks from page
    1,000,000,000)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    for pages, previous in (("page", "#matrix-previous"), ("task_page", "#matrix-previous-tasks")):
        await page.goto(f"{served.url}/matrix?group=&{pages}=1000000000")
        await shot(page, tmp_path, f"past-{pages}")
        assert await page.locator("#no-units").count() == 1, pages
        async with page.expect_navigation():
            await page.click(previous)
        assert page.url.endswith(f"{pages}=1"), page.url
        assert await page.locator("#matrix tbody tr").count() == 4, pages


@SQLITE_ONLY
async def test_a_unit_is_found_by_its_name_typed_with_or_without_diacritics(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A coordinator types part of a unit's name into the search of the matrix, without
    diacritics ("phuong dien") or with them, and finds it (no page could: a province's 300
    units were three matrix pages to read through); the search is kept on the overview,
    after a reload, and back. Words no unit's name holds (a "%" too) say nothing matches,
    and a unit outside a scoped coordinator's groups is not found by them."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(served.url + "/matrix")
    names = page.locator("#matrix tbody th")
    for typed, found in (
        ("phuong dien", ["Phường Điện Bàn"]),
        ("  XÃ TAM  ", ["Xã Tam Bình", "Xã Tam Xuân"]),
        ("Tam Xuân", ["Xã Tam Xuân"]),
        ("syt", ["Sở Y tế"]),  # its code
    ):
        await page.fill("#filter-q", typed)
        async with page.expect_navigation():
            await page.press("#filter-q", "Enter")
        assert await names.all_inner_texts() == found, typed
    await shot(page, tmp_path, "found")
    async with page.expect_navigation():
        await page.click("#nav-overview")
    assert await page.locator("#filter-q").input_value() == "syt"
    row = page.locator(f'#tasks tr[data-task="{served.tasks[0].id}"]')
    assert await row.locator('[data-count="no_report"]').inner_text() == "1"  # Sở Y tế alone
    assert await page.locator(f'#tasks tr[data-task="{served.tasks[1].id}"]').count() == 0
    await page.reload()
    assert await page.locator("#filter-q").input_value() == "syt"
    await page.go_back()
    assert await names.all_inner_texts() == ["Sở Y tế"]
    for typed in ("%", "Hà Nội"):
        await page.fill("#filter-q", typed)
        async with page.expect_navigation():
            await page.click("#filter-search")
        assert await names.count() == 0, typed
        assert await page.locator("#no-units").count() == 1, typed
    scoped = await open_signed_in(served, browser, SCOPED)
    await scoped.goto(served.url + "/matrix?q=dien+ban")
    assert await scoped.locator("#matrix tbody th").count() == 0
    await scoped.goto(served.url + "/matrix?q=xa")
    assert await scoped.locator("#matrix tbody th").all_inner_texts() == [
        "Xã Tam Bình",
        "Xã Tam Xuân",
    ]


async def test_a_search_with_a_nul_or_of_thousands_of_characters_is_answered(
    served: Served,
) -> None:
    """A unit's search with a NUL (which PostgreSQL refuses in a query) is no search, and one
    of ten thousand characters is cut to its first hundred: each page answers (no error),
    and the search field shows what was searched for."""
    async with served.signed_in(COORDINATOR) as client:
        for path in ("/", "/matrix"):
            response = await client.get(path, params={"q": "dien\x00ban"})
            assert response.status_code == 200, path
            assert "Kế hoạch chuyển đổi số" in response.text, path  # not narrowed
            response = await client.get(path, params={"q": "điện bàn " * 1000})
            assert response.status_code == 200, path
            assert f'value="{"điện bàn " * 11}đ"' in response.text, path
