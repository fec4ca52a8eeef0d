"""The deployment files as the tests read them: systemd units, env files, the Dockerfile."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Where the units expect dondoc's virtualenv, and its state folder.
INSTALLED = "/opt/dondoc/bin/dondoc"
STATE_DIR = "/var/lib/dondoc"
# The multi-worker mode's setting (issue 17), said once in compose.yaml and dondoc@.service.
MULTI_SETTING, MULTI_VALUE = "WORKERS", "multi"
SECRETS = frozenset({"BOT_TOKEN", "ZALO_BOT_TOKEN", "WEB_SECRET", "ZALO_WEBHOOK_SECRET"})
README_SECTION = "## Deploy for a province"
ENV_TEMPLATE_MARK = "# /etc/dondoc/env"

Unit = dict[str, dict[str, list[str]]]


def setting_names() -> set[str]:
    """Return every setting dondoc reads, as its environment variable."""
    return {name.upper() for name in Settings.model_fields}


def read_unit(path: Path) -> Unit:
    """Return a unit file's sections, each key with its values in order (keys repeat)."""
    sections: Unit = {}
    current: dict[str, list[str]] | None = None
    for line in _joined_lines(path.read_text(encoding="utf-8")):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            current = sections.setdefault(stripped[1:-1], {})
            continue
        key, sep, value = stripped.partition("=")
        assert sep, f"{path.name}: not a key=value line: {line!r}"
        assert current is not None, f"{path.name}: a key before any [section]: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def unescape_command(line: str, instance: str = "") -> str:
    """Return an ExecStart line as systemd hands it to the program ($$ and %% unescaped)."""
    return line.replace("%i", instance).replace("%%", "%").replace("$$", "$")


def parse_env(text: str) -> dict[str, str]:
    """Return the KEY=VALUE lines of an environment file (systemd's and compose's subset)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        assert sep, f"not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip()
    return values


def readme_env_template() -> str:
    """Return the README's /etc/dondoc/env template (its fenced block in the deploy section)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(README_SECTION)
    end = readme.find("\n## ", start + len(README_SECTION))
    section = readme[start : end if end != -1 else len(readme)]
    blocks = re.finditer(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    found = [b.group(1) for b in blocks if b.group(1).startswith(ENV_TEMPLATE_MARK)]
    assert len(found) == 1, "the deploy section has one /etc/dondoc/env template"
    return found[0]


def dockerfile() -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (INSTRUCTION, arguments), lines joined."""
    instructions = []
    for line in _joined_lines((ROOT / "Dockerfile").read_text(encoding="utf-8")):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    return instructions


def dockerignored(path: str) -> bool:
    """Tell whether .dockerignore keeps a path (relative to the root) out of the build context.

    Docker's rules: the last pattern matching the path or one of its parent folders decides;
    `!` re-includes; `**/` matches any number of folders, none included.
    """
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.removeprefix("!")
        forms = {body, body.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(p, f) for p in prefixes for f in forms):
            ignored = not negated
    return ignored


def caddy(verb: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `caddy VERB` on deploy/Caddyfile with these environment variables, or skip."""
    program = shutil.which("caddy")
    if program is None:
        pytest.skip("caddy: not installed (Debian's package `caddy`): the Caddyfile was not run")
    return subprocess.run(
        [program, verb, "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(env),
    )


def _joined_lines(text: str) -> list[str]:
    """Return the lines of a file whose lines may end in a backslash to continue."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.rstrip().endswith("\\") and not raw.lstrip().startswith("#"):
            pending += raw.rstrip()[:-1] + " "
            continue
        if pending and raw.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        lines.append(pending + raw)
        pending = ""
    return lines
