"""The guided tour in a real headless Chromium: the demo as a visitor uses it.

With DEMO_SCREENSHOT=<path> it also writes the simulator's screenshot there (the README's
docs/demo.png is made so). The browser is the test process's Chromium (tests/browser.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.demo.conftest import Running

TASK = "Báo cáo kết quả triển khai Tổ công nghệ số cộng đồng"
NEXT_TASK = "Thành lập Ban Chỉ đạo chuyển đổi số cấp xã"
WAIT_MS = 15_000


def bubbles(page: Page, persona: str) -> Locator:
    """Return the bot's messages in a persona's phone."""
    return page.locator(f"#phone-{persona} .bubble.bot")


async def counts(page: Page) -> tuple[int, int]:
    """Return the task's units done on time and without a report, from the overview."""
    row = page.locator("#tasks tr", has_text=TASK)
    done = await row.locator('[data-count="done_on_time"]').inner_text()
    none = await row.locator('[data-count="no_report"]').inner_text()
    return int(done), int(none)


async def test_the_guided_tour(browser: Browser, demo: Running, tmp_path: Path) -> None:
    """Answer on Zalo by typing, on Telegram by a button; the dashboard counts both; the
    next working morning brings the next reminders."""
    context = await browser.new_context(viewport={"width": 1440, "height": 820})
    page = await context.new_page()
    await page.goto(demo.url + "?lang=en")
    await expect(page.locator("#tour li")).to_have_count(6)
    await expect(page.locator("#tour-1")).to_contain_text("Xã Bình Minh")  # in English
    zalo, telegram = bubbles(page, "official_zalo"), bubbles(page, "official_tg")
    await expect(zalo.first).to_contain_text(TASK, timeout=WAIT_MS)
    await expect(telegram.first).to_contain_text(TASK, timeout=WAIT_MS)
    await expect(zalo.first).to_contain_text("1 = Hoàn thành")  # Zalo: numbered replies

    dashboard = await context.new_page()
    await dashboard.goto(demo.url.replace("/demo", "/demo/as/coordinator"))
    done_before, none_before = await counts(dashboard)

    phone = page.locator("#phone-official_zalo")
    await phone.locator("input").fill("1")
    await phone.locator("button[type=submit]").click()
    await expect(phone.locator(".bubble.mine")).to_have_text("1")
    await expect(zalo.nth(1)).to_contain_text("Đã ghi nhận", timeout=WAIT_MS)

    await telegram.first.get_by_role("button", name="✅ Hoàn thành").click()
    await expect(telegram.first).to_contain_text("Đã ghi nhận", timeout=WAIT_MS)
    await expect(telegram.first.locator(".keyboard")).to_have_count(0)  # buttons settled
    if os.environ.get("DEMO_SCREENSHOT"):
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=os.environ["DEMO_SCREENSHOT"])

    await dashboard.reload()
    assert await counts(dashboard) == (done_before + 2, none_before - 2)
    await dashboard.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    clock = await page.locator("#clock").inner_text()
    await page.locator("#next-morning").click()
    await expect(page.locator("#clock")).not_to_have_text(clock, timeout=WAIT_MS)
    assert re.fullmatch(r"08:0\d \d\d/\d\d/\d{4}", await page.locator("#clock").inner_text())
    await expect(telegram.nth(1)).to_contain_text(NEXT_TASK, timeout=WAIT_MS)
    await expect(zalo.nth(2)).to_contain_text(NEXT_TASK, timeout=WAIT_MS)
    await page.screenshot(path=str(tmp_path / "simulator.png"), full_page=True)

    # The coordinator's /web answers with a sign-in link: a link in the pane, to the demo.
    coordinator = page.locator("#phone-coordinator")
    await coordinator.locator("input").fill("/web")
    await coordinator.locator("button[type=submit]").click()
    sign_in = coordinator.locator(".bubble.bot a", has_text="/login/")
    await expect(sign_in).to_have_count(1, timeout=WAIT_MS)
    async with context.expect_page() as opened:
        await sign_in.click()
    landing = await opened.value
    await expect(landing.locator("form[method=post] button")).to_have_count(1)
