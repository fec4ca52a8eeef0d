"""Every Telegram command, by role: derived from the registry, so a new command is covered.

For each command the flows register (aliases included), a stranger, a member, a coordinator
limited to a group that does not hold the target, and an admin send it with plausible
arguments. Below the command's declared access the answer is the refusal and nothing in the
database moved; at or above it, the answer is not a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from telegram.ext import BaseHandler

from core.roles import Access
from db.models import StatusReport
from handlers.telegram.flows import flows
from tests.handlers.telegram.roles_world import (
    COORDINATOR,
    MEMBER,
    NOT_ALLOWED,
    PEOPLE,
    arrange,
    judge,
    snapshot,
    unit_id,
)
from tests.harness import BotUnderTest

# What each command is given: a task (#1, assigned outside the coordinator's scope), a unit.
ARGS = {
    "addunit": "Z9 | Xã Mới | xã",
    "editunit": "Y1 | Xã Đổi Tên",
    "deactivate": "Y1",
    "activate": "Y1",
    "invite": "Y1",
    "scope": "5003 Nhóm A",
    "deadline": "#1 20/12/2026",
    "assign": "#1 X1",
    "unassign": "#1 Y1",
    "renametask": "#1 Tên mới",
    "closetask": "#1",
    "canceltask": "#1",
    "nudge": "#1",
    "approve": "1",
    "reject": "1 không",
    "explain": "#1 Y1",
    "evidence": "#1 Y1",
    "unit": "Y1",
    "summary": "#1",
    "tonghop": "#1",
    "export": "#1",
    "chart": "#1",
    "report": "#1",
    "lang": "vi",
}


def registered() -> list[tuple[str, Access]]:
    """Return every command name and alias the flows register, with its declared access."""
    return [
        (name, spec.access)
        for flow in flows()
        for spec in flow.commands
        for name in (spec.name, *spec.aliases)
    ]


COMMANDS = registered()


@pytest.mark.parametrize(("name", "needed"), COMMANDS, ids=[name for name, _ in COMMANDS])
async def test_command_is_refused_below_its_role_and_changes_nothing(
    bot: BotUnderTest, name: str, needed: Access
) -> None:
    """Each person below the command's access is refused and nothing changes; others are not."""
    arrange(bot)
    command = f"/{name} {ARGS.get(name, '')}".strip()
    for who, user_id, access in PEOPLE:
        before = snapshot(bot)
        answer = (await bot.send(user_id, command)).text or ""
        if judge(command, who, access, needed, answer):
            assert snapshot(bot) == before, f"{command} by the {who} changed the database"


def test_every_command_declares_its_role_once() -> None:
    """The access the registry shows (/help, menus) is the access the command enforces."""
    for flow in flows():
        for spec in flow.commands:
            enforced = getattr(spec.callback, "access", None)
            assert enforced == spec.access, (
                f"/{spec.name}: registry says {spec.access.name}, its callback enforces {enforced}"
            )


def test_a_command_declared_with_another_role_than_it_checks_is_refused() -> None:
    """A spec saying MEMBER around a callback that checks ADMIN does not register."""
    from handlers.telegram.access import command
    from handlers.telegram.registry import CommandSpec

    async def nothing(_req: object) -> None:
        return None

    with pytest.raises(ValueError, match="/odd is declared MEMBER"):
        CommandSpec("odd", Access.MEMBER, command(Access.ADMIN)(nothing), "start.cmd_help")


def press_handlers(
    handlers: Sequence[BaseHandler[Any, Any, Any]],
) -> list[BaseHandler[Any, Any, Any]]:
    """Return the handlers of button presses, conversations' states included."""
    from telegram.ext import CallbackQueryHandler, ConversationHandler

    from handlers.telegram.newtask import FormButton

    found: list[BaseHandler[Any, Any, Any]] = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            inner += [h for state in handler.states.values() for h in state]
            found += press_handlers(inner)
        elif isinstance(handler, CallbackQueryHandler | FormButton):
            found.append(handler)
    return found


async def test_every_button_kind_checks_its_signature_and_role(bot: BotUnderTest) -> None:
    """Each button handler the application registers goes through `button`: signed, role."""
    every = [h for group in bot.app.handlers.values() for h in group]
    presses = press_handlers(every)
    assert len(presses) > 15
    unchecked = [
        getattr(h.callback, "__qualname__", h)
        for h in presses
        if not getattr(h.callback, "verifies_signature", False)
    ]
    assert unchecked == []


def sign_for(bot: BotUnderTest, user_id: int, *parts: object) -> str:
    """Return button data validly signed for this person (as if the bot had shown it)."""
    from app.signing import sign

    return sign(bot.services.button_key, str(user_id), *parts)


async def press(bot: BotUnderTest, user_id: int, data: str) -> str:
    """Have the person press a button with this data on a message the bot sent them."""
    shown = await bot.send(user_id, "/start")
    bot.server.state.chats[user_id].messages[shown.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": data}]]
    }
    return await bot.press(user_id, data, shown.message_id)


