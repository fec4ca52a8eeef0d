"""Migrations: an empty database reaches the newest schema, which matches the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from db.engine import SQLITE_CACHE_KIB, make_engine
from db.migrate import (
    alembic_config,
    at_head,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from db.models import (
    Assignment,
    Contact,
    ContactIdentity,
    ExtensionRequest,
    Inbox,
    Task,
    UnitContact,
    UnitKind,
)
from db.queries import used_links
from db.queries.taskcounts import drift
from db.schema import HEAD

RECEIVED = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)


def assert_schema_matches_models(engine: Engine) -> None:
    """Fail when the migrated schema differs from what the models declare."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_upgrade_builds_empty_sqlite_to_head(tmp_path: Path) -> None:
    """An empty SQLite file gets every table, the default kinds, WAL and foreign keys."""
    engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"unit", "contact", "task", "assignment", "outbox", "inbox", "audit_log"} <= set(
        inspect(engine).get_table_names()
    )
    assert_schema_matches_models(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # A bounded page cache per connection (negative: KiB), not SQLite's 2,000 KiB.
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_CACHE_KIB
    with Session(engine) as session:
        keys = set(session.exec(select(UnitKind.key)))
    assert keys == {"department", "commune", "ward", "town", "special_zone", "district", "other"}
    engine.dispose()


def test_upgrade_twice_changes_nothing(tmp_path: Path) -> None:
    """Running the migrations again (every start does) is harmless."""
    engine = make_engine(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_head_is_alembics_and_only_a_database_there_skips_alembic(tmp_path: Path) -> None:
    """HEAD names the newest migration; an older or empty database is not taken for it."""
    assert head_revision() == HEAD
    engine = make_engine(f"sqlite:///{tmp_path / 'head.sqlite3'}")
    assert not at_head(engine)
    upgrade(engine)
    assert at_head(engine)
    downgrade(engine, "0004")
    assert not at_head(engine)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_builds_empty_postgres_to_head(pg_empty_url: str) -> None:
    """An empty PostgreSQL database reaches head and matches the models."""
    engine = make_engine(pg_empty_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert_schema_matches_models(engine)
    with Session(engine) as session:
        assert session.get(UnitKind, "commune") is not None
    engine.dispose()


def upgrade_through(engine: Engine, revision: str, rows: str, at: datetime) -> None:
    """Migrate to `revision`, insert rows as the code of then did (their times `:at`),
    then to head."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        for statement in rows.split(";"):
            stamp = at.isoformat() if engine.dialect.name == "sqlite" else at
            connection.execute(text(statement), {"at": stamp})
    upgrade(engine)


def upgrade_from_0001_with_an_inbox_row(engine: Engine) -> None:
    """Migrate to 0001, record an update as the old code did (never processed), then to head."""
    upgrade_through(
        engine,
        "0001",
        "INSERT INTO inbox (channel, update_id, kind, received_at)"
        " VALUES ('telegram', '77', 'message', :at)",
        RECEIVED,
    )


def assert_old_row_counts_as_processed(engine: Engine) -> None:
    """The row recorded before 0002 is processed at its receipt, never retried."""
    assert_schema_matches_models(engine)
    with Session(engine) as session:
        row = session.exec(select(Inbox)).one()
    assert (row.processed_at, row.attempts, row.payload) == (RECEIVED, 0, None)


def test_upgrade_0002_takes_old_sqlite_inbox_rows_as_processed(tmp_path: Path) -> None:
    """On SQLite, 0002 keeps the inbox's rows and marks them processed, so none is retried."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_from_0001_with_an_inbox_row(engine)
    assert_old_row_counts_as_processed(engine)
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_0002_takes_old_postgres_inbox_rows_as_processed(pg_empty_url: str) -> None:
    """On PostgreSQL, 0002 keeps the inbox's rows and marks them processed."""
    engine = make_engine(pg_empty_url)
    upgrade_from_0001_with_an_inbox_row(engine)
    assert_old_row_counts_as_processed(engine)
    engine.dispose()


SEEN = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)


def upgrade_from_0002_with_contacts(engine: Engine) -> None:
    """Migrate to 0002, store two people as the old schema did, one in a unit, then to head."""
    config = alembic_config()
    at = SEEN.isoformat() if engine.dialect.name == "sqlite" else SEEN
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO contact (id, channel, external_id, chat_id, display_name, username,"
                " language, role, started, reachable, unreachable_since, digest_enabled,"
                " created_at, last_seen_at) VALUES"
                " (1, 'telegram', '501', '501', 'Lan', 'lan', 'vi', 'member', true, true,"
                " NULL, true, :at, :at),"
                " (2, 'text', 'a1b2', 'a1b2', 'Hoa', NULL, 'en', 'admin', false, false,"
                " :at, false, :at, NULL)"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO unit_kind (key, name_vi, name_en, plural_vi, plural_en, aliases,"
                " sort_order) VALUES ('test', 'Thử', 'Test', '', '', '', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO unit (id, code, code_folded, name, name_folded, kind_key, active,"
                " created_at, updated_at) VALUES (1, 'XA', 'xa', 'Xã A', 'xa a', 'test',"
                " true, :at, :at)"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO unit_contact (unit_id, contact_id, function, created_at)"
                " VALUES (1, 1, 'focal', :at)"
            ),
            {"at": at},
        )
    upgrade(engine)


def assert_contacts_became_people_with_identities(engine: Engine) -> None:
    """Each old contact is one person with one identity holding its channel columns."""
    assert_schema_matches_models(engine)
    with Session(engine) as session:
        people = {
            c.id: (c.display_name, c.language, c.role, c.digest_enabled)
            for c in session.exec(select(Contact))
        }
        identities = sorted(
            (
                i.contact_id,
                i.channel,
                i.external_id,
                i.chat_id,
                i.username,
                i.started,
                i.reachable,
                i.unreachable_since,
                i.last_seen_at,
            )
            for i in session.exec(select(ContactIdentity))
        )
        units = list(session.exec(select(UnitContact.contact_id)))
    assert people == {1: ("Lan", "vi", "member", True), 2: ("Hoa", "en", "admin", False)}
    assert identities == [
        (1, "telegram", "501", "501", "lan", True, True, None, SEEN),
        (2, "text", "a1b2", "a1b2", None, False, False, SEEN, None),
    ]
    assert units == [1]


def downgrade_to_0002_keeps_one_identity(engine: Engine) -> None:
    """Give person 1 a second identity, go down to 0002: the Telegram one is kept."""
    with Session(engine) as session:
        session.add(
            ContactIdentity(contact_id=1, channel="text", external_id="ff00", started=True)
        )
        session.commit()
    downgrade(engine, "0002")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, channel, external_id, chat_id, started FROM contact ORDER BY id")
        ).all()
        assert "contact_identity" not in inspect(connection).get_table_names()
    assert [tuple(r) for r in rows] == [
        (1, "telegram", "501", "501", True),
        (2, "text", "a1b2", "a1b2", False),
    ]


def test_upgrade_0004_moves_sqlite_contacts_to_identities_and_back(tmp_path: Path) -> None:
    """On SQLite, 0004 splits contacts into people and identities, and the downgrade joins them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'people.sqlite3'}")
    upgrade_from_0002_with_contacts(engine)
    assert_contacts_became_people_with_identities(engine)
    downgrade_to_0002_keeps_one_identity(engine)
    engine.dispose()


def assert_old_row_belongs_to_epoch_0(engine: Engine) -> None:
    """The row from before 0003 has no account and epoch 0; ids may repeat across epochs."""
    assert_schema_matches_models(engine)
    with Session(engine) as session:
        old = session.exec(select(Inbox)).one()
        assert (old.channel, old.account, old.epoch, old.update_id) == ("telegram", "", 0, "77")
        session.add(Inbox(account="", epoch=1, update_id="77", received_at=RECEIVED))
        session.add(Inbox(account="123456", epoch=0, update_id="77", received_at=RECEIVED))
        session.commit()
    with Session(engine) as session:
        session.add(Inbox(account="", epoch=1, update_id="77", received_at=RECEIVED))
        with pytest.raises(IntegrityError):
            session.commit()


def test_upgrade_0003_keys_sqlite_inbox_rows_by_account_and_epoch(tmp_path: Path) -> None:
    """On SQLite, 0003 keeps the inbox's rows in epoch 0 and lets a new epoch reuse ids."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_from_0001_with_an_inbox_row(engine)
    assert_old_row_belongs_to_epoch_0(engine)
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_0004_moves_postgres_contacts_to_identities_and_back(pg_empty_url: str) -> None:
    """On PostgreSQL, 0004 splits contacts into people and identities, and back."""
    engine = make_engine(pg_empty_url)
    upgrade_from_0002_with_contacts(engine)
    assert_contacts_became_people_with_identities(engine)
    downgrade_to_0002_keeps_one_identity(engine)
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_0003_keys_postgres_inbox_rows_by_account_and_epoch(pg_empty_url: str) -> None:
    """On PostgreSQL, 0003 keeps the inbox's rows in epoch 0 and lets a new epoch reuse ids."""
    engine = make_engine(pg_empty_url)
    upgrade_from_0001_with_an_inbox_row(engine)
    assert_old_row_belongs_to_epoch_0(engine)
    engine.dispose()


def downgrade_to_0002_keeps_newest_epoch(engine: Engine) -> None:
    """Downgrade after ids repeated in two epochs: the old key holds, the newest row stays."""
    upgrade(engine)
    with Session(engine) as session:
        for epoch in (0, 1):
            session.add(Inbox(epoch=epoch, update_id="5", kind=f"e{epoch}", received_at=RECEIVED))
        session.commit()
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM inbox")).scalars().all()
    assert kinds == ["e1"]
    upgrade(engine)
    assert_schema_matches_models(engine)


def test_downgrade_0003_on_sqlite_keeps_the_newest_of_repeated_ids(tmp_path: Path) -> None:
    """On SQLite, 0003 can be undone even when a restarted server reused update ids."""
    engine = make_engine(f"sqlite:///{tmp_path / 'down.sqlite3'}")
    downgrade_to_0002_keeps_newest_epoch(engine)
    engine.dispose()


@pytest.mark.postgres
def test_downgrade_0003_on_postgres_keeps_the_newest_of_repeated_ids(pg_empty_url: str) -> None:
    """On PostgreSQL, 0003 can be undone even when a restarted server reused update ids."""
    engine = make_engine(pg_empty_url)
    downgrade_to_0002_keeps_newest_epoch(engine)
    engine.dispose()


def upgrade_from_0009_with_a_used_link(engine: Engine) -> None:
    """Migrate to 0009, store a link used as the old code did (no lease), then to head."""
    key = used_links.link_key("sig-old")
    upgrade_through(
        engine,
        "0009",
        f"INSERT INTO used_link (key_hash, used_at, expires_at) VALUES ('{key}', :at, :at)",
        RECEIVED,
    )


def assert_old_use_stays_and_the_lease_goes_down_and_up(engine: Engine) -> None:
    """The link used before 0010 stays used past any lease; 0010 is undone and redone."""
    assert_schema_matches_models(engine)
    later = RECEIVED - timedelta(days=1) + used_links.LEASE * 10  # before the link's expiry
    with Session(engine) as session:
        assert used_links.was_used(session, signature="sig-old", now=later)
        assert not used_links.take(session, signature="sig-old", expires_at=RECEIVED, now=later)
    downgrade(engine, "0009")
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("used_link")}
        kept = connection.execute(text("SELECT count(*) FROM used_link")).scalar()
    assert "building_until" not in columns
    assert kept == 1
    upgrade(engine)
    assert_schema_matches_models(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Return an engine of an empty SQLite file, then of an empty PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_empty_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_upgrade_0010_keeps_used_links_used_and_back(empty_engine: Engine) -> None:
    """0010 leaves a link used before it used for good, and can be undone."""
    upgrade_from_0009_with_a_used_link(empty_engine)
    assert_old_use_stays_and_the_lease_goes_down_and_up(empty_engine)


ANSWERED_ROWS = """
INSERT INTO unit_kind (key, name_vi, name_en, plural_vi, plural_en, aliases, sort_order)
 VALUES ('k', 'Xã', 'Commune', 'Xã', 'Communes', '', 1);
INSERT INTO unit (id, code, code_folded, name, name_folded, kind_key, active, created_at,
 updated_at) SELECT n, 'X' || n, 'x' || n, 'Xa ' || n, 'xa ' || n, 'k', TRUE, :at, :at
 FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS ids;
INSERT INTO task (id, title, title_folded, description, deadline, status, created_at)
 VALUES (1, 'T', 't', '', '2026-11-01', 'open', :at);
INSERT INTO assignment (id, task_id, unit_id, active, original_deadline, deadline, due_at,
 state, overdue_reminders, created_at) SELECT id, 1, id, TRUE, '2026-11-01', '2026-11-01',
 :at, 'none', 0, :at FROM unit;
INSERT INTO extension_request (assignment_id, requested_deadline, reason, status, created_at)
 VALUES (1, '2026-12-01', '', 'pending', :at);
INSERT INTO explanation (assignment_id, requested_at, text, answered_at)
 VALUES (2, :at, 'vì', :at);
INSERT INTO explanation (assignment_id, requested_at) VALUES (3, :at)
"""


def test_upgrade_0013_counts_an_earlier_extension_request_as_an_answer(
    empty_engine: Engine,
) -> None:
    """A unit that had only asked for an extension, or explained a delay, before 0013 has
    answered since; one only asked for an explanation has not."""
    upgrade_through(empty_engine, "0012", ANSWERED_ROWS, RECEIVED)
    with Session(empty_engine) as session:
        answered = {a.id: a.last_report_at for a in session.exec(select(Assignment))}
    assert answered == {1: RECEIVED, 2: RECEIVED, 3: None}


@pytest.mark.parametrize("table", ["outbox", "status_report"])
def test_a_merge_finds_a_person_s_messages_and_reports_by_an_index(
    empty_engine: Engine, table: str
) -> None:
    """A merge moves every row naming the person merged away (`merging.merge_people`), with
    SQLite's write lock held: at 200,000 rows each, scanning the outbox and the reports held
    it a few hundred ms. 0014 indexes both columns; SQLite's plan searches, never scans."""
    upgrade(empty_engine)
    indexed = {tuple(i["column_names"]) for i in inspect(empty_engine).get_indexes(table)}
    assert ("contact_id",) in indexed
    if empty_engine.dialect.name == "sqlite":
        moved = f"UPDATE {table} SET contact_id = 2 WHERE contact_id = 1"
        with empty_engine.connect() as conn:
            plan = " ".join(
                str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {moved}"))
            )
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


RENAMED_ROWS = """
INSERT INTO unit_kind (key, name_vi, name_en, plural_vi, plural_en, aliases, sort_order)
 VALUES ('k', 'Xã', 'Commune', 'Xã', 'Communes', '', 1);
INSERT INTO unit (id, code, code_folded, name, name_folded, kind_key, active, created_at,
 updated_at) SELECT n, 'X' || n, 'x' || n, 'Xa ' || n, 'xa ' || n, 'k', n = 1, :at, :at
 FROM (SELECT 1 AS n UNION ALL SELECT 2) AS ids;
INSERT INTO task (id, title, title_folded, description, deadline, status, created_at)
 VALUES (1, 'Kiểm tra an toàn', 'bao cao quy', '', '2026-11-01', 'open', :at);
INSERT INTO task (id, title, title_folded, description, deadline, status, created_at)
 VALUES (2, 'Đề án số', 'de an so', '', '2026-11-01', 'closed', :at);
INSERT INTO assignment (id, task_id, unit_id, active, original_deadline, deadline, due_at,
 state, overdue_reminders, created_at) SELECT t.id * 10 + u.id, t.id, u.id, TRUE,
 '2026-11-01', '2026-11-01', :at, 'none', 0, :at FROM task AS t, unit AS u
"""


def test_upgrade_0015_refolds_renamed_titles_and_takes_idle_units_off_open_tasks(
    empty_engine: Engine,
) -> None:
    """A task renamed before the fold followed is found by its new title after 0015; a unit
    deactivated before is off its open task (its row kept), on its closed one still, and
    the stored counts follow."""
    upgrade_through(empty_engine, "0014", RENAMED_ROWS, RECEIVED)
    with Session(empty_engine) as session:
        folded = dict(session.exec(select(Task.id, Task.title_folded)).all())
        active = {a.id: a.active for a in session.exec(select(Assignment))}
        assert drift(session) == []
    assert folded == {1: "kiem tra an toan", 2: "de an so"}
    assert active == {11: True, 12: False, 21: True, 22: True}


MERGED_ROWS = """
INSERT INTO unit_kind (key, name_vi, name_en, plural_vi, plural_en, aliases, sort_order)
 VALUES ('k', 'Xã', 'Commune', 'Xã', 'Communes', '', 1);
INSERT INTO unit (id, code, code_folded, name, name_folded, kind_key, active, created_at,
 updated_at) SELECT n, 'X' || n, 'x' || n, 'Xa ' || n, 'xa ' || n, 'k', n = 3, :at, :at
 FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS ids;
INSERT INTO task (id, title, title_folded, description, deadline, status, created_at)
 SELECT n, 'Việc ' || n, 'viec ' || n, '', '2026-11-01', 'open', :at
 FROM (SELECT 1 AS n UNION ALL SELECT 2) AS ids;
INSERT INTO assignment (id, task_id, unit_id, active, original_deadline, deadline, due_at,
 state, overdue_reminders, created_at) SELECT t.id * 10 + u.id, t.id, u.id, u.id = 3,
 '2026-11-01', '2026-11-01', :at, 'none', 0, :at FROM task AS t, unit AS u;
INSERT INTO audit_log (at, actor_label, action, object_type, object_id, details)
 VALUES (:at, 'cli', 'task.units_merged', 'task', '1',
 '{"from": [1, 2], "into": 3, "state": "none", "kept_from": 2}')
"""


def test_upgrade_0016_points_the_rows_merges_took_off_at_the_kept_ones(
    empty_engine: Engine,
) -> None:
    """A merge made before 0016 (its audit: task 1 of units 1 and 2 into unit 3) leaves the
    old units' rows of that task pointing at unit 3's; a row taken off otherwise, none."""
    upgrade_through(empty_engine, "0015", MERGED_ROWS, RECEIVED)
    assert_schema_matches_models(empty_engine)
    with Session(empty_engine) as session:
        into = {a.id: a.merged_into_id for a in session.exec(select(Assignment))}
    assert into == {11: 13, 12: 13, 13: None, 21: None, 22: None, 23: None}


DECIDED_ROWS = (
    ANSWERED_ROWS.split("INSERT INTO extension_request")[0]
    + """
INSERT INTO extension_request (id, assignment_id, requested_deadline, reason, status, created_at)
 SELECT id, id, '2026-12-01', '', CASE WHEN id = 1 THEN 'approved' ELSE 'rejected' END, :at
 FROM assignment;
INSERT INTO audit_log (at, actor_label, action, object_type, object_id, details) VALUES
 (:at, '', 'extension.approved', 'extension_request', '1', '{"note": "lần cuối"}'),
 (:at, '', 'extension.rejected', 'extension_request', '2', '{"note": "chưa đủ căn cứ"}'),
 (:at, '', 'extension.rejected', 'extension_request', '3', '{"note": ""}'),
 (:at, '', 'extension.rejected_reason', 'extension_request', '3', '{"reason": "đã gia hạn"}')
"""
)


def test_upgrade_0018_keeps_the_deciders_words_on_each_request_and_back(
    empty_engine: Engine,
) -> None:
    """A decision's note, or a rejection's reason typed after it, kept in the audit log alone
    before 0018, is on its request after it; the downgrade drops the column (the audit log
    keeps them) and the upgrade fills it again."""
    upgrade_through(empty_engine, "0015", DECIDED_ROWS, RECEIVED)
    with Session(empty_engine) as session:
        words = dict(
            session.exec(select(ExtensionRequest.id, ExtensionRequest.decision_note)).all()
        )
    assert words == {1: "lần cuối", 2: "chưa đủ căn cứ", 3: "đã gia hạn"}
    assert_schema_matches_models(empty_engine)
    downgrade(empty_engine, "0017")
    with empty_engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("extension_request")}
    assert "decision_note" not in columns
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        again = dict(
            session.exec(select(ExtensionRequest.id, ExtensionRequest.decision_note)).all()
        )
    assert again == words
