"""Guided forms on Zalo: /newtask and /addunit alone, as numbered text conversations.

Each answer is checked as it is typed (a bad date, an unknown unit: said, and the same step
asked again), "huỷ" leaves the form, and the form lives in the database: a Zalo runtime
stopped mid-form and a new one started on the same database go on at the same step.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_services
from bot.settings import Settings
from bot.zalo import ZaloRuntime
from core.clock import ManualClock
from db.models import Assignment, Directive, Inbox, Task, Unit, UnitGroup
from devtools.fakezalo import FakeZalo
from tests.factories import make_contact, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

CHI = "0c9d2e7a6b514f33"


def province(zbot: ZaloBot) -> None:
    """Three communes (two in the group "Xã thí điểm") and Chi, a coordinator, on Zalo."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa", groups=["Xã thí điểm"])
        make_unit(s, "X001", "Xã Bình Minh", groups=["Xã thí điểm"])
        make_unit(s, "X002", "Xã Cẩm Thanh")
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)


def assigned(zbot: ZaloBot, title: str) -> tuple[Task, list[str]]:
    """Return the task of that title and the codes of the units it is assigned to."""
    with zbot.session() as s:
        task = s.exec(select(Task).where(Task.title == title)).one()
        codes = s.exec(
            select(Unit.code)
            .join(Assignment, Assignment.unit_id == Unit.id)  # type: ignore[arg-type]
            .where(Assignment.task_id == task.id)
        ).all()
    return task, sorted(codes)


async def test_guided_newtask_step_by_step_with_bad_answers(zbot: ZaloBot) -> None:
    """Title, a bad date then a good one, an unknown unit then a group, skip, "1" creates."""
    province(zbot)
    [asked] = await zbot.say(ZALO_ADMIN, "/newtask")
    assert "bước 1/4" in asked
    [deadline] = await zbot.say(ZALO_ADMIN, "Báo cáo chuyển đổi số quý IV")
    assert "dd/mm/yyyy" in deadline
    [bad_date] = await zbot.say(ZALO_ADMIN, "31/02/2027")
    assert "31/02/2027" in bad_date
    assert "Bước 2/4" in bad_date  # the same step again
    [units] = await zbot.say(ZALO_ADMIN, "15/12/2026")
    assert "15/12/2026" in units
    assert "Bước 3/4" in units
    [unknown] = await zbot.say(ZALO_ADMIN, "Xã Không Có")
    assert "Xã Không Có" in unknown
    assert "Bước 3/4" in unknown
    [directive] = await zbot.say(ZALO_ADMIN, "Xã thí điểm, X002")
    assert "Bước 4/4" in directive
    [unknown_doc] = await zbot.say(ZALO_ADMIN, "999/UBND")
    assert "999/UBND" in unknown_doc
    assert "Bước 4/4" in unknown_doc
    [confirm] = await zbot.say(ZALO_ADMIN, "bỏ qua")
    assert "Báo cáo chuyển đổi số quý IV" in confirm
    assert "1 = " in confirm
    assert "2 = " in confirm
    [created] = await zbot.say(ZALO_ADMIN, "1")
    task, codes = assigned(zbot, "Báo cáo chuyển đổi số quý IV")
    assert f"#{task.id}" in created
    assert codes == ["X000", "X001", "X002"]
    assert task.directive_id is None
    [again] = await zbot.say(ZALO_ADMIN, "1")  # the form is over: "1" creates nothing more
    with zbot.session() as s:
        assert len(s.exec(select(Task)).all()) == 1
    assert "#" not in again or f"#{task.id}" not in again


async def test_no_document_said_in_words_skips_the_directive(zbot: ZaloBot) -> None:
    """ "không có" at the directive's step is no document: it was looked up as document
    "không có", and the step asked again."""
    province(zbot)
    for answer in ("/newtask", "Báo cáo quý IV", "15/12/2026", "X002"):
        await zbot.say(ZALO_ADMIN, answer)
    [confirm] = await zbot.say(ZALO_ADMIN, "không có")
    assert confirm.startswith("Xác nhận giao nhiệm vụ")


