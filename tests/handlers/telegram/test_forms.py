"""Telegram's guided forms: one at a time, and kept over a restart, as on Zalo.

An admin half-way through /newtask or /addunit when the bot restarts (a deploy, a crash)
goes on at the same step, with the same draft, and its buttons still work. Starting one
form drops the other and says so; text after a dropped form is read as what it says.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_application
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Role
from db.models import Task, Unit
from db.queries import state
from db.queries.contact_admin import change_role
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from tests.factories import make_unit, person
from tests.handlers.telegram.checkin_world import OFFICIAL, reports, scene
from tests.harness import ADMIN_ID, BotUnderTest, button_data
from tests.loopguard import assert_off_loop, loop_guard


@asynccontextmanager
async def running(
    settings: Settings, server: FakeBotApi, engine: Engine, clock: ManualClock
) -> AsyncIterator[BotUnderTest]:
    """Run one process of the bot on the database (stopped cleanly when the block ends)."""
    app = build_application(settings, clock=clock, engine=engine)
    with loop_guard(engine) as guard:
        async with polling(app):
            yield BotUnderTest(app, server, engine, clock, settings)
    assert_off_loop(guard)


def stored(engine: Engine, key: str) -> str | None:
    """Return the key-value store's value under key."""
    with Session(engine) as session:
        return state.value(session, key)


def step(engine: Engine, form: str) -> object:
    """Return the admin's stored step in a form's conversation."""
    kept = stored(engine, f"tgform:{ADMIN_ID}")
    try:
        return json.loads(kept)["steps"].get(form) if kept else None
    except ValueError:
        return None  # not (yet) the bot's own value


def units(engine: Engine) -> list[str]:
    """Return the codes of the units in the database."""
    with Session(engine) as session:
        return [u.code for u in session.exec(select(Unit))]


