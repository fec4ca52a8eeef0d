"""What the benchmarks share: settings for a bot on the fake server, a population, output."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from core.textnorm import fold
from db.models import Contact, ContactIdentity, Outbox, OutboxItem, Unit, UnitContact
from db.queries.tasks import assignments_of, create_task
from devtools.fakebotapi import FakeBotApi

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Wednesday morning in working hours.
BENCH_NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
RESULTS = Path(__file__).parent / "results"
FIRST_USER = 100_000

os.environ.setdefault("PTB_TIMEDELTA", "true")


def run_token() -> str:
    """Return a bot token unique to this run (the host keeps a lock per token; runs share it)."""
    return f"424244:bench-token-{uuid.uuid4().hex[:12]}"


def bench_settings(db_file: Path, server: FakeBotApi, **overrides: Any) -> Settings:
    """Return settings for a bot on db_file talking to the fake server."""
    settings = Settings(
        _env_file=None,
        bot_token=server.token,
        database_url=f"sqlite:///{db_file}",
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        evidence_dir=db_file.parent / "evidence",
        log_level="WARNING",
    )
    return settings.model_copy(update=overrides) if overrides else settings


@dataclass(frozen=True)
class Official:
    """One simulated official: their Telegram id, contact and open assignment."""

    user_id: int
    contact_id: int
    assignment_id: int


def populate(
    engine: Engine,
    count: int,
    deadline: date,
    *,
    first_user: int = FIRST_USER,
    assigned_at: datetime | None = None,
    title: str = "Kế hoạch chuyển đổi số năm 2027",
    channel: str = "telegram",
) -> list[Official]:
    """Create count units, each with one started contact and one open assignment."""
    with Session(engine) as session:
        units = [_unit(first_user + i) for i in range(count)]
        contacts = [_contact(first_user + i) for i in range(count)]
        session.add_all(units)
        session.add_all(contacts)
        session.flush()
        for n, (unit, contact) in enumerate(zip(units, contacts, strict=True)):
            assert unit.id is not None and contact.id is not None  # noqa: PT018
            session.add(UnitContact(unit_id=unit.id, contact_id=contact.id))
            session.add(_identity(contact.id, first_user + n, channel))
        task = create_task(
            session,
            title="Kế hoạch chuyển đổi số năm 2027",
            deadline=deadline,
            unit_ids=[u.id for u in units if u.id is not None],
            tz=VN,
        )
        assert task.id is not None
        by_unit = {a.unit_id: a.id for a in assignments_of(session, task_id=task.id)}
        session.commit()
        return [
            Official(first_user + n, c.id, by_unit[u.id])  # type: ignore[arg-type, index]
            for n, (u, c) in enumerate(zip(units, contacts, strict=True))
        ]


def _unit(i: int) -> Unit:
    """Return a commune for the population."""
    code, name = f"B{i:05d}", f"Xã Thử Nghiệm {i}"
    return Unit(
        code=code, code_folded=fold(code), name=name, name_folded=fold(name), kind_key="commune"
    )


def official_name(user_id: int) -> str:
    """Return the name `populate` gives the official of `user_id` (a bench that makes the
    same person on a fake server gives them this name, so that no reply renames them)."""
    return f"Cán bộ {user_id}"


def _contact(user_id: int) -> Contact:
    """Return a person for the population."""
    return Contact(display_name=official_name(user_id))


def _identity(contact_id: int, user_id: int, channel: str = "telegram") -> ContactIdentity:
    """Return a person's identity on a channel, started (the bot may write to them)."""
    return ContactIdentity(
        contact_id=contact_id,
        channel=channel,
        external_id=str(user_id),
        chat_id=str(user_id),
        started=True,
    )


def record_sent_reminders(engine: Engine, sent: Sequence[tuple[Official, int]]) -> None:
    """Record reminders as sent (official, Telegram message id), so replies are attributed."""
    with Session(engine) as session:
        for official, message_id in sent:
            outbox = Outbox(
                key=f"bench:{official.user_id}",
                chat_id=str(official.user_id),
                contact_id=official.contact_id,
                kind="reminder",
                status="sent",
                channel_message_id=str(message_id),
                sent_at=BENCH_NOW,
                payload={"text": "bench"},
            )
            session.add(outbox)
            session.flush()
            assert outbox.id is not None
            session.add(OutboxItem(outbox_id=outbox.id, assignment_id=official.assignment_id))
        session.commit()


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0-100) of values, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    """Return the median of values."""
    return statistics.median(values) if values else 0.0


def machine() -> dict[str, Any]:
    """Describe the machine the figures were taken on."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write a benchmark's results as JSON under bench/results/ and return the path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "taken_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """Print a two-column table."""
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}\n" + "-" * (width + 20))
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


def on_revision(rev: str, module: Path, args: Sequence[str]) -> str:
    """Run the bench `module` (its file) with `args` on the code of `rev`: the tree exported
    with `git archive`, this bench's module copied in, so that the same measurement runs on
    the old code; return what it printed."""
    root = Path(__file__).resolve().parent.parent
    tree = Path(tempfile.mkdtemp()) / "before"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    shutil.copy(module, tree / "bench" / module.name)
    argv = [sys.executable, "-m", f"bench.{module.stem}", *args]
    try:
        done = subprocess.run(
            argv, cwd=tree, env=os.environ | {"PYTHONPATH": str(tree)}, check=True,
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        shutil.rmtree(tree.parent, ignore_errors=True)
    return done.stdout
