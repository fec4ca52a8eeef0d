"""The pages for older officials, keyboards, screen readers, magnifiers and paper, in Chromium.

Each test walks several pages (in Vietnamese and English) through one audit rather than a
test per page, to keep the browser suite fast. Screenshots go under each test's temp folder.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from app.dashboard.signin import SESSION_IDLE
from devtools.fakezalo import FakeZalo
from tests.factories import make_task, person
from tests.web.conftest import COORDINATOR, Served, ask_extension
from tests.web.test_browser import browser, open_signed_in, shot  # noqa: F401 (a fixture)
from tests.web.test_zalo_upload import settings, upload_link  # noqa: F401 (a fixture)
from tests.zalo.conftest import fake_zalo  # noqa: F401 (a fixture)

# Markup, keyboard and print are the pages' own, whatever the database: on SQLite only (the
# same pages' data is checked on both databases in test_dashboard.py and test_browser.py).
pytestmark = pytest.mark.parametrize("web_engine", ["sqlite"], indirect=True)

# What a screen reader or a magnifier's user needs of a page: every control labelled, every
# table captioned with header cells that say what they head, every link and button named.
AUDIT = """() => {
  const problems = [];
  const named = (el) => (el.getAttribute("aria-label") || el.textContent || "").trim();
  for (const c of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!c.labels.length && !c.getAttribute("aria-label")) {
      problems.push("unlabelled " + c.outerHTML.slice(0, 90));
    }
  }
  for (const table of document.querySelectorAll("table")) {
    const caption = table.caption ? table.caption.textContent.trim() : "";
    if (!caption) problems.push("no caption #" + table.id);
    if (!table.querySelector("thead th")) problems.push("no header row #" + table.id);
  }
  for (const th of document.querySelectorAll("th")) {
    const where = "#" + th.closest("table").id + " " + th.textContent.trim().slice(0, 20);
    if (!th.getAttribute("scope")) problems.push("th without scope " + where);
    if (!th.textContent.trim()) problems.push("empty th " + where);
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!named(el)) problems.push("nameless " + el.outerHTML.slice(0, 90));
  }
  return problems;
}"""

# Cells that a box scrolling (or hiding) its overflow cuts off: what printing loses.
CLIPPED = """() => {
  const cut = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const r = cell.getBoundingClientRect();
    for (let box = cell.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX === "visible") continue;
      const b = box.getBoundingClientRect();
      if (r.right > b.right + 1 || r.left < b.left - 1) cut.push(cell.textContent.trim());
    }
  }
  return cut;
}"""

# A4's width, less the 10 mm margins either side Chromium prints with, in CSS pixels (96 a
# inch): upright and turned sideways.
A4_PX, A4_SIDEWAYS_PX = 718, 1047
MEDIA_BOX = re.compile(r"/MediaBox \[([\d. ]+)\]")

# What a page loaded from another site, and the bytes it took (page, stylesheet, script).
WEIGHT = """() => {
  const all = [...performance.getEntriesByType("navigation"),
               ...performance.getEntriesByType("resource")];
  return [all.filter((e) => !e.name.startsWith(location.origin)).map((e) => e.name),
          all.reduce((n, e) => n + e.transferSize, 0)];
}"""


async def audit(page: Page, lang: str, where: str) -> None:
    """Assert the page is in `lang`, passes the audit and fits a 200 % zoom (640 px)."""
    assert await page.evaluate("document.documentElement.lang") == lang, where
    assert await page.evaluate(AUDIT) == [], where
    size = page.viewport_size
    await page.set_viewport_size({"width": 640, "height": 480})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 640, where
    if size is not None:
        await page.set_viewport_size(size)


async def test_pages_label_every_control_table_and_link_in_either_language(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The dashboard's four pages, the sign-in landing and the Zalo admin's upload page, in
    Vietnamese and English: `<html lang>` is the page's, the refusal's note and the upload's
    file field are labelled (they were placeholders or nothing), every table has a caption
    and scoped header cells (none had; the overview's bar column had an empty header and the
    history none), and nothing is loaded from another site, every page a few kilobytes."""
    ask_extension(served)
    task_id, unit_id = served.tasks[0].id, served.units["TX"].id
    landing = await (await browser.new_context()).new_page()
    await landing.goto(await served.login_link(COORDINATOR))
    await audit(landing, "vi", "landing")
    page = await open_signed_in(served, browser, COORDINATOR)
    for lang in ("vi", "en"):
        for path in ("/", "/matrix", f"/tasks/{task_id}", f"/units/{unit_id}"):
            await page.goto(f"{served.url}{path}?lang={lang}")
            await shot(page, tmp_path, f"{lang}{path.replace('/', '-')}")
            await audit(page, lang, f"{lang} {path}")
            elsewhere, weight = await page.evaluate(WEIGHT)
            assert elsewhere == [], path
            assert 0 < weight < 60_000, path  # ~11 KB now: the page, its stylesheet and script
    upload = await (await browser.new_context(locale="vi-VN")).new_page()
    link = await upload_link(served, fake_zalo)
    for lang in ("vi", "en"):
        await upload.goto(f"{link}&lang={lang}")
        await shot(upload, tmp_path, f"upload-{lang}")
        await audit(upload, lang, f"upload {lang}")