async def test_guided_newtask_with_a_new_directive_for_everyone(zbot: ZaloBot) -> None:
    """ "tất cả" names every unit; a new directive typed in full is created with the task."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask")
    await zbot.say(ZALO_ADMIN, "Kiểm tra an toàn thông tin")
    await zbot.say(ZALO_ADMIN, "30/12/2026")
    await zbot.say(ZALO_ADMIN, "tất cả")
    [confirm] = await zbot.say(ZALO_ADMIN, "15/CV-UBND | 01/12/2026 | UBND tỉnh | Về ATTT")
    assert "15/CV-UBND" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    task, codes = assigned(zbot, "Kiểm tra an toàn thông tin")
    with zbot.session() as s:
        directive = s.get(Directive, task.directive_id)
    assert directive is not None
    assert directive.number == "15/CV-UBND"
    assert codes == ["X000", "X001", "X002"]


async def test_huy_leaves_the_form_and_nothing_is_created(zbot: ZaloBot) -> None:
    """ "huỷ" at any step ends the form; "2" at the confirmation too; then text is text."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask")
    await zbot.say(ZALO_ADMIN, "Việc sẽ hủy")
    [cancelled] = await zbot.say(ZALO_ADMIN, "huỷ")
    assert "Đã hủy" in cancelled
    await zbot.say(ZALO_ADMIN, "/newtask Việc thứ hai | 15/12/2026 | X000")
    [dropped] = await zbot.say(ZALO_ADMIN, "2")
    assert "Đã hủy" in dropped
    await zbot.say(ZALO_ADMIN, "/addunit")
    [stopped] = await zbot.say(ZALO_ADMIN, "/cancel")
    assert "Đã hủy" in stopped
    with zbot.session() as s:
        assert s.exec(select(Task)).all() == []
        assert s.exec(select(Unit).where(Unit.code == "Việc sẽ hủy")).all() == []


async def test_a_member_or_coordinator_cannot_start_the_admin_forms(zbot: ZaloBot) -> None:
    """/newtask and /addunit are an admin's: a coordinator is told so and no form starts."""
    province(zbot)
    [newtask] = await zbot.say(CHI, "/newtask")
    [addunit] = await zbot.say(CHI, "/addunit")
    assert "không có quyền" in newtask
    assert "không có quyền" in addunit
    [text] = await zbot.say(CHI, "Xã Mới")  # not taken as a form's answer
    assert "Mã của đơn vị" not in text


async def test_guided_addunit_checks_each_field_then_saves_on_1(zbot: ZaloBot) -> None:
    """A taken code, an unknown kind and parent are refused; "1" saves the unit as shown."""
    province(zbot)
    [code] = await zbot.say(ZALO_ADMIN, "/addunit")
    assert "Mã của đơn vị" in code
    [taken] = await zbot.say(ZALO_ADMIN, "X000")
    assert "X000" in taken
    assert "Mã của đơn vị" in taken
    [name] = await zbot.say(ZALO_ADMIN, "X-TAMXUAN")
    assert "Tên đơn vị" in name
    [kind] = await zbot.say(ZALO_ADMIN, "Xã Tam Xuân")
    assert "Loại đơn vị" in kind
    [kind_again] = await zbot.say(ZALO_ADMIN, "hành tinh")
    assert "Không có loại đơn vị «hành tinh»" in kind_again  # not the question again
    assert "Phường" in kind_again
    [parent] = await zbot.say(ZALO_ADMIN, "xã")
    assert "cấp trên" in parent
    [unknown] = await zbot.say(ZALO_ADMIN, "Huyện Không Có")
    assert "Huyện Không Có" in unknown
    [groups] = await zbot.say(ZALO_ADMIN, "-")
    assert "Nhóm" in groups
    [confirm] = await zbot.say(ZALO_ADMIN, "Xã thí điểm; Xã ven biển")
    assert "X-TAMXUAN" in confirm
    assert "1 = Lưu" in confirm
    [saved] = await zbot.say(ZALO_ADMIN, "1")
    assert "Xã Tam Xuân" in saved
    with zbot.session() as s:
        unit = s.exec(select(Unit).where(Unit.code == "X-TAMXUAN")).one()
        groups_named = s.exec(select(UnitGroup.name)).all()
    assert unit.name == "Xã Tam Xuân"
    assert unit.kind_key == "commune"
    assert "Xã ven biển" in groups_named


async def test_guided_addunit_names_the_unit_another_admin_added_meanwhile(
    zbot: ZaloBot,
) -> None:
    """At "1", a unit added with the code since it was typed is named, left as it is, and
    the code asked again."""
    province(zbot)
    for answer in ("/addunit", "X-NEW", "Xã Mới", "xã", "-"):
        await zbot.say(ZALO_ADMIN, answer)
    [confirm] = await zbot.say(ZALO_ADMIN, "-")
    assert "1 = Lưu" in confirm
    with zbot.session() as s:
        make_unit(s, "X-NEW", "Phường Mới", kind="ward")  # another admin, on Telegram
    [refused] = await zbot.say(ZALO_ADMIN, "1")
    assert "vừa được người khác thêm: Phường Mới (Phường)" in refused
    assert "Mã của đơn vị" in refused
    with zbot.session() as s:
        assert s.exec(select(Unit).where(Unit.code == "X-NEW")).one().name == "Phường Mới"


