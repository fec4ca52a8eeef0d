"""The dashboard's own scripts and styles, served under versioned URLs and cached.

Pages name a file as `/static/<name>?v=<digest of its content>` (`static_url`, the templates'
`static()`): an answer to that URL cannot change, so browsers keep it a year without asking.
Asked without its current version (an old page, a hand-typed URL), a file is revalidated
each time (`no-cache`: its ETag answers 304 when unchanged). Every other answer of the
server stays `no-store` (`web.server.SecurityHeaders`).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
FOR_A_YEAR = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@cache
def _digest(path: Path, mtime_ns: int) -> str:
    """Return the first 12 hex digits of the file's SHA-256 (kept per modification time)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def version(name: str, directory: Path = STATIC) -> str:
    """Return the current version of a static file (a digest of its content)."""
    path = directory / name
    return _digest(path, path.stat().st_mtime_ns)


def static_url(name: str, *, directory: Path = STATIC, mount: str = "/static") -> str:
    """Return the versioned URL of a static file, as pages name it (the demo's files are
    another directory, mounted at /demo/static)."""
    return f"{mount}/{name}?v={version(name, directory)}"


class VersionedStatic(StaticFiles):
    """StaticFiles whose answers say how long they may be kept."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """Answer the file (or 304), cached for a year when asked by its current version."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v")
        current = asked == [_digest(Path(full_path), stat_result.st_mtime_ns)]
        response.headers["cache-control"] = FOR_A_YEAR if current else REVALIDATE
        return response
