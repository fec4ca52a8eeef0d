"""Links opened from chat: a GET (a chat server's preview) uses nothing, the page's button
does, once; a dashboard session downloads again and again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlmodel import select

from app import link_uses, links
from db.models import Invite, UsedLink, WebLogin
from db.queries.used_links import LEASE
from tests.factories import person
from tests.harness import ADMIN_ID
from tests.web.conftest import COORDINATOR, SCOPED, Served
from tests.web.test_dashboard import export_href

PREVIEW_BOT = {"user-agent": "TelegramBot (like TwitterBot)"}


def chat_link(served: Served, path: str, user_id: int = COORDINATOR) -> str:
    """Return a download link signed for the person as a chat answer signs it (24 hours)."""
    with served.bot.session() as s:
        contact = person(s, user_id)
    return links.sign(
        served.bot.services.link_key,
        path=path,
        person=str(contact.id),
        expires=served.bot.clock.now() + links.DEFAULT_TTL,
    )


async def test_a_preview_get_leaves_the_sign_in_link_usable(served: Served) -> None:
    """GETs of a sign-in link show whom it signs in, with a button; the button signs in."""
    link = await served.login_link(COORDINATOR)
    async with served.client() as preview:
        for _ in range(2):
            shown = await preview.get(link, headers=PREVIEW_BOT)
            assert shown.status_code == 200
            assert "set-cookie" not in shown.headers
            assert "Đăng nhập trang tổng hợp với tên Điều phối." in shown.text
            assert 'method="post"' in shown.text
    with served.bot.session() as s:
        assert s.exec(select(WebLogin.used_at)).one() is None
    async with served.client() as browser:
        assert (await browser.post(link)).status_code == 303
        assert (await browser.get("/")).status_code == 200


async def test_a_preview_get_neither_uses_a_download_link_nor_builds_its_file(
    served: Served,
) -> None:
    """A GET of an /export link shows what it gives and its expiry; the file is built at the
    POST, once; a second POST and any later GET say the link was used."""
    link = chat_link(served, "/files/export/all")
    async with served.client() as preview:
        shown = await preview.get(link, headers=PREVIEW_BOT)
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/html")
    assert "Phụ lục tổng hợp (Excel, XLSX) của mọi nhiệm vụ đang mở" in shown.text
    assert "19/11/2026" in shown.text  # its expiry, 24 hours on
    with served.bot.session() as s:
        assert s.exec(select(UsedLink)).all() == []
    used = served.bot.services.catalog.plain("vi", "web.link_used", command="/export")
    async with served.client() as person_:
        first = await person_.post(link)
        second = await person_.post(link)
        later = await person_.get(link)
    assert first.status_code == 200
    assert first.content.startswith(b"PK")
    for refused in (second, later):
        assert refused.status_code == 410
        assert used in refused.text


async def test_a_used_link_is_refused_in_its_persons_language(served: Served) -> None:
    """Someone who reads the bot in English is told in English that their link was used,
    whether they open it again or press its button again."""
    with served.bot.session() as s:
        contact = person(s, COORDINATOR)
        contact.language = "en"
        s.add(contact)
        s.commit()
    link = chat_link(served, "/files/export/all")
    used = served.bot.services.catalog.plain("en", "web.link_used", command="/export")
    async with served.client() as person_:
        assert (await person_.post(link)).status_code == 200
        again = [await person_.post(link), await person_.get(link)]
    for refused in again:
        assert refused.status_code == 410
        assert used in refused.text


async def test_two_uses_at_once_send_one_file(served: Served) -> None:
    """Of several POSTs of one link at the same time, exactly one gets the file."""
    link = chat_link(served, "/files/report/all")
    clients = [served.client() for _ in range(3)]
    try:
        answers = await asyncio.gather(*(c.post(link) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 410, 410]
    [sent] = [a for a in answers if a.status_code == 200]
    assert sent.content.startswith(b"PK")


async def test_a_dashboard_download_can_be_repeated_in_its_session(served: Served) -> None:
    """A page's download works again and again with its person's session; the same link
    without the session is a bearer link: a page, then one download."""
    async with served.signed_in(COORDINATOR) as browser:
        href = export_href((await browser.get(f"/tasks/{served.tasks[0].id}")).text, "chart-task")
        for _ in range(3):
            again = await browser.get(href)
            assert again.status_code == 200
            assert again.content.startswith(b"\x89PNG")
    async with served.client() as anonymous:
        assert (await anonymous.get(href)).headers["content-type"].startswith("text/html")
        assert (await anonymous.post(href)).status_code == 200
        assert (await anonymous.post(href)).status_code == 410


async def test_a_post_from_another_site_is_refused(served: Served) -> None:
    """A sign-in or download POST whose Origin is another site's is refused, the link kept."""
    link = await served.login_link(COORDINATOR)
    download = chat_link(served, "/files/chart/" + str(served.tasks[0].id))
    evil = {"origin": "https://evil.example"}
    async with served.client() as browser:
        refused = await browser.post(link, headers=evil)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
        assert (await browser.post(download, headers=evil)).status_code == 403
        assert (await browser.post(download, headers={"origin": "null"})).status_code == 403
        cross = {"sec-fetch-site": "cross-site"}
        assert (await browser.post(link, headers=cross)).status_code == 403
        ours = {"origin": served.url}
        assert (await browser.post(link, headers=ours)).status_code == 303
    async with served.client() as anonymous:
        assert (await anonymous.post(download, headers={"origin": served.url})).status_code == 200


