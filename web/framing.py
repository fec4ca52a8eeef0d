"""The Mini App in Telegram Web's frame: which session it is, and the cookies it keeps there.

Telegram Web (web.telegram.org/k and /a) shows a Mini App in a frame of its own site. There
a browser keeps and sends only a cookie that says SameSite=None, Secure and Partitioned
(kept for that site's frames alone): a Lax one is dropped, so a session opened in the frame
asked for a sign-in again at the next page. A session the Mini App opened is told by its
cookie's value, which starts with MINIAPP_MARK; only its pages may be framed (web.server).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "dondoc_session"
# Behind https: a browser takes a cookie so named only from this very host, over https, for
# every path; a site on a sibling subdomain (another agency's, under the province's domain)
# can then neither set nor shadow it to put a visitor in a session of its choosing.
SECURE_COOKIE = "__Host-dondoc_session"
MINIAPP_MARK = "m."


def in_miniapp(cookie: str) -> bool:
    """Tell whether a session cookie's value is that of a session the Mini App opened."""
    return cookie.startswith(MINIAPP_MARK)


def miniapp_request(request: Request, *, secure: bool) -> bool:
    """Tell whether the request comes with a session the Mini App opened."""
    return in_miniapp(request.cookies.get(SECURE_COOKIE if secure else COOKIE, ""))


def framed_cookie(
    response: Response, name: str, value: str, *, max_age: int | None = None
) -> None:
    """Set (or, max_age 0, unset) a cookie that the browser keeps in Telegram Web's frame.

    Secure, as Telegram opens Mini Apps over https alone (a browser takes it from loopback
    over http too); Partitioned by hand, as Python's cookies know it only from 3.14.
    """
    ending = "" if max_age is None else f"; Max-Age={max_age}"
    header = f"{name}={value}{ending}; HttpOnly; Path=/; SameSite=None; Secure; Partitioned"
    response.raw_headers.append((b"set-cookie", header.encode("latin-1")))
