"""Fill a database with a realistic province or country: units, groups, contacts, directives,
tasks, assignments and their report history, with a progress bar on stderr.

    .venv/bin/python -m bench.generate --url sqlite:///bench/results/country.sqlite3 \
        --size country --assignments 1000000

Rows go in with bulk inserts (executemany on SQLite, COPY on PostgreSQL) into a freshly
migrated, empty database; the same seed gives the same data. Tests import `generate` at a
tiny size.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Engine

from core.taskdates import due_at
from core.textnorm import fold
from db.engine import make_engine
from db.migrate import upgrade

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The moment the data describes; benchmarks count "as of" this moment.
REFERENCE_NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
CHUNK = 20_000

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Shape:
    """How big a generated area is."""

    provinces: int  # 1 for a province; each has its departments and communes
    departments: int  # per province
    communes: int  # per province (communes, wards and special zones)
    assignments: int  # target number of assignments


SIZES = {
    "tiny": Shape(provinces=1, departments=4, communes=12, assignments=120),
    "province": Shape(provinces=1, departments=25, communes=100, assignments=20_000),
    # 300 units, about 300 tasks: a province built in a minute (bench/stall.py).
    "province300": Shape(provinces=1, departments=60, communes=240, assignments=52_000),
    "country": Shape(provinces=34, departments=20, communes=97, assignments=1_000_000),
}


@dataclass
class Generated:
    """What was written: row counts per table, and the reference moment."""

    now: datetime
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class Progress:
    """A one-line progress bar on a stream, redrawn at most ten times a second."""

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, max(total, 1), stream
        self.done, self.shown_at = 0, 0.0

    def add(self, n: int) -> None:
        """Count n more items and redraw when due."""
        self.done += n
        now = time.monotonic()
        if self.stream is not None and (now - self.shown_at > 0.1 or self.done >= self.total):
            self.shown_at = now
            frac = min(1.0, self.done / self.total)
            bar = "#" * int(frac * 30)
            self.stream.write(
                f"\r{self.label:<16} [{bar:<30}] {frac:6.1%} {self.done:>10,}/{self.total:,}"
            )
            self.stream.flush()

    def close(self) -> None:
        """End the line."""
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


class Writer:
    """Bulk-insert rows into one database: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()

    def write(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Row],
        progress: Progress | None = None,
    ) -> int:
        """Insert the rows; return how many."""
        cursor = self.raw.cursor()
        names = ", ".join(columns)
        written = 0
        if self.sqlite:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(rows, CHUNK):
                cursor.executemany(sql, [tuple(_sqlite(v) for v in r) for r in chunk])
                written += len(chunk)
                if progress:
                    progress.add(len(chunk))
        else:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for chunk in _chunks(rows, CHUNK):
                    for row in chunk:
                        copy.write_row(row)
                    written += len(chunk)
                    if progress:
                        progress.add(len(chunk))
        cursor.close()
        return written

    def finish(self, tables: Sequence[str]) -> None:
        """Commit, move PostgreSQL id sequences past the written ids, refresh statistics."""
        cursor = self.raw.cursor()
        if not self.sqlite:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 1))"
                )
        self.raw.commit()
        cursor.close()
        self.raw.close()
        if self.sqlite:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        else:
            # VACUUM cannot run in a transaction; it also sets the visibility map, which
            # index-only scans rely on.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))


def _sqlite(value: Any) -> Any:
    """Render a value the way SQLAlchemy stores it in SQLite (naive UTC text for times)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Yield lists of at most size rows."""
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Area:
    """The units of the generated area and how they are grouped."""

    units: list[Row] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    communes: list[int] = field(default_factory=list)
    by_province: list[list[int]] = field(default_factory=list)
    groups: list[tuple[int, str, list[int]]] = field(default_factory=list)


COMMUNE_KINDS = ("commune", "commune", "commune", "ward", "ward", "special_zone")
DEPARTMENTS = (
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Ban Quản lý các khu công nghiệp",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Đài Phát thanh và Truyền hình",
    "Báo tỉnh",
    "Trường Cao đẳng",
)
PLACES = ("Tam", "Bình", "Điện", "Hòa", "Quế", "Đại", "Duy", "Thăng", "Tiên", "Phước")
SUFFIXES = ("Xuân", "Hải", "Thịnh", "An", "Phong", "Lộc", "Sơn", "Trung", "Nam", "Đông", "Hưng")
TASK_TOPICS = (
    "Ban hành Kế hoạch chuyển đổi số",
    "Báo cáo kết quả cải cách hành chính",
    "Triển khai Đề án 06 về dữ liệu dân cư",
    "Thành lập Tổ công nghệ số cộng đồng",
    "Báo cáo tình hình kinh tế - xã hội",
    "Rà soát thủ tục hành chính trực tuyến",
    "Cập nhật cơ sở dữ liệu đất đai",
    "Tổ chức tập huấn kỹ năng số",
)


