"""The pages on a phone (360×640) and a desk (1280×800): what an empty one says, the size
of what a finger presses, long names and wide tables kept to the screen.

An empty page showed a table of headers alone, or said no task was open while a filter hid
them: a coordinator read it as nothing to chase. Each now says why it is empty and how on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize

from db.models import Directive
from devtools.fakezalo import FakeZalo
from tests.factories import make_task, make_unit
from tests.web.conftest import COORDINATOR, Served, ask_extension
from tests.web.test_a11y import audit
from tests.web.test_browser import (  # noqa: F401 (a fixture)
    browser,
    open_signed_in,
    shot,
    sign_in,
)
from tests.web.test_dashboard import keep_evidence
from tests.web.test_zalo_upload import settings, upload_link  # noqa: F401 (a fixture)
from tests.zalo.conftest import fake_zalo  # noqa: F401 (a fixture)

# The pages' words and layout, whatever the database: on SQLite only.
pytestmark = pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)

SCREENS = (ViewportSize(width=360, height=640), ViewportSize(width=1280, height=800))


async def on_a_phone(chromium: Browser) -> Page:
    """Return a page of a new browser context on the narrowest phone (touch)."""
    context = await chromium.new_context(
        locale="vi-VN", viewport=SCREENS[0], is_mobile=True, has_touch=True
    )
    return await context.new_page()


async def coordinator_on_a_phone(served: Served, chromium: Browser) -> Page:
    """Return a phone's page signed in as the coordinator (their link, then its button)."""
    page = await on_a_phone(chromium)
    await sign_in(page, await served.login_link(COORDINATOR))
    return page


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


# Every control a finger presses on a page: buttons, menus, fields, the header's links, the
# downloads, the pagers and the ways back (a checkbox by its label, which presses it too).
CONTROLS = (
    "button, select, input[type=text], input[type=search], input[type=file], "
    "label:has(> input[type=checkbox]), "
    "header a, #back, "
    ".pager a, #clear-filters, #first-page, #export-all, #report-all, #export-task, "
    "#chart-task, #report-task"
)
SMALL = f"""(least) => Array.from(document.querySelectorAll("{CONTROLS}"))
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.outerHTML.slice(0, 60), el.getBoundingClientRect()])
  .filter(([, r]) => r.height < least || r.width < least)
  .map(([html, r]) => [html, Math.round(r.width), Math.round(r.height)])"""
FINGER_PX = 44  # the touch target Apple and Google ask for; WCAG 2.2's floor is 24
WCAG_PX = 24  # WCAG 2.2's floor for a target, what a mouse points at on an office screen
OFFICE = ViewportSize(width=1366, height=768)


