"""`dondoc demo` and `./scripts/run` without a token: the demo, never in production."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import httpx

from tests.demo.conftest import DONDOC, Running, demo_env, start, stop


def run(folder: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `dondoc <args>` to its end, without tokens, in `folder`."""
    return subprocess.run(
        [DONDOC, *args],
        cwd=folder,
        env=demo_env(folder, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_token_run_starts_the_demo_and_says_where(demo: Running) -> None:
    """The first line is the address of the demo page, the second how to go live."""
    assert (
        demo.lines[0] == f"The demo is running: open {demo.url} in your browser (Ctrl+C to stop)."
    )
    assert "BOT_TOKEN" in demo.lines[1]
    assert "ZALO_BOT_TOKEN" in demo.lines[1]
    assert ".env.example" in demo.lines[1]
    page = httpx.get(demo.url + "?lang=en", timeout=10)
    assert page.status_code == 200
    assert "Guided tour" in page.text
    assert httpx.get(demo.url.replace("/demo", "/healthz"), timeout=10).status_code == 200
    # Its styles and script are named by version and kept, as the dashboard's /static.
    named = re.findall(r'(?:href|src)="(/demo/static/[^"]+\?v=\w+)"', page.text)
    assert len(named) == 2
    root = demo.url.removesuffix("/demo")
    cached = {httpx.get(root + url, timeout=10).headers["cache-control"] for url in named}
    assert cached == {"public, max-age=31536000, immutable"}


def test_the_simulator_acts_only_for_its_own_page(demo: Running) -> None:
    """Another site's form post, a foreign Origin or an official's dashboard are refused."""
    say = demo.url + "/api/say"
    form = httpx.post(say, data={"persona": "official_zalo", "text": "xong"}, timeout=10)
    assert form.status_code == 415
    foreign = httpx.post(
        say,
        json={"persona": "official_zalo", "text": "xong"},
        headers={"origin": "http://evil.example"},
        timeout=10,
    )
    assert foreign.status_code == 403
    assert foreign.json()["ok"] is False
    nobody = httpx.post(say, json={"persona": "mayor", "text": "xong"}, timeout=10)
    assert nobody.status_code == 400
    official = httpx.get(demo.url + "/as/official_tg", timeout=10, follow_redirects=False)
    assert official.status_code == 404
    own = httpx.post(
        say,
        json={"persona": "admin", "text": "/help"},
        headers={"origin": demo.url.removesuffix("/demo")},
        timeout=10,
    )
    assert own.json() == {"ok": True}


def test_in_production_without_a_token_run_stops_with_one_sentence(tmp_path: Path) -> None:
    """ENV=production: no demo, exit status 2 and the missing token's sentence."""
    done = run(tmp_path, "run", "--demo-if-no-token", ENV="production", DEFAULT_LANGUAGE="en")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("Neither BOT_TOKEN nor ZALO_BOT_TOKEN is set")


def test_the_demo_refuses_production(tmp_path: Path) -> None:
    """`dondoc demo` with ENV=production: exit status 2, one sentence, nothing created."""
    done = run(tmp_path, "demo", ENV="production", DEFAULT_LANGUAGE="en")
    assert done.returncode == 2
    assert done.stderr == (
        "The demo does not run with ENV=production: set BOT_TOKEN or ZALO_BOT_TOKEN "
        "(see .env.example).\n"
    )
    assert not (tmp_path / "demo.sqlite3").exists()


# What a visitor is told to do when the port is taken: what works in a fresh checkout after
# ./scripts/run, where no `dondoc` is on the PATH (it is .venv/bin/dondoc).
OTHER_PORT = "WEB_PORT=8090 ./scripts/run (or .venv/bin/dondoc demo --port 8090)"


def test_a_taken_port_is_answered_with_a_command_that_works_from_the_checkout(
    tmp_path: Path,
) -> None:
    """./scripts/run on a port something else listens on: one sentence naming commands a
    newcomer can type where they are (the demo fixture starts on WEB_PORT as suggested)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(
            tmp_path, "run", "--demo-if-no-token", WEB_PORT=str(port), DEFAULT_LANGUAGE="en"
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"Port {port} on 127.0.0.1 is in use: choose another, e.g. {OTHER_PORT}.\n"
    )


def day_of(running: Running) -> str:
    """Return the demo clock's date (dd/mm/yyyy), as the simulator shows it."""
    clock: str = httpx.get(running.url + "/api/chats", timeout=10).json()["clock"]
    return clock.split()[1]


def test_the_clock_is_kept_between_runs_and_fresh_starts_over(tmp_path: Path) -> None:
    """The demo's clock and data stay from one run to the next; `--fresh` builds them again.

    `--fresh` while the demo runs (on its port) stops with one sentence: it is running.
    """
    first = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        start_day = day_of(first)
        moved = httpx.post(first.url + "/api/morning", json={}, timeout=30).json()["clock"]
        assert moved.split()[1] != start_day
        port = first.url.split(":")[2].split("/")[0]
        busy = run(tmp_path, "demo", "--fresh", "--port", port, DEFAULT_LANGUAGE="en")
        assert busy.returncode == 1
        assert busy.stderr == (  # not "choose another port": that would not help
            "The demo is already running on this machine (same data folder): use that one, "
            "or stop it first.\n"
        )
        assert day_of(first) == moved.split()[1]  # --fresh let it be
    finally:
        stop(first, tmp_path)
    again = start(tmp_path, "demo", DEFAULT_LANGUAGE="en")
    try:
        assert day_of(again) == moved.split()[1]
    finally:
        stop(again, tmp_path)
    fresh = start(tmp_path, "demo", "--fresh", DEFAULT_LANGUAGE="en")
    try:
        assert day_of(fresh) == start_day
    finally:
        stop(fresh, tmp_path)