def build_area(shape: Shape, rng: random.Random) -> Area:
    """Make the units: each province's departments, then its communes and wards."""
    area = Area()
    uid = 0
    for p in range(1, shape.provinces + 1):
        tag = f" ({p})" if shape.provinces > 1 else ""
        members: list[int] = []
        for d in range(shape.departments):
            uid += 1
            name = DEPARTMENTS[d % len(DEPARTMENTS)] + (
                f" {d // len(DEPARTMENTS) + 1}" * (d >= 20)
            )
            area.units.append(_unit(uid, f"P{p:02d}D{d:03d}", name + tag, "department"))
            area.departments.append(uid)
            members.append(uid)
        for c in range(shape.communes):
            uid += 1
            kind = COMMUNE_KINDS[rng.randrange(len(COMMUNE_KINDS))]
            word = {"commune": "Xã", "ward": "Phường", "special_zone": "Đặc khu"}[kind]
            place = f"{PLACES[c % len(PLACES)]} {SUFFIXES[(c // len(PLACES)) % len(SUFFIXES)]}"
            name = f"{word} {place} {c // 110 + 1}{tag}" if c >= 110 else f"{word} {place}{tag}"
            area.units.append(_unit(uid, f"P{p:02d}C{c:03d}", name, kind))
            area.communes.append(uid)
            members.append(uid)
        area.by_province.append(members)
    gid = 0
    for name, share in (("Xã thí điểm chuyển đổi số", 0.2), ("Xã ven biển", 0.1)):
        gid += 1
        area.groups.append((gid, name, rng.sample(area.communes, int(len(area.communes) * share))))
    if shape.provinces > 1:
        for p, members in enumerate(area.by_province, start=1):
            gid += 1
            area.groups.append((gid, f"Tỉnh {p}", members))
    return area


def _unit(uid: int, code: str, name: str, kind: str) -> Row:
    """Return a unit row."""
    created = REFERENCE_NOW - timedelta(days=400)
    return (uid, code, fold(code), name, fold(name), kind, None, True, created, created)


def pick_targets(area: Area, rng: random.Random) -> list[int]:
    """Choose the units of one task, the way directives address them."""
    roll = rng.random()
    if roll < 0.45:
        return area.communes
    if roll < 0.65:
        return area.departments
    if roll < 0.85:
        return area.groups[rng.randrange(len(area.groups))][2]
    return area.by_province[rng.randrange(len(area.by_province))]


@dataclass
class TaskPlan:
    """One task: its row, its units and its deadline."""

    row: Row
    units: list[int]
    deadline: date


def plan_tasks(
    area: Area, target: int, rng: random.Random, *, everyone: bool = False
) -> list[TaskPlan]:
    """Make tasks until they hold `target` assignments (the last one trimmed).

    `everyone`: each task goes to every unit (one task of 10,000 units for a benchmark).
    """
    plans: list[TaskPlan] = []
    total = 0
    today = REFERENCE_NOW.date()
    every = [u[0] for u in area.units]
    while total < target:
        tid = len(plans) + 1
        units = (every if everyone else pick_targets(area, rng))[: target - total]
        deadline = today + timedelta(days=rng.randint(-300, 60))
        created = datetime.combine(deadline - timedelta(days=30), datetime.min.time(), VN)
        status = (
            "closed" if deadline < today - timedelta(days=200) and rng.random() < 0.3 else "open"
        )
        topic = TASK_TOPICS[tid % len(TASK_TOPICS)]
        title = f"{topic} đợt {tid}"
        directive_id = (tid - 1) // 5 + 1
        row = (tid, title, fold(title), "", directive_id, deadline, status, created)
        plans.append(TaskPlan(row, list(units), deadline))
        total += len(units)
    return plans


