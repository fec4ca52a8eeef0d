"""The dashboard's pages: overview, a task, the matrix, a unit; staff only, within scope.

Every page resolves the session first (401 without one, 403 for someone no longer staff)
and reads what it shows through app.dashboard, which keeps to the viewer's scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from app import links
from app.dashboard.filters import Choices, Filters, offered, units_token
from app.dashboard.filters import choices as read_choices
from app.dashboard.filters import read as read_filters
from app.dashboard.matrix import Matrix
from app.dashboard.matrix import matrix as read_matrix
from app.dashboard.overview import overview as read_overview
from app.dashboard.task_page import task_page
from app.dashboard.unit_page import unit_page
from app.dashboard.viewer import Viewer
from core.numbers import typed_number
from db.engine import session_scope
from scheduler.workers import in_worker
from web.auth import Signed, deps_of, sign_in_needed, signed_in
from web.render import language, message_page, page

LINK_TTL = timedelta(hours=1)
Page = Callable[[Request, Signed, Viewer], Awaitable[Response]]


def staff_page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: answer 401 without a session, 403 when its person is not staff now."""

    async def run(request: Request) -> Response:
        signed = await signed_in(request)
        if signed is None:
            return await sign_in_needed(request)
        if signed.viewer is None:
            return message_page(request, None, "web.forbidden", status=403)
        return await handler(request, signed, signed.viewer)

    return run


def _int(request: Request, name: str) -> int | None:
    """Return a whole-number query parameter, or None when absent or not a number."""
    return typed_number(request.query_params.get(name, ""))


def filters_of(request: Request) -> Filters:
    """Read the filters from the query string (`app.dashboard.filters.read`)."""
    return read_filters(request.query_params)


def signed_link(request: Request, viewer: Viewer, path: str) -> str:
    """Return a signed link to a download, for this viewer, valid LINK_TTL."""
    deps = deps_of(request)
    return links.sign(
        deps.link_key,
        path=path,
        person=str(viewer.contact_id),
        expires=deps.services.clock.now() + LINK_TTL,
    )


def downloaded(filters: Filters) -> str:
    """Return what a page's downloads cover (a file's path's last part): the directive
    chosen, else every open task, of the units the filters keep (`~<filters>`)."""
    which = f"d{filters.directive_id}" if filters.directive_id is not None else "all"
    token = units_token(filters)
    return which + (f"~{token}" if token else "")


def export_link(request: Request, viewer: Viewer, which: str) -> str:
    """Return a signed link to an export (`all` or a task's number)."""
    return signed_link(request, viewer, f"/files/export/{which}")


async def _read(request: Request, work: Callable[[Any], Any]) -> Any:
    """Run a read of the database in a worker thread, in one session."""
    services = deps_of(request).services

    def run() -> Any:
        with session_scope(services.engine) as session:
            return work(session)

    return await in_worker(run)


async def render(request: Request, viewer: Viewer, template: str, **values: Any) -> Response:
    """Render a page in a worker thread: a country's pages take the CPU for a second or more,
    and on the loop every chat's update and webhook waited for them."""
    return await in_worker(partial(page, request, viewer, template, **values))


def page_link(request: Request, number: int, *, name: str = "page", reset: str = "") -> str:
    """Return the link to the same page (its filters kept) at page `number` of the pages
    `name` counts, the ones `reset` counts from their first."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in (name, reset)]
    return request.url.path + "?" + urlencode([*kept, (name, str(number))])


@staff_page
async def overview(request: Request, signed: Signed, viewer: Viewer) -> Response:
    """Open tasks with their counts in the official taxonomy, nearest deadline first; its
    downloads cover what it shows: the directive chosen, else every open task in scope, of
    the units its filters keep (kind, group, a name searched for)."""
    services = deps_of(request).services
    now, lang = services.clock.now(), language(request, viewer)

    def read(s: Any) -> tuple[Any, Choices, Filters]:
        choices = read_choices(s, viewer, lang=lang)
        filters = offered(filters_of(request), choices)
        return read_overview(s, viewer, now=now, filters=filters), choices, filters

    tasks, choices, filters = await _read(request, read)
    which = downloaded(replace(filters, overdue_only=False))  # the overview has no such filter
    return await render(
        request,
        viewer,
        "overview.html",
        csrf=signed.csrf,
        tasks=tasks,
        choices=choices,
        filters=filters,
        export_all=export_link(request, viewer, which),
        report_all=signed_link(request, viewer, f"/files/report/{which}"),
    )


@staff_page
async def task(request: Request, signed: Signed, viewer: Viewer) -> Response:
    """A task's units in scope, with status, reports, blockers, requests and evidence."""
    return await task_response(request, signed, viewer, int(request.path_params["task_id"]))


