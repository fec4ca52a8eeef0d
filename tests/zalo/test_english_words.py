"""An English-speaking official or admin on Zalo is shown English words to type, and the
words shown are read: no Vietnamese keyword is left in what they are told to write."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from db.models import Assignment, Task, Unit
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"
# What the Vietnamese texts tell a person to type; none is to be shown in English.
VIETNAMESE_WORDS = ("xong", "đang làm", "vướng", "huỷ", "tất cả", "bỏ qua")


def province(zbot: ZaloBot) -> None:
    """Two communes with two tasks; Hoa, an English-speaking official of the first."""
    with zbot.session() as s:
        first = make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã Bình Minh")
        make_task(s, "Báo cáo quý", date(2026, 12, 1), [first])
        make_task(s, "Kế hoạch năm", date(2026, 12, 15), [first])
        make_contact(
            s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA, language="en"
        )
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)


def state_of(zbot: ZaloBot, title: str) -> tuple[str, int | None]:
    """Return the state and share reported for the task of that title."""
    with zbot.session() as s:
        task = s.exec(select(Task).where(Task.title == title)).one()
        row = s.exec(select(Assignment).where(Assignment.task_id == task.id)).one()
    return row.state, row.percent


async def test_an_english_officials_help_and_task_list_name_english_replies_that_are_read(
    zbot: ZaloBot,
) -> None:
    """/help and /mytasks in English name "done", "in progress 60%", "blocked: no budget"
    and "#12 done", no Vietnamese word; typed as shown, each is recorded."""
    province(zbot)
    shown = "\n".join(await zbot.say(HOA, "/help") + await zbot.say(HOA, "/mytasks"))
    for words in ("words: done, in progress 60%, blocked: no budget", "or #12 done"):
        assert words in shown, words
    for word in VIETNAMESE_WORDS:
        assert word not in shown, word
    with zbot.session() as s:
        first, second = s.exec(select(Task.id).order_by(col(Task.id))).all()
    await zbot.say(HOA, f"#{first} in progress 60%")
    assert state_of(zbot, "Báo cáo quý") == ("in_progress", 60)
    await zbot.say(HOA, f"#{second} blocked: no budget")
    assert state_of(zbot, "Kế hoạch năm")[0] == "blocked"
    await zbot.say(HOA, f"#{first} done")
    assert state_of(zbot, "Báo cáo quý")[0] == "done"


async def test_an_english_admins_guided_newtask_names_english_words_that_work(
    zbot: ZaloBot,
) -> None:
    """The guided /newtask in English says to type "cancel", "all" and "skip": "all" names
    every unit, "skip" leaves the directive out, and "cancel" leaves the form."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/lang en")
    said = await zbot.say(ZALO_ADMIN, "/newtask")
    said += await zbot.say(ZALO_ADMIN, "Security check")
    said += await zbot.say(ZALO_ADMIN, "30/12/2026")
    said += await zbot.say(ZALO_ADMIN, "all")
    said += await zbot.say(ZALO_ADMIN, "skip")
    shown = "\n".join(said)
    for words in ("Type cancel to stop", "or all, separated", "Type skip if"):
        assert words in shown, words
    for word in VIETNAMESE_WORDS:
        assert word not in shown, word
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        task = s.exec(select(Task).where(Task.title == "Security check")).one()
        codes = s.exec(
            select(Unit.code)
            .join(Assignment, Assignment.unit_id == Unit.id)  # type: ignore[arg-type]
            .where(Assignment.task_id == task.id)
        ).all()
    assert sorted(codes) == ["X01", "X02"]
    assert task.directive_id is None
    await zbot.say(ZALO_ADMIN, "/newtask")
    [cancelled] = await zbot.say(ZALO_ADMIN, "cancel")
    assert "Cancelled" in cancelled


async def test_an_english_admin_is_told_english_day_words_and_they_are_read(
    zbot: ZaloBot,
) -> None:
    """A deadline not understood is answered with "friday" and "end of month" to type, not
    "thứ 6" and "cuối tháng"; "friday" typed is the coming Friday."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/lang en")
    await zbot.say(ZALO_ADMIN, "/newtask")
    await zbot.say(ZALO_ADMIN, "Security check")
    [refused] = await zbot.say(ZALO_ADMIN, "soon")
    assert '"friday", "end of month"' in refused
    assert "thứ 6" not in refused
    assert "cuối tháng" not in refused
    [read] = await zbot.say(ZALO_ADMIN, "friday")
    assert "20/11/2026" in read  # the clock stands on Wednesday 18/11/2026


async def test_more_days_asked_for_in_english_is_a_request_and_said_alone_is_no_report(
    zbot: ZaloBot,
) -> None:
    """ "#12 2 more days and it's done" (an estimate) records nothing and asks (it was choice 2,
    in progress); "#12 we need 2 more weeks" is sent as the request for two weeks it is (it
    was not understood), and the bot asks only why, in English."""
    province(zbot)
    with zbot.session() as s:
        first = s.exec(select(Task.id).order_by(col(Task.id))).first()
    answer = "\n".join(await zbot.say(HOA, f"#{first} 2 more days and it's done"))
    assert state_of(zbot, "Báo cáo quý") == ("none", None)
    assert "1 = Done" in answer, answer
    answer = "\n".join(await zbot.say(HOA, f"#{first} we need 2 more weeks"))
    assert f"to extend #{first} Báo cáo quý to 15/12/2026 was sent" in answer  # 1/12 + 2 weeks
    assert "gives no reason" in answer
