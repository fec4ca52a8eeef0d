"""The `dondoc` command as an operator runs it: real processes, the fake Bot API server."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.i18n import load_catalog
from bot import cli
from bot.cli import build_parser
from bot.lock import PG_LOCK_KEY, AlreadyRunning, single_instance
from bot.settings import Settings
from db.engine import make_engine
from db.queries.taskcounts import drift
from db.schema import HEAD
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from devtools.ports import free_port
from tests import processes
from tests.factories import make_contact, make_task, make_unit

# Unique per run: the host keeps a lock per token, and two test runs may share a machine.
TOKEN = f"424242:cli-test-token-{uuid.uuid4().hex[:12]}"
START_TIMEOUT = 90  # a loaded 2-core CI machine can be slow to start a process


def serve(cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `dondoc serve` in `cwd` with `env`, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def started(cwd: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], Path]:
    """Start `dondoc ARGS` in `cwd`, its stdout and stderr to files there, to be read while it
    runs (`line_said`); return the process and its stderr's path (its log)."""
    err = cwd / "stderr.txt"
    with (cwd / "stdout.txt").open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    return process, err


def line_said(process: subprocess.Popen[str], output: Path, said: str) -> str:
    """Wait for the first line of a running process's `output` holding `said`, and return
    it; fail if the process ends first, or after START_TIMEOUT."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        lines = output.read_text(errors="replace").splitlines()
        found = [line for line in lines if said in line]
        if found:
            return found[0]
        if process.poll() is not None:
            tail = "\n".join(lines[-30:])
            pytest.fail(f"ended with status {process.returncode} before {said!r}:\n{tail}")
        time.sleep(0.2)
    pytest.fail(f"no {said!r} within {START_TIMEOUT} s")


def web_env(tmp_path: Path, server: FakeBotApi, **extra: str) -> dict[str, str]:
    """Return `env_for` a `dondoc serve` listening on a free loopback port of its own."""
    web = free_port()
    return env_for(
        tmp_path, server, WEB_PORT=str(web), PUBLIC_BASE_URL=f"http://127.0.0.1:{web}", **extra
    )


def env_for(tmp_path: Path, server: FakeBotApi | None = None, **extra: str) -> dict[str, str]:
    """Return a clean environment for a bot process (no .env: cwd is tmp_path)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    if server is not None:
        env["BOT_TOKEN"] = server.token
        env["TELEGRAM_BASE_URL"] = server.base_url
        env["TELEGRAM_BASE_FILE_URL"] = server.base_file_url
    env.update(extra)
    return env


