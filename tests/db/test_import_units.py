"""Importing units from CSV/XLSX: idempotent, row-numbered rejections, nothing when unreadable."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from core.spreadsheet_errors import UnreadableFile
from db.imports.units import groups_of, import_units, save_unit
from db.models import AuditLog, Unit
from db.queries.assignees import resolve_assignees
from db.queries.invites import units_for_invites
from db.queries.unit_admin import unit_overview
from tests.factories import make_unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def run(session: Session, text: str, name: str = "units.csv") -> ImportReport:
    """Import CSV text and commit, as the bot and the CLI do."""
    return run_bytes(session, text.encode(), name)


def run_bytes(session: Session, content: bytes, name: str) -> ImportReport:
    """Import file bytes and commit."""
    report = import_units(session, read_table(content, name), actor_id=None, now=NOW)
    session.commit()
    return report


def unit(session: Session, code: str) -> Unit:
    """Return the unit with this code."""
    return session.exec(select(Unit).where(Unit.code == code)).one()


def reasons(report: ImportReport) -> list[tuple[int, str]]:
    """Return (row, reason) of every rejection."""
    return [(r.row, r.reason) for r in report.rejected]


def test_good_file_adds_every_unit_with_parents_and_groups(session: Session) -> None:
    """The Quảng Nam 2021 sample adds its departments, 18 districts and communes."""
    report = run_bytes(session, (EXAMPLES / "units_quang_nam_2021.csv").read_bytes(), "qn.csv")
    assert report.rejected == []
    assert len(report.added) == 56
    districts = session.exec(select(Unit).where(Unit.kind_key == "district")).all()
    assert len(districts) == 18
    commune = unit(session, "TB-BINHMINH")
    assert commune.parent_id == unit(session, "THANGBINH").id
    assert commune.kind_key == "commune"
    assert groups_of(session, unit_id=commune.id or 0) == ["Xã thí điểm CĐS", "Xã ven biển"]
    assert unit(session, "SYT").kind_key == "department"
    assert session.exec(select(AuditLog).where(AuditLog.action == "units.imported")).first()


def test_same_file_again_changes_nothing(session: Session) -> None:
    """A second import of the same file reports every row unchanged and writes no audit."""
    content = (EXAMPLES / "units_two_tier_province.csv").read_bytes()
    run_bytes(session, content, "p.csv")
    again = run_bytes(session, content, "p.csv")
    assert (again.added, again.updated, again.rejected) == ([], [], [])
    assert len(again.unchanged) == 34
    assert again.exit_status == 0
    audits = session.exec(select(AuditLog).where(AuditLog.action == "units.imported")).all()
    assert len(audits) == 1


def test_changed_row_updates_the_unit_and_its_groups(session: Session) -> None:
    """A new name, kind and group set for an existing code is an update, not a new unit."""
    run(session, "code,name,kind,parent_code,groups\nx1,Xã Một,xã,,A;B\n")
    report = run(session, "code,name,kind,parent_code,groups\nX1,Phường Một,phường,,B\n")
    assert report.updated == ["X1"]
    changed = unit(session, "X1")
    assert (changed.name, changed.kind_key) == ("Phường Một", "ward")
    assert groups_of(session, unit_id=changed.id or 0) == ["B"]


def test_groups_separated_by_commas_are_each_a_group_a_task_can_name(session: Session) -> None:
    """ "Xã thí điểm, Xã ven biển" in the groups cell is two groups, as /addunit reads it:
    it was one group named with the comma, which no list of units could ever name (a list
    splits at commas), and "Xã thí điểm" named nothing."""
    run(session, 'code,name,kind,groups\nX1,Xã Một,xã,"Xã thí điểm, Xã ven biển"\n')
    one = unit(session, "X1")
    assert groups_of(session, unit_id=one.id or 0) == ["Xã thí điểm", "Xã ven biển"]
    assert resolve_assignees(session, "Xã thí điểm").unit_ids == [one.id]


def test_a_parent_column_headed_or_filled_with_names_sets_the_parent(session: Session) -> None:
    """A header "Đơn vị cấp trên" is the parent column (it was ignored: every commune came in
    with no district), and a parent written by its name, as the guided /addunit takes it, is
    that unit: it was "the parent does not exist" while it did."""
    run(session, "mã,tên,loại\nTK,Thành phố Tam Kỳ,huyện\n")
    report = run(
        session,
        "Mã,Tên,Loại,Đơn vị cấp trên\nX1,Xã Một,xã,Thành phố Tam Kỳ\nX2,Xã Hai,xã,tk\n"
        "X3,Xã Ba,xã,thanh pho tam ky\n",
    )
    assert report.rejected == []
    district = unit(session, "TK")
    assert [unit(session, c).parent_id for c in ("X1", "X2", "X3")] == [district.id] * 3


def test_a_parent_named_by_the_name_of_a_row_of_the_same_file(session: Session) -> None:
    """A district and its communes in one file, the communes' parent written by its name."""
    report = run(
        session,
        "Mã,Tên,Loại,Đơn vị cấp trên\nX1,Xã Một,xã,Huyện Núi Thành\nNT,Huyện Núi Thành,huyện,\n",
    )
    assert report.rejected == []
    assert unit(session, "X1").parent_id == unit(session, "NT").id


