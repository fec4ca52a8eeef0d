"""bench.stall's floods and hostile files: what one person (or many at once) can throw at the
bot while others tap. Each is a phase of `python -m bench.stall` (and of `bench.pgstall
--stall`), named so that `--only` picks them:

- `flood: one official` — an official of the nudged task sends `FLOOD` messages in
  `FLOOD_S` seconds (text, a status each);
- `flood: officials at once` — every official of the nudged task (300) replies "xong"
  together; timed until each had an answer;
- `flood: presses` — an official presses one status button `PRESSES` times at once; timed
  until each press had its answer;
- `flood: Zalo` — a Zalo coordinator sends `FLOOD` messages in `FLOOD_S` seconds;
- `evidence:` — an official sends a document of `EVIDENCE_MB` MB (under Telegram's 20 MB a
  bot may download) and a photo of `PHOTO_MB` MB as evidence;
- `file:` — the admin sends hostile files as an import: an XLSX whose shared strings unpack
  to 30 MB, a file named .xlsx that is not one, a CSV of `CSV_LINES` short lines, an XLSX of
  `FORMULA_ROWS` rows of formula cells, an XLSX whose sheet nests `NESTING` elements deep;
- `web: N at once` — `AT_ONCE_PAGES` requests of the dashboard's heavy pages together.

Each of the floods checks at its end that nothing was lost: every update the fake server
delivered is recorded in the inbox and processed (`inbox.processed_at`), counted by the
bench (`unfinished` in the phase's printout).
"""

from __future__ import annotations

import asyncio
import io
import random
import sys
import time
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import bindparam, text

from bench import hostile_files
from bench.fanout import give_buttons
from db.engine import make_engine
from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo import FakeZalo

FLOOD = 500
FLOOD_S = 10.0
PRESSES = 100
EVIDENCE_MB = 19.5
PHOTO_MB = 9.5
CSV_LINES = 1_000_000
FORMULA_ROWS = 5_000
NESTING = 100_000
AT_ONCE_PAGES = 20
ANSWER_TIMEOUT_S = 600.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Phase = tuple[str, Callable[[], Awaitable[float]]]


def unfinished(database_url: str, lanes: list[str]) -> int:
    """Return how many updates of `lanes` (the people's: "u<Telegram id>", a Zalo id) the
    inbox holds that the bot has not finished (blocking)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = text(
                "SELECT count(*) FROM inbox WHERE processed_at IS NULL AND lane IN :lanes"
            ).bindparams(bindparam("lanes", expanding=True))
            return int(conn.execute(query, {"lanes": lanes}).scalar_one())
    finally:
        engine.dispose()


async def drained(database_url: str, lanes: list[str], timeout: float = ANSWER_TIMEOUT_S) -> int:
    """Wait until the inbox has no unfinished update of `lanes` (or `timeout`); return how
    many are left (the taps of others go on meanwhile, so the whole inbox is never empty)."""
    deadline = time.monotonic() + timeout
    left = await asyncio.to_thread(unfinished, database_url, lanes)
    while left and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        left = await asyncio.to_thread(unfinished, database_url, lanes)
    return left


def formula_workbook(rows: int) -> bytes:
    """Return an XLSX of a tasks header and `rows` rows whose every cell is a formula."""
    sheet = [
        f'<row r="{n}"><c r="A{n}"><f>CONCATENATE("T",ROW())</f></c>'
        f'<c r="B{n}" t="str"><f>REPT("a",32767)</f><v>x</v></c>'
        f'<c r="C{n}"><f>TODAY()+30</f></c><c r="D{n}"><f>INDIRECT("Z1")</f></c></row>'.encode()
        for n in range(2, rows + 2)
    ]
    return hostile_files.workbook([*hostile_files.header_rows(), *sheet])


def nested_workbook(depth: int) -> bytes:
    """Return an XLSX whose sheet holds one cell nesting `depth` rich-text elements."""
    inner = b"<is>" + b"<r>" * depth + b"<t>x</t>" + b"</r>" * depth + b"</is>"
    row = b'<row r="2"><c r="A2" t="inlineStr">' + inner + b"</c></row>"
    return hostile_files.workbook([*hostile_files.header_rows(), row])


def not_a_workbook() -> bytes:
    """Return a Word-like zip (no workbook in it), as a file renamed .xlsx would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>" * 1000)
    return out.getvalue()


def short_lines(lines: int) -> bytes:
    """Return a CSV of a header and `lines` lines of two letters."""
    return b"Ma,Nhiem vu,Han\n" + b"a\n" * lines


