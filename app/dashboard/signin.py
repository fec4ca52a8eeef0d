"""Signing in to the dashboard: a one-time code from chat (/web), or a Mini App's user,
opens a session for staff only; a session lives while used (`live_session`), and ends at
sign-out (`sign_out`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session

from app.dashboard.viewer import STAFF, Viewer, language_of, viewer_of
from app.expiry import expiry
from app.i18n import Lang
from app.services import Services
from db.engine import session_scope
from db.models import Contact
from db.queries import web as wq
from db.queries.contacts import find_contact

LOGIN_TTL = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=12)
# However often it is used: a cookie taken from a browser does not open the dashboard for
# ever, and a new session is one /web away.
SESSION_MAX = timedelta(days=7)


def login_code(session: Session, *, contact_id: int, now: datetime) -> str | None:
    """Return a one-time sign-in code for a staff member (None for anyone else)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.role not in STAFF:
        return None
    return wq.create_login(session, contact_id=contact_id, now=now, ttl=LOGIN_TTL)


def login_link(services: Services, lang: str, contact_id: int) -> str:
    """Return what /web answers: a sign-in link for this person, usable once within
    LOGIN_TTL, or the refusal of anyone not (or no longer) staff."""
    return signed_in_link(services, lang, contact_id)[0]


def signed_in_link(services: Services, lang: str, contact_id: int) -> tuple[str, bool]:
    """Return what /web answers on any channel, and whether it is a link (False: the
    refusal of anyone not, or no longer, staff) (blocking)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        code = login_code(session, contact_id=contact_id, now=now)
    t = partial(services.catalog.get, lang)
    if code is None:  # the role changed since the access check: answer as to a member
        return t("common.not_allowed"), False
    base = services.settings.public_base_url.rstrip("/")
    minutes = int(LOGIN_TTL.total_seconds() // 60)
    ends = expiry(now + LOGIN_TTL, services.settings.tz)
    return t("web.login_link", minutes=minutes, link=f"{base}/login/{code}", **ends), True


@dataclass(frozen=True)
class LoginOffer:
    """What a sign-in link offers before it is used: whom it signs in, until when."""

    name: str
    lang: Lang
    expires: datetime
    used: bool
    expired: bool = False


def login_offer(session: Session, *, code: str, now: datetime) -> LoginOffer | None:
    """Return whom a sign-in code is for, without using it (None: no such code); an expired
    one's says so, and in whose language its refusal is."""
    login = wq.find_login(session, code=code, now=now, expired=True)
    if login is None:
        return None
    viewer = viewer_of(session, contact_id=login.contact_id)
    if viewer is None:
        return None
    used, expired = login.used_at is not None, login.expires_at <= now
    return LoginOffer(viewer.name, viewer.lang, login.expires_at, used, expired)


def sign_in(session: Session, *, code: str, now: datetime) -> tuple[int, str, str] | None:
    """Redeem a sign-in code for staff: (contact id, session token, CSRF token), or None."""
    contact_id = wq.redeem_login(session, code=code, now=now)
    if contact_id is None or viewer_of(session, contact_id=contact_id) is None:
        return None
    token, csrf = wq.open_session(session, contact_id=contact_id, now=now)
    return contact_id, token, csrf


def sign_in_as(
    session: Session, *, channel: str, external_id: str, now: datetime
) -> tuple[int, str, str] | None:
    """Open a session for a staff member known on a channel (a Mini App's checked user)."""
    contact = find_contact(session, channel=channel, external_id=external_id)
    if contact is None or contact.id is None or viewer_of(session, contact_id=contact.id) is None:
        return None
    token, csrf = wq.open_session(session, contact_id=contact.id, now=now)
    return contact.id, token, csrf


@dataclass(frozen=True)
class Live:
    """A live session: whose (`viewer` None when no longer staff) and its CSRF token."""

    contact_id: int
    viewer: Viewer | None
    csrf: str


def live_session(session: Session, *, token: str, now: datetime) -> Live | None:
    """Return the session of a cookie's token when it is live (used in the last
    SESSION_IDLE, opened in the last SESSION_MAX), marking it used; None otherwise."""
    found = wq.touch_session(
        session, token=token, now=now, idle=SESSION_IDLE, lifetime=SESSION_MAX
    )
    if found is None:
        return None
    return Live(found.contact_id, viewer_of(session, contact_id=found.contact_id), found.csrf)


def owner_language(session: Session, *, token: str) -> Lang | None:
    """Return the language of the person a session's token was given to, live or ended."""
    owner = wq.session_owner(session, token=token)
    return language_of(session, contact_id=owner) if owner is not None else None


def sign_out(session: Session, *, token: str, now: datetime) -> None:
    """End the session of this token."""
    wq.end_session(session, token=token, now=now)
