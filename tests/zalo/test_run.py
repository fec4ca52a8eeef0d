"""`dondoc run` and `serve` with Zalo only: a refused token, a missing one, and a webhook
address Zalo cannot take are said in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.fakezalo import FakeZalo
from tests import processes

ROOT = Path(__file__).resolve().parents[2]


def run_bot(tmp_path: Path, command: str = "run", **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot <command>` in an empty directory with only these settings."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    full = base | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    processes.keep(f"dondoc {command} (Zalo)", full, done.stdout, done.stderr)
    return done


def test_a_refused_zalo_token_stops_the_run_with_one_line(tmp_path: Path) -> None:
    """Zalo answers 401 to getMe: exit 2, a line naming ZALO_BOT_TOKEN, no token shown."""
    with FakeZalo() as server:
        wrong = "2718281828:this-is-not-the-token"
        done = run_bot(tmp_path, ZALO_BOT_TOKEN=wrong, ZALO_BASE_URL=server.url)
    assert done.returncode == 2
    assert "ZALO_BOT_TOKEN" in done.stderr
    assert "this-is-not-the-token" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_without_any_token_the_run_says_how_to_get_one(tmp_path: Path) -> None:
    """Neither BOT_TOKEN nor ZALO_BOT_TOKEN: exit 2, naming both and where to put them."""
    done = run_bot(tmp_path)
    assert done.returncode == 2
    assert "ZALO_BOT_TOKEN" in done.stderr
    assert "BOT_TOKEN" in done.stderr


def test_serve_for_zalo_without_an_https_address_says_so_at_once(tmp_path: Path) -> None:
    """`dondoc serve` for Zalo with PUBLIC_BASE_URL left at http://127.0.0.1:8080: exit 2, a
    line naming PUBLIC_BASE_URL. Zalo takes only an https webhook (setWebhook's url, "URL
    nhận thông báo dạng HTTPS"); the server started, retried setWebhook every 30 s, and no
    official's message was ever read. (ZALO_BASE_URL names no server: nothing is called.)"""
    zalo = {"ZALO_BOT_TOKEN": "2718281828:fake-zalo", "ZALO_BASE_URL": "https://zalo.invalid"}
    for address in ({}, {"PUBLIC_BASE_URL": "http://dondoc.example.vn"}):
        done = run_bot(tmp_path, "serve", **zalo, **address)
        assert done.returncode == 2
        assert "PUBLIC_BASE_URL" in done.stderr
        assert "https://" in done.stderr
        assert "Traceback" not in done.stderr
