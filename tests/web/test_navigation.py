"""Going about the dashboard as a coordinator does: Back and Forward, a link edited by hand,
a page far past the last, in Chromium.

Each test writes screenshots of the pages it visits under its temp folder, for review.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.web.conftest import COORDINATOR, Served
from tests.web.test_browser import browser, open_signed_in, shot  # noqa: F401 (a fixture)

# The pages' behaviour, whatever the database: on SQLite only.
pytestmark = pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)

VISIBLE_ROWS = "(rows) => rows.filter((row) => !row.hidden).length"


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