def test_a_parent_named_by_a_name_two_units_share_is_unknown(session: Session) -> None:
    """A name that fits two units names no parent: the row is refused, not guessed."""
    run(session, "mã,tên,loại,mã cấp trên\nA,Huyện A,huyện,\nP1,Xã Chung,xã,A\nP2,Xã Chung,xã,\n")
    report = run(session, "mã,tên,loại,cấp trên\nT1,Thôn Một,khác,Xã Chung\n")
    assert [r.reason for r in report.rejected] == ["unknown_parent"]


def test_missing_optional_columns_leave_parent_and_groups_alone(session: Session) -> None:
    """A file with only code,name,kind does not clear parents or groups."""
    run(session, "code,name,kind,parent_code,groups\nD,Huyện D,huyện,,\nC,Xã C,xã,D,G\n")
    report = run(session, "code,name,kind\nC,Xã C,xã\n")
    assert report.unchanged == ["C"]
    assert unit(session, "C").parent_id == unit(session, "D").id


def test_bad_rows_are_rejected_with_row_numbers_and_good_rows_apply(session: Session) -> None:
    """Unknown kind, unknown parent, duplicate code, empty name and code are each reported."""
    report = run(
        session,
        "code,name,kind,parent_code,groups\n"
        "OK1,Xã Tốt,xã,,\n"  # 2
        "K1,Xã Lạ,làng,,\n"  # 3
        "P1,Xã Mồ Côi,xã,NOPE,\n"  # 4
        "D1,Xã Đôi,xã,,\n"  # 5
        "D1,Xã Đôi Hai,xã,,\n"  # 6
        "N1,,xã,,\n"  # 7
        ",Xã Không Mã,xã,,\n"  # 8
        "C1,Xã Con,xã,D1,\n",  # 9: its parent was rejected
    )
    assert reasons(report) == [
        (3, "unknown_kind"),
        (4, "unknown_parent"),
        (5, "duplicate_code"),
        (6, "duplicate_code"),
        (7, "empty_name"),
        (8, "empty_code"),
        (9, "parent_rejected"),
    ]
    assert report.added == ["OK1"]
    assert report.exit_status == 1
    assert session.exec(select(Unit)).all() == [unit(session, "OK1")]


def test_parent_cycle_is_rejected(session: Session) -> None:
    """A and B naming each other as parent are both rejected; C under A is then unknown."""
    report = run(
        session,
        "code,name,kind,parent_code\n"
        "A,Huyện A,huyện,B\nB,Huyện B,huyện,A\nS,Xã S,xã,S\nE,Xã E,xã,\n",
    )
    assert reasons(report) == [(2, "parent_cycle"), (3, "parent_cycle"), (4, "parent_cycle")]
    assert report.added == ["E"]


def test_cycle_through_existing_units_is_rejected(session: Session) -> None:
    """Making a district the child of its own commune is refused."""
    district = make_unit(session, "HD", "Huyện D", kind="district")
    make_unit(session, "XC", "Xã C", parent=district)
    report = run(session, "code,name,kind,parent_code\nHD,Huyện D,huyện,XC\n")
    assert reasons(report) == [(2, "parent_cycle")]
    assert unit(session, "HD").parent_id is None


def test_csv_with_bom_and_semicolons_is_read(session: Session) -> None:
    """Excel's "CSV UTF-8" (with BOM, here semicolon-separated) imports like any CSV."""
    content = "\ufeffcode;name;kind\nX1;Xã Tam Xuân;Xã\n".encode()
    report = run_bytes(session, content, "excel.csv")
    assert report.added == ["X1"]
    assert unit(session, "X1").name == "Xã Tam Xuân"


