"""The simulator's page as a visitor sees it: on a phone and on a laptop, with the demo
running or stopped (in a real headless Chromium, tests/browser.py)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.demo.conftest import Running

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
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
    browser: Browser, demo: Running, viewport: dict[str, int], lang: str
) -> None:
    """On a 390 px phone as on a laptop, nothing reaches past the window's right edge: no
    sideways scrolling, and every pane's field and Send button are where a thumb finds them."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
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