def assignment_rows(
    plans: list[TaskPlan], rng: random.Random, reports: list[Row], contacts_of: dict[int, int]
) -> Iterator[Row]:
    """Yield assignment rows and append each one's report history to `reports`."""
    aid = 0
    now = REFERENCE_NOW
    for plan in plans:
        tid = plan.row[0]
        created = plan.row[7]
        for unit_id in plan.units:
            aid += 1
            deadline = plan.deadline
            if rng.random() < 0.03:
                deadline += timedelta(days=rng.randint(7, 30))  # an approved extension
            due = due_at(deadline, VN)
            past = due <= now
            roll = rng.random()
            if roll < (0.7 if past else 0.3):
                state = "done"
            elif roll < (0.8 if past else 0.6):
                state = "in_progress"
            elif roll < (0.85 if past else 0.65):
                state = "blocked"
            else:
                state = "none"
            done_at = last = None
            if state != "none":
                span = max(1, int((min(due + timedelta(days=10), now) - created).total_seconds()))
                last = created + timedelta(seconds=rng.randrange(span))
                if state == "done" and past and rng.random() < 0.2:
                    last = min(now, due + timedelta(hours=rng.randint(1, 240)))
                if last > now:
                    last = now - timedelta(minutes=aid % 600 + 1)
                done_at = last if state == "done" else None
                _history(aid, state, created, last, contacts_of.get(unit_id), rng, reports)
            percent = 100 if state == "done" else (rng.randrange(10, 95, 5) if last else None)
            yield (
                aid,
                tid,
                unit_id,
                True,
                plan.deadline,
                deadline,
                due,
                state,
                percent,
                done_at,
                last,
                0,
                created,
            )


def _history(
    aid: int,
    state: str,
    start: datetime,
    last: datetime,
    contact_id: int | None,
    rng: random.Random,
    out: list[Row],
) -> None:
    """Append one to three reports ending with `state` at `last`."""
    if rng.random() < 0.5 and last - start > timedelta(hours=2):
        first = start + (last - start) / 2
        out.append(_report(aid, contact_id, "in_progress", 50, "Đang triển khai", None, first))
    reason = "Thiếu kinh phí thực hiện" if state == "blocked" else None
    number = f"{aid % 900 + 10}/KH-UBND" if state == "done" and rng.random() < 0.5 else None
    out.append(
        _report(aid, contact_id, state, 100 if state == "done" else 60, "", reason, last, number)
    )


def _report(
    aid: int,
    contact_id: int | None,
    state: str,
    percent: int,
    body: str,
    reason: str | None,
    at: datetime,
    number: str | None = None,
) -> Row:
    """Return a status report row (id filled in later)."""
    ev_date = at.astimezone(VN).date() if number else None
    return (aid, contact_id, state, percent, body, reason, number, ev_date, "button", at)


def generate(
    engine: Engine,
    *,
    size: str = "province",
    assignments: int | None = None,
    seed: int = 7,
    units: int | None = None,
    everyone: bool = False,
    progress: TextIO | None = sys.stderr,
) -> Generated:
    """Migrate the (empty) database and fill it; return what was written.

    `units` overrides the number of communes of a one-province area; `everyone` assigns
    every task to every unit.
    """
    started = time.monotonic()
    shape = SIZES[size]
    if units is not None:
        shape = Shape(provinces=1, departments=0, communes=units, assignments=shape.assignments)
    target = assignments if assignments is not None else shape.assignments
    rng = random.Random(seed)
    upgrade(engine)
    area = build_area(shape, rng)
    plans = plan_tasks(area, target, rng, everyone=everyone)
    result = Generated(now=REFERENCE_NOW)
    writer = Writer(engine)
    w = writer.write
    result.rows["unit"] = w("unit", UNIT_COLUMNS, area.units)
    group_rows = [(gid, name, fold(name)) for gid, name, _ in area.groups]
    result.rows["unit_group"] = w("unit_group", ("id", "name", "name_folded"), group_rows)
    members = [(gid, uid) for gid, _, units in area.groups for uid in units]
    result.rows["unit_group_member"] = w("unit_group_member", ("group_id", "unit_id"), members)
    contacts, links, contacts_of = _contacts(area)
    result.rows["contact"] = w("contact", CONTACT_COLUMNS, (c[0] for c in contacts))
    identities = (c[1] for c in contacts)
    result.rows["contact_identity"] = w("contact_identity", IDENTITY_COLUMNS, identities)
    result.rows["unit_contact"] = w("unit_contact", LINK_COLUMNS, links)
    directives = sorted({p.row[4] for p in plans})
    result.rows["directive"] = w("directive", DIRECTIVE_COLUMNS, map(_directive, directives))
    result.rows["task"] = w("task", TASK_COLUMNS, (p.row for p in plans))
    reports: list[Row] = []
    bar = Progress("assignments", target, progress)
    rows = assignment_rows(plans, rng, reports, contacts_of)
    result.rows["assignment"] = w("assignment", ASSIGNMENT_COLUMNS, rows, bar)
    bar.close()
    bar = Progress("status reports", len(reports), progress)
    numbered = ((i, *r) for i, r in enumerate(reports, start=1))
    result.rows["status_report"] = w("status_report", REPORT_COLUMNS, numbered, bar)
    bar.close()
    writer.finish(
        (
            "unit",
            "unit_group",
            "contact",
            "contact_identity",
            "directive",
            "task",
            "assignment",
            "status_report",
        )
    )
    result.seconds = time.monotonic() - started
    return result


