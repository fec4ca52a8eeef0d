"""Two people made one (`/link` from a chat that was someone already, joined when asked), on
SQLite and PostgreSQL.

Every row that named the chat's person names the code's after; units and scope are
unioned, the higher role kept; and a code typed twice at once, or two people's codes typed
on each other's chats at once, join them once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.actor import Actor
from app.i18n import load_catalog
from app.linking import Caller, confirm, link
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.engine import session_scope
from db.models import (
    AppState,
    AuditLog,
    Contact,
    ContactScope,
    LinkCode,
    Outbox,
    StatusReport,
    UnitContact,
    UnitGroup,
    UnitGroupMember,
)
from db.queries import menu_marks, state
from db.queries.audit import record
from db.queries.linking import create_link_code
from db.queries.merging import contact_columns, merge_people
from db.queries.outbox import enqueue
from db.queries.pending import get_pending, set_pending
from db.queries.scope import set_scope
from db.queries.tasks import assignments_of
from db.queries.web import open_session
from tests.factories import identity, make_contact, make_task, make_unit, person
from tests.harness import DEFAULT_NOW

NOW = DEFAULT_NOW


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def references(s: Session, contact_id: int) -> dict[str, int]:
    """Return how many rows of each contact column name this person."""
    counts = {}
    for column in contact_columns():
        query = select(func.count()).select_from(column.table).where(column == contact_id)
        counts[f"{column.table.name}.{column.name}"] = s.exec(query).one()
    return counts


def test_every_row_of_the_chat_s_person_names_the_code_s_person_after(db: Engine) -> None:
    """Lan (Telegram, member of Xã A) takes in Lan of Zalo (coordinator of Xã A and Xã B,
    limited to a group): reports, messages, audit, sessions, codes, questions move; units
    and scope are unioned; role and digest are the coordinator's, language and name Lan's."""
    with session_scope(db) as s:
        a = make_unit(s, "XA", "Xã A")
        b = make_unit(s, "XB", "Xã B", groups=["Miền núi"])
        task = make_task(s, "Báo cáo", NOW.date() + timedelta(days=3), [a, b])
        lan = make_contact(s, 9301, units=[a], name="Lan", language="en").id or 0
        zalo = make_contact(s, 0, role="coordinator", units=[b], name="Lan Z", channel="text",
                            external_id="b301").id or 0  # fmt: skip
        s.add(UnitContact(unit_id=a.id or 0, contact_id=zalo, function="leader"))
        s.get_one(Contact, zalo).digest_enabled = False
        set_scope(s, contact_id=zalo, group_ids=[g.group_id for g in b_groups(s, b.id or 0)])
        assignment = assignments_of(s, task_id=task.id or 0)[-1]
        s.add(StatusReport(assignment_id=assignment.id or 0, contact_id=zalo, state="done"))
        enqueue(s, key="n:1", chat_id="b301", kind="notice", text="x", now=NOW, contact_id=zalo)
        record(s, actor_id=zalo, action="x", object_type="contact", object_id=zalo)
        open_session(s, contact_id=zalo, now=NOW)
        create_link_code(s, contact_id=zalo, now=NOW)
        set_pending(s, contact_id=lan, data={"who": "lan"}, now=NOW)
        set_pending(s, contact_id=zalo, data={"who": "zalo"}, now=NOW)
        set_pending(s, contact_id=zalo, data={"step": 2}, now=NOW, kind="zaloform")
        menu_marks.mark(s, contact_id=zalo)
    with Session(db) as s:
        before = {k: v + references(s, zalo)[k] for k, v in references(s, lan).items()}
    with session_scope(db) as s:
        merged = merge_people(s, source_id=zalo, target_id=lan, now=NOW)
    assert (merged.role_before, merged.role, merged.units_added) == (
        "member",
        "coordinator",
        (b.id,),
    )
    with Session(db) as s:
        after = references(s, lan)
        assert not any(references(s, zalo).values())
        assert s.get(Contact, zalo) is None
        one = s.get_one(Contact, lan)
        units = s.exec(select(UnitContact.unit_id, UnitContact.function).where(
            UnitContact.contact_id == lan)).all()  # fmt: skip
        scope = s.exec(select(ContactScope.group_id).where(ContactScope.contact_id == lan)).all()
        code = s.exec(select(LinkCode)).one()
        assert get_pending(s, contact_id=lan, now=NOW) == {"who": "lan"}
        assert get_pending(s, contact_id=lan, now=NOW, kind="zaloform") == {"step": 2}
        assert state.value(s, f"{menu_marks.PREFIX}{zalo}") is None
        assert state.value(s, f"{menu_marks.PREFIX}{lan}") is not None
        assert not s.exec(select(AppState.key).where(col(AppState.key).like(f"%:{zalo}"))).all()
        audited = s.exec(select(AuditLog.object_id).where(AuditLog.action == "x")).one()
    moved_apart = {"unit_contact.contact_id": 2, "contact_scope.contact_id": 1}
    assert after == before | moved_apart
    assert (one.role, one.language, one.display_name, one.digest_enabled) == (
        "coordinator", "en", "Lan", False)  # fmt: skip
    assert sorted(units) == [(a.id, "focal"), (b.id, "focal")]
    assert len(scope) == 1
    assert code.expires_at <= NOW  # the chat's old codes are the person's, and spent
    assert audited == str(lan)


def b_groups(s: Session, unit_id: int) -> list[UnitGroupMember]:
    """Return the group rows of a unit."""
    return list(s.exec(select(UnitGroupMember).where(UnitGroupMember.unit_id == unit_id)))


@pytest.mark.parametrize(
    ("first", "second", "role", "groups", "widened"),
    [
        (("coordinator", ()), ("coordinator", ("G1",)), "coordinator", set(), True),  # all
        (("coordinator", ("G1",)), ("coordinator", ("G2",)), "coordinator", {"G1", "G2"}, True),
        (("coordinator", ("G1",)), ("coordinator", ("G1",)), "coordinator", {"G1"}, False),
        (("coordinator", ()), ("coordinator", ()), "coordinator", set(), False),
        # A member limits none, and is raised (told as such), not widened.
        (("member", ()), ("coordinator", ("G2",)), "coordinator", {"G2"}, False),
        (("member", ()), ("admin", ()), "admin", set(), False),  # the only admin stays one
        (("admin", ()), ("member", ()), "admin", set(), False),
        (("admin", ("G1",)), ("admin", ("G2",)), "admin", {"G1", "G2"}, False),  # sees all
    ],
)
def test_the_higher_role_and_the_wider_scope_are_kept(
    session: Session,
    first: tuple[str, tuple[str, ...]],
    second: tuple[str, tuple[str, ...]],
    role: str,
    groups: set[str],
    widened: bool,
) -> None:
    """Whichever side each is on: role by rank, scope by what it lets them see; a
    coordinator who follows more units, the role the same, is a scope widened."""
    make_unit(session, "XG", groups=["G1", "G2"])
    ids = {i or 0: name for i, name in session.exec(select(UnitGroup.id, UnitGroup.name))}
    by_name = {name: i for i, name in ids.items()}
    people = []
    for n, (their_role, their_groups) in enumerate((first, second)):
        person_id = make_contact(session, 9600 + n, role=their_role).id or 0
        set_scope(session, contact_id=person_id, group_ids=[by_name[g] for g in their_groups])
        people.append(person_id)
    session.commit()
    merged = merge_people(session, source_id=people[1], target_id=people[0], now=NOW)
    session.commit()
    assert merged.scope_widened is widened
    admins = session.exec(select(Contact.id).where(Contact.role == "admin")).all()
    kept = session.exec(select(ContactScope.group_id).where(ContactScope.contact_id == people[0]))
    assert session.get_one(Contact, people[0]).role == role
    assert {ids[g] for g in kept} == groups
    assert admins == ([people[0]] if role == "admin" else [])


def services_on(db: Engine, settings: Settings) -> Services:
    """Return the services of a province on Telegram and Zalo, on this database."""
    both = settings.model_copy(update={"zalo_bot_token": SecretStr("1:zalo-token-for-tests")})
    return Services(both, db, load_catalog(), ManualClock(NOW))


def at_once(services: Services, tries: list[tuple[Caller, str]]) -> list[str]:
    """Type each code on its chat (each chat is asked: Gộp or Hủy), then press every Gộp at
    the same moment; return the answers to the presses in order."""
    joins = []
    for caller, code in tries:
        stranger = Actor(0, caller.external_id, "vi", "member", (), ())
        [[join, _]] = link(services, stranger, caller, code).choices
        joins.append((caller, [str(part) for part in join.data]))
    ready = threading.Barrier(len(tries), timeout=10)  # a guard against a hang, not a measure

    def attempt(one: tuple[Caller, list[str]]) -> str:
        caller, data = one
        ready.wait()
        stranger = Actor(0, caller.external_id, "vi", "member", (), ())
        return confirm(services, stranger, caller, data).text

    with ThreadPoolExecutor(len(tries)) as pool:
        return list(pool.map(attempt, joins))


def three_people(db: Engine) -> Callable[[str], int]:
    """Lan on Telegram (Xã A), Lan on Zalo (Xã B), Hoa on Zalo (Xã C); return who is whom."""
    with session_scope(db) as s:
        for code, ext, channel in (("XA", "9401", "telegram"), ("XB", "b401", "text"),
                                   ("XC", "c401", "text")):  # fmt: skip
            make_contact(s, 0, units=[make_unit(s, code)], channel=channel, external_id=ext)

    def whom(ext: str) -> int:
        with Session(db) as s:
            return person(s, ext, "telegram" if ext.isdigit() else "text").id or 0

    return whom


def test_one_code_typed_on_two_chats_at_once_joins_one(db: Engine, settings: Settings) -> None:
    """Lan's code typed on her Zalo chat and on Hoa's, both joined at the same moment: one
    joins Lan."""
    whom = three_people(db)
    with session_scope(db) as s:
        code = create_link_code(s, contact_id=whom("9401"), now=NOW)
    answers = at_once(
        services_on(db, settings),
        [(Caller("text", "b401", "b401"), code), (Caller("text", "c401", "c401"), code)],
    )
    assert sum("gộp hai tài khoản" in a for a in answers) == 1
    assert sum("Không gộp" in a for a in answers) == 1
    with Session(db) as s:
        assert len(s.exec(select(Contact)).all()) == 2
        assert s.exec(select(LinkCode.used_at)).one() is not None


def test_two_codes_typed_on_each_other_s_chats_at_once_join_once(
    db: Engine, settings: Settings
) -> None:
    """Lan's Telegram code on her Zalo chat, her Zalo code on her Telegram chat, both joined
    at once: she ends one person with both chats; the later try finds nothing left to join."""
    whom = three_people(db)
    telegram, zalo = whom("9401"), whom("b401")
    with session_scope(db) as s:
        from_telegram = create_link_code(s, contact_id=telegram, now=NOW)
        from_zalo = create_link_code(s, contact_id=zalo, now=NOW)
    answers = at_once(
        services_on(db, settings),
        [
            (Caller("text", "b401", "b401"), from_telegram),
            (Caller("telegram", "9401", "9401"), from_zalo),
        ],
    )
    assert sum("gộp hai tài khoản" in a for a in answers) == 1, answers
    assert whom("9401") == whom("b401")
    with Session(db) as s:
        assert len(s.exec(select(Contact)).all()) == 2


def test_one_question_joined_twice_at_once_merges_once(db: Engine, settings: Settings) -> None:
    """Gộp pressed twice at the same moment (a double tap, two devices): one merge, one code
    spent, the other press told nothing was joined."""
    whom = three_people(db)
    lan = whom("9401")
    with session_scope(db) as s:
        code = create_link_code(s, contact_id=lan, now=NOW)
    zalo = Caller("text", "b401", "b401")
    answers = at_once(services_on(db, settings), [(zalo, code), (zalo, code)])
    assert sorted("gộp hai tài khoản" in a for a in answers) == [False, True], answers
    assert sum("Không gộp" in a for a in answers) == 1
    assert whom("b401") == lan
    with Session(db) as s:
        assert len(s.exec(select(Contact)).all()) == 2
        merged = s.exec(select(AuditLog).where(AuditLog.action == "contact.merged")).all()
        assert len(merged) == 1
        assert s.exec(select(LinkCode.used_at)).one() is not None


def test_the_same_day_s_reminder_queued_to_both_people_is_kept_once(db: Engine) -> None:
    """Lan of Telegram and Lan of Zalo were both focal points of Xã A: each was queued
    today's reminder of its assignment, and each a copy of one nudge. Joined, she would get
    both. The merge keeps the copy to the chat she used last (or one sent already) and
    leaves the assignment out of the others: a message about nothing else is cancelled,
    naming the copy kept; one about more keeps the rest, the assignment marked out for the
    sender. Yesterday's reminder is another occasion, left as it was."""
    today, yesterday = NOW.date().isoformat(), (NOW.date() - timedelta(days=1)).isoformat()
    with session_scope(db) as s:
        a, b = make_unit(s, "XA", "Xã A"), make_unit(s, "XB", "Xã B")
        task = make_task(s, "Báo cáo", NOW.date() + timedelta(days=3), [a, b])
        by_unit = {x.unit_id: x.id or 0 for x in assignments_of(s, task_id=task.id or 0)}
        xa, xb = by_unit[a.id or 0], by_unit[b.id or 0]
        lan = make_contact(s, 9701, units=[a, b], name="Lan").id or 0
        lan_z = make_contact(s, 0, units=[a], channel="text", external_id="z9701").id or 0
        identity(s, 9701).last_seen_at = NOW  # the chat she used last
        identity(s, "z9701", "text").last_seen_at = NOW - timedelta(days=1)

        def queued(key: str, who: int, chat: str, kind: str, ids: list[int]) -> int:
            channel = "telegram" if who == lan else "text"
            row = enqueue(s, key=key, chat_id=chat, channel=channel, contact_id=who, kind=kind,
                          text=key, now=NOW, assignment_ids=ids)  # fmt: skip
            assert row is not None
            return row.id or 0

        kept = queued(f"rem:{lan}:{today}:{xa}:0", lan, "9701", "reminder", [xa, xb])
        twice = queued(f"rem:{lan_z}:{today}:{xa}:0", lan_z, "z9701", "reminder", [xa])
        earlier = queued(f"rem:{lan_z}:{yesterday}:{xa}:0", lan_z, "z9701", "reminder", [xa])
        nudged = queued(f"nudge:{task.id}:{lan}:7:0", lan, "9701", "nudge", [xa])
        s.get_one(Outbox, nudged).status = "sent"  # what she got already is the copy kept
        more = queued(f"nudge:{task.id}:{lan_z}:7:0", lan_z, "z9701", "nudge", [xa, xb])
    with session_scope(db) as s:
        merge_people(s, source_id=lan_z, target_id=lan, now=NOW)
    with Session(db) as s:
        rows = {r.id: r for r in s.exec(select(Outbox))}
    assert (rows[twice].status, rows[twice].error) == ("cancelled", f"merged: #{kept}")
    assert (rows[kept].status, rows[earlier].status) == ("pending", "pending")
    assert "merged_out" not in rows[kept].payload | rows[earlier].payload
    assert (rows[more].status, rows[more].payload["merged_out"]) == ("pending", [xa])
    assert {r.contact_id for r in rows.values()} == {lan}
