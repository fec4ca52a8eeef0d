"""What a page with nothing to show says, on a phone (360×640) and a desk (1280×800).

An empty page showed a table of headers alone, or said no task was open while a filter hid
them: a coordinator read it as nothing to chase. Each now says why it is empty and how on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize

from tests.factories import make_unit
from tests.web.conftest import COORDINATOR, Served
from tests.web.test_a11y import audit
from tests.web.test_browser import browser, open_signed_in, shot  # noqa: F401 (a fixture)

# The pages' words and layout, whatever the database: on SQLite only.
pytestmark = pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)

SCREENS = (ViewportSize(width=360, height=640), ViewportSize(width=1280, height=800))


async def test_an_empty_page_says_why_and_leads_on_at_both_widths(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The overview filtered to a kind no unit has says the filters match nothing (it said no
    task was open) and offers to clear them; the matrix of overdue units when none is late,
    and past its last page, say so (a table of headers alone); a new unit's page says it has
    no task, no contact (with how to invite one) and no report yet (empty tables and list)."""
    with served.bot.session() as s:
        new_unit = make_unit(s, "MO", "Xã Mới")
        s.commit()
        assert new_unit.id is not None
        new_id = new_unit.id
    page = await open_signed_in(served, browser, COORDINATOR)
    said = {
        "vi": ("khớp với bộ lọc", "không còn đơn vị", "không có nhiệm vụ", "/invite", "chưa báo"),
        "en": ("matches the filters", "no more units", "no open task", "/invite", "not reported"),
    }
    for screen in SCREENS:
        await page.set_viewport_size(screen)
        for lang, (no_match, past_end, no_tasks, no_contact, no_report) in said.items():
            where = f"{screen['width']} {lang}"
            await page.goto(f"{served.url}/?kind=town&lang={lang}")
            await shot(page, tmp_path, f"overview-{where}")
            assert no_match in await page.locator("#no-tasks").inner_text(), where
            await audit(page, lang, where)
            async with page.expect_navigation():
                await page.click("#clear-filters")
            assert await page.locator("#tasks tbody tr").count() == 2, where
            await page.goto(f"{served.url}/matrix?overdue=1")
            await shot(page, tmp_path, f"matrix-overdue-{where}")
            assert no_match in await page.locator("#no-units").inner_text(), where
            await page.goto(f"{served.url}/matrix?page=9")
            assert past_end in await page.locator("#no-units").inner_text(), where
            async with page.expect_navigation():
                await page.click("#first-page")
            assert await page.locator("#matrix tbody tr").count() == 4, where
            await page.goto(f"{served.url}/units/{new_id}")
            await shot(page, tmp_path, f"unit-{where}")
            assert no_tasks in await page.locator("#no-unit-tasks").inner_text(), where
            assert no_contact in await page.locator("#no-contacts").inner_text(), where
            assert no_report in await page.locator("#no-history").inner_text(), where
            await audit(page, lang, where)
