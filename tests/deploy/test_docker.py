"""`docker build` of the image, where a Docker daemon answers; skipped, saying why, elsewhere."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.deploy.files import ROOT, dockerfile

IMAGE = "dondoc:test"
# A first pull or build downloads the base image or the dependencies; later builds use the
# layer cache.
BUILD_TIMEOUT_S = 900


def docker() -> str:
    """Return the docker client's path, or skip when it is missing or no daemon answers."""
    client = shutil.which("docker")
    if client is None:
        pytest.skip("docker: no client installed, the image was not built")
    try:
        info = subprocess.run(
            [client, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("docker: `docker info` did not answer in 30 s, the image was not built")
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"docker: the daemon does not answer ({reason}), the image was not built")
    return client


def base_image(client: str) -> None:
    """Skip when the Dockerfile's base image is neither here nor pullable (no registry)."""
    (base,) = [rest for word, rest in dockerfile() if word == "FROM"]
    if run(client, "image", "inspect", base).returncode == 0:
        return
    pulled = run(client, "pull", base, timeout=BUILD_TIMEOUT_S)
    if pulled.returncode != 0:
        reason = (pulled.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"docker: cannot pull {base} ({reason}), the image was not built")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a docker command from the repository's root."""
    return subprocess.run(
        list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
@pytest.mark.timeout(2 * BUILD_TIMEOUT_S + 120)  # a pull, then a build
def test_the_image_builds_and_runs_dondoc_as_its_own_user() -> None:
    """The image builds, runs as uid 10001 with a health check, and its dondoc starts."""
    client = docker()
    base_image(client)
    build = run(client, "build", "--tag", IMAGE, ".", timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, build.stderr[-4000:]
    inspect = run(client, "image", "inspect", IMAGE)
    assert inspect.returncode == 0, inspect.stderr
    config = json.loads(inspect.stdout)[0]["Config"]
    assert config["User"] == "dondoc"
    assert "/healthz" in " ".join(config["Healthcheck"]["Test"])
    assert config["Entrypoint"] + config["Cmd"] == ["dondoc", "serve"]
    assert "8080/tcp" in config["ExposedPorts"]
    version = run(client, "run", "--rm", IMAGE, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("dondoc ")
    user = run(client, "run", "--rm", "--entrypoint", "id", IMAGE, "-u")
    assert user.stdout.strip() == "10001"
