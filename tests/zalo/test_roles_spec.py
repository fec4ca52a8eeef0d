"""Zalo's typed commands by role and scope, derived from `commands.ACCESS`; choices per person.

A stranger, a member of X1, a coordinator limited to Nhóm A (X1 only) and the admin type every
command Zalo knows. Below its access: the refusal, nothing changed. Task #1 and unit Y1 are
outside the coordinator's scope: no answer names them. A numbered choice offered to one
person is not taken by another's typed number.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.checkin import Said
from core.roles import Access
from db.models import StatusReport, UnitGroup
from db.queries.scope import set_scope
from handlers.zalo.commands import ACCESS, COMMANDS
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.roles_world import (
    OUTSIDE_TASK,
    OUTSIDE_UNIT,
    judge,
    people,
    snapshot,
)
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

STRANGER, MEMBER, COORDINATOR, OUTSIDER = (
    "5a5a5a5a5a5a5a51",
    "5a5a5a5a5a5a5a52",
    "5a5a5a5a5a5a5a53",
    "5a5a5a5a5a5a5a54",
)
PEOPLE = people(STRANGER, MEMBER, COORDINATOR, ZALO_ADMIN)
ARGS = {
    "invite": "Y1",
    "addunit": "Z9 | Xã Mới | xã",
    "editunit": "Y1 | Xã Đổi Tên",
    "scope": "Người 53 Nhóm A",
    "approve": "1",
    "reject": "1 không",
    "explain": "#1 Y1",
    "giaitrinh": "#1 Y1",
    "summary": "#1",
    "tonghop": "#1",
    "export": "#1",
    "chart": "#1",
    "report": "#1",
    "nudge": "#1",
    "evidence": "#1 Y1",
    "minhchung": "#1 Y1",
    "lang": "vi",
}


def arrange(zbot: ZaloBot) -> int:
    """X1 (in Nhóm A, the coordinator's scope) and Y1 with overdue task #1 outside it.

    Return the id of X1's assignment.
    """
    zbot.tg.configure(public_base_url="https://dondoc.example")  # /export etc. answer links
    with zbot.session() as s:
        inside = make_unit(s, "X1", "Xã Trong", groups=["Nhóm A"])
        outside = make_unit(s, "Y1", OUTSIDE_UNIT)
        make_task(s, OUTSIDE_TASK, date(2026, 11, 10), [outside])
        own = make_task(s, "Việc trong phạm vi", date(2026, 11, 25), [inside])
        people = {
            user: make_contact(
                s,
                0,
                units=units,
                role=role,
                name=f"Người {user[-2:]}",
                channel="zalo",
                external_id=user,
            )
            for user, units, role in (
                (MEMBER, [inside], "member"),
                (COORDINATOR, [], "coordinator"),
                (OUTSIDER, [outside], "member"),
            )
        }
        group = s.exec(select(UnitGroup).where(UnitGroup.name == "Nhóm A")).one()
        set_scope(s, contact_id=people[COORDINATOR].id or 0, group_ids=[group.id or 0])
        s.commit()
    for _, user, _ in PEOPLE[:3]:
        zbot.zalo.add_user(user, f"Người {user[-2:]}", wrote=True)
    zbot.zalo.add_user(OUTSIDER, f"Người {OUTSIDER[-2:]}", wrote=True)
    return own.id or 0


# What the text channel under Zalo answers itself (handlers/text/channel.py `_command`).
TEXT_CHANNEL_COMMANDS = {"cancel", "link", "whoami", "nudge"}


def test_every_zalo_command_declares_its_role() -> None:
    """Every command Zalo runs says who may run it in ACCESS."""
    assert sorted((set(COMMANDS) | TEXT_CHANNEL_COMMANDS) - set(ACCESS)) == []


async def test_a_command_added_without_a_role_is_the_admins_alone(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a command ever be added to COMMANDS and not to ACCESS, a member and a
    coordinator are refused it rather than let in: the channel's default is the admin."""
    arrange(zbot)
    ran: list[str] = []

    def probe(_services: object, actor: object, _args: str, _name: str) -> list[Said]:
        ran.append(str(actor))
        return [Said("ran")]

    monkeypatch.setitem(COMMANDS, "probe", probe)
    for user in (MEMBER, COORDINATOR):
        answer = "\n".join(await zbot.say(user, "/probe"))
        assert "không có quyền" in answer, answer
    assert ran == []
    assert "ran" in await zbot.say(ZALO_ADMIN, "/probe")


@pytest.mark.parametrize("needed", list(Access), ids=[level.name.lower() for level in Access])
async def test_zalo_commands_are_refused_below_their_role_and_change_nothing(
    zbot: ZaloBot, needed: Access
) -> None:
    """Every command of this access, typed by each person: below it the refusal and nothing
    changed; at or above it no refusal. One bot per access level: a Zalo bot takes a second
    to stop, and the commands are many."""
    arrange(zbot)
    for name in sorted(name for name, level in ACCESS.items() if level == needed):
        command = f"/{name} {ARGS.get(name, '')}".strip()
        for who, user, access in PEOPLE:
            before = snapshot(zbot.tg.engine)
            answer = "\n".join(await zbot.say(user, command))
            if judge(command, who, access, needed, answer):
                assert snapshot(zbot.tg.engine) == before, f"{command} by the {who} changed"
            if who == "coordinator":
                assert OUTSIDE_TASK not in answer, f"{command}: {answer!r}"
                assert OUTSIDE_UNIT not in answer, f"{command}: {answer!r}"


async def test_a_typed_number_takes_only_the_choice_offered_to_that_person(
    zbot: ZaloBot,
) -> None:
    """The member is offered "1 = Hoàn thành"; another unit's member and a stranger typing
    "1" take nothing of it; the member's own "1" records done."""
    assignment = arrange(zbot)
    [offer] = await zbot.say(MEMBER, "✅")
    assert "1 = Hoàn thành" in offer

    def reported() -> list[int]:
        with zbot.session() as s:
            return [r.assignment_id for r in s.exec(select(StatusReport))]

    await zbot.say(OUTSIDER, "1")
    await zbot.say(STRANGER, "1")
    await zbot.say(COORDINATOR, "1")
    assert assignment not in reported()
    await zbot.say(MEMBER, "1")
    assert assignment in reported()