async def task_response(
    request: Request,
    signed: Signed,
    viewer: Viewer,
    task_id: int,
    *,
    said: str | None = None,
    status: int = 200,
    drafts: dict[int, str] | None = None,
    refused: str = "",
) -> Response:
    """Render a task's page, with what a decision or a nudge just said above it (and the
    notes typed with decisions, by request, to show again in requests still open).

    `refused`: the catalog key of a refusal (403), said alone when the page is not the
    viewer's to see either (their scope shrank since they loaded it), not as "not found"."""
    services = deps_of(request).services
    now, tz = services.clock.now(), services.settings.tz
    found = await _read(request, lambda s: task_page(s, viewer, task_id=task_id, now=now, tz=tz))
    if found is None and refused:
        return message_page(request, viewer, refused, status=403, csrf=signed.csrf)
    if found is None:
        return message_page(request, viewer, "web.not_found", status=404, csrf=signed.csrf)
    return await render(
        request,
        viewer,
        "task.html",
        status=status,
        address=f"/tasks/{task_id}",  # also after a nudge or a decision posted to their own
        csrf=signed.csrf,
        data=found,
        said=said,
        drafts=drafts or {},
        export=export_link(request, viewer, str(task_id)),
        chart=signed_link(request, viewer, f"/files/chart/{task_id}"),
        report=signed_link(request, viewer, f"/files/report/{task_id}"),
        evidence_links={
            e.id: signed_link(request, viewer, f"/files/evidence/{e.id}")
            for row in found.rows
            for e in row.evidence
        },
    )


@staff_page
async def matrix(request: Request, signed: Signed, viewer: Viewer) -> Response:
    """Units by open tasks, coloured by status, filtered by kind, group, parent, overdue:
    a page of units (`page`) of a page of tasks (`task_page`), links to the pages beside
    (the next tasks' units from their first page); its downloads cover the units its
    filters keep, of every open task (of the directive chosen)."""
    services = deps_of(request).services
    number, tasks_number = _int(request, "page") or 1, _int(request, "task_page") or 1
    now, tz, lang = services.clock.now(), services.settings.tz, language(request, viewer)

    def read(s: Any) -> tuple[Matrix, Choices, Filters]:
        choices = read_choices(s, viewer, lang=lang)
        filters = offered(filters_of(request), choices)
        grid = read_matrix(
            s, viewer, now=now, tz=tz, filters=filters, page=number, task_page=tasks_number
        )
        return grid, choices, filters

    grid, choices, filters = await _read(request, read)
    tasks_link = partial(page_link, request, name="task_page", reset="page")
    which = downloaded(filters)  # the units the grid shows, of every page of its tasks
    return await render(
        request,
        viewer,
        "matrix.html",
        csrf=signed.csrf,
        grid=grid,
        choices=choices,
        filters=filters,
        previous_page=page_link(request, grid.previous_page()) if grid.page > 1 else "",
        next_page=page_link(request, grid.page + 1) if grid.more else "",
        previous_tasks=tasks_link(grid.previous_task_page()) if grid.task_page > 1 else "",
        next_tasks=tasks_link(grid.task_page + 1) if grid.more_tasks else "",
        export_all=export_link(request, viewer, which),
        report_all=signed_link(request, viewer, f"/files/report/{which}"),
    )


@staff_page
async def unit(request: Request, signed: Signed, viewer: Viewer) -> Response:
    """A unit in scope: its tasks, report history, contacts and their reachability."""
    services = deps_of(request).services
    unit_id = int(request.path_params["unit_id"])
    now, tz = services.clock.now(), services.settings.tz
    found = await _read(request, lambda s: unit_page(s, viewer, unit_id=unit_id, now=now, tz=tz))
    if found is None:
        return message_page(request, viewer, "web.not_found", status=404, csrf=signed.csrf)
    return await render(request, viewer, "unit.html", csrf=signed.csrf, data=found)
