"""Guided forms on Zalo: `/newtask` and `/addunit` alone, as numbered text conversations.

A form is one value per person in the database (`form_state.py`), so a restart of the bot
in the middle goes on at the same step. Each answer is checked by the same use cases as
Telegram's forms (`form_newtask.py`, `form_addunit.py`); a refused one is explained and the
same step asked again. The last step shows everything with "1. Tạo / 2. Huỷ" (or "1. Lưu"),
read by the form itself; "huỷ" or /cancel leaves the form at any step. Other commands typed
meanwhile run as usual and leave the form where it was.
"""

from __future__ import annotations

from typing import Any

from app.actor import Actor
from app.checkin import Said
from app.services import Services
from core.roles import Access
from handlers.zalo import form_addunit, form_newtask
from handlers.zalo.form_state import ADDUNIT, keep


def answer(services: Services, actor: Actor, form: dict[str, Any], typed: str) -> list[Said]:
    """Take what the person typed at the form's step; ask the next step or the same again."""
    if actor.access < Access.ADMIN:  # the role changed while the form was open
        keep(services, actor, None)
        return [Said(services.catalog.get(actor.lang, "common.not_allowed"))]
    text = " ".join(typed.split())
    if form.get("form") == ADDUNIT:
        return form_addunit.step(services, actor, form, text)
    return form_newtask.step(services, actor, form, text)
