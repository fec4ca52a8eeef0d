"""What a person is to the bot, as they may ask it on any channel: /whoami."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from app.actor import Actor
from app.i18n import Catalog
from app.services import Services
from core.markup import Markup
from db.engine import session_scope
from db.queries.contact_admin import contact_info


def channel_name(catalog: Catalog, lang: str, channel: str) -> str:
    """Return a channel's name as people know it ("Telegram", "Zalo")."""
    key = f"common.channel_{channel}"
    return catalog.get(lang, key) if catalog.has(key) else channel


def channel_names(catalog: Catalog, lang: str, channels: Iterable[str]) -> str:
    """Return channels' names as one list ("Zalo, Telegram")."""
    return ", ".join(channel_name(catalog, lang, c) for c in channels)


def whoami(services: Services, actor: Actor) -> str:
    """Return a known person's name, identities (channel and id), role and units (markup)."""
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        info = contact_info(session, contact_id=actor.contact_id)
        if info is None:
            return t("common.not_registered")
        identities = [
            t(
                "contacts.identity",
                channel=channel_name(services.catalog, actor.lang, i.channel),
                id=i.external_id,
            )
            for i in info.identities.items
        ]
        units = [
            t("contacts.unit_line", unit=u.name, function=t(f"common.function_{f}"))
            for u, f in info.units
        ]
        return t(
            "contacts.whoami",
            name=info.label,
            identities=Markup(", ".join(identities)),
            role=t(f"common.role_{info.contact.role}"),
            units=Markup("\n".join(units) or t("contacts.no_units")),
        )