async def test_addunit_in_one_line(zbot: ZaloBot) -> None:
    """/addunit code | name | kind adds the unit; a taken code and a bad line are refused."""
    province(zbot)
    [added] = await zbot.say(ZALO_ADMIN, "/addunit X-NEW | Xã Mới | xã")
    [taken] = await zbot.say(ZALO_ADMIN, "/addunit X000 | Xã Trùng | xã")
    [usage] = await zbot.say(ZALO_ADMIN, "/addunit chỉ một phần")
    assert "Xã Mới" in added
    assert "X000" in taken
    assert "/addunit" in usage
    with zbot.session() as s:
        assert s.exec(select(Unit).where(Unit.code == "X-NEW")).one().name == "Xã Mới"
        assert s.exec(select(Unit).where(Unit.code == "X000")).one().name == "Xã An Hòa"


async def test_one_line_newtask_with_a_bad_date_asks_for_the_date_alone(zbot: ZaloBot) -> None:
    """A refused deadline in the one-line form is asked alone; the rest is kept."""
    province(zbot)
    [fix] = await zbot.say(ZALO_ADMIN, "/newtask Rà soát hồ sơ | 31/02 | X001")
    assert "31/02" in fix
    [confirm] = await zbot.say(ZALO_ADMIN, "20/12/2026")
    assert "Rà soát hồ sơ" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    _, codes = assigned(zbot, "Rà soát hồ sơ")
    assert codes == ["X001"]


async def say_to(zalo: FakeZalo, engine: Engine, user: str, text: str) -> list[str]:
    """Send text as a Zalo user; return the bot's answers once its inbox row is handled."""
    after = len(zalo.messages(user))
    message_id = zalo.send_text(user, text)

    def handled() -> bool:
        with Session(engine) as s:
            row = s.exec(
                select(Inbox).where(Inbox.channel == "zalo", Inbox.update_id == message_id)
            ).first()
        return row is not None and row.processed_at is not None

    await zalo.wait_until(handled, 10)
    return [m.text for m in zalo.messages(user)[after:]]


async def test_a_restart_mid_form_goes_on_at_the_same_step(
    settings: Settings, engine: Engine, clock: ManualClock, fake_zalo: FakeZalo
) -> None:
    """The Zalo runtime stops after the deadline; a new one takes the units, then "1"."""
    zalo_settings = settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    with Session(engine) as s:
        make_unit(s, "X000", "Xã An Hòa")
        make_unit(s, "X001", "Xã Bình Minh")
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")

    def runtime() -> ZaloRuntime:
        services = build_services(zalo_settings, fake_zalo.token, clock=clock, engine=engine)
        return ZaloRuntime(zalo_settings, services, standalone_jobs=False, poll_timeout=1)

    first = runtime()
    await first.start()
    await say_to(fake_zalo, engine, ZALO_ADMIN, "/newtask")
    await say_to(fake_zalo, engine, ZALO_ADMIN, "Tổng kết năm 2026")
    [units] = await say_to(fake_zalo, engine, ZALO_ADMIN, "15/12/2026")
    assert "Bước 3/4" in units
    await first.stop()
    second = runtime()
    await second.start()
    try:
        [directive] = await say_to(fake_zalo, engine, ZALO_ADMIN, "X001")
        assert "Bước 4/4" in directive
        [confirm] = await say_to(fake_zalo, engine, ZALO_ADMIN, "bỏ qua")
        assert "Tổng kết năm 2026" in confirm
        assert "15/12/2026" in confirm
        [created] = await say_to(fake_zalo, engine, ZALO_ADMIN, "1")
    finally:
        await second.stop()
    with Session(engine) as s:
        task = s.exec(select(Task).where(Task.title == "Tổng kết năm 2026")).one()
        units_of = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert f"#{task.id}" in created
    assert task.deadline == date(2026, 12, 15)
    assert len(units_of) == 1


