"""The invite sheet: one fresh invite per unit, as a Telegram link and a Zalo pairing line.

Shared by `/invites` in chat and `dondoc invites export`. Codes are stored only hashed, so
every sheet carries new invites; older unused ones stay valid until they expire.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlmodel import Session, select

from app.expiry import expiry_stamp
from app.i18n import Catalog
from app.services import Services
from core.invites import invite_link
from core.roles import Function, Role
from core.textnorm import vi_sort_key
from db.engine import session_scope
from db.models import UnitKind
from db.queries.audit import record
from db.queries.invites import create_invite, units_for_invites

COLUMNS = ("code", "unit", "kind", "role", "function", "link", "invite_code", "expires", "zalo")


def units_to_invite(services: Services, *, include_covered: bool) -> int:
    """Return how many units a sheet would invite (`include_covered`: every unit, else those
    without a contact)."""
    with session_scope(services.engine) as session:
        return len(units_for_invites(session, include_covered=include_covered))


def invite_sheet(
    session: Session,
    *,
    catalog: Catalog,
    lang: str,
    bot_username: str,
    include_covered: bool,
    actor_id: int | None,
    actor_label: str = "",
    now: datetime,
    ttl_days: int,
    tz: tzinfo,
) -> tuple[list[str], list[list[str | date]]]:
    """Create one member/focal invite per unit and return the sheet's header and rows.

    Each row has the Telegram link and what to send to the Zalo bot (`/start <code>`);
    without a Telegram bot (`bot_username` "": a Zalo-only province) the sheet has no
    link column, rather than one left empty on every row.
    """
    kinds = {k.key: k for k in session.exec(select(UnitKind))}
    units = units_for_invites(session, include_covered=include_covered)
    units.sort(
        key=lambda u: (
            kinds[u.kind_key].sort_order if u.kind_key in kinds else 999,
            vi_sort_key(u.name, u.code),
        )
    )
    role = catalog.get(lang, "common.role_member")
    function = catalog.get(lang, "common.function_focal")
    rows: list[list[str | date]] = []
    for unit in units:
        assert unit.id is not None
        invite, code = create_invite(
            session,
            unit_id=unit.id,
            role=Role.MEMBER,
            function=Function.FOCAL,
            created_by_id=actor_id,
            now=now,
            ttl_days=ttl_days,
        )
        kind = kinds.get(unit.kind_key)
        kind_name = (kind.name_en if lang == "en" else kind.name_vi) if kind else unit.kind_key
        expires = expiry_stamp(invite.expires_at, tz)
        link = [invite_link(bot_username, code)] if bot_username else []
        zalo = f"/start {code}"
        rows.append([unit.code, unit.name, kind_name, role, function, *link, code, expires, zalo])
    if rows:
        record(
            session,
            actor_id=actor_id,
            actor_label=actor_label,
            action="invites.exported",
            object_type="invite",
            details={"count": len(rows), "all": include_covered},
        )
    columns = [name for name in COLUMNS if bot_username or name != "link"]
    header = [catalog.get(lang, f"invites.col_{name}") for name in columns]
    return header, rows
