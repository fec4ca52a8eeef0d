"""The deployment files say what the README promises: read, parsed and checked without Docker."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings
from tests.deploy.files import (
    DEPLOY,
    INSTALLED,
    MULTI_SETTING,
    MULTI_VALUE,
    ROOT,
    SECRETS,
    STATE_DIR,
    caddy,
    dockerfile,
    dockerignored,
    parse_env,
    read_unit,
    readme_env_template,
    setting_names,
)

SERVICES = ("dondoc-1", "dondoc-2")
WORKER_UNITS = ("dondoc.service", "dondoc@.service")
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "UMask": "0077",
    "ProtectHome": "yes",
    "CapabilityBoundingSet": "",
}
# What a production run needs said (the rest have defaults fit for a province).
PRODUCTION = {
    "BOT_TOKEN",
    "ZALO_BOT_TOKEN",
    "WEB_SECRET",
    "DATABASE_URL",
    "PUBLIC_BASE_URL",
    "WEB_HOST",
    "WEB_PORT",
    "EVIDENCE_DIR",
    "ENV",
    "ADMIN_IDS",
    "ZALO_ADMIN_IDS",
    "TIMEZONE",
    "ORG_NAME",
    "ORG_PARENT",
}


def compose() -> dict[str, Any]:
    """Return deploy/compose.yaml as YAML reads it (anchors and merge keys resolved)."""
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_two_workers_after_the_migrations_on_a_healthy_postgresql() -> None:
    """The services, their order of start, the database's volume and health check."""
    data = compose()
    services = data["services"]
    assert set(services) == {"db", "migrate", *SERVICES, "caddy"}
    db = services["db"]
    assert re.fullmatch(r"postgres:1[56](\.\d+)?", db["image"])
    assert "pg_isready" in db["healthcheck"]["test"]
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in data["volumes"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in SERVICES:
        worker = services[name]
        assert worker["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert worker["env_file"] == ".env"
        assert worker["environment"]["WEB_HOST"] == "0.0.0.0"
        assert worker["environment"][MULTI_SETTING] == MULTI_VALUE
        assert worker["build"]["context"] == ".."
        assert "command" not in worker
        evidence = worker["environment"]["EVIDENCE_DIR"]
        assert any(v.endswith(":" + evidence) for v in worker["volumes"]), "evidence shared"
    # The multi-worker switch is said once, so that renaming it is one edit.
    assert (DEPLOY / "compose.yaml").read_text(encoding="utf-8").count(f"{MULTI_SETTING}:") == 1


def test_compose_puts_caddy_in_front_of_each_worker() -> None:
    """Caddy is the only service with ports, and its upstreams are the worker services."""
    services = compose()["services"]
    caddy = services["caddy"]
    assert caddy["image"].startswith("caddy:2")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    upstreams = caddy["environment"]["DONDOC_UPSTREAMS"].split()
    port = services[SERVICES[0]]["environment"]["WEB_PORT"]
    assert upstreams == [f"{name}:{port}" for name in SERVICES]
    assert {"80", "443"} <= {p.split(":")[-1].split("/")[0] for p in caddy["ports"]}
    assert [name for name, s in services.items() if "ports" in s] == ["caddy"]


def test_compose_holds_no_secret_and_its_env_example_names_real_settings() -> None:
    """Secrets come from deploy/.env; every line of its example is a setting or compose's."""
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    variables = set(re.findall(r"\$\{([A-Z_]+)", text))
    for service in compose()["services"].values():
        environment = service.get("environment", {})
        assert not SECRETS & set(environment), "secrets belong in deploy/.env"
        for value in map(str, environment.values()):
            if "://" in value and "@" in value:
                assert "${POSTGRES_PASSWORD" in value, "a URL's password comes from deploy/.env"
    example = parse_env((DEPLOY / ".env.example").read_text(encoding="utf-8"))
    unknown = set(example) - setting_names() - variables
    assert not unknown, f"deploy/.env.example names what nothing reads: {unknown}"
    assert {"POSTGRES_PASSWORD", "DONDOC_DOMAIN"} <= set(example) & variables
    set_by_compose = set(compose()["services"][SERVICES[0]]["environment"])
    missing = PRODUCTION - set(example) - set_by_compose
    assert not missing, f"a production run needs these said: {missing}"
    assert all(example[name] == "" for name in SECRETS | {"POSTGRES_PASSWORD"})
    assert example["ENV"] == "production"


def test_readme_env_template_names_real_settings_and_every_one_production_needs() -> None:
    """The /etc/dondoc/env template of the README's deploy section."""
    template = parse_env(readme_env_template())
    unknown = set(template) - setting_names()
    assert not unknown, f"the README's template names what dondoc does not read: {unknown}"
    assert not PRODUCTION - set(template)
    assert all(template[name] == "" for name in SECRETS)
    assert template["ENV"] == "production"
    assert template["DATABASE_URL"].startswith("postgresql://")  # pg_dump reads it too
    assert template["EVIDENCE_DIR"].startswith(STATE_DIR)  # the units' writable folder


def test_every_setting_is_documented_in_the_env_example() -> None:
    """.env.example, which the deploy files send the reader to, documents every setting."""
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert not setting_names() - documented


def test_dockerfile_runs_dondoc_serve_as_a_user_with_a_health_check() -> None:
    """Slim Python 3.11, no dev extras, a user of its own, /livez, port 8080, dondoc serve."""
    steps = dockerfile()
    words = [word for word, _ in steps]
    args = dict(reversed(steps))  # the first of each instruction
    assert args["FROM"] == "python:3.11-slim"
    users = [rest for word, rest in steps if word == "USER"]
    assert users, "the image names its user"
    assert users[-1] not in ("root", "0"), "the image runs as a user of its own"
    assert words.index("USER") < words.index("ENTRYPOINT")
    assert "/livez" in args["HEALTHCHECK"]
    assert "8080" in args["HEALTHCHECK"]
    assert args["EXPOSE"] == "8080"
    entry = json.loads(args["ENTRYPOINT"]) + json.loads(args["CMD"])
    assert entry == ["dondoc", "serve"]
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert "pip install -c constraints.txt ." in runs
    assert "[dev]" not in runs
    env = " ".join(rest for word, rest in steps if word in ("ENV", "ARG"))
    assert "WEB_HOST=0.0.0.0" in env
    assert "PIP_NO_CACHE_DIR=1" in env
    assert not any(name in env for name in SECRETS | {"DATABASE_URL"}), "no setting baked in"


def test_dockerignore_lets_in_what_the_image_copies_and_nothing_else() -> None:
    """The build context: the package's files, never a .env, the .venv, .git, data or tests."""
    sources = [
        source
        for word, rest in dockerfile()
        if word == "COPY"
        for source in rest.split()[:-1]  # the last word is the destination
    ]
    assert "pyproject.toml" in sources
    assert "app" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not dockerignored(source), f"{source} is copied but ignored"
    for path in ("pyproject.toml", "app/texts/common.toml", "db/migrations/script.py.mako"):
        assert not dockerignored(path), path
    for path in (
        ".env",
        "deploy/.env",
        ".venv/bin/python",
        ".git/HEAD",
        "data/dondoc.sqlite3",
        "tests/conftest.py",
        "app/__pycache__/services.cpython-311.pyc",
        ".pytest_cache/v/cache",
        ".mypy_cache/3.11/x.json",
        "bench/results/fanout_country_1000000.sqlite3",
    ):
        assert dockerignored(path), f"{path} would reach the build context"


def test_the_worker_units_are_hardened_and_leave_migrations_to_their_own_unit() -> None:
    """A user of its own, the env file, restarts, hardening; no ExecStartPre anywhere."""
    for name in WORKER_UNITS:
        unit = read_unit(DEPLOY / name)
        service = unit["Service"]
        assert service["User"] == ["dondoc"]
        assert service["Group"] == ["dondoc"]
        assert service["EnvironmentFile"] == ["/etc/dondoc/env"]
        assert service["Restart"] == ["on-failure"]
        assert service["RestartPreventExitStatus"] == ["2"]  # a wrong setting: say, not loop
        assert service["WorkingDirectory"] == [STATE_DIR]
        assert STATE_DIR in service["ReadWritePaths"][0].split()
        for key, value in HARDENING.items():
            assert service[key] == [value], f"{name}: {key}"
        assert "ExecStartPre" not in service, "migrations run in dondoc-migrate.service"
        (start,) = service["ExecStart"]
        assert start.endswith(f"{INSTALLED} serve")
        assert "dondoc-migrate.service" in unit["Unit"]["Requires"][0]
        assert "dondoc-migrate.service" in unit["Unit"]["After"][0]
        assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    migrate = read_unit(DEPLOY / "dondoc-migrate.service")["Service"]
    assert migrate["Type"] == ["oneshot"]
    assert migrate["ExecStart"] == [f"{INSTALLED} db upgrade"]
    assert migrate["EnvironmentFile"] == ["/etc/dondoc/env"]
    assert migrate["User"] == ["dondoc"]


def test_the_template_unit_takes_its_port_from_the_instance() -> None:
    """dondoc@8081: WEB_PORT=8081 and the multi-worker mode, on the command line."""
    (start,) = read_unit(DEPLOY / "dondoc@.service")["Service"]["ExecStart"]
    words = start.split()
    assert words[0] == "/usr/bin/env"
    assert "WEB_PORT=%i" in words
    multi = f"{MULTI_SETTING}={MULTI_VALUE}"
    assert [w for w in words if w.startswith(f"{MULTI_SETTING}=")] == [multi]
    (single,) = read_unit(DEPLOY / "dondoc.service")["Service"]["ExecStart"]
    assert single == f"{INSTALLED} serve"  # one process: the default mode


def test_the_backup_runs_nightly_as_the_service_user() -> None:
    """pg_dump in the custom format, the evidence copied, a timer that catches up."""
    service = read_unit(DEPLOY / "dondoc-backup.service")["Service"]
    assert service["User"] == ["dondoc"]
    assert service["Type"] == ["oneshot"]
    commands = " ".join(service["ExecStart"])
    assert "pg_dump --format=custom" in commands
    assert "EVIDENCE_DIR" in commands
    timer = read_unit(DEPLOY / "dondoc-backup.timer")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Persistent"] == ["true"]


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` reads every unit without a complaint (unknown keys included)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were read by the tests only")
    dondoc = Path(sys.executable).with_name("dondoc")  # verify wants the program to exist
    for path in DEPLOY.glob("dondoc*"):
        if path.suffix in (".service", ".timer"):
            text = path.read_text(encoding="utf-8").replace(INSTALLED, str(dondoc))
            (tmp_path / path.name).write_text(text, encoding="utf-8")
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "dondoc@.service")
    result = subprocess.run(
        [analyze, "verify", *names, "dondoc@8081.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "systemd-analyze complained"


def test_caddyfile_balances_the_workers_with_health_checks() -> None:
    """The site is DONDOC_DOMAIN, the upstreams DONDOC_UPSTREAMS, checked on /livez."""
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(r"^\{\$DONDOC_DOMAIN\} \{$", text, re.M)
    assert "reverse_proxy {$DONDOC_UPSTREAMS} {" in text
    assert re.search(r"^\s+health_uri /livez$", text, re.M)
    assert re.search(r"^\s+respond /metrics\* 404$", text, re.M), "nor /healthz's detail"
    assert not re.search(r"^\s*log\b", text, re.M), "no access log: paths carry sign-in codes"


def test_caddy_accepts_the_caddyfile_with_compose_settings() -> None:
    """`caddy validate` on the file, with the settings compose.yaml gives it."""
    environment = compose()["services"]["caddy"]["environment"]
    env = {**os.environ, **environment, "DONDOC_DOMAIN": "dondoc.example.gov.vn"}
    result = caddy("validate", env)
    assert result.returncode == 0, result.stderr[-2000:]


def test_caddy_gives_up_a_client_that_holds_back_its_headers_or_its_body() -> None:
    """Caddy ends a request whose headers have not all come within seconds, or whose body
    has not within minutes (enough for the largest import file at 35 KB/s): without them
    anyone kept as many requests open as they liked, a byte now and then, and a body held
    back was streamed on to a worker, which held it too (Caddy set neither by default)."""
    env = {**os.environ, "DONDOC_DOMAIN": "dondoc.example.gov.vn"}
    adapted = caddy("adapt", env)
    assert adapted.returncode == 0, adapted.stderr[-2000:]
    [server] = json.loads(adapted.stdout)["apps"]["http"]["servers"].values()
    second = 1_000_000_000  # Caddy's JSON gives durations in nanoseconds
    assert 0 < server.get("read_header_timeout", 0) <= 30 * second
    largest = Settings.model_fields["import_max_bytes"].metadata  # its bound: le=...
    most = max(getattr(bound, "le", 0) for bound in largest)
    assert most / (35 * 1024) * second <= server.get("read_timeout", 0) <= 15 * 60 * second


def test_the_readme_s_install_then_upgrade_leaves_opt_dondoc_on_the_new_version(
    tmp_path: Path,
) -> None:
    """The deploy section's install and upgrade commands, run in order under a scratch /opt
    (the venvs made as folders, pip left out): the install made /opt/dondoc a folder, and
    the upgrade's `ln -sfn /opt/dondoc-0.2.0 /opt/dondoc` then put a link inside it, so that
    the migration and the restarted workers ran the old version, saying nothing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Deploy for a province")
    section = readme[start : readme.index("\n## ", start + 1)]
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL))
    made: list[Path] = []
    for line in blocks.splitlines():
        for step in line.split("#")[0].split("&&"):
            words = step.replace("/opt/", f"{tmp_path}/opt/").split()
            if words[:3] == ["python3", "-m", "venv"]:
                made.append(Path(words[3]))
                (made[-1] / "bin").mkdir(parents=True)
            elif words[:1] == ["ln"]:
                subprocess.run(words, check=True)
    assert [p.name for p in made] == ["dondoc-0.1.0", "dondoc-0.2.0"]
    assert (tmp_path / "opt" / "dondoc").resolve() == made[-1]
