"""The page in front of a link opened from chat: it says what the link does, and one button.

Chat servers and mail scanners open a link to preview it: a GET only shows this page and
never uses the link; the button POSTs to the same address, which uses it. A POST from
another site's page (its Origin not ours, or Sec-Fetch-Site saying so) is refused, so that
no site can sign a visitor in as someone else or spend their links.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from app.i18n import Lang
from web.deps import WebDeps
from web.render import message_page, page


def _origin(url: str) -> str:
    """Return an absolute URL's origin (scheme://host[:port]), lower case."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """Tell whether a POST comes from our own pages: its Origin, when sent, is ours, and the
    browser, when it says so (Sec-Fetch-Site), does not call it another site's."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    given = request.headers.get("origin")
    if given is None:  # not sent by every client on a same-origin POST
        return True
    deps: WebDeps = request.app.state.deps
    settings = deps.services.settings
    ours = {_origin(str(request.url))}
    if settings.public_base_url_set:
        ours.add(_origin(settings.public_base_url))
    return given.strip().lower() in ours


def cross_origin(request: Request) -> Response:
    """Refuse a POST from another site's page."""
    return message_page(request, None, "web.bad_request", status=403)


def landing(
    request: Request, *, what: str, name: str, expires: datetime, button: str, lang: Lang
) -> Response:
    """Show what the link does, for whom and until when, with the one button that does it."""
    action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = page(
        request,
        None,
        "landing.html",
        person_lang=lang,
        what=what,
        name=name,
        expires=expires,
        button=button,
        action=action,
    )
    # Under the site's "no-referrer", a browser sends "Origin: null" with the form: this page
    # lets it name our origin to ourselves (the only address the page sends anything to).
    response.headers["referrer-policy"] = "same-origin"
    return response


def used(request: Request, *, command: str, lang: Lang | None) -> Response:
    """Say that the link was used already, and how to get a new one."""
    return message_page(
        request, None, "web.link_used", status=410, person_lang=lang, command=command
    )


def expired(request: Request, command: str, lang: Lang | None) -> Response:
    """Say that the link has expired (410: it is gone for good), and how to get a new one."""
    return message_page(
        request, None, "web.link_expired", status=410, person_lang=lang, command=command
    )
