"""The project's import graph, read from the source with `ast`, and the rooms' allowed directions.

Every import counts, at module level or inside a function or method: a cycle through a function
body is still a cycle, only deferred. Migrations (frozen history) and the virtualenv are skipped.
`tests/test_imports.py` fails on any cycle between modules or between apps, and on any import
against the table `ALLOWED` (docs/architecture.md, “The rooms”).
"""

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "venv", "node_modules", "migrations", ".git", "__pycache__", "staticfiles"}

# Which apps (rooms) each app may import. The kernel imports only the shared helpers; the
# ledger only the kernel; the rooms built on them import downwards, never back up.
KERNEL = {"common", "targets"}
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "targets": {"common"},
    "projects": KERNEL,
    "entry": KERNEL | {"projects"},
    "notices": KERNEL | {"entry"},
    "supervision": KERNEL | {"projects", "notices"},
    "todo": KERNEL | {"entry", "supervision", "notices"},
    "planning": KERNEL | {"projects", "entry"},
    "public": KERNEL | {"projects", "supervision"},
    "reports": KERNEL | {"projects", "supervision", "entry"},
}
# The project's settings and URLs, the benchmark and the tests stand above every room.
TOP = {"zhongyuan", "bench", "tests"}

# Files at the top of the repository, with the tests: they may import any room.
ROOT_SCRIPTS = {"conftest", "manage"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts):
            yield path


def _known(name: str, modules: Iterable[str]) -> str | None:
    """`name` or its longest prefix that is one of `modules`."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_in(source: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The project modules that the module `name` (with `source`) imports, anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module
            # `from package import module` imports that module; `from module import name`, the module.
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            module = _known(target, modules)
            if module is not None and module != name:
                found.add(module)
    return found


def module_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in python_files(root)}
    modules = set(files)
    return {
        name: imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", modules)
        for name, path in files.items()
    }


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, …, a], or None when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def app_of(module: str) -> str:
    """The room a module belongs to: its top folder; tests (any app's) and root scripts are `tests`."""
    parts = module.split(".")
    if module in ROOT_SCRIPTS or "tests" in parts:
        return "tests"
    return parts[0]


def app_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    apps: dict[str, set[str]] = {}
    for module, imported in graph.items():
        app = app_of(module)
        apps.setdefault(app, set()).update(app_of(m) for m in imported if app_of(m) != app)
    return apps


def forbidden(graph: Mapping[str, Iterable[str]], allowed=ALLOWED, top=TOP) -> list[tuple[str, str]]:
    """(module, imported module) for every import that `allowed` does not permit."""
    refused = []
    for module, imported in sorted(graph.items()):
        app = app_of(module)
        if app in top:
            continue
        for other in sorted(imported):
            other_app = app_of(other)
            if other_app != app and other_app not in allowed.get(app, set()):
                refused.append((module, other))
    return refused
