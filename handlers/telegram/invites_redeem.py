"""Redeeming an invite on Telegram: `/start <code>`, or a code pasted alone.

A used, expired or unknown code gets one and the same answer, so a guesser learns nothing
(its own user, opening it again, is told they are registered);
repeated wrong codes from one person are refused for a while (core.invites).
"""

from __future__ import annotations

from app import pairing
from app.i18n import pick_language
from handlers.telegram.access import Request, refresh_menu
from handlers.telegram.senders import CHANNEL
from scheduler.delivery import wake


async def redeem(req: Request, code: str) -> None:
    """Register the sender with an invite code (of `/start <code>`, or pasted alone), or
    refuse politely.

    The rules (rate limit, admin codes, spending the code, the audit, telling the admins)
    are `app.pairing.redeem`'s, as on Zalo; here the newcomer's command menu is refreshed.
    """
    redeemed = await req.run(pairing.redeem, req.services, _newcomer(req), code)
    await req.reply(redeemed.said.text)
    if redeemed.contact_id is not None:
        await refresh_menu(req, redeemed.contact_id)
        wake(req.context.application)


def _newcomer(req: Request) -> pairing.Newcomer:
    """Return the sender of a code as Telegram names them."""
    user = req.update.effective_user
    chat = req.update.effective_chat
    assert user is not None
    return pairing.Newcomer(
        CHANNEL,
        str(user.id),
        str(chat.id if chat is not None else user.id),
        user.full_name[:200],
        pick_language(user.language_code, req.services.settings.default_language),
        username=user.username,
        call_name=user.first_name,
    )
