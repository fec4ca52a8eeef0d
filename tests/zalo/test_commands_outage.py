"""Zalo's commands, guided forms and pairing codes while another process holds SQLite's
write lock past the busy wait (shortened here, so the tests are quick).

They were not run again after the database failed: the person got the generic error, and a
form's confirmed "1" had left the form before its task or unit failed, its answers lost. Now
one that kept nothing yet is waited out and run again whole, the person told once; one done
whose last write (its choices, the form left) failed is not run again, that write kept once
the database is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.models import AppState, ContactIdentity, Invite, Task, Unit
from tests.factories import make_task, make_unit
from tests.locks import Arm, locking_at
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_database_outage import HELD, SHORT_LOCK_S, short_busy_wait
from tests.zalo.test_forms import province
from tests.zalo.test_pairing import HOA, code_of

__all__ = ["short_busy_wait"]  # the fixture, used by name

FORM = ("checkin:form:",)  # the parameters of a write of a person's form
CHOICES = ("checkin:choices:",)  # of the numbered choices an answer offers


@pytest.fixture
def lock_at(zbot: ZaloBot, db_path: Path) -> Iterator[Arm]:
    """Take the write lock from another connection as a statement armed runs (tests.locks)."""
    with locking_at(zbot.tg.engine, db_path, SHORT_LOCK_S) as arm:
        yield arm


def failed(texts: list[str]) -> bool:
    """Tell whether the bot answered with the generic error (its reference: "mã lỗi")."""
    return any("mã lỗi" in t for t in texts)


def form_of(zbot: ZaloBot) -> list[str]:
    """Return the forms kept (their values), anyone's."""
    with zbot.session() as s:
        query = select(AppState.value).where(col(AppState.key).startswith("checkin:form:"))
        return list(s.exec(query))


async def test_a_form_answer_while_the_database_is_locked_is_taken_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """The admin types the title of /newtask as another process takes the write lock, as
    the form is about to keep it: after one notice the deadline is asked, once."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask")
    held = lock_at("INSERT INTO APP_STATE", *FORM)
    texts = await zbot.say(ZALO_ADMIN, "Báo cáo quý IV")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("dd/mm/yyyy" in t for t in texts) == 1
    [units] = await zbot.say(ZALO_ADMIN, "15/12/2026")
    assert "Bước 3/4" in units


async def test_a_form_answer_kept_before_the_database_locked_is_not_taken_twice(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """The form keeps the title, then the lock is taken as the choices of the answer are
    forgotten: the step was done, but the admin got the generic error, and typing the title
    again gave it as the deadline. Now the choices are forgotten once the lock is free and
    the deadline asked, once."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask")
    held = lock_at("DELETE FROM APP_STATE", *CHOICES)
    texts = await zbot.say(ZALO_ADMIN, "Báo cáo quý IV")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("dd/mm/yyyy" in t for t in texts) == 1
    [units] = await zbot.say(ZALO_ADMIN, "15/12/2026")
    assert "Bước 3/4" in units


async def confirm_newtask(zbot: ZaloBot) -> None:
    """Fill in /newtask up to its confirmation."""
    for answer in ("/newtask", "Báo cáo quý IV", "15/12/2026", "X000"):
        await zbot.say(ZALO_ADMIN, answer)
    [confirm] = await zbot.say(ZALO_ADMIN, "bỏ qua")
    assert "1 = " in confirm


async def test_a_task_confirmed_while_the_database_is_locked_is_created_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """The admin confirms /newtask with "1" as another process takes the write lock, as the
    form is taken: the admin got the error (and the form was taken in a transaction of its
    own: a lock at the task's after it left the form gone). Now both go in one, waited out:
    the task is created once and said once, after one notice."""
    province(zbot)
    await confirm_newtask(zbot)
    held = lock_at("DELETE FROM APP_STATE", *FORM)
    texts = await zbot.say(ZALO_ADMIN, "1")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    with zbot.session() as s:
        [task] = s.exec(select(Task)).all()
    assert sum(f"#{task.id}" in t for t in texts) == 1
    assert form_of(zbot) == []


