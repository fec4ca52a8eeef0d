"""Who is asking: the dashboard's session cookie, sign-in by a one-time link, sign-out.

A sign-in link's GET only shows whom it signs in (web.landing: chat servers fetch links to
preview them); its button POSTs to the same address, which uses the code and opens the
session, from our own pages only. The cookie holds a random token (only its hash is
stored), HttpOnly, SameSite=Lax, Secure behind https; a session ends after 12 hours without
use, 7 days after sign-in however much it is used, or at sign-out. Every state-changing
request carries the session's CSRF token in its form, compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.dashboard.signin import (
    LoginOffer,
    live_session,
    login_offer,
    owner_language,
    sign_in,
    sign_in_as,
    sign_out,
)
from app.dashboard.viewer import Viewer
from app.i18n import Lang
from app.miniapp import MAX_AGE, USED_FOR, Refused, take_once, used_key, verify_init_data
from core.textnorm import without_nul
from db.engine import session_scope
from scheduler.workers import in_worker
from web.deps import WebDeps
from web.framing import COOKIE as COOKIE  # named here by the demo and the benchmarks
from web.framing import MINIAPP_MARK, framed_cookie, in_miniapp
from web.framing import SECURE_COOKIE as SECURE_COOKIE
from web.landing import cross_origin, expired, landing, same_origin, used
from web.limits import BodyTooLargeError, read_body
from web.render import language, message_page, page

FORM_LIMIT = 16 * 1024
# The Mini App page alone loads Telegram's script, which hands it the signed initData.
MINIAPP_CSP = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
    "form-action 'self'; base-uri 'none'"
)  # its frame-ancestors are added with every page's (web.server)


@dataclass(frozen=True)
class Signed:
    """A live session: who it is (None when no longer staff) and its CSRF token."""

    contact_id: int
    viewer: Viewer | None
    csrf: str


def session_cookie(request: Request) -> str:
    """Return the name of the session's cookie: prefixed `__Host-` behind https."""
    return SECURE_COOKIE if deps_of(request).secure_cookies else COOKIE


def session_token(request: Request) -> str:
    """Return the session token the request's cookie holds ("" without one)."""
    return request.cookies.get(session_cookie(request), "").removeprefix(MINIAPP_MARK)


def deps_of(request: Request) -> WebDeps:
    """Return what the composition root gave the web adapter."""
    deps: WebDeps = request.app.state.deps
    return deps


async def signed_in(request: Request) -> Signed | None:
    """Return the request's live session, marking it used; None without one."""
    token = session_token(request)
    if not token:
        return None
    services = deps_of(request).services

    def read() -> Signed | None:
        with session_scope(services.engine) as session:
            found = live_session(session, token=token, now=services.clock.now())
            if found is None:
                return None
            return Signed(found.contact_id, found.viewer, found.csrf)

    return await in_worker(read)


async def sign_in_needed(request: Request, note: str = "") -> Response:
    """Say that a sign-in is needed (401), in the language of the person whose session the
    cookie names when it has ended (an English reader's session expiring got Vietnamese).

    `note`: the reason typed with a decision posted once the session had ended: said to be
    undecided, quoted to be sent again (it was lost with the page)."""
    token = session_token(request)
    services = deps_of(request).services

    def lang() -> Lang | None:
        with session_scope(services.engine) as session:
            return owner_language(session, token=token)

    person = await in_worker(lang) if token else None
    if note:
        key = "web.sign_in_needed_decision"
        return message_page(request, None, key, status=401, person_lang=person, note=note)
    return message_page(request, None, "web.sign_in_needed", status=401, person_lang=person)


async def login(request: Request) -> Response:
    """Show whom a one-time link signs in (GET), or sign in with it (POST, from our pages)."""
    services = deps_of(request).services
    code = request.path_params["code"]
    if request.method == "POST" and not same_origin(request):
        return cross_origin(request)

    def offer() -> LoginOffer | None:
        with session_scope(services.engine) as session:
            return login_offer(session, code=code, now=services.clock.now())

    def redeem() -> tuple[int, str, str] | None:
        with session_scope(services.engine) as session:
            return sign_in(session, code=code, now=services.clock.now())

    if request.method == "POST":
        opened = await in_worker(redeem)
        if opened is not None:
            return _opened(request, opened)
    offered = await in_worker(offer)
    if offered is None:
        return message_page(request, None, "web.link_refused", status=403)
    if offered.expired:  # gone, said in the language of the person it was for
        return expired(request, "/web", offered.lang)
    if offered.used:
        return used(request, command="/web", lang=offered.lang)
    if request.method == "POST":  # unused and unexpired, yet refused: no longer staff
        return message_page(request, None, "web.link_refused", status=403)
    t = deps_of(request).services.catalog
    return landing(
        request,
        what=t.plain(
            language(request, None, offered.lang), "web.landing_login", name=offered.name
        ),
        name=offered.name,
        expires=offered.expires,
        button="web.sign_in_button",
        lang=offered.lang,
    )


