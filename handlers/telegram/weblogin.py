"""/web: a staff member asks for a one-time link that signs them in to the dashboard."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, WebAppInfo

from app.dashboard.signin import signed_in_link
from core.markup import to_plain
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@command(Access.COORDINATOR)
async def web(req: Request) -> None:
    """Answer a sign-in link valid LOGIN_TTL, for this person only, usable once."""
    services = req.services
    said = await req.atomic(signed_in_link, services, req.actor.lang, req.actor.contact_id)
    text, made = said
    base = services.settings.public_base_url.rstrip("/")
    markup = None
    if made and base.startswith("https://"):  # Telegram opens Mini Apps from https addresses only
        label = to_plain(req.t("web.open_app"))
        app = InlineKeyboardButton(label, web_app=WebAppInfo(f"{base}/app"))
        markup = InlineKeyboardMarkup([[app]])
    # No preview: Telegram would fetch the link to build it (the page it finds uses nothing,
    # but the link is a credential that has no business in Telegram's preview cache).
    await req.reply(text, reply_markup=markup, link_preview_options=NO_PREVIEW)


def flow() -> Flow:
    """Return this flow's command."""
    return Flow(
        name="web",
        commands=(CommandSpec("web", Access.COORDINATOR, web, "web.cmd_web"),),
    )
