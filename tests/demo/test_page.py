"""The simulator's page as a visitor sees it: on a phone and on a laptop, with the demo
running or stopped (in a real headless Chromium, tests/browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.demo.conftest import Running, start, stop

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
WAIT_MS = 15_000
PERSONAS = ("admin", "coordinator", "official_tg", "official_zalo")


async def overflow(page: Page, selector: str) -> float:
    """Return how far past the window's right edge an element reaches (0 inside it)."""
    box = await page.locator(selector).bounding_box()
    assert box is not None, selector
    width: int = await page.evaluate("document.documentElement.clientWidth")
    return max(0.0, box["x"] + box["width"] - width)


@pytest.mark.parametrize(
    ("viewport", "lang"), [(PHONE, "vi"), (PHONE, "en"), (LAPTOP, "vi"), (LAPTOP, "en")]
)
async def test_every_phone_fits_the_window_width(
    browser: Browser, demo: Running, viewport: ViewportSize, lang: str
) -> None:
    """On a 390 px phone as on a laptop, nothing reaches past the window's right edge: no
    sideways scrolling, and every pane's field and Send button are where a thumb finds them."""
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await page.goto(f"{demo.url}?lang={lang}")
    await expect(page.locator("#phone-official_zalo .bubble.bot").first).to_be_visible(
        timeout=WAIT_MS
    )
    scrolled: int = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert scrolled == 0
    for persona in PERSONAS:
        for part in ("input", "button[type=submit]"):
            assert await overflow(page, f"#phone-{persona} {part}") == 0, (persona, part)
    assert await overflow(page, "#tour") == 0
    await context.close()


async def test_a_message_sent_to_a_stopped_demo_is_kept_and_the_page_says_why(
    browser: Browser, tmp_path: Path
) -> None:
    """Ctrl+C in the terminal while the page is open: what the visitor then types stays in
    the field, and the page says the demo is not answering instead of doing nothing, in
    sight wherever the phone's page is scrolled; the "next working morning" button says so
    too. Started again, the page says no more of it, and the text kept can be sent."""
    running = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        await page.goto(running.url + "?lang=en")
        phone = page.locator("#phone-official_zalo")
        await expect(phone.locator(".bubble.bot").first).to_be_visible(timeout=WAIT_MS)
    finally:
        stop(running, tmp_path)
    stopped = page.locator("#stopped")
    await expect(stopped).to_be_visible(timeout=WAIT_MS)  # the page's poll noticed
    await expect(stopped).to_contain_text("not answering")
    await phone.locator("input").scroll_into_view_if_needed()
    await expect(stopped).to_be_in_viewport()
    await phone.locator("input").fill("1")
    await phone.locator("button[type=submit]").click()
    await expect(phone.locator(".error")).to_contain_text("not answering")
    await expect(phone.locator("input")).to_have_value("1")
    await expect(phone.locator(".bubble.mine")).to_have_count(0)
    await page.locator("#next-morning").click()
    await expect(page.locator("#next-morning")).to_be_enabled()
    await expect(stopped).to_be_visible()

    port = running.url.split(":")[2].split("/")[0]
    again = start(tmp_path, "demo", "--port", port, DEFAULT_LANGUAGE="en")
    try:  # started again on the same address: the page says nothing of a stop any more
        await expect(stopped).to_be_hidden(timeout=WAIT_MS)
        await expect(phone.locator(".error")).to_be_hidden()
        await phone.locator("button[type=submit]").click()  # the text kept is sent now
        await expect(phone.locator(".bubble.mine")).to_have_text("1")
        await expect(phone.locator("input")).to_have_value("")
    finally:
        stop(again, tmp_path)
    await context.close()
