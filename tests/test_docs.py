"""README.md and ARCHITECTURE.md name only what exists: every backticked path and module.attr.

A newcomer finds where a thing lives by the names in these two files; a module renamed, moved
or split leaves them pointing at nothing. This reads each backticked span that looks like code:

- a path (`app/said.py`, `handlers/telegram/`, `commands/parsing.py` under the package the
  sentence is about): a file or folder of the repository, or one ending so;
- a path and an attribute (`app/said.as_said`, `scheduler/workers.in_process`);
- a class's attribute (`Request.atomic`, `WebDeps.stopping`): a class of ours of that name
  defines it;
- a dotted name (`app.checkin.text.answer_text`, `scheduler.workers.end_processes`, or short,
  `reminder_outbox.nudged_since`, `inbox_app.InboxApplication`): its longest leading part that
  is a module (the full name, or the last parts of one) defines the next name, at its top level
  or in one of its classes; a name quoted in the code (a job's or a catalog text's name, such
  as `menus.refresh` or `common.deadline_rolled`) stands for itself;
- any of those written as a call (`Request.transaction(work)`, `build_application()`): the
  name called;
- a bare name of two words or more (`ix_outbox_chat`, `MAX_WAITING`, `on_wait`): a word of some
  file of the repository besides these two (a column, a setting, a constant, a unit file's
  command), or a name of PostgreSQL's (`POSTGRES_NAMES`).

A span whose first part is nothing of the repository (a date, a route, `EVIDENCE_DIR/pending`,
an instance's `payload.merged_out`) is prose, not a reference, and is not read.
"""

from __future__ import annotations

import ast
import re
from functools import cache, cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "ARCHITECTURE.md")
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}
# Files a person makes when running or deploying dondoc, named by the README, not kept in git.
RUNTIME_FILES = {"deploy/.env"}

SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
PATH = re.compile(r"[\w.-]+(/[\w.-]+)*/?")
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
FILE_NAME = re.compile(r"\w+\.(py|toml|md|html|js|css|sh|ya?ml|json|ini|cfg|txt)")
# A file a person is sent or makes (`matrix.png`, `demo.sqlite3`): a name, not a module's.
MADE_FILE = re.compile(r"[\w-]+\.(png|svg|xlsx|docx|csv|pdf|sqlite3|log|zip|gz)")
CALL = re.compile(r"([\w./]+)\(.*\)")
NAME = re.compile(r"_?[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# Names the README gives of PostgreSQL's own, which no file of ours spells.
POSTGRES_NAMES = {"pg_database_size"}
WORD = re.compile(r"\w+")


class Repository:
    """The repository's files, modules and what each module defines, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if SKIPPED_DIRS & set(parts) or parts[0].endswith(".egg-info"):
                continue
            (self.dirs if path.is_dir() else self.files).add("/".join(parts))
        self.modules: dict[str, Path] = {}
        for name in self.files:
            if name.endswith(".py"):
                parts = tuple(name[: -len(".py")].split("/"))
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                self.modules[".".join(parts)] = root / name
        self.names = {part for entry in self.files | self.dirs for part in entry.split("/")}

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of the repository's files but the documents read here (and this file)."""
        found: set[str] = set()
        for name in self.files - {*DOCS, "tests/test_docs.py"}:
            path = self.root / name
            if not MADE_FILE.fullmatch(path.name) and path.stat().st_size < 1_000_000:
                found.update(WORD.findall(path.read_bytes().decode("utf-8", "ignore")))
        return frozenset(found)

    @cache  # noqa: B019 - one repository a test session
    def defined(self, module: str) -> tuple[frozenset[str], frozenset[str], str]:
        """Return the names a module defines at its top level, in its classes, and its source."""
        return self.read(module)[:3]

    @cache  # noqa: B019 - one repository a test session
    def read(
        self, module: str
    ) -> tuple[frozenset[str], frozenset[str], str, dict[str, frozenset[str]]]:
        """Return what `defined` does, and each class's own names."""
        source = self.modules[module].read_text(encoding="utf-8")
        top: set[str] = set()
        members: set[str] = set()
        classes: dict[str, frozenset[str]] = {}
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                own = {name for item in node.body for name in assigned(item)}
                classes[node.name] = frozenset(own)
                members.update(own)
        for node in tree.body:
            top.update(assigned(node))
            if isinstance(node, (ast.If, ast.Try)):
                for inner in ast.walk(node):
                    top.update(assigned(inner))
        return frozenset(top), frozenset(members), source, classes

    def class_problem(self, dotted: str) -> str | None:
        """What is wrong with `Class.attribute`, or None when a class of that name has it (or
        no module of ours defines such a class: a library's, prose)."""
        name, attribute = dotted.split(".")[:2]
        owners = [
            own
            for module in self.modules
            if not module.startswith("tests.")
            for own in [self.read(module)[3].get(name)]
            if own is not None
        ]
        if not owners or any(attribute in own for own in owners):
            return None
        return f"no class {name} of ours has {attribute}"

    def path_exists(self, path: str) -> bool:
        """Whether a path is a file or folder of the repository, or the end of one."""
        path = path.rstrip("/")
        return any(entry == path or entry.endswith("/" + path) for entry in self.files | self.dirs)

    def modules_named(self, dotted: str) -> list[str]:
        """The modules whose full name is dotted, else those whose name ends with it."""
        if dotted in self.modules:
            return [dotted]
        return [name for name in self.modules if name.endswith("." + dotted)]

    def has(self, module: str, attributes: list[str]) -> bool:
        """Whether the module defines the first attribute (top level, a class's, a submodule)."""
        top, members, _ = self.defined(module)
        first = attributes[0]
        if first in top or first in members:
            return True
        return f"{module}.{first}" in self.modules

    def quoted(self, name: str) -> bool:
        """Whether the code names this as a string (a job, a catalog text, a logger)."""
        pattern = re.compile("[\"']" + re.escape(name) + "[\"']")
        return any(
            pattern.search(self.defined(module)[2])
            for module in self.modules
            if not module.startswith("tests.")
        )


def assigned(node: ast.AST) -> set[str]:
    """Return the names a statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {
            n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)
        }
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return set()


def dotted_problem(repo: Repository, dotted: str) -> str | None:
    """What is wrong with a dotted reference, or None when it names something (or is prose)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        modules = repo.modules_named(".".join(parts[:end]))
        if not modules:
            continue
        if end == len(parts) or any(repo.has(module, parts[end:]) for module in modules):
            return None
        if repo.quoted(dotted):
            return None
        return f"{parts[end]} is not in {' or '.join(sorted(modules))}"
    if parts[0][0].isupper():
        return repo.class_problem(dotted)
    return None  # no module of that name: an instance's attribute, prose


def problem(repo: Repository, span: str) -> str | None:
    """What is wrong with a backticked span, or None when it is fine or not a reference."""
    if call := CALL.fullmatch(span):
        return problem(repo, call.group(1))
    if NAME.fullmatch(span):
        named = span in repo.words or span in POSTGRES_NAMES
        return None if named else "named nowhere in the repository"
    if not PATH.fullmatch(span) or span.startswith("."):
        return None
    if "/" in span:
        first = span.split("/", 1)[0]
        if first not in repo.names or span in RUNTIME_FILES:
            return None  # a date, a setting's folder, a file made at run time
        if repo.path_exists(span):
            return None
        folder, _, last = span.rstrip("/").rpartition("/")
        module, dot, attributes = last.partition(".")
        if dot and not FILE_NAME.fullmatch(last):
            found = dotted_problem(repo, f"{folder}/{module}".replace("/", ".") + "." + attributes)
            if found is None and repo.modules_named(f"{folder}/{module}".replace("/", ".")):
                return None
            return found or f"no module {folder}/{module}.py"
        return "no such file or folder"
    if FILE_NAME.fullmatch(span):
        named = any(entry == span or entry.endswith("/" + span) for entry in repo.files)
        return None if named else "no such file"
    if DOTTED.fullmatch(span) and not MADE_FILE.fullmatch(span):
        return dotted_problem(repo, span)
    return None


@pytest.fixture(scope="module")
def repo() -> Repository:
    """The repository as it is."""
    return Repository(ROOT)


def stale_references(repo: Repository, doc: str) -> list[str]:
    """Every backticked reference of a document that names nothing, with its line."""
    found = []
    for number, line in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), 1):
        for match in SPAN.finditer(line):
            span = match.group(1).strip()
            wrong = problem(repo, span)
            if wrong:
                found.append(f"{doc}:{number}: `{span}`: {wrong}")
    return found


@pytest.mark.parametrize("doc", DOCS)
def test_every_reference_names_something(repo: Repository, doc: str) -> None:
    """Each path, module and module.attr a document names is in the code as it is now."""
    assert stale_references(repo, doc) == []


def test_a_stale_reference_is_caught(repo: Repository) -> None:
    """A function moved to another module, a file removed: both are reported."""
    assert problem(repo, "reminders.nudged_since") is not None  # it is reminder_outbox's
    assert problem(repo, "reminder_outbox.nudged_since") is None
    assert problem(repo, "db/queries/reminders.py") is not None  # split in three
    assert problem(repo, "app/said.as_said") is None
    assert problem(repo, "app/said.as_heard") is not None
    assert problem(repo, "scheduler.workers.end_processes") is None
    assert problem(repo, "scheduler.workers.end_process") is not None
    assert problem(repo, "Request.atomic") is None
    assert problem(repo, "Request.atomically") is not None
    assert problem(repo, "15/01") is None  # a date
    assert problem(repo, "Request.transaction(work)") is None
    assert problem(repo, "Request.transactions(work)") is not None  # a call read too
    assert problem(repo, "db/queries/snapshot.snapshots(channel, external_id)") is not None
    assert problem(repo, "HOLDS_ITS_KIND_AFTER") is None
    assert problem(repo, "_typed_before_offer") is not None  # folded into its caller's read
    assert problem(repo, "ix_outbox_chat") is None  # an index, named by its migration
