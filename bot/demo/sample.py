"""The sample province: Quảng Nam's 2021 units, a directive, its tasks, officials, reports.

Written once into the demo's own database (again with `--fresh`), through the same model
and query code as the product. Dates are set around the demo's first morning (`day`, a
working day): one task due that day, one due three working days later (its reminder comes
the next working morning), one overdue, one finished; reports in every state and one
extension request waiting for the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from sqlmodel import Session, col, select

from bot.demo.clock import working_days_before
from core.calendar import WorkingCalendar
from core.spreadsheet.read import read_table
from core.textnorm import fold
from db.imports.units import import_units
from db.models import (
    Assignment,
    Contact,
    ContactIdentity,
    Directive,
    ExtensionRequest,
    Reminder,
    Unit,
    UnitContact,
)
from db.queries.calendar import working_calendar
from db.queries.reports import record_report
from db.queries.tasks import create_task

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNITS_CSV = EXAMPLES / "units_quang_nam_2021.csv"
DIRECTIVE = "4824/UBND-KGVX"


@dataclass(frozen=True)
class Persona:
    """Someone of the sample province: their channel id, name, role and unit."""

    key: str  # how the simulator names them
    channel: str  # "telegram" | "zalo"
    external_id: str  # Telegram user id, or a Zalo user id (hex)
    name: str
    role: str = "member"
    unit: str = ""  # the unit's code in the units file


# The four the simulator shows, then the other officials of the province.
ADMIN = Persona("admin", "telegram", "700001", "Trần Minh Quân", "admin")
COORDINATOR = Persona("coordinator", "telegram", "700002", "Phạm Thu Hà", "coordinator")
OFFICIAL_TELEGRAM = Persona("official_tg", "telegram", "700101", "Lê Văn Hùng", unit="TK-TAMTHANG")
OFFICIAL_ZALO = Persona(
    "official_zalo", "zalo", "5a1f0c2e9b7d4e01", "Nguyễn Thị Lan", unit="TB-BINHMINH"
)
SHOWN = (ADMIN, COORDINATOR, OFFICIAL_TELEGRAM, OFFICIAL_ZALO)
OTHERS = (
    Persona("o1", "telegram", "700102", "Võ Thị Mai", unit="TK-TANTHANH"),
    Persona("o2", "zalo", "5a1f0c2e9b7d4e02", "Huỳnh Văn Tài", unit="HA-CAMTHANH"),
    Persona("o3", "telegram", "700103", "Đỗ Quốc Bảo", unit="DB-DIENHOA"),
    Persona("o4", "zalo", "5a1f0c2e9b7d4e03", "Trương Thị Hoa", unit="PN-TAMDAN"),
    Persona("o5", "telegram", "700104", "Ngô Thanh Sơn", unit="DL-DAIHIEP"),
    Persona("o6", "zalo", "5a1f0c2e9b7d4e04", "Bùi Thị Ngọc", unit="DX-DUYHAI"),
)
PEOPLE = SHOWN + OTHERS
# The units with an official, in the order the tasks list them.
UNITS = tuple(p.unit for p in PEOPLE if p.unit)


@dataclass(frozen=True)
class Sample:
    """What the sample is built around: its first morning and its tasks' ids."""

    morning: datetime
    due_today: int
    due_later: int
    overdue: int


def build(session: Session, *, morning: datetime, tz: tzinfo) -> Sample:
    """Write the sample province into an empty, migrated database."""
    calendar = working_calendar(session)
    day = morning.astimezone(tz).date()
    long_ago = morning - timedelta(days=21)
    table = read_table(UNITS_CSV.read_bytes(), UNITS_CSV.name)
    import_units(session, table, actor_id=None, actor_label="demo", now=long_ago, tz=None)
    units = {u.code: u for u in session.exec(select(Unit))}
    contacts = {p.key: _person(session, p, units, long_ago) for p in PEOPLE}
    directive = Directive(
        number=DIRECTIVE,
        number_folded=fold(DIRECTIVE),
        issued_on=day - timedelta(days=21),
        issuer="UBND tỉnh Quảng Nam",
        title="Về việc triển khai các nhiệm vụ chuyển đổi số năm " + str(day.year),
        created_by_id=contacts["admin"].id,
        created_at=long_ago,
    )
    session.add(directive)
    session.flush()
    ids = [units[code].id for code in UNITS]
    unit_ids = [i for i in ids if i is not None]

    def task(title: str, deadline: date, description: str = "") -> int:
        made = create_task(
            session,
            title=title,
            deadline=deadline,
            unit_ids=unit_ids,
            tz=tz,
            directive_id=directive.id,
            description=description,
            created_by_id=contacts["admin"].id,
        )
        made.created_at = long_ago
        for assignment in session.exec(select(Assignment).where(Assignment.task_id == made.id)):
            assignment.created_at = long_ago
        session.flush()
        assert made.id is not None
        return made.id

    finished = task(
        "Rà soát, cập nhật danh mục thủ tục hành chính trực tuyến toàn trình",
        working_days_before(calendar, day, 8),
    )
    overdue = task(
        "Cập nhật dữ liệu cán bộ, công chức lên hệ thống quản lý văn bản",
        working_days_before(calendar, day, 4),
    )
    due_today = task(
        "Báo cáo kết quả triển khai Tổ công nghệ số cộng đồng",
        day,
        "Gửi báo cáo về Sở Khoa học và Công nghệ",
    )
    due_later = task(
        "Thành lập Ban Chỉ đạo chuyển đổi số cấp xã",
        _later(calendar, day, 3),
        "Quyết định thành lập gửi kèm bản chụp",
    )
    _reports(session, contacts, units, calendar, day, tz, finished, overdue, due_today)
    _reminded(session, (overdue, due_today, due_later), working_days_before(calendar, day, 1))
    return Sample(morning, due_today, due_later, overdue)


