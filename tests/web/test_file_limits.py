"""A file past Telegram's bound (TELEGRAM_FILE_MAX_BYTES, set small here): not sent, a signed
link to the same file on `dondoc serve` instead, working once, for that coordinator only."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from docx import Document

from tests.web.conftest import COORDINATOR, Served

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/files/[^\s]+)")


def link_in(text: str) -> str:
    """Return the download link in the bot's answer."""
    found = LINK.search(text)
    assert found is not None, f"no link in {text!r}"
    return found.group(1)


@pytest.mark.parametrize(
    ("command", "path", "opens"),
    [
        ("/export", "/files/export/all?", lambda b: openpyxl.load_workbook(io.BytesIO(b))),
        ("/report", "/files/report/all?", lambda b: Document(io.BytesIO(b))),
        ("/chart #{task}", "/files/chart/{task}?", lambda b: b.startswith(b"\x89PNG") or None),
        # Every open task's chart: a link as Zalo's /chart gives, not words to ask for less.
        ("/chart", "/files/chart/all?", lambda b: b.startswith(b"\x89PNG") or None),
    ],
)
async def test_a_file_past_telegrams_limit_comes_as_a_link_used_once(
    served: Served, command: str, path: str, opens: object
) -> None:
    """/export, /report and /chart of a file over the bound answer a link, not a document;
    the link's page opens, its button gives the file, a second use is refused."""
    served.bot.configure(telegram_file_max_bytes=1000)
    task = served.tasks[0].id
    reply = await served.bot.send(COORDINATOR, command.format(task=task), timeout=30)
    assert reply.document is None
    assert reply.photo is None
    text = reply.text or ""
    assert "quá giới hạn 1 KB của Telegram" in text
    assert "dùng được một lần trong 24 giờ" in text
    link = link_in(text)
    assert path.format(task=task) in link
    assert (await served.http.get(link)).status_code == 200
    response = await served.http.post(link)
    assert response.status_code == 200
    assert callable(opens)
    assert opens(response.content) is not None
    assert (await served.http.post(link)).status_code == 410


async def test_a_file_within_telegrams_limit_is_still_sent(served: Served) -> None:
    """Under the default bound (50 MB) the workbook is sent as a document, as before."""
    reply = await served.bot.send(
        COORDINATOR, "/export", match=lambda m: m.document is not None, timeout=30
    )
    assert reply.document is not None