async def test_used_links_are_forgotten_once_expired(served: Served) -> None:
    """The store keeps a used link until it expires; a later use purges the old rows."""
    first = chat_link(served, f"/files/chart/{served.tasks[0].id}")
    async with served.client() as anonymous:
        assert (await anonymous.post(first)).status_code == 200
        served.bot.clock.advance(links.DEFAULT_TTL + timedelta(seconds=1))
        assert (await anonymous.post(first)).status_code == 410  # expired, whatever the store
        second = chat_link(served, f"/files/chart/{served.tasks[0].id}")
        assert (await anonymous.post(second)).status_code == 200
    with served.bot.session() as s:
        assert len(s.exec(select(UsedLink)).all()) == 1


def die_while_building(served: Served, link: str) -> None:
    """Take a link as a POST does before building its file, and never finish: the process
    that took it died."""
    parts = urlsplit(link)
    now = served.bot.clock.now()
    granted = links.verify(
        served.bot.services.link_key, path=parts.path, query=dict(parse_qsl(parts.query)), now=now
    )
    with served.bot.session() as s:
        assert link_uses.take(s, granted, now=now)
        s.commit()


async def test_a_link_taken_by_a_build_that_died_works_again_once_its_lease_passed(
    served: Served,
) -> None:
    """A link whose file was being built when the server died is busy for a few minutes,
    then gives its file once; given, it stays used."""
    link = chat_link(served, "/files/export/all")
    die_while_building(served, link)
    async with served.client() as person_:
        assert (await person_.post(link)).status_code == 410
        served.bot.clock.advance(LEASE)
        shown = await person_.get(link)
        assert shown.status_code == 200
        assert 'method="post"' in shown.text
        sent = await person_.post(link)
        assert sent.status_code == 200
        assert sent.content.startswith(b"PK")
        served.bot.clock.advance(LEASE * 2)
        assert (await person_.post(link)).status_code == 410
        assert (await person_.get(link)).status_code == 410


def read_in_english(served: Served, user_id: int, role: str | None = None) -> None:
    """Make the person read the bot in English, and give them another role when asked."""
    with served.bot.session() as s:
        contact = person(s, user_id)
        contact.language = "en"
        contact.role = role or contact.role
        s.add(contact)
        s.commit()