def _opened(
    request: Request, opened: tuple[int, str, str] | None, *, miniapp: bool = False
) -> Response:
    """Set the new session's cookie and go to the overview, or refuse."""
    if opened is None:
        return message_page(request, None, "web.link_refused", status=403)
    response = RedirectResponse("/", status_code=303)
    if miniapp:
        framed_cookie(response, session_cookie(request), MINIAPP_MARK + opened[1])
        return response
    response.set_cookie(
        session_cookie(request),
        opened[1],
        httponly=True,
        secure=deps_of(request).secure_cookies,
        samesite="lax",
        path="/",
    )
    return response


async def login_miniapp(request: Request) -> Response:
    """Open a session from Telegram's Mini App: its initData, signed by Telegram, recent,
    posted by our own page (as a sign-in link's button)."""
    if not same_origin(request):
        return cross_origin(request)
    deps = deps_of(request)
    services = deps.services
    form = await form_of(request)
    if deps.miniapp_key is None or form is None:
        return message_page(request, None, "web.link_refused", status=403)
    now = services.clock.now()
    user_id = verify_init_data(deps.miniapp_key, form.get("initData", ""), now=now)
    if user_id is Refused.STALE:  # the Mini App left open too long: gone, as an old link
        minutes = int(MAX_AGE.total_seconds()) // 60
        return message_page(request, None, "web.miniapp_expired", status=410, minutes=minutes)
    if isinstance(user_id, Refused):
        return message_page(request, None, "web.link_refused", status=403)
    checked, used = user_id, used_key(form.get("initData", ""))

    def open_for() -> tuple[tuple[int, str, str] | None, bool]:
        """Open the session, if the initData was not used already (single-use, as the
        sign-in codes and links are); the session and whether it was taken now."""
        with session_scope(services.engine) as session:
            if not take_once(session, used, expires_at=now + USED_FOR, now=now):
                return None, False
            return sign_in_as(session, channel="telegram", external_id=checked, now=now), True

    opened, taken = await in_worker(open_for)
    if not taken:  # opened by it already: the Mini App opened again hands a new one
        return message_page(request, None, "web.miniapp_used", status=410)
    return _opened(request, opened, miniapp=True)


async def miniapp(request: Request) -> Response:
    """The Mini App's page: it hands Telegram's initData to /login/telegram."""
    response = page(request, None, "miniapp.html")
    response.headers["content-security-policy"] = MINIAPP_CSP
    # Its form then names our origin to ourselves, as a link's page does (web.landing).
    response.headers["referrer-policy"] = "same-origin"
    return response


async def form_of(request: Request) -> dict[str, str] | None:
    """Return a small urlencoded form's fields, without NUL (None when too large; no field if
    not UTF-8)."""
    try:
        body = await read_body(request, FORM_LIMIT)
    except BodyTooLargeError:
        return None
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:  # no form of ours: its CSRF check fails, not "too large"
        return {}
    # PostgreSQL refuses NUL in text, and no one means anything by it.
    return {name: without_nul(value) for name, value in fields}


def csrf_ok(signed: Signed, form: dict[str, str]) -> bool:
    """Tell whether the form carries this session's CSRF token."""
    given = form.get("csrf", "")
    return hmac.compare_digest(given.encode(), signed.csrf.encode())


async def logout(request: Request) -> Response:
    """End the session (a POST with its CSRF token), then say so."""
    signed = await signed_in(request)
    if signed is None:
        return await sign_in_needed(request)
    form = await form_of(request)
    if form is None:
        return message_page(request, signed.viewer, "web.too_large", status=413, csrf=signed.csrf)
    if not csrf_ok(signed, form):  # shown at "/": a reload reads it, never posts this again
        return message_page(
            request, signed.viewer, "web.bad_request", status=403, csrf=signed.csrf, address="/"
        )
    services = deps_of(request).services
    token = session_token(request)

    def end() -> None:
        with session_scope(services.engine) as session:
            sign_out(session, token=token, now=services.clock.now())

    await in_worker(end)
    lang = signed.viewer.lang if signed.viewer is not None else None
    response = message_page(request, None, "web.signed_out", status=200, person_lang=lang)
    if in_miniapp(request.cookies.get(session_cookie(request), "")):
        framed_cookie(response, session_cookie(request), '""', max_age=0)
        return response
    secure = deps_of(request).secure_cookies  # a __Host- cookie is only unset over https
    response.delete_cookie(session_cookie(request), path="/", secure=secure, httponly=True)
    return response