def test_xlsx_file_is_read(session: Session) -> None:
    """An XLSX workbook with the same header imports its first sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Code", "Name", "Kind", "Parent_code", "Groups"])
    sheet.append(["DK1", "Đặc khu Lý Sơn", "đặc khu", None, "Đảo"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_bytes(session, buffer.getvalue(), "units.xlsx")
    assert report.added == ["DK1"]
    assert unit(session, "DK1").kind_key == "special_zone"


def test_file_that_is_not_a_spreadsheet_is_unreadable(session: Session) -> None:
    """A PDF or a broken zip raises UnreadableFile: nothing is applied."""
    with pytest.raises(UnreadableFile):
        read_table(b"%PDF-1.4\x00\x01binary", "units.csv")
    with pytest.raises(UnreadableFile):
        read_table(b"PK\x03\x04not really a workbook", "units.xlsx")


def test_table_without_required_columns_is_unreadable(session: Session) -> None:
    """A table lacking the kind column applies nothing."""
    with pytest.raises(UnreadableFile) as caught:
        run(session, "code,name\nX1,Xã Một\n")
    assert caught.value.code == "missing_columns"
    assert session.exec(select(Unit)).all() == []


def test_two_tier_province_has_no_district(session: Session) -> None:
    """The post-2025 sample has departments, communes, wards and a special zone only."""
    run_bytes(session, (EXAMPLES / "units_two_tier_province.csv").read_bytes(), "p.csv")
    kinds = {u.kind_key for u in session.exec(select(Unit))}
    assert kinds == {"department", "commune", "ward", "special_zone"}
    assert all(u.parent_id is None for u in session.exec(select(Unit)))


def test_sample_province_imports_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL (production) the sample imports, re-imports unchanged and is listed."""
    content = (EXAMPLES / "units_quang_nam_2021.csv").read_bytes()
    with Session(pg_engine, expire_on_commit=False) as session:
        assert len(run_bytes(session, content, "qn.csv").added) == 56
        assert len(run_bytes(session, content, "qn.csv").unchanged) == 56
        overview = unit_overview(session)
        invitable = units_for_invites(session, include_covered=False)
    assert len(overview) == len(invitable) == 56
    assert overview[0].kind is not None
    assert overview[0].kind.key == "department"


def test_units_with_formulas_never_computed_are_refused_naming_the_cells(
    session: Session,
) -> None:
    """A workbook written by a program (formulas, no saved values) would add units without a
    name or kind: nothing is applied and the cells are named; a formula in a column the
    import does not read is no reason to refuse."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "name", "kind", "ghi chú"])
    sheet.append(["X1", '="Xã "&A2', "xã", "=1+1"])
    sheet.append(["X2", "Xã Hai", "=C2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UnreadableFile) as refused:
        run_bytes(session, buffer.getvalue(), "units.xlsx")
    assert (refused.value.code, refused.value.params) == (
        "formulas_not_saved",
        {"cells": "B2, C3", "more": 0},
    )
    assert session.exec(select(Unit)).all() == []
    sheet["B2"], sheet["C3"] = "Xã Một", "xã"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run_bytes(session, buffer.getvalue(), "units.xlsx").added == ["X1", "X2"]


def test_a_unit_typed_decomposed_in_a_form_is_kept_composed(session: Session) -> None:
    """A Vietnamese keyboard set to "Unicode tổ hợp" types decomposed letters: /addunit
    keeps the name and groups as the same words typed precomposed, not as lookalikes."""
    typed = {"code": "X-AI", "name": "Xã  Ái", "kind": "xã", "groups": "Thí điểm"}
    cells = {k: unicodedata.normalize("NFD", v) for k, v in typed.items()}
    save_unit(session, cells, actor_id=None, now=NOW, action="unit.added")
    session.commit()
    assert unit(session, "X-AI").name == "Xã Ái"
    assert groups_of(session, unit_id=unit(session, "X-AI").id or 0) == ["Thí điểm"]


def test_a_file_or_an_edit_does_not_follow_a_deactivated_unit_again(session: Session) -> None:
    """The same file sent again after /deactivate, or /editunit fixing a deactivated unit's
    name, leaves it deactivated (it was followed again, reminders and all, as "updated")."""
    run(session, "code,name,kind\nX1,Xã Một,xã\n")
    unit(session, "X1").active = False
    session.commit()
    assert run(session, "code,name,kind\nX1,Xã Một,xã\n").unchanged == ["X1"]
    edit = {"code": "X1", "name": "Xã Một Mới", "kind": "xã"}
    save_unit(session, edit, actor_id=None, now=NOW, action="unit.edited")
    session.commit()
    assert (unit(session, "X1").name, unit(session, "X1").active) == ("Xã Một Mới", False)


def test_the_district_tree_has_its_townships(session: Session) -> None:
    """Until 2025 a district had communes and townships (thị trấn): a file of that tree
    imports, and "thị trấn" names them in a task's units (the row was refused)."""
    report = run(
        session,
        "mã,tên,loại,mã cấp trên\nH-DX,Huyện Duy Xuyên,huyện,\n"
        "TT-NP,Thị trấn Nam Phước,Thị trấn,H-DX\nX-DP,Xã Duy Phước,xã,H-DX\n",
    )
    assert report.rejected == []
    assert unit(session, "TT-NP").kind_key == "town"
    town = unit(session, "TT-NP").id
    assert resolve_assignees(session, "các thị trấn").unit_ids == [town]


