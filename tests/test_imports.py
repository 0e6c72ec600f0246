"""No import cycle between the project's modules or apps, and every app imports only downwards.

The table of allowed directions is `tests.importgraph.ALLOWED` (docs/architecture.md, “The rooms”).
"""

import textwrap

import pytest

from tests import importgraph
from tests.importgraph import app_graph, find_cycle, forbidden, imports_in, module_graph


@pytest.fixture(scope="module")
def graph():
    return module_graph()


def test_no_cycle_between_modules(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_no_cycle_between_apps(graph):
    cycle = find_cycle(app_graph(graph))
    assert cycle is None, "import cycle between apps: " + " → ".join(cycle)


def test_apps_import_only_what_the_table_allows(graph):
    refused = forbidden(graph)
    assert refused == [], "imports against docs/architecture.md's table: " + "; ".join(
        f"{module} imports {other}" for module, other in refused
    )


def test_the_table_itself_has_no_cycle_and_names_every_app(graph):
    assert find_cycle(importgraph.ALLOWED) is None
    apps = set(app_graph(graph))
    assert apps - importgraph.TOP == set(importgraph.ALLOWED)


def test_the_graph_sees_the_project(graph):
    # Imports inside functions count: the admin mounts the monthly page from inside get_urls.
    assert "entry.views.month" in graph["entry.admin"]
    assert "targets.models" in graph["entry.write"]
    # Migrations are frozen history, not part of the graph.
    assert not any(".migrations" in module for module in graph)
    assert importgraph.app_of("targets.tests.world") == "tests"
    assert importgraph.app_of("entry.xlsx.reader") == "entry"


# The checker itself, on a tiny synthetic project.

SOURCES = {
    "kernel/__init__.py": "",
    "kernel/models.py": "import datetime\n",
    "kernel/views.py": "from . import models\n",
    "ledger/__init__.py": "",
    "ledger/models.py": "from kernel.models import *\n",
    "ledger/rules.py": "def f():\n    from kernel import views\n",
}


def write_project(root, sources):
    for path, text in sources.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text))


def test_checker_reads_relative_absolute_and_function_imports(tmp_path):
    write_project(tmp_path, SOURCES | {"kernel/migrations/0001_initial.py": "from ledger import models\n"})
    graph = module_graph(tmp_path)
    assert graph == {
        "kernel": set(),
        "kernel.models": set(),
        "kernel.views": {"kernel.models"},
        "ledger": set(),
        "ledger.models": {"kernel.models"},
        "ledger.rules": {"kernel.views"},
    }
    assert find_cycle(graph) is None
    assert app_graph(graph) == {"kernel": set(), "ledger": {"kernel"}}


def test_checker_finds_a_cycle_through_a_function_body(tmp_path):
    write_project(tmp_path, SOURCES | {"kernel/models.py": "def count():\n    from ledger.models import X\n"})
    graph = module_graph(tmp_path)
    assert find_cycle(graph) == ["kernel.models", "ledger.models", "kernel.models"]
    assert find_cycle(app_graph(graph)) == ["kernel", "ledger", "kernel"]


def test_checker_refuses_an_import_against_the_table(tmp_path):
    write_project(tmp_path, SOURCES | {"kernel/views.py": "import ledger.rules\n"})
    graph = module_graph(tmp_path)
    allowed = {"kernel": set(), "ledger": {"kernel"}}
    assert forbidden(graph, allowed, top=set()) == [("kernel.views", "ledger.rules")]
    # ledger.rules → kernel.views → ledger.rules
    assert find_cycle(graph) == ["kernel.views", "ledger.rules", "kernel.views"]


def test_imports_in_resolves_packages_and_names():
    modules = {"a", "a.b", "a.b.c", "d"}
    source = "from .b import c\nfrom . import b\nfrom .b.c import thing\nimport d\nimport os\n"
    assert imports_in(source, "a.x", False, modules) == {"a.b.c", "a.b", "d"}
    # In a package's __init__, `.` is the package itself.
    assert imports_in("from . import b\n", "a", True, modules) == {"a.b"}
