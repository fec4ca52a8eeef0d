"""Signing in from Telegram's Mini App: initData signed with the bot's key, recent, staff."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import httpx
from playwright.async_api import Browser, Route

from app.miniapp import Refused, derive_miniapp_key, sign_init_data, verify_init_data
from tests.conftest import TEST_TOKEN
from tests.factories import make_task, make_unit
from tests.web.conftest import COORDINATOR, OFFICIAL, Served
from tests.web.test_browser import browser  # noqa: F401 (a fixture)

KEY = derive_miniapp_key(TEST_TOKEN)


def init_data(served: Served, user_id: int, *, age: timedelta = timedelta(0)) -> str:
    """Return initData as Telegram would hand it to the Mini App for this user."""
    stamp = int((served.bot.clock.now() - age).timestamp())
    user = json.dumps({"id": user_id, "first_name": "Điều phối"}, ensure_ascii=False)
    return sign_init_data(KEY, {"query_id": "AAE1", "user": user, "auth_date": str(stamp)})


def session_of(response: httpx.Response) -> dict[str, str]:
    """Return the Cookie header of the session a Mini App sign-in opened: it is Secure (as
    Telegram Web's frame needs), which httpx keeps for https only."""
    return {"cookie": response.headers["set-cookie"].split(";")[0]}


async def test_miniapp_init_data_opens_a_session_for_staff(served: Served) -> None:
    """A coordinator's fresh initData opens a session; the Mini App page hands it on."""
    page = await served.http.get("/app")
    assert page.status_code == 200
    assert "https://telegram.org" in page.headers["content-security-policy"]
    async with served.client() as client:
        response = await client.post(
            "/login/telegram", data={"initData": init_data(served, COORDINATOR)}
        )
        assert response.status_code == 303
        assert (await client.get("/", headers=session_of(response))).status_code == 200


async def test_miniapp_init_data_opens_one_session_only(served: Served) -> None:
    """initData is single-use, as codes and links are: posted again (captured, replayed)
    within its ten minutes it opens no second session, and the page says to reopen the Mini
    App; a fresh one (the Mini App opened again) signs in."""
    data = {"initData": init_data(served, COORDINATOR)}
    async with served.client() as client:
        first = await client.post("/login/telegram", data=data)
        assert first.status_code == 303
        again = await client.post("/login/telegram", data=data)
        assert again.status_code == 410  # used up: gone, as a used link is
        assert "dondoc_session" not in again.headers.get("set-cookie", "")
        assert "mở lại" in again.text
        assert (await client.get("/")).status_code == 401
    served.bot.clock.advance(timedelta(seconds=1))  # Telegram stamps a reopened one anew
    async with served.client() as client:
        reopened = {"initData": init_data(served, COORDINATOR)}
        assert (await client.post("/login/telegram", data=reopened)).status_code == 303


async def test_miniapp_refuses_forged_member_and_missing(served: Served) -> None:
    """A changed field, a member, or no initData: 403 and no session."""
    good = init_data(served, COORDINATOR)
    forged = good.replace("query_id=AAE1", "query_id=AAE2")
    member = init_data(served, OFFICIAL)
    async with served.client() as client:
        for data in ({"initData": forged}, {"initData": member}, {}):
            response = await client.post("/login/telegram", data=data)
            assert response.status_code == 403
        assert (await client.get("/")).status_code == 401


async def test_miniapp_left_open_too_long_says_to_open_it_again(served: Served) -> None:
    """initData older than ten minutes (the Mini App left open) is refused as gone, with the
    words to open the Mini App again (it was refused as a forged one, "invalid link, type
    /web"); forged and old at once, it is refused as forged, its age not told."""
    stale = init_data(served, COORDINATOR, age=timedelta(minutes=11))
    forged = stale.replace("query_id=AAE1", "query_id=AAE2")
    async with served.client() as client:
        response = await client.post("/login/telegram", data={"initData": stale})
        assert response.status_code == 410
        assert "đã quá 10 phút" in response.text
        assert "mở lại từ cuộc trò chuyện với bot" in response.text
        assert "dondoc_session" not in response.headers.get("set-cookie", "")
        assert (await client.post("/login/telegram", data={"initData": forged})).status_code == 403
        assert (await client.get("/")).status_code == 401


async def test_miniapp_sign_in_posted_from_another_site_is_refused(served: Served) -> None:
    """A coordinator's own fresh initData, posted by another site's page into a visitor's
    browser, opens no session there (that visitor would act as the coordinator)."""
    data = {"initData": init_data(served, COORDINATOR)}
    async with served.client() as client:
        for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
            response = await client.post("/login/telegram", data=data, headers=headers)
            assert response.status_code == 403
            assert "dondoc_session" not in response.headers.get("set-cookie", "")
        assert (await client.get("/")).status_code == 401


async def test_miniapp_page_in_chromium_signs_in_and_shows_the_overview(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """In Chromium, the Mini App page posts Telegram's initData (from Telegram's script,
    stubbed here) to our own sign-in, which takes it as ours and opens the overview."""
    signed = json.dumps(init_data(served, COORDINATOR))
    script = f"window.Telegram = {{WebApp: {{initData: {signed}, ready() {{}}}}}};"
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    await page.route(
        "https://telegram.org/**",
        lambda route: route.fulfill(body=script, content_type="application/javascript"),
    )
    await page.goto(f"{served.url}/app")
    await page.wait_for_url(f"{served.url}/", timeout=10_000)  # a refusal stays on its page
    assert await page.is_visible("#logout")
    await context.close()


async def test_verify_init_data_needs_the_bots_key() -> None:
    """initData signed with another bot's key names nobody."""
    other = derive_miniapp_key("654321:another-bot-token-for-the-tests")
    data = sign_init_data(other, {"user": '{"id": 5}', "auth_date": "1700000000"})
    now = datetime.fromtimestamp(1700000000, UTC)
    assert verify_init_data(other, data, now=now) == "5"
    assert verify_init_data(KEY, data, now=now) == Refused.INVALID


async def test_verify_init_data_refuses_an_auth_date_that_is_no_number() -> None:
    """A signed auth_date of "²", a forged "²", or one of 5,000 digits names nobody, no error.

    The signature is checked first, so only the bot's key could sign such a stamp; even then
    it must read as "not a login", not fail in `int`.
    """
    now = datetime.fromtimestamp(1700000000, UTC)
    for stamp in ("²", "①", "9" * 5000, "-1700000000"):
        signed = sign_init_data(KEY, {"user": '{"id": 5}', "auth_date": stamp})
        forged = signed.replace("auth_date=", "auth_date=1", 1)
        assert verify_init_data(KEY, signed, now=now) == Refused.INVALID
        assert verify_init_data(KEY, forged, now=now) == Refused.INVALID


async def test_miniapp_on_a_phone_shows_each_tables_caption_and_readable_names(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """Signed in by the Mini App on a phone (360×640), each page's wide table scrolls in its
    box, but its caption stays whole in view (its end was past the screen's edge) and its
    first column (a task's title, a unit's name) keeps a few words a line (it held one);
    dates are dd/mm/yyyy and units in Vietnamese alphabetical order (D before Đ, A before Â)."""
    with served.bot.session() as s:
        units = [make_unit(s, f"V{i}", name) for i, name in enumerate(VIETNAMESE_NAMES)]
        task = make_task(
            s, "Triển khai kế hoạch chuyển đổi số năm 2026", date(2026, 12, 20), units
        )
        s.commit()
        task_id, unit_id = task.id, units[0].id
    signed = json.dumps(init_data(served, COORDINATOR))
    script = f"window.Telegram = {{WebApp: {{initData: {signed}, ready() {{}}}}}};"
    context = await browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    await context.route(
        "https://telegram.org/**",
        lambda route: route.fulfill(body=script, content_type="application/javascript"),
    )
    page = await context.new_page()
    await page.goto(f"{served.url}/app")
    await page.wait_for_url(f"{served.url}/", timeout=10_000)
    for path in ("/", f"/tasks/{task_id}", "/matrix", f"/units/{unit_id}"):
        await page.goto(served.url + path)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360, path
        captions = await page.evaluate(
            "[...document.querySelectorAll('caption:not(.sr-only)')]"
            ".map(c => c.getBoundingClientRect().right)"
        )
        assert captions, path
        assert all(right <= 360 for right in captions), (path, captions)
        firsts = await page.evaluate(
            "[...document.querySelectorAll('.scroll tbody tr > :first-child')]"
            ".map(c => c.getBoundingClientRect().width)"
        )
        assert min(firsts) >= 120, (path, firsts)  # px: about 8 rem
    await page.goto(f"{served.url}/tasks/{task_id}")
    assert "Hạn: 21/12/2026 (hạn ghi 20/12/2026 là ngày nghỉ)" in await page.inner_text("main")
    names = await page.locator("#units tbody tr td:first-child").all_inner_texts()
    assert names == sorted(VIETNAMESE_NAMES, key=VIETNAMESE_ORDER.index)
    await context.close()


VIETNAMESE_NAMES = ["Xã Đại Lộc", "Xã Ân Hòa", "Xã Duy Xuyên", "Xã An Phú", "Xã Ơn Thành"]
VIETNAMESE_ORDER = ["Xã An Phú", "Xã Ân Hòa", "Xã Duy Xuyên", "Xã Đại Lộc", "Xã Ơn Thành"]


def telegram_script(body: str | None) -> Callable[[Route], Awaitable[None]]:
    """Return a route handler that serves this as Telegram's script (None: fails to load)."""

    async def handle(route: Route) -> None:
        if body is None:
            await route.abort()
        else:
            await route.fulfill(body=body, content_type="application/javascript")

    return handle


async def test_miniapp_page_outside_telegram_says_how_to_sign_in(
    served: Served,
    browser: Browser,  # noqa: F811
) -> None:
    """/app opened in a browser (no initData) or where Telegram's script does not load says
    how to sign in: it was an empty page."""
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    for script in ("window.Telegram = {WebApp: {initData: '', ready() {}}};", None):
        await page.route("https://telegram.org/**", telegram_script(script))
        await page.goto(f"{served.url}/app")
        assert "gõ /web" in await page.inner_text("main")
        await page.unroute("https://telegram.org/**")
    await context.close()
