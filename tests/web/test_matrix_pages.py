"""The matrix a page of tasks by a page of units at a time: every task and unit reached by
its links, back and forth, each page small, the filters and the viewer's scope kept.

A country's 100 units by its 589 open tasks were 58,900 cells, 1.8 MB of HTML nobody could
read, and officials' taps waited seconds while it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from app.dashboard import matrix as dashboard_matrix
from db.models import Directive
from db.queries.units import find_group
from tests.factories import make_task, make_unit
from tests.harness import ADMIN_ID
from tests.web.conftest import SCOPED, Served

TASK_COLUMN = re.compile(r'<th scope="col" title="[^"]*"><a href="/tasks/(\d+)">')
ROW = re.compile(r'<tr data-unit="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


@dataclass(frozen=True)
class Shown:
    """What a matrix page shows: its tasks, its units, and its cells that say something."""

    tasks: list[int]
    units: list[int]
    cells: dict[tuple[int, int], str]  # (unit, task): the cell's HTML


def shown(html: str) -> Shown:
    """Read a matrix page's columns, rows and cells."""
    tasks = [int(t) for t in TASK_COLUMN.findall(html)]
    units: list[int] = []
    cells: dict[tuple[int, int], str] = {}
    for unit, row in ROW.findall(html):
        units.append(int(unit))
        found = [c.strip() for c in CELL.findall(row)]
        assert len(found) == len(tasks)  # a cell under every task
        cells |= {(int(unit), t): c for t, c in zip(tasks, found, strict=True) if c}
    return Shown(tasks, units, cells)


def href(html: str, anchor: str) -> str:
    """Return the link with this id in a page, or "" when it has none."""
    found = re.search(rf'<a href="([^"]*)"[^>]*id="{anchor}"', html)
    return found[1].replace("&amp;", "&") if found else ""


async def every_page(client: httpx.AsyncClient, path: str) -> list[tuple[str, Shown]]:
    """Follow a matrix's links from `path`: each page of tasks, each page of their units;
    on the way, each "previous" link leads back to the page before it."""
    pages: list[tuple[str, Shown]] = []
    tasks_path, tasks_before = path, None
    while tasks_path:
        html = (await client.get(tasks_path)).text
        back = href(html, "matrix-previous-tasks")
        if tasks_before is None:
            assert not back
        else:
            assert shown((await client.get(back)).text) == tasks_before
        tasks_before, units_before = shown(html), None
        next_tasks = href(html, "matrix-next-tasks")
        while html:
            back = href(html, "matrix-previous")
            if units_before is None:
                assert not back
            else:
                assert shown((await client.get(back)).text) == units_before
            units_before = shown(html)
            pages.append((tasks_path, units_before))
            tasks_path = href(html, "matrix-next")
            html = (await client.get(tasks_path)).text if tasks_path else ""
        tasks_path = next_tasks
    return pages


def arrange_more(served: Served) -> None:
    """Six tasks with their deadlines ten days apart, over seven units (two outside the
    scoped coordinator's pilot group), each task given to some of them."""
    with served.bot.session() as s:
        pilot = [make_unit(s, c, f"Xã Tam {c}", groups=["Thí điểm"]) for c in ("An", "Phú")]
        outside = make_unit(s, "HD", "Xã Hòa Đông", groups=["Nhóm Điện Bàn"])
        units = served.units
        for n, given in enumerate(
            [
                [pilot[0], outside],
                [units["TX"], pilot[1]],
                [pilot[0], pilot[1], units["SYT"], outside],
                [units["TB"]],
            ]
        ):
            make_task(s, f"Việc số {n}", date(2026, 11, 20) + timedelta(days=10 * n), given)