async def test_a_restart_mid_newtask_goes_on_at_the_same_step(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    """Title typed, then a restart: the directive step's button, pressed after it, goes on,
    and the task is created with the title typed before."""
    with Session(engine) as session:
        make_unit(session, "SYT", "Sở Y tế", kind="department")
    fake_api.add_user(ADMIN_ID, "Quản trị", language_code="vi")
    async with running(bot_settings, fake_api, engine, clock) as first:
        await first.send(ADMIN_ID, "/newtask")
        ask = await first.send(ADMIN_ID, "Rà soát thủ tục hành chính")
        assert "Bước 2/5" in (ask.text or "")
        # Written as the update ends (not at a clean stop): a crash keeps it too.
        await fake_api.wait_until(lambda: step(engine, "newtask") == 1)
    async with running(bot_settings, fake_api, engine, clock) as second:
        await second.press(ADMIN_ID, button_data(ask, "Không có văn bản"), ask.message_id)
        await fake_api.wait_for_message(ADMIN_ID, lambda m: "Bước 3/5" in (m.text or ""))
        await second.send(ADMIN_ID, "15/12/2026")
        await fake_api.wait_for_message(ADMIN_ID, lambda m: "Bước 4/5" in (m.text or ""))
        await second.send(ADMIN_ID, "sở")
        menu = await fake_api.wait_for_message(ADMIN_ID, lambda m: "Đã chọn: 1 " in (m.text or ""))
        await second.press(ADMIN_ID, button_data(menu, "Xong (1)"))
        await fake_api.wait_for_message(ADMIN_ID, lambda m: "Bước 5/5" in (m.text or ""))
        await second.send(ADMIN_ID, "-")
        done = await second.send(ADMIN_ID, "ok")
        assert "Đã giao" in (done.text or "")
    with Session(engine) as session:
        assert [t.title for t in session.exec(select(Task))] == ["Rà soát thủ tục hành chính"]
    assert stored(engine, f"tgform:{ADMIN_ID}") is None  # nothing left once it is done


async def test_a_restart_mid_addunit_goes_on_while_the_form_would_wait(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    """Five minutes after the code, a new process asks on from the name; twenty minutes
    after (past the form's 15), the form is gone and the text is not taken as its answer."""
    fake_api.add_user(ADMIN_ID, "Quản trị", language_code="vi")
    async with running(bot_settings, fake_api, engine, clock) as first:
        await first.send(ADMIN_ID, "/addunit")
        assert "Tên đơn vị" in ((await first.send(ADMIN_ID, "X-TAMXUAN")).text or "")
    clock.advance(timedelta(minutes=5))
    async with running(bot_settings, fake_api, engine, clock) as second:
        assert "Loại đơn vị" in ((await second.send(ADMIN_ID, "Xã Tam Xuân")).text or "")
        assert "cấp trên" in ((await second.send(ADMIN_ID, "xã")).text or "")
    clock.advance(timedelta(minutes=20))
    async with running(bot_settings, fake_api, engine, clock) as third:
        answer = await third.send(ADMIN_ID, "-")
        assert "Nhóm" not in (answer.text or "")
        newtask = await third.send(ADMIN_ID, "/newtask")
        assert "Đã bỏ" not in (newtask.text or "")  # no form was under way any more
    assert units(engine) == []


async def test_addunit_drops_a_newtask_under_way_and_says_so(bot: BotUnderTest) -> None:
    """/addunit in the middle of /newtask: the draft is dropped, the unit form asks on."""
    await bot.send(ADMIN_ID, "/newtask")
    ask = await bot.send(ADMIN_ID, "/addunit")
    assert "Đã bỏ biểu mẫu /newtask đang nhập dở." in (ask.text or "")
    assert "Mã của đơn vị" in (ask.text or "")
    assert "Tên đơn vị" in ((await bot.send(ADMIN_ID, "X-TAMXUAN")).text or "")


async def test_newtask_drops_an_addunit_under_way_and_takes_the_next_text(
    bot: BotUnderTest,
) -> None:
    """/newtask in the middle of /addunit: the title typed next is the task's, not the
    unit's name; /cancel then ends /newtask, and no unit is added."""
    await bot.send(ADMIN_ID, "/addunit")
    await bot.send(ADMIN_ID, "X-TAMXUAN")
    ask = await bot.send(ADMIN_ID, "/newtask")
    assert "Đã bỏ biểu mẫu /addunit đang nhập dở." in (ask.text or "")
    assert "Bước 2/5" in ((await bot.send(ADMIN_ID, "Rà soát thủ tục")).text or "")
    assert "Đã hủy" in ((await bot.send(ADMIN_ID, "/cancel")).text or "")
    assert units(bot.engine) == []
    again = await bot.send(ADMIN_ID, "/newtask")
    assert "Đã bỏ" not in (again.text or "")


async def test_a_new_newtask_over_an_old_one_says_the_old_was_dropped(bot: BotUnderTest) -> None:
    """As on Zalo, a second /newtask says the first draft is dropped."""
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc cũ")
    again = await bot.send(ADMIN_ID, "/newtask")
    assert "Đã bỏ biểu mẫu /newtask đang nhập dở." in (again.text or "")
    assert "bước 1/5" in (again.text or "")


async def test_english_names_the_dropped_form(bot: BotUnderTest) -> None:
    """The note is in the admin's language."""
    await bot.send(ADMIN_ID, "/lang en")
    await bot.send(ADMIN_ID, "/addunit")
    ask = await bot.send(ADMIN_ID, "/newtask")
    assert "The /addunit form you were filling in was dropped." in (ask.text or "")


async def test_a_stored_form_it_cannot_read_is_no_form(bot: BotUnderTest) -> None:
    """A stored value that is not a form (edited by hand, from another version) is left
    aside: the admin's text is read as what it says and /newtask starts afresh."""
    with bot.session() as session:
        state.write(session, f"tgform:{ADMIN_ID}", "{not json", now=bot.clock.now())
        session.commit()
    answer = await bot.send(ADMIN_ID, "/newtask")
    assert "bước 1/5" in (answer.text or "")
    assert "Đã bỏ" not in (answer.text or "")
    await bot.server.wait_until(lambda: step(bot.engine, "newtask") == 0)  # kept: the title
    with bot.session() as session:
        state.write(
            session,
            f"tgform:{ADMIN_ID}",
            json.dumps({"newtask": {"title": 5}, "unit_form": [1], "steps": {"newtask": "x"}}),
            now=bot.clock.now(),
        )
        session.commit()
    assert "Bước 2/5" not in ((await bot.send(ADMIN_ID, "Việc")).text or "")


def set_role(bot: BotUnderTest, user_id: int, role: Role) -> None:
    """Change a person's role as `dondoc admin remove` (or an admin's card button) does."""
    with bot.session() as s:
        change_role(s, contact_id=person(s, user_id).id or 0, role=role, actor_id=None)
        s.commit()


async def test_an_admin_demoted_mid_form_has_their_report_read_not_refused(
    bot: BotUnderTest,
) -> None:
    """An official who was an admin, demoted while their /newtask waited for its title: their
    "#1 xong" is recorded and /cancel has nothing to leave. The form's step, still in memory,
    took every text they sent and refused it as an admin's ("not allowed"), /cancel too, until
    the bot restarted."""
    world = await scene(bot)
    task = world.tasks[0].id
    set_role(bot, OFFICIAL, Role.ADMIN)
    assert "bước 1/5" in ((await bot.send(OFFICIAL, "/newtask")).text or "")
    set_role(bot, OFFICIAL, Role.MEMBER)
    done = await bot.send(OFFICIAL, f"#{task} xong")
    assert "Đã ghi nhận: Hoàn thành" in (done.text or "")
    assert [r.state for r in reports(bot)] == ["done"]
    assert "Không có thao tác nào đang làm dở" in (
        (await bot.send(OFFICIAL, "/cancel")).text or ""
    )