def request_extension(bot: BotUnderTest, code: str) -> int:
    """Store a pending extension request of the unit's assignment; return its id."""
    from db.models import Assignment, ExtensionRequest

    with bot.session() as s:
        assignment = s.exec(
            select(Assignment).where(Assignment.unit_id == unit_id(bot, code))
        ).first()
        assert assignment is not None
        stored = ExtensionRequest(
            assignment_id=assignment.id or 0,
            requested_deadline=date(2026, 12, 10),
            created_at=bot.clock.now(),
        )
        s.add(stored)
        s.commit()
        return stored.id or 0


def assignment_of(bot: BotUnderTest, code: str) -> int:
    """Return the id of the first assignment of the unit."""
    from db.models import Assignment

    with bot.session() as s:
        found = s.exec(select(Assignment).where(Assignment.unit_id == unit_id(bot, code))).first()
        assert found is not None
        return found.id or 0


async def test_a_member_approving_their_own_extension_is_refused(bot: BotUnderTest) -> None:
    """The approve button re-signed for a member of the unit is refused; nothing changes."""
    arrange(bot)
    request = request_extension(bot, "X1")
    before = snapshot(bot)
    assert NOT_ALLOWED in await press(bot, MEMBER, sign_for(bot, MEMBER, "xt", "ok", request))
    assert snapshot(bot) == before


async def test_a_coordinator_deciding_outside_their_scope_changes_nothing(
    bot: BotUnderTest,
) -> None:
    """A coordinator limited to Nhóm A cannot approve Y1's request with a button."""
    arrange(bot)
    request = request_extension(bot, "Y1")
    before = snapshot(bot)
    await press(bot, COORDINATOR, sign_for(bot, COORDINATOR, "xt", "ok", request))
    assert snapshot(bot) == before
    inside = request_extension(bot, "X1")  # the same button within the scope does its work
    before = snapshot(bot)
    await press(bot, COORDINATOR, sign_for(bot, COORDINATOR, "xt", "ok", inside))
    assert snapshot(bot) != before


@pytest.mark.parametrize("status", ["done", "progress", "blocked"])
async def test_a_member_reporting_on_another_units_assignment_changes_nothing(
    bot: BotUnderTest, status: str
) -> None:
    """A member of X1 pressing a status button for Y1's assignment records nothing on it,
    even once they give the reason a blocker asks for; the same button for X1's does."""
    arrange(bot)
    target, own = assignment_of(bot, "Y1"), assignment_of(bot, "X1")

    def reported() -> list[int]:
        with bot.session() as s:
            return [r.assignment_id for r in s.exec(select(StatusReport))]

    before = snapshot(bot)
    await press(bot, MEMBER, sign_for(bot, MEMBER, "st", status, target))
    assert snapshot(bot) == before
    if status == "blocked":  # the reason typed next is theirs, of their own unit's task
        await bot.send(MEMBER, "thiếu kinh phí")
    assert target not in reported()
    on_own = reported().count(own)
    await press(bot, MEMBER, sign_for(bot, MEMBER, "st", status, own))
    if status == "blocked":
        await bot.send(MEMBER, "thiếu người")
    await bot.server.wait_until(lambda: reported().count(own) > on_own)


def button_kinds() -> list[tuple[str, Access]]:
    """Return the data prefix of every button kind the flows handle, with its access."""
    handlers = [h for flow in flows() for h in (*flow.early, *flow.late)]
    kinds: dict[str, Access] = {}
    for handler in press_handlers(handlers):
        pattern = getattr(handler, "pattern", None)
        source = getattr(pattern, "pattern", pattern)
        if isinstance(source, str):  # the fallback for any other button has none
            prefix = source.removeprefix("^").removesuffix("(:|~)").removesuffix("[:~]")
            prefix = re.sub(r"\((\w+)\|[^)]*\)", r"\1", prefix)  # nt:(ok|no): nt:ok
            kinds[prefix] = getattr(handler.callback, "access", Access.PUBLIC)
    return sorted(kinds.items())


BUTTON_KINDS = button_kinds()


@pytest.mark.parametrize(("prefix", "needed"), BUTTON_KINDS, ids=[p for p, _ in BUTTON_KINDS])
async def test_a_button_pressed_below_its_role_is_refused_and_changes_nothing(
    bot: BotUnderTest, prefix: str, needed: Access
) -> None:
    """A button of this kind, validly signed for each person below its access, is refused."""
    arrange(bot)
    for who, user_id, access in PEOPLE:
        if access >= needed:
            break
        before = snapshot(bot)
        data = sign_for(bot, user_id, *prefix.split(":"), "ok", 1)
        assert NOT_ALLOWED in await press(bot, user_id, data), f"{prefix} by the {who}"
        assert snapshot(bot) == before, f"{prefix} by the {who} changed the database"