async def confirm_addunit(zbot: ZaloBot) -> None:
    """Fill in /addunit up to its confirmation."""
    for answer in ("/addunit", "X-NEW", "Xã Mới", "xã", "-"):
        await zbot.say(ZALO_ADMIN, answer)
    [confirm] = await zbot.say(ZALO_ADMIN, "-")
    assert "1 = Lưu" in confirm


@pytest.mark.parametrize(
    "statement", [("INSERT INTO UNIT",), ("DELETE FROM APP_STATE", *FORM)], ids=["unit", "form"]
)
async def test_a_unit_confirmed_while_the_database_is_locked_is_saved_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm, statement: tuple[str, ...]
) -> None:
    """The admin confirms /addunit with "1" as another process takes the write lock (as the
    unit is written, or as the form is left): the form was left first, so a lock at the
    unit's left the error and the form gone. Now the unit is saved first, once, and the form
    left after it (once the lock is free): said once, after one notice."""
    province(zbot)
    await confirm_addunit(zbot)
    held = lock_at(*statement)
    texts = await zbot.say(ZALO_ADMIN, "1")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("X-NEW" in t for t in texts) == 1
    with zbot.session() as s:
        assert [u.name for u in s.exec(select(Unit).where(Unit.code == "X-NEW"))] == ["Xã Mới"]
    assert form_of(zbot) == []


async def test_a_code_sent_while_the_database_is_locked_links_the_person_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """Hoa sends her invite code as another process takes the write lock: she got the error
    (sending it again was then right, the code not spent). Now she is told once to wait,
    then welcomed once, and the code is spent on her."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    zbot.zalo.add_user(HOA, "Hoa")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA")
    held = lock_at("UPDATE INVITE")
    texts = await zbot.say(HOA, f"/start {code_of(invite)}")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("Chào mừng Hoa" in t for t in texts) == 1
    with zbot.session() as s:
        hoa = s.exec(select(ContactIdentity).where(ContactIdentity.external_id == HOA)).one()
        [spent] = s.exec(select(Invite)).all()
    assert spent.used_by_id == hoa.contact_id


async def test_a_command_while_the_database_is_locked_is_run_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """The admin's /invite as another process takes the write lock: one code, said once."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    held = lock_at("INSERT INTO INVITE")
    texts = await zbot.say(ZALO_ADMIN, "/invite XA")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("/start " in t for t in texts) == 1
    with zbot.session() as s:
        assert len(s.exec(select(Invite)).all()) == 1


BUSY = "có thể mới thực hiện được một phần"  # common.database_busy_partly


async def test_a_command_locked_out_midway_asks_to_be_sent_again_and_is_finished(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """/calendar add sets the day off, then moves what is due that day a transaction at a
    time; the lock taken as it moves it: the admin got the generic error, the message left
    to run again at the next start. Now the admin is told the command may be done in part,
    to check and send it again (which moves what is left), and the message is finished."""
    with zbot.session() as s:
        task = make_task(s, "Báo cáo tháng", date(2027, 1, 4), [make_unit(s, "X9")])
    held = lock_at("UPDATE ASSIGNMENT")
    message_id = zbot.zalo.send_text(ZALO_ADMIN, "/calendar add 04/01/2027 nghỉ bù")
    await zbot.handled(message_id)
    texts = [m.text for m in zbot.zalo.messages(ZALO_ADMIN)]
    assert held.is_set()
    assert not failed(texts)
    assert sum(BUSY in t for t in texts) == 1
    [again] = await zbot.say(ZALO_ADMIN, "/calendar add 04/01/2027 nghỉ bù")
    assert f"#{task.id}" in again
    with zbot.session() as s:
        moved = s.get(Task, task.id)
        assert moved is not None
        assert moved.deadline == date(2027, 1, 5)


async def test_a_command_whose_choices_are_locked_out_is_answered_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """/help as another process takes the write lock, as the choices offered before are
    forgotten: it ended in the generic error. Now the help is said once, after one notice,
    and the choices are forgotten once the lock is free."""
    await zbot.say(ZALO_ADMIN, "/help")
    held = lock_at("DELETE FROM APP_STATE", *CHOICES)
    texts = await zbot.say(ZALO_ADMIN, "/help")
    assert held.is_set()
    assert not failed(texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("/mytasks" in t for t in texts) == 1
