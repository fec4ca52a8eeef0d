"""A new unit's code and name on Telegram: what would keep it from being named in a list."""

from __future__ import annotations

from sqlmodel import select

from db.models import Unit
from tests.handlers.telegram.test_import_preview import send_file
from tests.harness import ADMIN_ID, BotUnderTest


async def test_addunit_refuses_a_code_with_a_list_separator(bot: BotUnderTest) -> None:
    """A code with a comma or semicolon could never be named in a list of units: refused."""
    for code in ("X,05", "X;06"):
        said = (await bot.send(ADMIN_ID, f"/addunit {code} | Xã Phẩy | xã")).text or ""
        assert "dấu phẩy hoặc chấm phẩy" in said
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_addunit_refuses_a_name_of_no_words(bot: BotUnderTest) -> None:
    """A unit named by emoji alone would name nothing in a list: refused, nothing added."""
    said = (await bot.send(ADMIN_ID, "/addunit Y1 | 🔥🔥 | xã")).text or ""
    assert "không có chữ hay số" in said
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_units_import_rejects_a_code_with_a_list_separator(bot: BotUnderTest) -> None:
    """An imported unit whose code holds a comma or semicolon is rejected with why; the
    file's other rows are applied."""
    csv = 'code,name,kind\n"X,05",Xã Phẩy,xã\n"X;06",Xã Chấm Phẩy,xã\nX07,Xã Bảy,xã\n'
    said = (await send_file(bot, csv.encode())).text or ""
    assert "Dòng 2: mã «X,05» có dấu phẩy hoặc chấm phẩy" in said, said
    assert "Dòng 3: mã «X;06» có dấu phẩy hoặc chấm phẩy" in said
    with bot.session() as s:
        assert list(s.exec(select(Unit.code))) == ["X07"]


async def test_addunit_refuses_a_code_read_as_a_keyword_of_a_list(bot: BotUnderTest) -> None:
    """A code read as everyone ("tất cả", "all") or as a kind ("xã", "sở", "communes") would
    name every unit, or every unit of a kind, in a list, never the unit: refused, with why."""
    for code in ("tất cả", "tat ca", "all", "xã", "SO", "communes"):
        said = (await bot.send(ADMIN_ID, f"/addunit {code} | Xã Từ Khóa | xã")).text or ""
        assert "là một từ khóa khi chọn đơn vị" in said, (code, said)
    said = (await bot.send(ADMIN_ID, "/addunit X-ALL | Xã Từ Khóa | xã")).text or ""
    assert "Đã thêm" in said, said
    with bot.session() as s:
        assert list(s.exec(select(Unit.code))) == ["X-ALL"]


async def test_units_import_rejects_a_code_read_as_a_keyword(bot: BotUnderTest) -> None:
    """An imported unit coded "all" or "phường" is rejected with why; the others apply."""
    csv = "code,name,kind\nall,Xã Tất Cả,xã\nphường,Phường Một,phường\nP01,Phường Hai,phường\n"
    said = (await send_file(bot, csv.encode())).text or ""
    assert "Dòng 2: mã «all» là một từ khóa khi chọn đơn vị" in said, said
    assert "Dòng 3: mã «phường» là một từ khóa" in said
    with bot.session() as s:
        assert list(s.exec(select(Unit.code))) == ["P01"]


async def test_guided_addunit_refuses_a_name_typed_as_the_code(bot: BotUnderTest) -> None:
    """A name ("Xã Tân Lập": spaces, marks) typed at the code step is no code: refused
    with what a code looks like and an example, and asked again; a code is then taken."""
    await bot.send(ADMIN_ID, "/addunit")
    again = (await bot.send(ADMIN_ID, "Xã Tân Lập")).text or ""
    assert "«Xã Tân Lập» không phải là một mã đơn vị" in again, again
    assert "không có dấu cách, ví dụ X-TAMXUAN" in again
    assert "Xin nhập mã khác" in again
    for code in ("X TANLAP", "X-TÂNLẬP", "X/01", "-X01"):
        said = (await bot.send(ADMIN_ID, code)).text or ""
        assert "không phải là một mã đơn vị" in said, (code, said)
    assert "Tên đơn vị" in ((await bot.send(ADMIN_ID, "X-TANLAP")).text or "")
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_addunit_line_and_import_refuse_a_name_as_a_code_by_one_rule(
    bot: BotUnderTest,
) -> None:
    """The one-line /addunit and a units file refuse "Xã Tân Lập" as a code in the same
    words; a file's other rows apply, and codes such as 000.00.31.H45 are codes."""
    said = (await bot.send(ADMIN_ID, "/addunit Xã Tân Lập | Xã Tân Lập | xã")).text or ""
    assert "«Xã Tân Lập» không phải là một mã đơn vị" in said, said
    csv = "code,name,kind\nXã Tân Lập,Xã Tân Lập,xã\n000.00.31.H45,Xã Tân Lập,xã\n"
    said = (await send_file(bot, csv.encode())).text or ""
    assert "Dòng 2: «Xã Tân Lập» không phải là một mã đơn vị" in said, said
    assert "ví dụ X-TAMXUAN" in said
    with bot.session() as s:
        assert list(s.exec(select(Unit.code))) == ["000.00.31.H45"]