def flood_phases(
    server: FakeBotApi,
    zalo: FakeZalo,
    web: httpx.AsyncClient,
    place: Any,
    env: dict[str, str],
    admin: int,
) -> list[Phase]:
    """Return the floods', evidence's, hostile files' and pages' phases."""
    database = env["DATABASE_URL"]
    officials = place.world.nudged

    def marked() -> Any:
        """Return the server's calls to come (`bench.stall.Answers`): only new calls are
        read, since copying each chat's messages at each look slowed the fake server, which
        delivers the taps too."""
        from bench.stall import Answers  # bench.stall imports this module

        class Sends(Answers):
            # not answerCallbackQuery, which `Answers` counts as the admin's: a tap's is not
            METHODS = Answers.METHODS - {"answerCallbackQuery"}

        answers = Sends(server)
        answers.mark()
        return answers

    async def one_official() -> float:
        person = officials[0].user_id
        before = len(server.messages(person))
        started = time.monotonic()
        for n in range(FLOOD):
            server.send_text(person, "xong" if n % 2 else f"đang làm, đạt {n % 100}%")
            await asyncio.sleep(FLOOD_S / FLOOD)
        left = await drained(database, [f"u{person}"])
        took = time.monotonic() - started
        print(
            f"      {FLOOD} sent; unfinished {left}; "
            f"{len(server.messages(person)) - before} answers",
            file=sys.stderr,
        )
        return took if not left else -1.0

    async def at_once() -> float:
        chats = {o.user_id for o in officials[1:]}
        answers = marked()
        started = time.monotonic()
        for chat in chats:
            server.send_text(chat, "xong")
        ok = await answers.all_answered(chats, ANSWER_TIMEOUT_S)
        left = await drained(database, [f"u{c}" for c in chats])
        print(f"      {len(chats)} replies; all answered {ok}; unfinished {left}", file=sys.stderr)
        return time.monotonic() - started if ok and not left else -1.0

    async def presses() -> float:
        official = officials[-1]
        data = (await give_buttons(server, [official]))[official.user_id]
        started = time.monotonic()
        ids = [server.press_button(official.user_id, data) for _ in range(PRESSES)]
        callbacks = [server.callback_id(i) for i in ids]
        left = await drained(database, [f"u{official.user_id}"])
        await asyncio.sleep(2)  # the last answers on their way
        # Past its burst the flood guard drops a person's updates unanswered, by design.
        answered = sum(1 for c in callbacks if server.callback_answer(c) is not None)
        print(f"      {PRESSES} presses; answered {answered}; unfinished {left}", file=sys.stderr)
        return time.monotonic() - started if not left else -1.0

    async def zalo_flood() -> float:
        person = place.zalo_coordinators[-1]
        started = time.monotonic()
        for n in range(FLOOD):
            zalo.send_text(person, f"alo {n}")
            await asyncio.sleep(FLOOD_S / FLOOD)
        left = await drained(database, [person])
        print(
            f"      {FLOOD} sent; unfinished {left}; {len(zalo.messages(person))} answers",
            file=sys.stderr,
        )
        return time.monotonic() - started if not left else -1.0

    def evidence(kind: str, megabytes: float) -> Callable[[], Awaitable[float]]:
        async def send() -> float:
            official = officials[2 if kind == "document" else 3]
            chat = official.user_id
            content = b"PK\x03\x04" + random.Random(7).randbytes(int(megabytes * 1024 * 1024))
            answers, before = marked(), len(server.messages(chat))
            started = time.monotonic()
            if kind == "document":
                server.send_document(chat, content, "bao_cao.docx", "application/msword")
            else:
                server.send_photo(chat, b"\xff\xd8\xff" + content)
            ok = await answers.all_answered({chat}, ANSWER_TIMEOUT_S)
            words = [m.text or "" for m in server.messages(chat)[before:]]
            print(f"      answered {ok}: {words[-1][:80] if words else ''!r}", file=sys.stderr)
            return time.monotonic() - started if ok else -1.0

        return send

    def sent_file(name: str, content: bytes, mime: str) -> Callable[[], Awaitable[float]]:
        async def send() -> float:
            answers, before = marked(), len(server.messages(admin))
            started = time.monotonic()
            server.send_document(admin, content, name, mime)
            ok = await answers.all_answered({admin}, ANSWER_TIMEOUT_S)
            words = [m.text or "" for m in server.messages(admin)[before:]]
            print(
                f"      {len(content):,} bytes; answered {ok}: "
                f"{words[-1][:100] if words else ''!r}",
                file=sys.stderr,
            )
            return time.monotonic() - started if ok else -1.0

        return send

    def pages(paths: list[str]) -> Callable[[], Awaitable[float]]:
        async def fetch() -> float:
            started = time.monotonic()
            answers = await asyncio.gather(*(web.get(p) for p in paths), return_exceptions=True)
            codes = [a.status_code if isinstance(a, httpx.Response) else repr(a) for a in answers]
            print(f"      {codes}", file=sys.stderr)
            return time.monotonic() - started

        return fetch

    many = AT_ONCE_PAGES
    return [
        (f"evidence: a {EVIDENCE_MB} MB document", evidence("document", EVIDENCE_MB)),
        (f"evidence: a {PHOTO_MB} MB photo", evidence("photo", PHOTO_MB)),
        (
            "file: 1,800,000 shared strings (xlsx bomb)",
            sent_file("bomb.xlsx", hostile_files.shared_strings_bomb(1_800_000), XLSX),
        ),
        ("file: a zip renamed .xlsx", sent_file("not.xlsx", not_a_workbook(), XLSX)),
        ("file: bytes renamed .xlsx", sent_file("bytes.xlsx", b"%PDF-1.4\n" * 50_000, XLSX)),
        (
            f"file: a CSV of {CSV_LINES:,} short lines",
            sent_file("lines.csv", short_lines(CSV_LINES), "text/csv"),
        ),
        (
            f"file: {FORMULA_ROWS:,} rows of formulas",
            sent_file("formulas.xlsx", formula_workbook(FORMULA_ROWS), XLSX),
        ),
        (
            f"file: XML nested {NESTING:,} deep",
            sent_file("nested.xlsx", nested_workbook(NESTING), XLSX),
        ),
        (f"web: {many} at once /matrix", pages(["/matrix"] * many)),
        (f"web: {many} at once /", pages(["/"] * many)),
        (f"web: {many} at once task page", pages([f"/tasks/{place.largest}"] * many)),
        (f"web: {many} at once /?q=", pages([f"/?q=x{n}" for n in range(many)])),
        (f"flood: one official, {FLOOD} messages in {FLOOD_S:.0f} s", one_official),
        (f"flood: officials at once, {len(officials) - 1} replies", at_once),
        (f"flood: presses, {PRESSES} of one button", presses),
        (f"flood: Zalo, {FLOOD} messages in {FLOOD_S:.0f} s", zalo_flood),
    ]