def dondoc(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` to completion (its input no terminal, whatever runs pytest)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    processes.keep(f"dondoc {' '.join(args)}", env, result.stdout, result.stderr)
    return result


def dondoc_here(
    tmp_path: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run `dondoc ARGS` as `python -m bot` does, in this test's process: `cli.main` on the
    same environment alone, in the same folder, its input no terminal; exit status and
    output as the process gives them.

    For the commands that end without starting a bot (its logging, signals, threads), in
    the cases of a table beside a run of the real process: a process's start costs two
    seconds of CPU, and each of this file's tests runs the entry point at least once.
    """
    out, err = io.StringIO(), io.StringIO()
    umask = os.umask(0o022)  # cli.main sets its own: the test's is given back after
    os.umask(umask)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name in list(os.environ):
                patch.delenv(name)
            for name, value in env.items():
                patch.setenv(name, value)
            if "COLUMNS" not in env:  # argparse's width, as in a process whose output is a pipe
                patch.setenv("COLUMNS", "80")
            patch.chdir(tmp_path)
            patch.setattr(sys, "stdin", io.StringIO(""))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    status = cli.main(list(args))
                except SystemExit as exited:  # argparse: --help, --version, a usage error
                    code = exited.code
                    status = code if isinstance(code, int) else 0 if code is None else 1
    finally:
        os.umask(umask)
    what = f"dondoc {' '.join(args)} (in the test's process)"
    processes.keep(what, env, out.getvalue(), err.getvalue())
    return subprocess.CompletedProcess(["dondoc", *args], status, out.getvalue(), err.getvalue())


def start_bot(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `python -m bot run` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """Run a fake Bot API server for bot processes to reach."""
    with FakeBotApi(TOKEN) as running:
        yield running


def stop(process: subprocess.Popen[str], env: dict[str, str]) -> tuple[int, str]:
    """Stop a bot process politely and return its exit status and stderr (kept for checks)."""
    if process.poll() is None:
        process.terminate()
    out, err = process.communicate(timeout=30)
    processes.keep("dondoc run", env, out, err)
    return process.returncode, err


def test_run_without_token_says_how_to_get_one(tmp_path: Path) -> None:
    """No BOT_TOKEN: one sentence about @BotFather and .env, exit status 2, no traceback."""
    result = dondoc(tmp_path, env_for(tmp_path), "run")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert ".env" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ADMIN_IDS", "12,abc"), ("TIMEZONE", "Asia/Hanoi_City"), ("TELEGRAM_BASE_URL", "::")],
)
def test_run_with_wrong_setting_names_it(tmp_path: Path, variable: str, value: str) -> None:
    """A wrong value stops start-up with one line naming the variable, exit status 2 (the
    first as a process; the settings are read before anything starts)."""
    env = env_for(tmp_path, BOT_TOKEN="1:x")
    env[variable] = value
    result = (dondoc if variable == "ADMIN_IDS" else dondoc_here)(tmp_path, env, "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEND_RATE_PER_S", "0.0001"),
        ("SEND_RATE_PER_S", "0.5"),
        ("ZALO_SEND_RATE_PER_S", "0.0001"),
    ],
)
def test_run_with_a_send_rate_under_one_a_second_is_refused(
    tmp_path: Path, variable: str, value: str
) -> None:
    """A send rate under one message a second (0.0001: one every three hours, a morning's
    reminders sent over weeks) stops start-up with one line naming it and the least rate; it
    was taken."""
    env = env_for(tmp_path, BOT_TOKEN="1:x", ZALO_BOT_TOKEN="12345:abcdefghij")
    env[variable] = value
    result = dondoc_here(tmp_path, env, "run")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert variable in line
    assert "từ 1 đến" in line
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:hunter2@[::1/x",
        "postgresql://u:hunter2@h:ab/x",
        "postgresql+psycopg2://u:hunter2@127.0.0.1/x",
        "postgresql+asyncpg://u:hunter2@127.0.0.1/x",
        "sqlite+aiosqlite:///data/x.sqlite3",
    ],
)
def test_a_database_url_that_cannot_be_read_is_named_without_its_password(
    tmp_path: Path, url: str
) -> None:
    """A DATABASE_URL whose port is no number, or that names a driver dondoc does not
    install (`postgresql+psycopg2://`, as other programs' settings write it), is one line
    naming it, without the password: each passed the settings and ended in a traceback
    when the engine read it."""
    result = dondoc(tmp_path, env_for(tmp_path, BOT_TOKEN="1:x", DATABASE_URL=url), "run")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "DATABASE_URL" in line
    assert "hunter2" not in line


@pytest.mark.parametrize("command", [("admin", "list"), ("scope", "show", "1")])
def test_a_database_password_given_as_a_parameter_is_hidden_too(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A password given as `?password=` (libpq reads it so) is hidden in the line that says
    the database does not answer, as one before the host is: it was printed whole."""
    url = "postgresql://u@127.0.0.1:1/dondoc?password=hunter2&sslmode=disable"
    env = env_for(tmp_path, DATABASE_URL=url, BOT_TOKEN="1:x", LOG_LEVEL="WARNING")
    result = dondoc_here(tmp_path, env, *command)
    assert "hunter2" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "password=***&sslmode=disable" in line


@pytest.mark.parametrize(
    "command",
    [("admin", "list"), ("scope", "show", "1"), ("db", "upgrade"), ("run",), ("serve",)],
)
def test_an_unreachable_database_is_one_line_for_every_command(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`dondoc admin list` on a database that does not answer says so in one line, as `run`
    does: it ended in a hundred lines of traceback. (`run`, `serve` as processes; the commands that
    start no bot in the test's process.) A server that does not answer is exit status 1, a
    failure, not 2, a wrong setting: the units do not restart on 2, so a worker started while
    PostgreSQL restarted or failed over (or not up yet at boot) stayed down until someone
    came. `db upgrade`, `run` and `serve` wait for a port that refuses
    (tests/faults/test_database_late.py): theirs is a host name that names no host, a wrong
    setting, status 2."""
    waits = command in (("db", "upgrade"), ("run",), ("serve",))
    where = "dondoc-db.invalid:5432" if waits else "127.0.0.1:1"
    url = f"postgresql://u:hunter2@{where}/dondoc"
    env = env_for(tmp_path, DATABASE_URL=url, BOT_TOKEN="1:x", LOG_LEVEL="WARNING")
    result = (dondoc if command in (("run",), ("serve",)) else dondoc_here)(
        tmp_path, env, *command
    )
    assert result.returncode == (2 if waits else 1)
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
    [line] = result.stderr.strip().splitlines()  # psycopg's message has two lines of its own
    assert where.partition(":")[0] in line


@pytest.mark.parametrize("command", ["run", "admin"])
@pytest.mark.parametrize("where", ["through-a-file", "not-a-database"])
def test_a_sqlite_file_that_cannot_be_opened_is_one_line(
    tmp_path: Path, command: str, where: str
) -> None:
    """A SQLite path whose folder cannot be made (a file stands in the way) or a file that is
    no database is named in one line, exit status 2: both ended in a traceback. (`run` as a
    process, `admin list` in the test's.)"""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a database\n" * 100)
    path = blocker / "dondoc.sqlite3" if where == "through-a-file" else blocker
    env = env_for(tmp_path, BOT_TOKEN="1:x", DATABASE_URL=f"sqlite:///{path}")
    if command == "admin":
        result = dondoc_here(tmp_path, env, "admin", "list")
    else:
        result = dondoc(tmp_path, env, command)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(blocker) in result.stderr


def test_db_upgrade_and_admin_add(tmp_path: Path) -> None:
    """`db upgrade` migrates a new file; `admin add` refuses a non-number and adds a number."""
    env = env_for(tmp_path)
    assert dondoc(tmp_path, env, "db", "upgrade").returncode == 0
    assert (tmp_path / "cli.sqlite3").exists()
    bad = dondoc_here(tmp_path, env, "admin", "add", "abc")
    assert bad.returncode == 2
    assert "abc" in bad.stderr
    good = dondoc_here(tmp_path, env, "admin", "add", "5555")
    assert good.returncode == 0
    assert "5555" in good.stdout


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",), ("admin", "list")])
def test_a_database_a_newer_dondoc_migrated_is_one_line_and_left_alone(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Going back to an older dondoc without restoring the backup: every command said so
    with Alembic's traceback ("Can't locate revision"); now one line naming both schemas,
    exit status 2 (systemd does not restart it), and the database is left as it was.
    (`run` as a process; the commands that start no bot in the test's process.)"""
    env = env_for(tmp_path, BOT_TOKEN="1:x")
    assert dondoc_here(tmp_path, env, "db", "upgrade").returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    run = dondoc if command == ("run",) else dondoc_here
    result = run(tmp_path, env | {"LOG_LEVEL": "WARNING"}, *command)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "0099" in line
    assert HEAD in line
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert list(stored) == ["0099"]
    engine.dispose()


def test_db_recount_rebuilds_the_task_counts(tmp_path: Path) -> None:
    """`db recount` replaces damaged stored counts with the assignments' own."""
    env = env_for(tmp_path)
    assert dondoc_here(tmp_path, env, "db", "upgrade").returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        make_task(session, "Đếm lại", date(2026, 12, 1), [make_unit(session, "RC1")])
        session.connection().exec_driver_sql("UPDATE task_count SET n = 0, not_done = 7")
        session.commit()
        assert drift(session) != []
    result = dondoc(tmp_path, env, "db", "recount")
    assert result.returncode == 0
    assert "1" in result.stdout
    with Session(engine) as session:
        assert drift(session) == []
    engine.dispose()


def test_admin_list_and_remove(tmp_path: Path) -> None:
    """`admin list` names the admins; `admin remove` demotes one, and says so if not one.
    (The list as a process; the other steps in the test's.)"""
    env = env_for(tmp_path)
    assert dondoc_here(tmp_path, env, "admin", "add", "5555").returncode == 0
    assert dondoc_here(tmp_path, env, "admin", "add", "5556").returncode == 0
    listed = dondoc(tmp_path, env, "admin", "list")
    assert listed.returncode == 0
    assert listed.stdout.startswith("5555")
    removed = dondoc_here(tmp_path, env, "admin", "remove", "5555")
    assert removed.returncode == 0
    assert "5555" in removed.stdout
    assert dondoc_here(tmp_path, env, "admin", "list").stdout.startswith("5556")
    again = dondoc_here(tmp_path, env, "admin", "remove", "5555")
    assert again.returncode == 1
    assert "không phải quản trị viên" in again.stderr


def test_admin_remove_refuses_the_last_admin(tmp_path: Path) -> None:
    """Removing the only admin would leave the province none: refused, they stay admin."""
    env = env_for(tmp_path, DEFAULT_LANGUAGE="en")
    assert "There is no admin yet" in dondoc_here(tmp_path, env, "admin", "list").stdout
    assert dondoc_here(tmp_path, env, "admin", "add", "5555").returncode == 0
    refused = dondoc(tmp_path, env, "admin", "remove", "5555")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Telegram user 5555 is the last admin; removing them would leave none. "
        "Add another admin first (dondoc admin add <id>). Nothing changed."
    )
    assert dondoc_here(tmp_path, env, "admin", "list").stdout.startswith("5555")


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    """`dondoc --version` prints the version of pyproject.toml."""
    result = dondoc(tmp_path, env_for(tmp_path), "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "dondoc 0.1.0"


def test_output_its_reader_stops_reading_ends_the_command_without_a_traceback(
    tmp_path: Path,
) -> None:
    """`dondoc --help | head -1`: the pipe closed before the command has printed all is no
    traceback on the terminal; the command ends, its status 1 (cut short)."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first line is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "--help"],
            cwd=tmp_path,
            env=env_for(tmp_path),
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 1


def test_help_lists_the_commands(tmp_path: Path) -> None:
    """`dondoc --help` names every subcommand."""
    result = dondoc(tmp_path, env_for(tmp_path), "--help")
    assert result.returncode == 0
    for word in ("run", "db", "admin"):
        assert word in result.stdout


def test_a_command_line_imports_the_command_it_names_and_no_other() -> None:
    """`dondoc admin list` reads no bot, web server or Telegram library: each command's module
    is imported when it is the one named (an admin's command, `--version`, started quickly)."""
    probe = (
        "import sys; from bot.cli import build_parser; build_parser(['admin', 'list']); "
        "print(' '.join(m for m in ('bot.commands.admin', 'bot.commands.run', "
        "'bot.commands.serve', 'bot.app', 'telegram', 'starlette') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.split() == ["bot.commands.admin"]


@pytest.mark.parametrize("verb", list(cli.SUBCOMMANDS))
def test_a_command_is_parsed_as_with_every_command_registered(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The parser built for one command lists every command as the whole one does, and reads
    that command's options and help the same."""
    alone, whole = build_parser([verb]), build_parser()
    assert alone.format_help() == whole.format_help()
    helps = []
    for parser in (alone, whole):
        with pytest.raises(SystemExit):
            parser.parse_args([verb, "--help"])
        helps.append(capsys.readouterr().out)
    assert helps[0] == helps[1]
    assert helps[0].count(f"dondoc {verb}") >= 1


# Each command with the catalog key (cli_help.<key>) of what its `--help` opens with.
HELPS = [
    ((), "dondoc"),
    *(((verb,), verb) for verb in ("run", "serve", "demo", "db", "outbox", "admin", "scope")),
    *(((verb,), verb) for verb in ("units", "invites", "tasks", "export")),
    (("report",), "report_about"),
    (("db", "upgrade"), "db_upgrade"),
    (("db", "recount"), "db_recount"),
    (("outbox", "purge"), "outbox_purge"),
    (("admin", "add"), "admin_add"),
    (("admin", "list"), "admin_list"),
    (("admin", "remove"), "admin_remove"),
    (("admin", "invite"), "admin_invite"),
    (("scope", "show"), "scope_show"),
    (("scope", "set"), "scope_set"),
    (("contacts",), "contacts"),
    (("contacts", "merge"), "contacts_merge"),
    (("units", "import"), "units_import"),
    (("units", "merge"), "units_merge"),
    (("invites", "export"), "invites_export"),
    (("tasks", "import"), "tasks_import"),
]


@pytest.mark.parametrize(
    ("language", "sample"),
    [("", "quản lý quản trị viên"), ("en", "manage administrators")],
)
def test_help_speaks_the_default_language_and_says_what_each_command_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    sample: str,
) -> None:
    """`dondoc --help` and `dondoc <command> --help` were English literals, and several
    commands said nothing of what they do: now every one opens with a line from the
    catalog, in Vietnamese unless DEFAULT_LANGUAGE=en (argparse's own words too:
    test_cli_language.py). The entry point is run once as a process; each command's help in
    this process."""
    env = env_for(tmp_path)
    if language:
        env["DEFAULT_LANGUAGE"] = language
        monkeypatch.setenv("DEFAULT_LANGUAGE", language)
    else:
        monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    other = "vi" if language == "en" else "en"
    catalog = load_catalog()
    assert sample in " ".join(dondoc(tmp_path, env, "--help").stdout.split())
    for words, key in HELPS:
        with pytest.raises(SystemExit) as exited:
            cli.main([*words, "--help"])
        assert exited.value.code == 0
        shown = " ".join(capsys.readouterr().out.split())
        before_options = shown.split(catalog.plain(language or "vi", "cli_help.argparse_options"))[
            0
        ]
        assert catalog.plain(language or "vi", f"cli_help.{key}") in before_options, words
        assert catalog.plain(other, f"cli_help.{key}") not in shown, words
    with pytest.raises(SystemExit) as refused:
        cli.main(["outbox", "purge", "--days", "3"])
    assert refused.value.code == 2
    expected = "cần số ngày từ 30 đến 36500" if not language else "expected a number of days"
    assert expected in capsys.readouterr().err


def test_run_serves_users_and_refuses_a_second_process(tmp_path: Path, server: FakeBotApi) -> None:
    """The bot answers /start; a second process on the same database exits 1 before polling."""
    env = env_for(tmp_path, server)
    first = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        server.add_user(7001, "An")
        server.send_command(7001, "start")
        server.wait_for_sync(lambda: server.messages(7001) or None, START_TIMEOUT, "a reply")
        polls_before = len(server.calls("getUpdates"))
        second = dondoc(tmp_path, env, "run")
        assert second.returncode == 1
        assert "Traceback" not in second.stderr
        assert "Một tiến trình dondoc khác đang chạy trên máy này với cùng BOT_TOKEN" in (
            second.stderr
        )
        assert "(token)" not in second.stderr
        assert all(c.status != 409 for c in server.calls("getUpdates")[polls_before:])
        assert first.poll() is None
    finally:
        _code, err = stop(first, env)
    assert TOKEN.split(":")[1] not in err  # the token never reaches the logs


def test_run_stops_when_telegram_reports_another_poller(
    tmp_path: Path, server: FakeBotApi
) -> None:
    """A 409 Conflict (someone else polls this token) stops the bot with exit status 1."""
    env = env_for(tmp_path, server)
    process = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        httpx.post(f"{server.base_url}{server.token}/getUpdates", data={"timeout": "0"})
        process.wait(timeout=START_TIMEOUT)
    finally:
        code, err = stop(process, env)
    assert code == 1
    assert "409" in err


def test_scope_set_and_show_a_coordinators_groups(tmp_path: Path) -> None:
    """`scope set` limits a coordinator to a group, `scope show` tells it; unknown ones exit 1."""
    from sqlmodel import Session

    from db.engine import make_engine
    from db.migrate import upgrade
    from tests.factories import make_contact, make_unit

    env = env_for(tmp_path)
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as s:
        make_unit(s, "XA", "Xã A", groups=["Xã thí điểm"])
        make_contact(s, 4801, role="coordinator", name="Lan")
    engine.dispose()
    done = dondoc(tmp_path, env, "scope", "set", "Lan", "xa thi diem")
    assert done.returncode == 0, done.stderr
    assert "Xã thí điểm" in done.stdout
    shown = dondoc_here(tmp_path, env, "scope", "show", "4801")
    assert "Xã thí điểm" in shown.stdout
    unknown = dondoc_here(tmp_path, env, "scope", "set", "Lan", "Vùng biển")
    assert unknown.returncode == 1
    assert "Vùng biển" in unknown.stderr
    assert "Các nhóm hiện có: Xã thí điểm" in unknown.stderr  # what could be typed instead


def test_contacts_merge_makes_two_people_one_or_changes_nothing(tmp_path: Path) -> None:
    """`contacts merge` joins Lan of Zalo into Lan of Telegram; two Telegram people, or the
    same person twice, are refused with exit 1."""
    from sqlmodel import Session, select

    from db.engine import make_engine
    from db.migrate import upgrade
    from db.models import Contact
    from tests.factories import make_contact, make_unit

    env = env_for(tmp_path)
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as s:
        make_contact(s, 4901, units=[make_unit(s, "XA", "Xã A")], name="Lan")
        make_contact(s, 0, units=[make_unit(s, "XB", "Xã B")], role="coordinator",
                     channel="text", external_id="b4901", name="Lan Z")  # fmt: skip
        make_contact(s, 4902, name="Minh")
    twice = dondoc_here(tmp_path, env, "contacts", "merge", "4901", "4902", "--yes")
    assert twice.returncode == 1
    assert "cùng có tài khoản Telegram" in twice.stderr
    done = dondoc(tmp_path, env, "contacts", "merge", "4901", "b4901", "--yes")
    assert done.returncode == 0, done.stderr
    assert "Đơn vị: Xã A, Xã B" in done.stdout
    assert "điều phối (vai trò cao hơn" in done.stdout
    same = dondoc_here(tmp_path, env, "contacts", "merge", "4901", "b4901", "--yes")
    assert same.returncode == 1
    with Session(engine) as s:
        assert sorted(c.display_name for c in s.exec(select(Contact))) == ["Lan", "Minh"]
    engine.dispose()


def test_contacts_merge_that_raises_a_role_is_audited_and_told_to_the_admins(
    tmp_path: Path, server: FakeBotApi
) -> None:
    """`contacts merge` joining Lan (member) and Lan Z (coordinator) raises Lan's role: it is
    audited as `/link`'s merge is, and the admin is told on Telegram once the bot runs."""
    from sqlmodel import select

    from db.migrate import upgrade
    from db.models import AuditLog

    env = env_for(tmp_path, server)
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as s:
        make_contact(s, 4990, role="admin", name="Quản trị")
        make_contact(s, 4901, units=[make_unit(s, "XA", "Xã A")], name="Lan")
        make_contact(s, 0, units=[make_unit(s, "XB", "Xã B")], role="coordinator",
                     channel="text", external_id="b4901", name="Lan Z")  # fmt: skip
        s.commit()
    done = dondoc_here(tmp_path, env, "contacts", "merge", "4901", "b4901", "--yes")
    assert done.returncode == 0, done.stderr
    with Session(engine) as s:
        [raised] = s.exec(
            select(AuditLog).where(AuditLog.action == "contact.role_raised_by_merge")
        ).all()
    engine.dispose()
    assert raised.actor_label == "cli"
    assert (raised.details["role_before"], raised.details["role"]) == ("member", "coordinator")
    server.add_user(4990, "Quản trị").started = True  # they wrote to the bot before
    bot = start_bot(tmp_path, env)
    try:
        [notice] = server.wait_for_sync(
            lambda: (
                [m for m in server.messages(4990) if "contacts merge" in (m.text or "")] or None
            ),
            START_TIMEOUT,
            "the admins told",
        )
    finally:
        stop(bot, env)
    assert "Lan Z" in (notice.text or "")
    assert "điều phối" in (notice.text or "")


def dondoc_on_a_terminal(
    tmp_path: Path, env: dict[str, str], answer: str, *args: str
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` with a terminal (a pseudo-terminal) as its input, typing
    `answer` there; return its exit status, output and errors."""
    terminal, its_end = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            stdin=its_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(its_end)
        os.write(terminal, f"{answer}\n".encode())
        out, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
    processes.keep(f"dondoc {' '.join(args)} <<< {answer}", env, out, err)
    return process.returncode, out, err


def test_contacts_merge_shows_what_it_would_do_and_asks_on_a_terminal(tmp_path: Path) -> None:
    """`contacts merge` merged at once, whoever typed a wrong name: it now prints both
    people (channels, units, scope) and the joined role and scope, then asks on a terminal;
    without one and without --yes it refuses (exit 2), and "n" changes nothing."""
    from sqlmodel import Session, select

    from db.migrate import upgrade
    from db.models import Contact
    from db.queries.scope import set_scope

    env = env_for(tmp_path)
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as s:
        make_contact(s, 4901, units=[make_unit(s, "XA", "Xã A", groups=["Ven biển"])],
                     name="Lan", role="coordinator")  # fmt: skip
        lan_z = make_contact(s, 0, units=[make_unit(s, "XB", "Xã B", groups=["Miền núi"])],
                             role="coordinator", channel="text", external_id="b4901",
                             name="Lan Z")  # fmt: skip
        set_scope(s, contact_id=lan_z.id or 0, group_ids=[2])
        s.commit()

    def people() -> int:
        with Session(engine) as s:
            return len(s.exec(select(Contact)).all())

    words = ("contacts", "merge", "4901", "b4901")
    scripted = dondoc_here(tmp_path, env, *words)
    assert scripted.returncode == 2
    assert "--yes" in scripted.stderr
    plan = " ".join(scripted.stdout.split())
    assert (
        "Giữ lại: Lan (điều phối; kênh: Telegram (mã 4901); đơn vị: Xã A; phạm vi: toàn tỉnh)"
        in plan
    )
    assert (
        "Gộp vào (rồi xóa): Lan Z (điều phối; kênh: kênh văn bản (mã b4901); đơn vị: Xã B;" in plan
    )
    assert "phạm vi: các nhóm Miền núi)" in plan
    assert "Sau khi gộp: Lan, vai trò điều phối, phạm vi toàn tỉnh; đơn vị: Xã A, Xã B" in plan
    assert people() == 2

    status, out, err = dondoc_on_a_terminal(tmp_path, env, "n", *words)
    assert (status, people()) == (1, 2)
    assert "Sau khi gộp: Lan" in out
    assert "Gõ y (có) để gộp" in out
    assert "không có gì thay đổi" in err

    status, out, err = dondoc_on_a_terminal(tmp_path, env, "y", *words)
    assert (status, people()) == (0, 1), err
    assert "Đơn vị: Xã A, Xã B" in out  # what was joined, as before
    engine.dispose()


def test_units_merge_shows_asks_then_moves_the_work_or_refuses(tmp_path: Path) -> None:
    """`units merge XA-AH XA-BM --into XA-HB` prints what moves and asks on a terminal
    (without one and --yes: exit 2; "n": nothing); "y" moves the open task and contacts and
    deactivates the old units; a unit into itself, or one merged already, is refused (exit 1),
    the latter naming the unit it became."""
    from sqlmodel import select

    from db.migrate import upgrade
    from db.models import Assignment, AuditLog, Unit

    env = env_for(tmp_path)
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as s:
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_contact(s, 4701, units=[an_hoa], name="Lan")
        task = make_task(s, "Kế hoạch chuyển đổi số", date(2026, 12, 18), [an_hoa, binh_minh])
        task_id, new_id = task.id, hoa_binh.id

    def active() -> list[str]:
        with Session(engine) as s:
            return sorted(u.code for u in s.exec(select(Unit)) if u.active)

    words = ("units", "merge", "XA-AH", "XA-BM", "--into", "XA-HB")
    scripted = dondoc_here(tmp_path, env, *words)
    assert scripted.returncode == 2
    assert "--yes" in scripted.stderr
    assert "Gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in (
        scripted.stdout
    )
    status, out, err = dondoc_on_a_terminal(tmp_path, env, "n", *words)
    assert (status, active()) == (1, ["XA-AH", "XA-BM", "XA-HB"])
    assert "Gộp các đơn vị này?" in out
    status, out, err = dondoc_on_a_terminal(tmp_path, env, "y", *words)
    assert (status, active()) == (0, ["XA-HB"]), err
    assert "Đã gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in out
    with Session(engine) as s:
        live = s.exec(select(Assignment).where(Assignment.task_id == task_id)).all()
        assert [a.unit_id for a in live if a.active] == [new_id]
        [merged] = s.exec(select(AuditLog).where(AuditLog.action == "unit.merged")).all()
        assert merged.actor_label == "cli"
    itself = dondoc_here(tmp_path, env, "units", "merge", "XA-HB", "--into", "XA-HB", "--yes")
    assert itself.returncode == 1
    assert "không thể gộp vào chính nó" in itself.stderr
    gone = dondoc_here(tmp_path, env, "units", "merge", "XA-AH", "--into", "XA-HB", "--yes")
    assert gone.returncode == 1
    assert "Xã An Hòa (XA-AH) đã được gộp vào Xã Hòa Bình (XA-HB)" in gone.stderr
    engine.dispose()


def test_second_instance_on_the_same_database_names_the_database(
    tmp_path: Path, settings: Settings, engine: Engine
) -> None:
    """Another token on the same SQLite file is refused with the database, not a bare word."""
    other = settings.model_copy(update={"bot_token": SecretStr("777:another-token")})
    with (
        single_instance(settings, engine),
        pytest.raises(AlreadyRunning) as refused,
        single_instance(other, engine),
    ):
        pass
    assert refused.value.kind == "database"
    assert refused.value.where.endswith("dondoc.sqlite3")


def test_run_with_a_rejected_token_says_so_in_one_line(tmp_path: Path, server: FakeBotApi) -> None:
    """A token Telegram rejects: exit status 2, one line saying so, the token nowhere."""
    rejected = "987654321:AAHrejected-by-the-fake-server-0123456789"
    env = env_for(tmp_path, server, BOT_TOKEN=rejected)
    result = dondoc(tmp_path, env, "run")
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert rejected.partition(":")[2] not in output
    assert "Traceback" not in output
    *logged, last = result.stderr.strip().splitlines()
    assert "@BotFather" in last
    assert all(" INFO " in line for line in logged)  # start-up (migrations), nothing else
    quiet = dondoc(tmp_path, env | {"LOG_LEVEL": "WARNING"}, "run")
    assert quiet.returncode == 2
    assert quiet.stderr.strip().splitlines() == [last]


def test_an_address_that_is_no_bot_api_is_logged_in_one_line_without_a_traceback(
    tmp_path: Path, server: FakeBotApi
) -> None:
    """TELEGRAM_BASE_URL naming a server that answers no JSON (here a path the fake server has
    no route for): its answer is one line, cut short, then the command's own line. It was
    python-telegram-bot's line with the whole page, and a traceback of `json`'s."""
    base = server.base_url.replace("/bot", "/no-such-api/bot")
    env = env_for(tmp_path, server, TELEGRAM_BASE_URL=base, LOG_LEVEL="WARNING")
    result = dondoc(tmp_path, env, "run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [answer, last] = result.stderr.strip().splitlines()
    assert "answered something that is no JSON: 404: Not Found" in answer
    assert "@BotFather" in last


def test_telegram_unreachable_while_polling_is_one_line_then_one_when_it_answers(
    tmp_path: Path, server: FakeBotApi
) -> None:
    """Telegram out of reach for a while once the bot polls (blocked, the network down):
    each of python-telegram-bot's tries of getUpdates was logged as an ERROR "while
    handling an update" with a 60-line traceback, every few seconds up to every 30 s, and
    an operator's `journalctl -p warning` drowned in them. Now one line when it starts
    failing and one when Telegram answers again, and the bot answers as before."""
    env = env_for(tmp_path, server)
    process = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        polls = len(server.calls("getUpdates"))
        server.add_fault(FaultRule(Fault.drop(), methods=["getUpdates"], times=3))
        server.wait_for_sync(
            lambda: len(server.calls("getUpdates")) > polls + 3 or None,
            START_TIMEOUT,
            "three failed polls, then one answered",
        )
        server.add_user(7001, "An")
        server.send_command(7001, "start")
        server.wait_for_sync(lambda: server.messages(7001) or None, START_TIMEOUT, "a reply")
    finally:
        code, err = stop(process, env)
    assert code == 0
    assert "Traceback" not in err
    failed = [line for line in err.splitlines() if "does not answer getUpdates" in line]
    assert len(failed) == 1
    assert " WARNING " in failed[0]
    assert "Server disconnected" in failed[0]
    assert len([line for line in err.splitlines() if "answers getUpdates again" in line]) == 1
    assert not [line for line in err.splitlines() if " ERROR " in line]


@pytest.mark.parametrize("command", ["run", "serve"])
def test_telegram_unreachable_at_start_is_one_line_without_a_traceback(
    tmp_path: Path, command: str
) -> None:
    """Telegram out of reach at start (blocked, no network): one line naming its address,
    exit status 1. `run` printed python-telegram-bot's 100-line traceback before the line;
    `serve` printed uvicorn's and ended with status 3, saying nothing of Telegram."""
    env = env_for(
        tmp_path, BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:1/bot", WEB_PORT="1"
    )
    result = dondoc(tmp_path, env | {"LOG_LEVEL": "WARNING"}, command)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "Không kết nối được tới Telegram (http://127.0.0.1:1/bot)" in last


def test_serve_with_a_rejected_token_says_so_in_one_line(
    tmp_path: Path, server: FakeBotApi
) -> None:
    """`dondoc serve` with a token Telegram rejects ends as `run` does: exit status 2 and
    the line about @BotFather, where it ended with uvicorn's traceback and status 3."""
    rejected = "987654321:AAHrejected-by-the-fake-server-0123456789"
    env = env_for(tmp_path, server, BOT_TOKEN=rejected, WEB_PORT="1", LOG_LEVEL="WARNING")
    result = dondoc(tmp_path, env, "serve")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert rejected.partition(":")[2] not in result.stdout + result.stderr
    assert "@BotFather" in result.stderr.strip().splitlines()[-1]


def test_run_creates_files_and_folders_only_its_user_can_read(tmp_path: Path) -> None:
    """The database, its WAL files, lock and evidence are 0600 and the folders 0700."""
    with FakeBotApi(f"424244:umask-test-token-{uuid.uuid4().hex}") as server:
        created = files_of_a_run(tmp_path, server)
    assert {"dondoc.sqlite3", "dondoc.sqlite3-wal", "evidence"} <= set(created)
    assert any(name.endswith(".pdf") for name in created)
    expected = {name: 0o700 if (tmp_path / "var" / name).is_dir() else 0o600 for name in created}
    assert created == expected, "files 0600, folders 0700"
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def files_of_a_run(tmp_path: Path, server: FakeBotApi) -> dict[str, int]:
    """Migrate, run the bot, have a member send evidence; return the modes under var/."""
    home = tmp_path / "var"
    env = env_for(tmp_path, server, DATABASE_URL=f"sqlite:///{home / 'dondoc.sqlite3'}")
    assert dondoc(tmp_path, env, "db", "upgrade").returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    with Session(engine, expire_on_commit=False) as session:
        unit = make_unit(session, "X01")
        make_contact(session, 7101, units=[unit])
        task = make_task(session, "Báo cáo", date(2026, 12, 15), [unit])
    engine.dispose()
    server.add_user(7101, "Bình")
    bot = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        server.send_document(7101, b"%PDF-1.4 bien ban", "bien-ban.pdf", caption=f"#{task.id}")
        server.wait_for_sync(
            lambda: [m for m in server.messages(7101) if "bien-ban.pdf" in (m.text or "")] or None,
            START_TIMEOUT,
            "the evidence kept",
        )
        return {
            p.relative_to(home).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*")
        }
    finally:
        stop(bot, env)


def test_report_help_says_what_the_command_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dondoc report --help` opens with a line that says what the report is, as argparse shows."""
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--help"])
    assert "Write the formal report" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_an_evidence_folder_that_cannot_be_written_is_one_line_at_start(
    tmp_path: Path, command: str, where: str
) -> None:
    """EVIDENCE_DIR where a file stands (or under one): one line naming the folder, exit
    status 2, before Telegram is called. The bot started, and refused every document and
    photo people sent, the operator told only by a log line at each."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    folder = blocker if where == "a-file" else blocker / "evidence"
    env = env_for(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL="http://127.0.0.1:1/bot",
        WEB_PORT="1",
        EVIDENCE_DIR=str(folder),
        LOG_LEVEL="WARNING",
    )
    result = dondoc(tmp_path, env, command)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"thư mục minh chứng {folder}" in line
    assert "EVIDENCE_DIR" in line


def test_a_missing_evidence_folder_is_made_at_start(tmp_path: Path) -> None:
    """An EVIDENCE_DIR that does not exist yet is made (0700), as the SQLite file's folder is."""
    folder = tmp_path / "var" / "evidence"
    env = env_for(
        tmp_path, BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:1/bot", LOG_LEVEL="WARNING"
    )
    result = dondoc(tmp_path, env | {"EVIDENCE_DIR": str(folder)}, "run")
    assert result.returncode == 1  # Telegram out of reach, after the folder was made
    assert folder.is_dir()
    assert list(folder.iterdir()) == []
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_postgresql_database_that_cannot_be_written_is_one_line(
    tmp_path: Path, server: FakeBotApi, pg_url: str, command: str
) -> None:
    """DATABASE_URL naming a database that can be read but not written (a standby, or
    `default_transaction_read_only` set for maintenance): one line saying so, status 2.
    `serve` started, then ended in a traceback at its first write (uvicorn's "startup
    failed", status 1, started again by systemd, and the same again); `run` said that the
    database could not be reached."""
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    env = env_for(tmp_path, server, DATABASE_URL=pg_url, WEB_PORT="1", LOG_LEVEL="WARNING")
    result = dondoc(tmp_path, env, command)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "không ghi được: cannot execute UPDATE in a read-only transaction" in line


def test_run_on_postgresql_whose_connections_were_cut_stops_cleanly(
    tmp_path: Path, server: FakeBotApi, pg_url: str
) -> None:
    """PostgreSQL cut every connection (a restart, a failover) and came back: the bot goes on
    answering, and SIGTERM then ends it with status 0. It ended with status 1 and a
    PendingRollbackError traceback, from closing the single-instance lock's connection."""
    env = env_for(tmp_path, server, DATABASE_URL=pg_url)
    server.add_user(7201, "An")
    bot = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
        server.send_command(7201, "start")
        server.wait_for_sync(lambda: server.messages(7201) or None, START_TIMEOUT, "an answer")
    finally:
        status, err = stop(bot, env)
    assert "Traceback" not in err
    assert status == 0


CUT_OTHERS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def cut_connections(pg_url: str) -> None:
    """Have PostgreSQL end every other connection to the database (as a restart does)."""
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(CUT_OTHERS)
    admin.dispose()


def lock_holders(pg_url: str) -> int:
    """Return how many sessions hold the one-process lock (bot.lock.PG_LOCK_KEY)."""
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database()) AND classid = :high AND objid = :low"
                ),
                {"high": PG_LOCK_KEY >> 32, "low": PG_LOCK_KEY & 0xFFFFFFFF},
            ).scalar()
    finally:
        engine.dispose()
    return int(held or 0)


def test_run_on_postgresql_takes_its_lock_again_after_the_connections_were_cut(
    tmp_path: Path, server: FakeBotApi, pg_url: str
) -> None:
    """The one-process lock lives with its connection: PostgreSQL cutting them all freed it,
    and nothing took it again, so a second `dondoc run` on the database could start. Now
    the bot takes it again and the second is refused."""
    env = env_for(tmp_path, server, DATABASE_URL=pg_url)
    bot = start_bot(tmp_path, env)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        assert lock_holders(pg_url) == 1
        cut_connections(pg_url)
        server.wait_for_sync(lambda: lock_holders(pg_url) or None, START_TIMEOUT, "the lock")
        other = env | {"BOT_TOKEN": "777:another-token"}
        second = dondoc(tmp_path, other, "run")
        assert second.returncode == 1, second.stderr
        assert "PostgreSQL" in second.stderr
        assert bot.poll() is None
    finally:
        status, err = stop(bot, env)
    assert status == 0, err
    assert "taken again" in err
    assert "Traceback" not in err


def test_run_on_postgresql_whose_lock_another_took_stops_saying_so(
    tmp_path: Path, server: FakeBotApi, pg_url: str
) -> None:
    """Its lock's connection cut, another process took the lock first: the bot says so in
    a line and stops cleanly (it went on beside the other one)."""
    env = env_for(tmp_path, server, DATABASE_URL=pg_url)
    bot = start_bot(tmp_path, env)
    other = make_engine(pg_url)
    try:
        server.wait_for_sync(lambda: server.calls("getUpdates") or None, START_TIMEOUT, "polling")
        with other.connect() as connection:  # another process, as it starts
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            take = text("SELECT pg_try_advisory_lock(:k)")
            for _ in range(20):  # the bot looks every 2 s: it may take its lock again first
                connection.execute(CUT_OTHERS)  # every connection but this one
                time.sleep(0.05)  # the cut ones end (and free the lock) as they can
                if connection.execute(take, {"k": PG_LOCK_KEY}).scalar():
                    break
            else:
                pytest.fail("the bot took its lock again first, 20 times")
            _out, err = bot.communicate(timeout=START_TIMEOUT)
    finally:
        stop(bot, env)
        other.dispose()
    assert bot.returncode == 0, err
    assert "another dondoc process on this database took it meanwhile" in err
    assert "Traceback" not in err