async def test_keyboard_reaches_every_control_with_a_visible_focus_and_sorts(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Tab alone reaches every link, button and field of the overview and a task's page, each
    with a focus ring of 2 px or more, and sorts the task's units by a header (the headers
    took a mouse click only)."""
    ask_extension(served)
    page = await open_signed_in(served, browser, COORDINATOR)
    for path in ("/", f"/tasks/{served.tasks[0].id}"):
        await page.goto(served.url + path)
        await page.evaluate(
            """() => { window.reached = []; document.addEventListener("focusin", (e) => {
              const s = getComputedStyle(e.target);
              window.reached.push([e.target, s.outlineStyle, parseFloat(s.outlineWidth)]); }); }"""
        )
        controls = await page.locator(
            "a[href], button, select, input:not([type=hidden]), th[data-sort]"
        ).count()
        for _ in range(controls + 2):
            await page.keyboard.press("Tab")
        missed = await page.evaluate(
            """() => Array.from(document.querySelectorAll(
              "a[href], button, select, input:not([type=hidden]), th[data-sort]"))
              .filter((el) => !window.reached.some(([f]) => f === el || el.contains(f)))
              .map((el) => el.outerHTML.slice(0, 80))"""
        )
        assert missed == [], path
        faint = await page.evaluate(
            """() => window.reached.filter(([, style, width]) => style === "none" || width < 2)
              .map(([el]) => el.outerHTML.slice(0, 80))"""
        )
        assert faint == [], path
    await page.locator("#units th[data-sort]").nth(1).locator("button").focus()
    await shot(page, tmp_path, "focus-on-sort")
    await page.keyboard.press("Enter")
    assert await page.locator("#units th").nth(1).get_attribute("aria-sort") == "ascending"


async def test_printing_keeps_the_tables_whole_and_leaves_the_controls_out(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Printed for a meeting (on a page narrower than the task's table), the overview, the
    matrix, a task's and a unit's tables are not cut at their scrolling box's edge (they
    were), and the filters and buttons stay off the paper."""
    ask_extension(served)
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 560, "height": 800})
    task_id, unit_id = served.tasks[0].id, served.units["TX"].id
    for path in ("/", "/matrix", f"/tasks/{task_id}", f"/units/{unit_id}"):
        await page.goto(served.url + path)
        await shot(page, tmp_path, f"print{path.replace('/', '-')}")
        assert await page.evaluate(CLIPPED) == [], path
        shown = await page.locator(".filters, #logout, form.decide").evaluate_all(
            "(els) => els.filter((el) => el.offsetParent !== null).map((el) => el.id)"
        )
        assert shown == [], path


