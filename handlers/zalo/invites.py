"""/invites on Zalo for admins, as on Telegram.

`/invites [all] [csv]`: the sheet of fresh invites, one per unit without a contact (`all`:
every unit followed). Zalo bots send no files, so the answer is a download link
(`/files/invites/...`, `web/files/`) signed for the admin, with a page in front: the
codes are made when the admin presses its button, not when Zalo's server previews the
link, and the link works once.

`/invites revoke <unit, invite code or link>`, through the same use case as Telegram
(`app.invite_admin`). A name that fits several units is answered with numbered choices
(`iv:rv:<unit id>`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import invite_admin, unit_form
from app.actor import Actor
from app.checkin import Said
from app.invite_sheet import units_to_invite
from app.services import Services
from core.invites import looks_like_code
from core.textnorm import fold
from handlers.zalo.commandkit import refused_unless_admin, units_offered
from handlers.zalo.files import link_hours, signed_link

PREFIX = "iv"
REVOKE = "rv"
REVOKE_WORDS = ("revoke", "huy")  # "hủy"


def invites(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/invites [all] [csv]: a link to the sheet of invites; /invites revoke <unit|code>."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    words = args.split(maxsplit=1)
    if words and fold(words[0]) in REVOKE_WORDS:
        return _revoke(services, actor, words[1] if len(words) > 1 else "")
    return _sheet(services, actor, fold(args).split())


def _sheet(services: Services, actor: Actor, words: list[str]) -> list[Said]:
    """Answer the link to the sheet of invites (`all`: every unit; `csv`: as CSV)."""
    t = partial(services.catalog.get, actor.lang)
    if not services.settings.public_base_url_set:
        return [Said(t("zalo.links_unset"))]
    include_all = "all" in words or "tat" in words  # "tất cả"
    count = units_to_invite(services, include_covered=include_all)
    if not count:
        return [Said(t("invites.none_to_invite"))]
    fmt = "csv" if "csv" in words else "xlsx"
    which = ("all" if include_all else "new") + (".csv" if fmt == "csv" else "")
    link = signed_link(services, actor, f"/files/invites/{which}")
    said = t("zalo.invites_link", count=count, format=fmt.upper(), link=link, hours=link_hours())
    return [Said(said)]


def _revoke(services: Services, actor: Actor, text: str) -> list[Said]:
    """Revoke the invite of a code (or deep link), or every open invite of a unit."""
    t = partial(services.catalog.get, actor.lang)
    code = invite_admin.code_of(text)
    if not code:
        return [Said(t("invites.revoke_usage"))]
    if looks_like_code(code):
        said = invite_admin.revoke_code(services, actor.lang, actor.contact_id, code)
        if said is not None:
            return [Said(said)]
    units, none = unit_form.named_units(services, actor.lang, text, include_inactive=True)
    if not units:
        return [Said(none)]
    if len(units) > 1:
        return units_offered(
            services, actor.lang, text, units, lambda u: (PREFIX, REVOKE, u.id or 0)
        )
    unit_id = units[0].id or 0
    return [Said(invite_admin.revoke_for_unit(services, actor.lang, actor.contact_id, unit_id))]


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Revoke the open invites of the unit chosen by its number (`iv:rv:<unit id>`)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    if len(data) != 3 or data[1] != REVOKE or not data[2].isdigit():
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    unit_id = int(data[2])
    return [Said(invite_admin.revoke_for_unit(services, actor.lang, actor.contact_id, unit_id))]
