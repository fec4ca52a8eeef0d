"""Every kind of signed link refused in its own way: expired 410 (gone; its page names the
chat command that gives a new one), forged or altered 403, used up 410 (in its own words)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app import import_files, links
from tests.factories import person
from tests.harness import ADMIN_ID
from tests.web.conftest import COORDINATOR, Served
from tests.web.test_dashboard import keep_evidence

# A kind of link: who it is signed for, and the command its expired page names.
KINDS = {
    "export": (COORDINATOR, "/export"),
    "report": (COORDINATOR, "/report"),
    "chart": (COORDINATOR, "/chart"),
    "photo": (COORDINATOR, "/chart"),
    "evidence": (COORDINATOR, "/evidence"),
    "invites": (ADMIN_ID, "/invites"),
    "upload": (ADMIN_ID, "/import"),
}
EXPIRED = "Liên kết này đã hết hạn. Gõ lại {command} trong cuộc trò chuyện với bot"
FORGED = "Liên kết không hợp lệ"
UPLOAD = {"file": ("don-vi.csv", b"code,name,kind\nXN001,X\xc3\xa3 M\xe1\xbb\x9bi,commune\n")}


def path_of(served: Served, kind: str) -> str:
    """Return the path a link of this kind names (an evidence file kept for it)."""
    task = served.tasks[0].id
    if kind == "evidence":
        return f"/files/evidence/{keep_evidence(served, 'TX', 'a.pdf', b'%PDF', 'tx/a.pdf')}"
    if kind == "upload":
        return import_files.UPLOAD_PATH
    which = task if kind in ("chart", "photo") else "all"
    return f"/files/{kind}/{which}"


def signed(served: Served, kind: str) -> str:
    """Return a link of this kind as chat gives it (a photo's lives minutes, not a day)."""
    user, _ = KINDS[kind]
    with served.bot.session() as s:
        contact = person(s, user)
    ttl = links.PHOTO_TTL if kind == "photo" else links.DEFAULT_TTL
    return links.url(
        served.url,
        served.bot.services.link_key,
        path=path_of(served, kind),
        person=str(contact.id),
        now=served.bot.clock.now(),
        ttl=ttl,
    )


def altered(link: str, **fields: str) -> str:
    """Return the link with some of its query's fields changed."""
    parts = urlsplit(link)
    query = {**dict(parse_qsl(parts.query)), **fields}
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


@pytest.mark.parametrize("kind", list(KINDS))
async def test_an_expired_link_is_gone_and_says_which_command_gives_another(
    served: Served, kind: str
) -> None:
    """Opened or pressed after its expiry, a link of any kind answers 410 (it was 403), its
    page naming the command that gives a new one; forged or altered, the same link is 403."""
    link = signed(served, kind)
    _, command = KINDS[kind]
    if command == "/chart":  # a chart's names its task, as its used link's page does
        command = f"/chart #{served.tasks[0].id}"
    async with served.client() as browser:
        for bad in (altered(link, s="A" * 22), altered(link, p="99999"), altered(link, e="1")):
            refused = await browser.get(bad)
            assert refused.status_code == 403, bad
            assert FORGED in refused.text
            assert "hết hạn. Gõ lại" not in refused.text
        served.bot.clock.advance(timedelta(days=1, seconds=1))
        late = [await browser.get(link)]
        if kind != "photo":  # fetched by a GET alone
            late.append(await browser.post(link, files=UPLOAD if kind == "upload" else None))
    for response in late:
        assert response.status_code == 410, response.request.method
        assert EXPIRED.format(command=command) in response.text


@pytest.mark.parametrize("path", ["/files/chart/all", "/files/photo/all", "/files/chart/d1"])
async def test_an_expired_chart_of_several_tasks_says_to_type_chart_alone(
    served: Served, path: str
) -> None:
    """The chart of every open task or of a directive, expired, names /chart again: not
    "/chart #all", which names no task."""
    with served.bot.session() as s:
        contact = person(s, COORDINATOR)
    link = links.url(
        served.url,
        served.bot.services.link_key,
        path=path,
        person=str(contact.id),
        now=served.bot.clock.now(),
        ttl=links.PHOTO_TTL,
    )
    served.bot.clock.advance(timedelta(days=1, seconds=1))
    async with served.client() as browser:
        late = await browser.get(link)
    assert late.status_code == 410
    assert EXPIRED.format(command="/chart") in late.text


async def test_an_expired_sign_in_link_is_gone_and_says_to_type_web(served: Served) -> None:
    """A sign-in link opened or pressed after its ten minutes: 410, "type /web again" (it was
    403 and "invalid, expired, already used or not yours"); an altered one stays 403."""
    link = await served.login_link(COORDINATOR)
    async with served.client() as browser:
        forged = await browser.get(link[:-4] + "AAAA")
        served.bot.clock.advance(timedelta(minutes=10, seconds=1))
        late = [await browser.get(link), await browser.post(link)]
    assert forged.status_code == 403
    assert FORGED in forged.text
    for response in late:
        assert response.status_code == 410
        assert EXPIRED.format(command="/web") in response.text
    assert (await served.http.get("/")).status_code == 401


@pytest.mark.parametrize("kind", ["export", "report", "chart", "evidence", "invites"])
async def test_a_used_link_is_gone_with_its_own_words(served: Served, kind: str) -> None:
    """Pressed once, a download link answers 410 after, saying it was used (not expired)."""
    link = signed(served, kind)
    _, command = KINDS[kind]
    async with served.client() as browser:
        assert (await browser.post(link)).status_code == 200
        again = [await browser.get(link), await browser.post(link)]
    for response in again:
        assert response.status_code == 410
        assert "Liên kết này đã được dùng" in response.text
        assert "hết hạn" not in response.text
        assert command in response.text


async def test_a_used_photo_and_upload_link_are_gone_with_their_own_words(
    served: Served,
) -> None:
    """A chart's photo URL fetched once, an upload link that took a file: 410, each saying
    it was used."""
    photo, upload = signed(served, "photo"), signed(served, "upload")
    async with served.client() as browser:
        assert (await browser.get(photo)).status_code == 200
        fetched_again = await browser.get(photo)
        assert (await browser.post(upload, files=UPLOAD)).status_code == 200
        sent_again = await browser.post(upload, files=UPLOAD)
    assert fetched_again.status_code == 410
    assert "Liên kết này đã được dùng" in fetched_again.text
    assert sent_again.status_code == 410
    assert "Liên kết này đã được dùng để gửi một tệp" in sent_again.text
