"""`./scripts/run` as an operator starts it on a server: it installs nothing from apt."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("bash", "env", "cat", "sha256sum", "cut", "id", "rm", "touch", "dirname")


def test_scripts_run_installs_no_browser_or_web_server(tmp_path: Path) -> None:
    """On a machine without Caddy (or Chromium), `./scripts/run` ran `apt-get install
    caddy` (and chromium): what the test suite needs, not the bot. It installs nothing."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (tools / tool).symlink_to(found)
    called = tmp_path / "apt-get-called"
    (tools / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {called}\n')
    (tools / "sudo").write_text('#!/bin/sh\nshift\nexec "$@"\n')  # `sudo -n apt-get ...`
    for stub in ("apt-get", "sudo"):
        (tools / stub).chmod(0o755)
    result = subprocess.run(
        [str(ROOT / "scripts" / "run"), "--help"],
        env={"PATH": str(tools), "HOME": str(tmp_path), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--demo-if-no-token" in result.stdout
    assert not called.exists(), called.read_text()