async def test_a_link_to_a_task_out_of_scope_is_refused_at_its_page(served: Served) -> None:
    """A coordinator whose scope no longer holds a task opens its export, chart or report
    link: the page refuses, in their language, and neither names the task nor offers the
    button."""
    read_in_english(served, SCOPED)
    task = served.tasks[1].id  # Phường Điện Bàn's alone, outside the pilot communes
    refusal = served.bot.services.catalog.plain("en", "web.forbidden")
    async with served.client() as preview:
        for path in (f"/files/export/{task}", f"/files/chart/{task}", f"/files/report/{task}"):
            shown = await preview.get(chat_link(served, path, user_id=SCOPED))
            assert shown.status_code == 403
            assert refusal in shown.text
            assert 'method="post"' not in shown.text
            assert f"#{task}" not in shown.text


async def test_a_link_of_someone_no_longer_staff_is_refused_in_their_language(
    served: Served,
) -> None:
    """A coordinator made a member since their link was sent is refused at its page, in
    the language they read the bot in."""
    link = chat_link(served, f"/files/chart/{served.tasks[0].id}")
    read_in_english(served, COORDINATOR, role="member")
    async with served.client() as preview:
        shown = await preview.get(link)
    assert shown.status_code == 403
    assert served.bot.services.catalog.plain("en", "web.forbidden") in shown.text
    assert 'method="post"' not in shown.text


async def test_a_link_pressed_after_its_person_left_the_staff_is_refused_in_their_language(
    served: Served,
) -> None:
    """The page was shown while they were a coordinator; made a member before pressing the
    button, they are refused in the language they read the bot in, and the link is kept."""
    link = chat_link(served, f"/files/export/{served.tasks[0].id}")
    async with served.client() as browser:
        assert (await browser.get(link)).status_code == 200
        read_in_english(served, COORDINATOR, role="member")
        pressed = await browser.post(link)
    assert pressed.status_code == 403
    assert served.bot.services.catalog.plain("en", "web.forbidden") in pressed.text
    assert not pressed.content.startswith(b"PK")


async def test_a_link_to_a_task_in_scope_shows_its_button(served: Served) -> None:
    """The same coordinator's link to a task of a pilot commune shows what it gives."""
    task = served.tasks[0].id
    async with served.client() as preview:
        shown = await preview.get(chat_link(served, f"/files/chart/{task}", user_id=SCOPED))
    assert shown.status_code == 200
    assert 'method="post"' in shown.text


async def test_a_download_link_page_says_what_it_gives_in_the_language_chosen(
    served: Served,
) -> None:
    """The page in front of an /export link, switched to English, names its file in English."""
    link = chat_link(served, "/files/export/all")
    async with served.client() as browser:
        shown = await browser.get(link + "&lang=en")
    assert shown.status_code == 200
    assert "Phụ lục tổng hợp" not in shown.text
    assert "The appendix (Excel, XLSX) of every open task" in shown.text


async def test_an_invites_link_in_the_admins_session_makes_codes_at_its_button_alone(
    served: Served,
) -> None:
    """An admin signed in who opens (GET) or looks at (HEAD) an /invites link gets its page,
    and no code is made; its button makes them and sends the sheet."""
    link = chat_link(served, "/files/invites/all", ADMIN_ID)
    async with served.signed_in(ADMIN_ID) as browser:
        looked = await browser.head(link)
        opened = await browser.get(link)
        with served.bot.session() as s:
            assert s.exec(select(Invite)).all() == []
        pressed = await browser.post(link)
    assert looked.status_code == 200
    assert looked.headers["content-type"].startswith("text/html")
    assert opened.status_code == 200
    assert 'method="post"' in opened.text
    assert pressed.status_code == 200
    assert pressed.headers["content-disposition"].startswith("attachment;")
    with served.bot.session() as s:
        assert len(s.exec(select(Invite)).all()) == len(served.units)