def overdue(cells: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """Return the overdue cells."""
    return {k: c for k, c in cells.items() if 'data-status="overdue"' in c}


async def check_paged(
    client: httpx.AsyncClient, path: str, monkeypatch: pytest.MonkeyPatch
) -> Shown:
    """Check a matrix read two tasks by three units a page shows what its one page shows,
    the filters of `path` kept on every page; return that page.

    Overdue only, a page's units are those overdue in its tasks: every row has a red cell,
    and the pages' overdue cells are the whole grid's."""
    late_only = "overdue=1" in path
    monkeypatch.setattr(dashboard_matrix, "MATRIX_TASKS", 25, raising=False)
    monkeypatch.setattr(dashboard_matrix, "MATRIX_UNITS", 100)
    whole = shown((await client.get(path)).text)
    monkeypatch.setattr(dashboard_matrix, "MATRIX_TASKS", 2, raising=False)
    monkeypatch.setattr(dashboard_matrix, "MATRIX_UNITS", 3)
    pages = await every_page(client, path)
    asked = set(parse_qsl(urlsplit(path).query))
    for reached, page in pages:
        assert asked <= set(parse_qsl(urlsplit(reached).query))  # the filters kept
        assert 0 < len(page.tasks) <= 2
        assert len(page.units) <= 3
        if late_only:
            assert {u for u, _ in overdue(page.cells)} == set(page.units)
    columns = list(dict.fromkeys(t for _, page in pages for t in page.tasks))
    assert columns == whole.tasks  # every task once, in the same order
    assert {u for _, page in pages for u in page.units} == set(whole.units)
    cells = {k: c for _, page in pages for k, c in page.cells.items()}
    assert (overdue(cells) if late_only else cells) == (
        overdue(whole.cells) if late_only else whole.cells
    )
    return whole


async def test_the_matrix_pages_its_tasks_and_units_and_its_links_reach_every_cell(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A matrix page holds at most MATRIX_TASKS tasks (nearest deadline first) by
    MATRIX_UNITS of their units; following its links, back and forth, reaches every task,
    unit and cell of the whole grid, its filters (group, kind, overdue only) kept."""
    arrange_more(served)
    with served.bot.session() as s:
        pilot = find_group(s, text="Thí điểm")
        assert pilot is not None
    async with served.signed_in(ADMIN_ID) as admin:
        whole = await check_paged(admin, "/matrix", monkeypatch)
        assert len(whole.tasks) == 6
        assert len(whole.units) == 7
        narrowed = await check_paged(admin, f"/matrix?group={pilot.id}&kind=commune", monkeypatch)
        assert len(narrowed.units) == 4
    served.bot.clock.advance(timedelta(days=25))  # the tasks due by 30/11 overdue
    async with served.signed_in(ADMIN_ID) as admin:
        late = await check_paged(admin, "/matrix?overdue=1&lang=en", monkeypatch)
        assert overdue(late.cells)


async def test_the_matrix_narrows_to_a_directive_and_keeps_it_on_every_page(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix offers the directive filter the overview has: chosen, its columns are that
    directive's tasks alone, the choice shown selected and kept in every page's link, and
    in the menu's links between the matrix and the overview."""
    arrange_more(served)
    with served.bot.session() as s:
        directive = Directive(number="4824/UBND-KGVX", number_folded="4824/ubnd-kgvx")
        s.add(directive)
        s.commit()
        units = [served.units[c] for c in ("TX", "TB", "SYT", "DB")]
        given = {
            make_task(
                s,
                f"Việc của văn bản {n}",
                date(2026, 11, 25) + timedelta(days=n),
                units[:n],
                directive_id=directive.id,
            ).id
            for n in range(1, 5)
        }
        chosen = directive.id
    async with served.signed_in(ADMIN_ID) as admin:
        offered = (await admin.get("/matrix")).text
        assert re.search(
            rf'<select name="directive"[^>]*>.*?<option value="{chosen}"', offered, re.S
        )
        narrowed = await check_paged(
            admin, f"/matrix?directive={chosen}&kind=commune", monkeypatch
        )
        assert set(narrowed.tasks) == given
        page = (await admin.get(f"/matrix?directive={chosen}")).text
        assert re.search(rf'<option value="{chosen}" selected>', page)
        assert f'href="/?directive={chosen}" id="nav-overview"' in page  # the menu keeps it
        overview = (await admin.get(f"/?directive={chosen}")).text
        assert f'href="/matrix?directive={chosen}" id="nav-matrix"' in overview


async def test_a_scoped_coordinator_reaches_only_their_units_on_every_page(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator limited to the pilot group reaches, page after page, only its units
    and only the tasks given to them."""
    arrange_more(served)
    with served.bot.session() as s:
        outside = {served.units[c].id for c in ("DB", "SYT")}
        outside.add(make_unit(s, "LK", "Xã Lạc Khánh", groups=["Nhóm Điện Bàn"]).id)
        make_task(s, "Việc ngoài phạm vi", date(2026, 11, 21), [served.units["SYT"]])
    async with served.signed_in(SCOPED) as scoped:
        whole = await check_paged(scoped, "/matrix", monkeypatch)
    assert len(whole.units) == 4
    assert not outside & set(whole.units)
    assert len(whole.tasks) == 5  # "Báo cáo an toàn thông tin" and the one outside left out