def _person(
    session: Session, persona: Persona, units: dict[str, Unit], since: datetime
) -> Contact:
    """Write one person, their identity on their channel (started) and their unit."""
    contact = Contact(display_name=persona.name, role=persona.role, created_at=since)
    session.add(contact)
    session.flush()
    assert contact.id is not None
    session.add(
        ContactIdentity(
            contact_id=contact.id,
            channel=persona.channel,
            external_id=persona.external_id,
            chat_id=persona.external_id,
            started=True,
            last_seen_at=since,
            created_at=since,
        )
    )
    if persona.unit:
        unit_id = units[persona.unit].id
        assert unit_id is not None
        session.add(UnitContact(unit_id=unit_id, contact_id=contact.id, created_at=since))
    session.flush()
    return contact


def _reports(
    session: Session,
    contacts: dict[str, Contact],
    units: dict[str, Unit],
    calendar: WorkingCalendar,
    day: date,
    tz: tzinfo,
    finished: int,
    overdue: int,
    due_today: int,
) -> None:
    """Write reports in every state, and one extension request waiting for a decision."""
    by_unit = {p.unit: contacts[p.key] for p in PEOPLE if p.unit}

    def at(days_before: int, hour: int = 9) -> datetime:
        moment = datetime.combine(working_days_before(calendar, day, days_before), time(hour))
        return moment.replace(tzinfo=tz)

    def report(task_id: int, code: str, state: str, when: datetime, **extra: object) -> int:
        unit_id = units[code].id
        assignment = session.exec(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.unit_id == unit_id)
        ).one()
        assert assignment.id is not None
        record_report(
            session,
            assignment_id=assignment.id,
            state=state,
            now=when,
            contact_id=by_unit[code].id,
            source="text",
            **extra,  # type: ignore[arg-type]
        )
        return assignment.id

    for n, code in enumerate(UNITS):  # the finished task: every unit done, two of them late
        report(finished, code, "done", at(9 - n // 2) if n < 7 else at(6))
    report(overdue, "TK-TAMTHANG", "done", at(5), text="xong")
    report(overdue, "TB-BINHMINH", "done", at(4, 15), text="đã cập nhật xong")
    report(overdue, "TK-TANTHANH", "in_progress", at(3), percent=70, text="được 70%")
    report(overdue, "DB-DIENHOA", "blocked", at(2), reason="Chưa được cấp tài khoản hệ thống")
    report(due_today, "TK-TANTHANH", "done", at(1), text="xong")
    report(due_today, "DL-DAIHIEP", "in_progress", at(2), percent=50, text="50%")
    report(due_today, "DB-DIENHOA", "blocked", at(1, 14), reason="Chờ số liệu của huyện")
    asked = report(due_today, "PN-TAMDAN", "in_progress", at(1), percent=30, text="30%")
    session.add(
        ExtensionRequest(
            assignment_id=asked,
            contact_id=by_unit["PN-TAMDAN"].id,
            requested_deadline=_later(calendar, day, 5),
            reason="Đang chờ ý kiến của Huyện ủy Phú Ninh",
            created_at=at(1, 10),
        )
    )
    session.flush()


def _reminded(session: Session, task_ids: tuple[int, ...], day: date) -> None:
    """Record that the open tasks' units were reminded the working day before the demo's.

    The bot has been running: without this history it would fold the weeks before the
    demo into its first morning, as "missed" reminders.
    """
    query = select(Assignment).where(col(Assignment.task_id).in_(task_ids))
    for assignment in session.exec(query):
        assert assignment.id is not None
        session.add(
            Reminder(
                key=f"demo:{assignment.id}:{day.isoformat()}",
                assignment_id=assignment.id,
                kind="before",
                due_on=day,
                status="queued",
                created_at=datetime.combine(day, time(8, 0), tzinfo=UTC),
            )
        )
    session.flush()


def _later(calendar: WorkingCalendar, day: date, n: int) -> date:
    """Return the n-th working day after `day`."""
    return calendar.add_working_days(day, n)
