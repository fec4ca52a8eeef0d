"""`dondoc --env-file FILE`: a command on a server reads the settings the units read.

Under systemd the settings are /etc/dondoc/env, which only the units load: an operator who
ran `/opt/dondoc/bin/dondoc admin invite` got a code written into a new, empty SQLite file
in their current folder, which the bot never reads, and nothing said so.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def server_env(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's settings file, as README's template writes it (words with spaces in
    them too), naming the bot's database; the environment names none."""
    monkeypatch.delenv("DATABASE_URL")
    bot_home = workdir / "var-lib-dondoc"
    bot_home.mkdir()
    env = workdir / "etc-dondoc-env"
    env.write_text(
        f"DATABASE_URL=sqlite:///{bot_home / 'dondoc.sqlite3'}\n"
        "ORG_PARENT=UBND tỉnh Quảng Nam\n"
        "DEFAULT_LANGUAGE=vi\n",
        encoding="utf-8",
    )
    return env


def test_a_command_with_env_file_works_on_the_bots_database(
    workdir: Path, server_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--env-file FILE` before the command: its settings, not ./.env's defaults."""
    assert main(["--env-file", str(server_env), "admin", "add", "777"]) == 0
    capsys.readouterr()
    assert main([f"--env-file={server_env}", "admin", "list"]) == 0
    assert capsys.readouterr().out.startswith("777 ")
    assert (workdir / "var-lib-dondoc" / "dondoc.sqlite3").is_file()
    assert not (workdir / "data").exists()  # no stray database where the command ran


def test_an_env_file_that_is_not_there_is_one_line_and_touches_nothing(
    workdir: Path, server_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped path stops the command (exit 2) before any database is opened or made."""
    missing = workdir / "etc-dondoc-evn"
    assert main(["--env-file", str(missing), "admin", "invite"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(missing) in line
    assert sorted(p.name for p in workdir.iterdir()) == [server_env.name, "var-lib-dondoc"]


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258"])
def test_an_env_file_not_saved_as_utf8_is_one_line_and_touches_nothing(
    workdir: Path, server_env: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    """A settings file saved as Notepad's "Unicode" (UTF-16) or in a Vietnamese code page
    stops the command (exit 2) with one line naming it and how to save it: it ended in a
    traceback of python-dotenv's."""
    text = server_env.read_text(encoding="utf-8")  # cp1258 writes a tone as its own mark
    server_env.write_bytes(unicodedata.normalize("NFD", text).encode(encoding))
    assert main(["--env-file", str(server_env), "admin", "list"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(server_env) in line
    assert "UTF-8" in line
    assert sorted(p.name for p in workdir.iterdir()) == [server_env.name, "var-lib-dondoc"]


@pytest.mark.parametrize("command", ["run", "serve"])
def test_without_a_token_the_file_to_put_it_in_is_the_one_named(
    server_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """No token: the line says to put it in the file the command read, not in ".env"."""
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    assert main(["--env-file", str(server_env), command]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"BOT_TOKEN=<token> vào tệp {server_env}." in line