UNIT_COLUMNS = (
    "id",
    "code",
    "code_folded",
    "name",
    "name_folded",
    "kind_key",
    "parent_id",
    "active",
    "created_at",
    "updated_at",
)
CONTACT_COLUMNS = ("id", "display_name", "language", "role", "digest_enabled", "created_at")
IDENTITY_COLUMNS = (
    "id",
    "contact_id",
    "channel",
    "external_id",
    "chat_id",
    "started",
    "reachable",
    "created_at",
)
LINK_COLUMNS = ("unit_id", "contact_id", "function", "created_at")
DIRECTIVE_COLUMNS = ("id", "number", "number_folded", "issuer", "title", "created_at")
TASK_COLUMNS = (
    "id",
    "title",
    "title_folded",
    "description",
    "directive_id",
    "deadline",
    "status",
    "created_at",
)
ASSIGNMENT_COLUMNS = (
    "id",
    "task_id",
    "unit_id",
    "active",
    "original_deadline",
    "deadline",
    "due_at",
    "state",
    "percent",
    "done_at",
    "last_report_at",
    "overdue_reminders",
    "created_at",
)
REPORT_COLUMNS = (
    "id",
    "assignment_id",
    "contact_id",
    "state",
    "percent",
    "text",
    "reason",
    "evidence_number",
    "evidence_date",
    "source",
    "created_at",
)


def _contacts(area: Area) -> tuple[list[tuple[Row, Row]], list[Row], dict[int, int]]:
    """Make a focal official per unit, a leader per department, and a few coordinators.

    Each is a person with one Telegram identity: (contact row, identity row).
    """
    created = REFERENCE_NOW - timedelta(days=300)
    contacts: list[tuple[Row, Row]] = []
    links: list[Row] = []
    focal: dict[int, int] = {}
    cid = 0
    for unit in area.units:
        uid, kind = unit[0], unit[5]
        cid += 1
        contacts.append(_contact(cid, f"Cán bộ đầu mối {uid}", "member", created))
        links.append((uid, cid, "focal", created))
        focal[uid] = cid
        if kind == "department":
            cid += 1
            contacts.append(_contact(cid, f"Lãnh đạo {uid}", "member", created))
            links.append((uid, cid, "leader", created))
    for n in range(5):
        cid += 1
        contacts.append(_contact(cid, f"Điều phối viên {n + 1}", "coordinator", created))
    return contacts, links, focal


def _contact(cid: int, name: str, role: str, created: datetime) -> tuple[Row, Row]:
    """Return a person and their Telegram identity, whose user id is derived from the id."""
    ext = str(700_000_000 + cid)
    person = (cid, name, "vi", role, True, created)
    return person, (cid, cid, "telegram", ext, ext, True, True, created)


def _directive(did: int) -> Row:
    """Return a directive row."""
    number = f"{1000 + did}/UBND-KGVX"
    at = REFERENCE_NOW - timedelta(days=400)
    return (did, number, fold(number), "UBND tỉnh", f"Công văn số {number}", at)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a database from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--url", required=True, help="sqlite:///file or postgresql://...")
    parser.add_argument("--size", choices=sorted(SIZES), default="province")
    parser.add_argument("--assignments", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    result = generate(engine, size=args.size, assignments=args.assignments, seed=args.seed)
    engine.dispose()
    counts = ", ".join(f"{t} {n:,}" for t, n in result.rows.items())
    print(f"generated in {result.seconds:.1f} s: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