def test_a_twin_name_under_the_same_parent_is_rejected_and_only_then(session: Session) -> None:
    """A new unit, or a rename, reading as another active unit's name under the same parent
    is rejected (same_name, or same_name_in_file for two rows alike), as is a name with no
    mark at all that folds as one. A twin under another parent, a deactivated unit's name,
    and twins made before and sent again unchanged pass."""
    huyen = make_unit(session, "H1", "Huyện Một", kind="district")
    make_unit(session, "A1", "Xã Hòa Phước", parent=huyen)
    old = make_unit(session, "OLD", "Xã Cũ")
    old.active = False
    make_unit(session, "B1", "Xã Bình")
    make_unit(session, "B2", "xã bình")  # twins of old
    session.commit()
    report = run(
        session,
        "code,name,kind,parent_code\n"
        "N1,xã hoà  phước,xã,H1\n"  # row 2: twin of A1 under H1
        "N2,Xã Hòa Phước,xã,\n"  # row 3: no parent: no twin
        "N3,XÃ CŨ,xã,\n"  # row 4: the deactivated unit's name is free
        "N4,Xã Tân,xã,\n"  # rows 5 and 6: alike in the file
        "N5,xã tân,xã,\n"
        "B2,xã bình,xã,\n"  # row 7: unchanged twin of old
        "B1,Xã Bình,xã,\n",
    )
    assert reasons(report) == [
        (2, "same_name"),
        (5, "same_name_in_file"),
        (6, "same_name_in_file"),
    ]
    assert report.rejected[0].params["value"] == "Xã Hòa Phước (A1)"
    assert sorted(report.added) == ["N2", "N3"]
    renamed = run(session, "code,name,kind,parent_code\nN2,Xã  Hoà Phước,xã,H1\n")
    assert reasons(renamed) == [(2, "same_name")]  # moving N2 under H1 makes it A1's twin
    unmarked = run(
        session, "code,name,kind,parent_code\nN6,xa hoa phuoc,xã,H1\nN7,Xã Hóa Phước,xã,H1\n"
    )
    assert reasons(unmarked) == [(2, "same_name")]  # no mark at all: A1 typed with them off
    assert unmarked.added == ["N7"]  # marks of its own: another name


def test_a_unit_named_by_its_peoples_committee_is_a_twin(session: Session) -> None:
    """A file listing the communes as an appendix names them ("UBND xã Tam Xuân") beside
    the Xã Tam Xuân there is: the row is rejected as its twin, not a second commune."""
    make_unit(session, "X1", "Xã Tam Xuân")
    session.commit()
    report = run(
        session,
        "code,name,kind\nX1-UB,UBND xã Tam Xuân,xã\nX2-UB,uy ban nhan dan xa tam xuan,xã\n",
    )
    assert reasons(report) == [(2, "same_name"), (3, "same_name")]
    assert report.rejected[0].params["value"] == "Xã Tam Xuân (X1)"


def test_a_dash_in_the_parent_or_groups_cell_is_none_as_in_editunit(session: Session) -> None:
    """`-` is "no parent" and "no group" in a file as in /editunit: it was an unknown parent,
    the row refused, and a group named "-" (one unit moved to the top in the same file)."""
    run(session, "code,name,kind,parent_code,groups\nD,Huyện D,huyện,,\nC,Xã C,xã,D,G\n")
    report = run(
        session, "code,name,kind,parent_code,groups\nT,Sở T,sở,-,-\nC,Xã C,xã, - ,-\nE,Sở E,sở,,\n"
    )
    assert report.rejected == []
    assert [unit(session, c).parent_id for c in ("T", "C", "E")] == [None] * 3
    assert [groups_of(session, unit_id=unit(session, c).id or 0) for c in ("T", "C")] == [[], []]