async def test_guided_addunit_says_why_a_long_name_code_or_group_is_refused(
    zbot: ZaloBot,
) -> None:
    """A name past 200 characters, a code past 40 or with "|", a group past 120: each is
    refused saying why and how long it may be, not by the bare question again."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/addunit")
    [code] = await zbot.say(ZALO_ADMIN, "X" * 41)
    assert "quá dài (tối đa 40 ký tự)" in code
    [bar] = await zbot.say(ZALO_ADMIN, "X|9")
    assert "«|»" in bar
    await zbot.say(ZALO_ADMIN, "X-LONG")
    [name] = await zbot.say(ZALO_ADMIN, "Xã " + "A" * 230)
    assert "Tên đơn vị quá dài (233 ký tự; tối đa 200)" in name
    assert "Tên đơn vị (ví dụ" in name  # and the same step asked again
    for answer in ("Xã Dài", "xã", "-"):
        await zbot.say(ZALO_ADMIN, answer)
    [group] = await zbot.say(ZALO_ADMIN, "Nhóm " + "B" * 130)
    assert "quá dài (tối đa 120 ký tự)" in group
    [confirm] = await zbot.say(ZALO_ADMIN, "-")
    assert "1 = Lưu" in confirm


async def test_a_unit_named_by_its_peoples_committee_is_the_unit_there_is(
    zbot: ZaloBot,
) -> None:
    """ "UBND xã An Hòa" (or "Ủy ban nhân dân xã An Hòa"), as a directive's appendix names the
    commune, is Xã An Hòa again: refused naming X000, which would otherwise be registered
    twice and its tasks and reports split; and an "UBND" unit refuses the plain name alike."""
    province(zbot)
    [short] = await zbot.say(ZALO_ADMIN, "/addunit X-UB | UBND xã An Hòa | xã")
    assert "Chưa lưu" in short
    assert "X000" in short
    [long] = await zbot.say(ZALO_ADMIN, "/addunit X-UB | Ủy ban nhân dân xã An Hòa | xã")
    assert "X000" in long
    [ubnd] = await zbot.say(ZALO_ADMIN, "/addunit X-UB | UBND xã Tam Xuân | xã")
    assert "Đã thêm" in ubnd
    [plain] = await zbot.say(ZALO_ADMIN, "/addunit X-TX | Xã Tam Xuân | xã")
    assert "Chưa lưu" in plain
    assert "X-UB" in plain
    with zbot.session() as s:
        assert sorted(s.exec(select(Unit.code)).all()) == ["X-UB", "X000", "X001", "X002"]


async def test_addunit_refuses_a_name_that_reads_as_a_unit_there_is(zbot: ZaloBot) -> None:
    """ "xã  an hoà" (case, spaces, the tone mark on the other letter, NFD), or "xa an hoa"
    (no mark at all), is Xã An Hòa again: refused naming X000, in one line and in the guided
    form; "Xã Ân Hòa" (another letter), or the same name under another parent, is another
    unit and saved."""
    province(zbot)
    twin = unicodedata.normalize("NFD", "xã  an hoà")
    [line] = await zbot.say(ZALO_ADMIN, f"/addunit X-TWIN | {twin} | xã")
    assert "Chưa lưu" in line
    assert "X000" in line
    for answer in ("/addunit", "X-TWIN2", "XÃ AN HOÀ", "xã", "-", "-"):
        await zbot.say(ZALO_ADMIN, answer)
    [guided] = await zbot.say(ZALO_ADMIN, "1")
    assert "X000" in guided
    [edit] = await zbot.say(ZALO_ADMIN, "/editunit X001 | Xã An Hoà")
    assert "X000" in edit
    [unmarked] = await zbot.say(ZALO_ADMIN, "/addunit X-PLAIN | xa an hoa | xã")
    assert "Chưa lưu" in unmarked  # typed with the marks off: Xã An Hòa again
    assert "X000" in unmarked
    [other] = await zbot.say(ZALO_ADMIN, "/addunit X-AN | Xã Ân Hòa | xã")
    assert "Đã thêm" in other
    [under] = await zbot.say(ZALO_ADMIN, "/addunit X-SUB | Xã An Hòa | xã | X002")
    assert "Đã thêm" in under
    [unknown] = await zbot.say(ZALO_ADMIN, "/addunit X-BAD | Xã An Hòa | xã | KHONGCO")
    assert "KHONGCO" in unknown  # the unknown parent is what is said, not a twin
    assert "X000" not in unknown
    with zbot.session() as s:
        codes = sorted(s.exec(select(Unit.code)).all())
        assert s.exec(select(Unit).where(Unit.code == "X001")).one().name == "Xã Bình Minh"
    assert codes == ["X-AN", "X-SUB", "X000", "X001", "X002"]


async def test_guided_addunit_names_an_unknown_kind_in_english(zbot: ZaloBot) -> None:
    """An unknown kind typed in English mode is named, with the kinds in English, not the
    question asked again."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/lang en")
    await zbot.say(ZALO_ADMIN, "/addunit")
    await zbot.say(ZALO_ADMIN, "X-NEW")
    await zbot.say(ZALO_ADMIN, "Xã Mới")
    [unknown] = await zbot.say(ZALO_ADMIN, "planet")
    assert 'There is no unit kind "planet"' in unknown
    assert "Commune" in unknown