async def test_on_a_phone_every_control_is_a_fingers_size(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """On a phone (360×640, touch), every button, menu, field and the links that act (menu,
    language, downloads, pagers, the way back) is 44 px high and wide at least: the filters'
    menus were 19 px high, the sign-out and nudge buttons 21 to 23, below even WCAG's 24."""
    with served.bot.session() as s:
        make_unit(s, "MO", "Xã Mới")
        s.commit()
    page = await on_a_phone(browser)
    await page.goto(await served.login_link(COORDINATOR))
    assert await page.evaluate(SMALL, FINGER_PX) == [], "landing"
    async with page.expect_navigation():
        await page.click("#go")
    task, unit = served.tasks[0].id, served.units["TX"].id
    for path in ("/", "/matrix?page=2", "/?kind=town", f"/tasks/{task}", f"/units/{unit}", "/x"):
        await page.goto(served.url + path)
        await shot(page, tmp_path, "finger" + path.replace("/", "-"))
        assert await page.evaluate(SMALL, FINGER_PX) == [], path
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360, path


async def test_on_an_office_screen_every_control_is_24_px_at_least(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """On an office screen (1366×768, a mouse), every button, menu, field, checkbox's label
    and the links that act is 24 px high and wide at least, WCAG 2.2's floor: the filters'
    menus and the task page's sort buttons were 19 px high, the checkbox 13, the sign-out 23."""
    context = await browser.new_context(locale="vi-VN", viewport=OFFICE)
    page = await context.new_page()
    await page.goto(await served.login_link(COORDINATOR))
    assert await page.evaluate(SMALL, WCAG_PX) == [], "landing"
    async with page.expect_navigation():
        await page.click("#go")
    task, unit = served.tasks[0].id, served.units["TX"].id
    for path in ("/", "/matrix?page=2", "/?kind=town", f"/tasks/{task}", f"/units/{unit}", "/x"):
        await page.goto(served.url + path)
        await shot(page, tmp_path, "office" + path.replace("/", "-"))
        assert await page.evaluate(SMALL, WCAG_PX) == [], path


async def test_on_a_phone_the_upload_page_fits_and_its_file_field_is_a_fingers_size(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A Zalo admin opening /import's link on a phone reads the page without scrolling
    sideways (the columns a file may have, one long word, made it 423 px wide) and presses a
    file field of a finger's size (it was 19 px high)."""
    page = await on_a_phone(browser)
    await page.goto(await upload_link(served, fake_zalo))
    await shot(page, tmp_path, "upload")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    assert await page.evaluate(SMALL, FINGER_PX) == []


# A long name with no space to break at (a title pasted with underscores, a link), as
# officials type them; the menus' longest option sets their width.
LONG = "Kế_hoạch_chuyển_đổi_số_năm_2025_của_UBND_tỉnh_https://qnam.gov.vn/van-ban/4824"


async def test_on_a_phone_long_names_break_and_menus_keep_to_the_screen(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A task, unit, group and directive named at length (no space to break at) leave every
    page 360 px wide: a long directive or group made its filter's menu, and so the page, 800
    px wide; a long title or unit name made the task's and the unit's page 1,400 px wide."""
    with served.bot.session() as s:
        directive = Directive(number=LONG, number_folded=LONG.lower())
        s.add(directive)
        s.commit()
        unit = make_unit(s, "LL", LONG, groups=[LONG])
        task = make_task(s, LONG, date(2026, 11, 25), [unit], directive_id=directive.id)
        where = {"task": task.id, "unit": unit.id}
    page = await coordinator_on_a_phone(served, browser)
    for path in ("/", "/matrix", f"/tasks/{where['task']}", f"/units/{where['unit']}"):
        await page.goto(served.url + path)
        await shot(page, tmp_path, "long" + path.replace("/", "-"))
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360, path


async def test_on_a_phone_a_wide_tables_first_column_stays_in_view_when_scrolled(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Scrolled sideways to its last column on a phone, the matrix still names each row's
    unit and the task's table each row's unit (the names scrolled away with the rest, and a
    status could no longer be told whose it was)."""
    page = await coordinator_on_a_phone(served, browser)
    for path, table in (("/matrix", "#matrix"), (f"/tasks/{served.tasks[0].id}", "#units")):
        await page.goto(served.url + path)
        box = page.locator(f".scroll:has({table})")
        await box.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
        await shot(page, tmp_path, "scrolled" + path.replace("/", "-"))
        left = await box.evaluate("(box) => box.getBoundingClientRect().left")
        assert await box.evaluate("(box) => box.scrollLeft") > 0, path  # it did scroll
        names = page.locator(f"{table} tbody tr > :first-child")
        for n in range(await names.count()):
            seen = await names.nth(n).evaluate("(cell) => cell.getBoundingClientRect().left")
            assert seen >= left - 1, (path, n)


async def test_a_status_filter_that_leaves_no_unit_says_so(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """Choosing a status no unit of the task has says that no unit has it (the table was
    left with its headers alone); choosing another that some have shows them, and no note."""
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    note = page.locator("#status-none")
    assert await note.count() == 1
    assert not await note.is_visible()
    await page.select_option("#status-filter", "done_on_time")
    assert await page.locator("#units tbody tr:visible").count() == 0
    assert "Không có đơn vị nào" in await note.inner_text()
    assert await note.is_visible()
    await page.select_option("#status-filter", "no_report")
    assert await page.locator("#units tbody tr:visible").count() == 4
    assert not await note.is_visible()


async def test_on_a_phone_a_control_focused_in_a_scrolled_table_is_not_under_its_first_column(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """Going back by Shift+Tab through a task's table scrolled to its end, each control (the
    evidence, the decision's buttons and note) comes out from under the row's unit name,
    which stays in view: the approve button was left under it, focused but hidden."""
    ask_extension(served)
    keep_evidence(served, "TX", "biên bản.pdf", b"%PDF", "tx/1.pdf")
    page = await coordinator_on_a_phone(served, browser)
    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    await page.locator(".scroll:has(#units)").evaluate("(box) => { box.scrollLeft = 1e6; }")
    await page.focus("a.evidence")
    hidden = []
    for _ in range(4):  # the evidence, reject, approve, the note
        await page.keyboard.press("Shift+Tab")
        hidden += await page.evaluate(COVERED)
    assert hidden == []


# The focused control's left edge under its row's first cell (which stays in view).
COVERED = """() => {
  const el = document.activeElement, row = el.closest("tbody tr");
  if (!row || row.firstElementChild.contains(el)) return [];
  const covered = row.firstElementChild.getBoundingClientRect().right
    - el.getBoundingClientRect().left;
  return covered > 1 ? [el.outerHTML.slice(0, 60)] : [];
}"""