async def test_error_pages_speak_the_pages_language_and_lead_back(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """An unknown address (a bare "404" in English, no page), a wrong method, a session
    gone (401), a forged link (403) and a used one (410) each answer a page in the language
    chosen, with a link back (none had one)."""
    used = await served.login_link(COORDINATOR)
    first = await (await browser.new_context()).new_page()
    await first.goto(used)
    async with first.expect_navigation():
        await first.click("#go")
    said = {
        "vi": ("Không tìm thấy trang này.", "không hợp lệ", "cần đăng nhập", "đã được dùng"),
        "en": ("This page does not exist.", "not valid", "Please sign in", "used already"),
    }
    for lang, (missing, bad, sign_in, spent) in said.items():
        page = await (await browser.new_context()).new_page()
        for path, status, text in (
            (f"/nope?lang={lang}", 404, missing),  # the language chosen, kept by its cookie
            ("/logout", 405, bad),
            ("/", 401, sign_in),
            (used[:-4] + "AAAA", 403, "/web"),
            (used, 410, spent),
        ):
            response = await page.goto(served.url + path if path.startswith("/") else path)
            assert response is not None
            assert response.status == status, path
            await shot(page, tmp_path, f"{lang}-{status}")
            assert await page.evaluate("document.documentElement.lang") == lang, path
            assert text in await page.locator("#message").inner_text(), path
            assert await page.locator("#back").get_attribute("href") == "/", path
            await audit(page, lang, path)


async def test_an_english_readers_sign_out_and_ended_session_are_in_english(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A coordinator who reads the bot in English (never choosing it on the page) is told
    they signed out, and later that their session ended, in English (both were Vietnamese:
    nobody signed in, the page fell back to it)."""
    with served.bot.session() as s:
        coordinator = person(s, COORDINATOR)
        coordinator.language = "en"
        s.add(coordinator)
        s.commit()
    page = await open_signed_in(served, browser, COORDINATOR)
    assert await page.evaluate("document.documentElement.lang") == "en"
    async with page.expect_navigation():
        await page.click("#logout")
    await shot(page, tmp_path, "signed-out-en")
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert "signed out" in await page.locator("#message").inner_text()
    page = await open_signed_in(served, browser, COORDINATOR)
    served.bot.clock.advance(SESSION_IDLE + timedelta(minutes=1))
    response = await page.reload()
    assert response is not None
    assert response.status == 401
    await shot(page, tmp_path, "session-ended-en")
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert "Please sign in" in await page.locator("#message").inner_text()


async def test_a_filter_changed_by_keyboard_keeps_the_focus_after_its_reload(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """An arrow key on a filter applies it at once (the page reloads): the focus comes back
    to that filter, on the overview and the matrix, so the next key goes on (it fell to the
    page's start, and a keyboard user had to Tab back through the menu each time)."""
    page = await open_signed_in(served, browser, COORDINATOR)
    for path, select in (("/", "#filter-kind"), ("/matrix", "#filter-group")):
        await page.goto(served.url + path)
        await page.focus(select)
        async with page.expect_navigation():
            await page.keyboard.press("ArrowDown")
        await page.wait_for_load_state("load")
        assert await page.evaluate("document.activeElement.id") == select[1:], path
        assert "=" in page.url.split("?", 1)[-1], path  # the filter was applied


async def test_an_expired_download_link_is_refused_in_its_persons_language(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A download link signed for an English reader, opened after it expired in a browser
    without their session, is refused in English (it was Vietnamese), with a way back, even
    by a Vietnamese browser; a forged one, whose person is anyone's guess, in the browser's."""
    with served.bot.session() as s:
        coordinator = person(s, COORDINATOR)
        coordinator.language = "en"
        s.add(coordinator)
        s.commit()
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.goto(f"{served.url}/tasks/{served.tasks[0].id}")
    href = await page.locator("#export-task").get_attribute("href")
    assert href is not None
    served.bot.clock.advance(timedelta(hours=1, minutes=1))
    other = await (await browser.new_context(locale="vi-VN")).new_page()
    for link, lang, status in ((href, "en", 410), (href.replace("s=", "s=A"), "vi", 403)):
        response = await other.goto(served.url + link if link.startswith("/") else link)
        assert response is not None
        assert response.status == status
        await shot(other, tmp_path, f"expired-{lang}")
        assert await other.evaluate("document.documentElement.lang") == lang
        assert await other.locator("#back").count() == 1


async def test_each_page_has_a_title_of_its_own_in_either_language(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """The browser's tab, its history and a screen reader name each page by what it shows (a
    task's number and title, a unit's name, the refusal said), the site's name after it, in
    the page's language: every page was titled the same, a 404 as the overview."""
    task, unit = served.tasks[0], served.units["TX"]
    landing = await (await browser.new_context()).new_page()
    await landing.goto(await served.login_link(COORDINATOR))
    assert (await landing.title()).startswith("Đăng nhập · ")
    page = await open_signed_in(served, browser, COORDINATOR)
    expected = {
        "vi": ["Tổng quan", "Ma trận", f"#{task.id} {task.title}", unit.name, "Không tìm thấy"],
        "en": ["Overview", "Units × tasks", f"#{task.id} {task.title}", unit.name, "does not"],
    }
    for lang, starts in expected.items():
        titles = []
        for path in ("/", "/matrix", f"/tasks/{task.id}", f"/units/{unit.id}", "/nope"):
            await page.goto(f"{served.url}{path}?lang={lang}")
            titles.append(await page.title())
        site = "Đôn đốc — Trang tổng hợp" if lang == "vi" else "Đôn đốc — Dashboard"
        for title, start in zip(titles, starts, strict=True):
            assert start in title.split(" · ")[0], (lang, title)
            assert title.endswith(" · " + site), (lang, title)
        assert len(set(titles)) == len(titles), titles


async def test_printed_tables_are_no_wider_than_the_paper(
    served: Served,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Printed for a meeting, the overview, a task's and a unit's tables fit A4's width and
    the matrix of many overdue tasks A4 turned sideways (its columns of statuses that never
    wrapped ran past the paper's edge, cut there: 25 tasks were 5,341 px, their fourth the
    last on paper; the overview's bar was cut on A4 in a province of 300 units)."""
    with served.bot.session() as s:
        for n in range(12):  # overdue since the start of the year: "Quá hạn (quá 3xx ngày)"
            make_task(s, f"Việc quá hạn số {n}", date(2026, 1, 5 + n), [*served.units.values()])
    page = await open_signed_in(served, browser, COORDINATOR)
    await page.emulate_media(media="print")
    task_id, unit_id = served.tasks[0].id, served.units["TX"].id
    for path, width in (("/", A4_PX), (f"/tasks/{task_id}", A4_PX), (f"/units/{unit_id}", A4_PX)):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(served.url + path)
        await shot(page, tmp_path, f"paper{path.replace('/', '-')}")
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, path
    await page.set_viewport_size({"width": A4_SIDEWAYS_PX, "height": 700})
    await page.goto(served.url + "/matrix")
    await shot(page, tmp_path, "paper-matrix")
    assert await page.locator("#matrix thead th").count() == 15  # the unit, 14 tasks
    assert await page.evaluate("document.documentElement.scrollWidth") <= A4_SIDEWAYS_PX
    pdf = await page.pdf(prefer_css_page_size=True)
    sizes = {
        tuple(round(float(v)) for v in m.split()) for m in MEDIA_BOX.findall(pdf.decode("latin-1"))
    }
    assert sizes == {(0, 0, 842, 595)}  # A4 sideways, in points
