"""Pages from Jinja2 templates, in the viewer's language, every text from the catalogs.

Catalog texts are neutral markup: they are turned into plain text here and escaped by
Jinja's autoescaping, the only place a dashboard text becomes HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.dashboard.viewer import Viewer
from app.due_words import deadline_words
from app.evidence_files import shown_name
from app.i18n import Catalog, Lang, format_datetime, format_decimal, format_int, format_percent
from app.people import channel_name
from app.summary_text import as_of, on_time_text, rate_text
from core.deadlines import format_date
from core.markup import to_plain
from core.status import Counts
from core.taskdates import effective_deadline
from web.cells import StatusCells
from web.deps import WebDeps
from web.framing import framed_cookie, miniapp_request
from web.static_files import static_url

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "dondoc_lang"
SHARED_FILTERS = (
    "q",
    "directive",
    "kind",
    "group",
)  # the filters the overview and the matrix both show


@cache
def environment() -> Environment:
    """Return the template environment (autoescaping every .html template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url  # a script's or style's versioned URL
    return env


def language(request: Request, viewer: Viewer | None, person: Lang | None = None) -> Lang:
    """Return the page's language: ?lang= or its cookie, else the viewer's (or the person's
    a link is for), else Vietnamese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE, "")
    if asked in ("vi", "en"):
        return "en" if asked == "en" else "vi"
    if viewer is not None:
        return viewer.lang
    return person or "vi"


def accepted_language(request: Request) -> Lang | None:
    """Return the language of ours the browser prefers (Accept-Language), if it names one."""
    best: tuple[float, Lang] | None = None
    for part in request.headers.get("accept-language", "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("vi", "en"):
            continue
        try:
            weight = float(params.strip().removeprefix("q=")) if params.strip() else 1.0
        except ValueError:
            continue
        lang: Lang = "en" if primary == "en" else "vi"
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, lang)
    return best[1] if best is not None else None


def page(
    request: Request,
    viewer: Viewer | None,
    template: str,
    *,
    status: int = 200,
    person_lang: Lang | None = None,
    address: str | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render a template for the viewer, with `t` (catalog text), the formatters (`deadline`:
    a deadline as the chat says it, the day in force first when on a day off), `file_name`
    (a kept file's name as every page shows it), `status`
    (an assignment's status as web.cells writes it), `channel` (a channel's name as people
    know it), the completion rate of counts as the chat's summary words it (`rate`) or as
    a figure (`rate_figure`), and a unit's on-time rate as /unit words it (`on_time_rate`).

    `person_lang` is the language of the person a page is for when nobody is signed in
    (the one a link was sent to). `address` is the page's own, when it answers a form posted
    to another (a task's page after a nudge): its links lead from there, and the browser shows
    it (dashboard.js), so that a reload reads the page rather than posts the form again.
    """
    deps: WebDeps = request.app.state.deps
    lang = language(request, viewer, person_lang)
    catalog = deps.services.catalog
    tz = deps.services.settings.tz
    formatters = _formatters(catalog, lang, tz)
    switch_language, nav_query = _links(request, lang, address)
    html = (
        environment()
        .get_template(template)
        .render(
            **formatters,
            status=StatusCells(formatters["t"]),
            file_name=shown_name,
            switch_language=switch_language,
            address=address if address != request.url.path else None,
            nav_query=nav_query,
            # the time the figures are as of, worded as the chat's summaries word it
            as_of=to_plain(
                as_of(partial(catalog.get, lang), deps.services.clock.now().astimezone(tz))
            ),
            lang=lang,
            viewer=viewer,
            request=request,
            now=deps.services.clock.now(),
            **values,
        )
    )
    response = HTMLResponse(html, status_code=status)
    _keep_language(request, response, secure=deps.secure_cookies)
    return response


def _formatters(catalog: Catalog, lang: Lang, tz: tzinfo) -> dict[str, Callable[..., str]]:
    """Return what a template words and formats with, in `lang`: `t` and the formatters
    `page` names."""

    def t(key: str, **params: object) -> str:
        return to_plain(catalog.get(lang, key, **params))

    def when(value: datetime | None) -> str:
        return format_datetime(value.astimezone(tz)) if value is not None else ""

    def day(value: date | None) -> str:
        return format_date(value) if value is not None else ""

    def deadline(value: date, due: date | datetime | None) -> str:
        # The day in force, the deadline as given beside it when on a day off; `due` is
        # that day, or an assignment's `due_at` (its end).
        if isinstance(due, datetime):
            due = effective_deadline(value, due, tz)
        return to_plain(deadline_words(partial(catalog.get, lang), value, due))

    def number(value: int | float) -> str:
        return format_int(value, lang) if isinstance(value, int) else format_decimal(value, lang)

    def channel(name: str) -> str:
        return to_plain(channel_name(catalog, lang, name))

    def rate(counts: Counts) -> str:
        return to_plain(rate_text(partial(catalog.get, lang), counts, lang))

    def rate_figure(counts: Counts) -> str:
        return format_percent(counts.done, counts.due, lang)

    def on_time_rate(counts: Counts) -> str:
        return to_plain(on_time_text(partial(catalog.get, lang), counts, lang))

    return {
        "t": t,
        "when": when,
        "day": day,
        "deadline": deadline,
        "number": number,
        "channel": channel,
        "rate": rate,
        "rate_figure": rate_figure,
        "on_time_rate": on_time_rate,
    }


def _links(request: Request, lang: Lang, address: str | None) -> tuple[str, str]:
    """Return the query of the same page in the other language, filters kept, and the one
    the navigation's links carry: the filters the pages share (a page's own ones would
    narrow another unseen)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = address or ""  # "": the address the request came to
    switch_language = here + "?" + urlencode([*kept, ("lang", "vi" if lang == "en" else "en")])
    shared = [(k, v) for k, v in kept if k in SHARED_FILTERS and v]
    nav_query = "?" + urlencode(shared) if shared else ""
    return switch_language, nav_query


def _keep_language(request: Request, response: HTMLResponse, *, secure: bool) -> None:
    """Keep a language chosen by `?lang=` in a cookie for the pages after."""
    asked = request.query_params.get("lang")
    if asked in ("vi", "en") and miniapp_request(request, secure=secure):
        framed_cookie(response, LANG_COOKIE, asked)  # a Lax one is dropped in Telegram Web
    elif asked in ("vi", "en"):
        response.set_cookie(
            LANG_COOKIE, asked, httponly=True, secure=secure, samesite="lax", path="/"
        )


def message_page(
    request: Request,
    viewer: Viewer | None,
    key: str,
    *,
    status: int,
    person_lang: Lang | None = None,
    csrf: str = "",
    address: str | None = None,
    **params: object,
) -> HTMLResponse:
    """Render a page that only says one catalog text (a refusal, a sign-out, an error), in
    the viewer's or the person's language, else in the browser's (Accept-Language).

    `csrf` is the token of the viewer's session when the request came with one: only then
    does the page show who is signed in and a sign-out that works (a page for a link's
    person, the browser signed in as nobody, offered a sign-out refused for its empty token).
    `address`: the page's own, as `page` takes it.
    """
    return page(
        request,
        viewer,
        "message.html",
        status=status,
        person_lang=person_lang or accepted_language(request),
        key=key,
        params=params,
        csrf=csrf,
        address=address,
    )
