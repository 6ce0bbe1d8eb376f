"""The layering of the package, read from the source with ``ast`` (nothing is imported).

The rules, each a test of its own below:

1. A demo's UI module (``apps/<demo>.py``: the modules ``app=`` names in showcase/registry.py)
   imports from showcase only its own demo's ``showcase.<demo>.api`` (also written
   ``from showcase.<demo> import api``) and ``showcase.apps.common``. Whatever else it needs
   comes through those two: the platform (registry entry, input checks, scratch files, budgets)
   as re-exports of common, its demo's internals as re-exports of the api. The platform modules
   of the UI (hub, common, boundary, budgets, output_files) may import the showcase platform
   (registry, checkpoints, errors, inputs, images, lazy...) but no demo module at all; the hub
   reaches the demos through the registry.
2. A model, data or training module (everything under showcase/ but the UI in apps/, installed
   as showcase/apps) never imports gradio: the demos work without a UI.
3. A demo never imports another demo's internals: ``showcase.<a>.*`` may import
   ``showcase.<b>.api`` or the package ``showcase.<b>`` (whose only names are the api's public
   class), nothing else of ``showcase.<b>``.
4. No private name (a leading underscore; dunders excepted) crosses a module boundary: neither
   ``from showcase.x import _y`` nor ``x._y`` on an imported showcase module.
5. No import cycles among showcase modules. Imports inside functions count as much as those at
   module top: a cycle that only closes at call time still means two modules that cannot be
   understood (or tested) apart, and it breaks as soon as someone moves the import up. Imports
   under ``if TYPE_CHECKING:`` do not count (they never run). A package's lazy
   ``__getattr__`` import of its api counts too: it is a real edge (package -> api), and a
   cycle through it (a module the api needs importing the public class from the package) raises
   on first use, depending on what was imported first. Parent packages a dotted import runs
   implicitly are not edges: the packages' ``__init__`` modules import nothing at their top.

Every checker takes a source tree root (holding showcase/ and apps/), so the planted-violation
tests below run each one on a small fake tree and see it fail.
"""

from __future__ import annotations

import ast
import dataclasses
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI_PLATFORM = ("hub", "common", "boundary", "budgets", "output_files")


@dataclasses.dataclass(frozen=True)
class Import:
    """One imported module (and, for ``from`` imports, the names taken from it)."""

    module: str  # the importing module, e.g. "showcase.apps.sentiment"
    path: str  # its file, relative to the root
    line: int
    target: str  # the module imported, resolved: "from showcase.dcgan import api" -> ".dcgan.api"
    names: tuple[str, ...]  # names taken from a module (not submodules); () for `import x`
    source: str  # the statement, as written
    type_checking: bool  # under `if TYPE_CHECKING:`

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.source}"


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the tree by dotted name: showcase/**/*.py, and apps/*.py as showcase.apps."""
    files = {}
    for path in sorted((root / "showcase").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in sorted((root / "apps").glob("*.py")):
        stem = path.stem
        files["showcase.apps" if stem == "__init__" else f"showcase.apps.{stem}"] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, type_checking: bool = False):
    """(node, under TYPE_CHECKING) for every import statement, at any depth."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_checking
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]), type_checking)
        else:
            yield from _import_nodes(node, type_checking)


def _base_of(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def imports(root: Path) -> list[Import]:
    """Every import in the tree, resolved to the module it loads."""
    files = module_files(root)
    found = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(root).as_posix()
        for node, type_checking in _import_nodes(tree):
            source = ast.unparse(node)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(
                        Import(module, relative, node.lineno, alias.name, (), source, type_checking)
                    )
                continue
            base = _base_of(module, path, node)
            names = []
            for alias in node.names:
                if f"{base}.{alias.name}" in files:  # a submodule: an import of its own
                    found.append(
                        Import(
                            module,
                            relative,
                            node.lineno,
                            f"{base}.{alias.name}",
                            (),
                            source,
                            type_checking,
                        )
                    )
                else:
                    names.append(alias.name)
            if names:
                found.append(
                    Import(module, relative, node.lineno, base, tuple(names), source, type_checking)
                )
    return found


def demo_apps(root: Path) -> dict[str, str]:
    """{UI module: demo name}, from the ``Demo(name=..., app=...)`` entries of the registry."""
    tree = ast.parse((root / "showcase" / "registry.py").read_text(encoding="utf-8"))
    apps = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Demo":
            keywords = {
                k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)
            }
            if "app" in keywords and "name" in keywords:
                apps[keywords["app"]] = keywords["name"]
    return apps


def _is_showcase(target: str) -> bool:
    return target == "showcase" or target.startswith("showcase.")


def _demo_of(target: str, demos: set[str]) -> str | None:
    parts = target.split(".")
    if len(parts) >= 2 and parts[0] == "showcase" and parts[1] in demos:
        return parts[1]
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# The checkers: each returns one line per violation, "path:line: statement (why)".


def check_ui_imports(root: Path) -> list[str]:
    """Rule 1."""
    apps = demo_apps(root)
    demos = set(apps.values())
    platform = {f"showcase.apps.{name}" for name in UI_PLATFORM}
    problems = []
    for found in imports(root):
        if not _is_showcase(found.target):
            continue
        if found.module in apps:
            allowed = {f"showcase.{apps[found.module]}.api", "showcase.apps.common"}
            if found.target not in allowed:
                problems.append(
                    f"{found.where()} (imports {found.target}; a demo UI imports only "
                    f"{' and '.join(sorted(allowed))})"
                )
        elif found.module in platform and _demo_of(found.target, demos):
            problems.append(f"{found.where()} (the UI platform imports no demo module)")
    return problems


def check_no_gradio(root: Path) -> list[str]:
    """Rule 2."""
    return [
        f"{found.where()} (only the UI in apps/ imports gradio)"
        for found in imports(root)
        if not (found.module == "showcase.apps" or found.module.startswith("showcase.apps."))
        and found.target.split(".")[0] == "gradio"
    ]


def check_demo_boundaries(root: Path) -> list[str]:
    """Rule 3."""
    demos = set(demo_apps(root).values())
    problems = []
    for found in imports(root):
        mine, theirs = _demo_of(found.module, demos), _demo_of(found.target, demos)
        if mine is None or theirs is None or mine == theirs:
            continue
        if found.target not in (f"showcase.{theirs}", f"showcase.{theirs}.api"):
            problems.append(
                f"{found.where()} (showcase.{mine} may use showcase.{theirs}.api, not its "
                "internals)"
            )
    return problems


def _module_aliases(tree: ast.AST, found: list[Import]) -> dict[str, str]:
    """{local name: showcase module} bound by this file's imports."""
    aliases = {}
    for node, _ in _import_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_showcase(alias.name):
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        else:
            for alias in node.names:
                for item in found:
                    if item.line == node.lineno and item.target.endswith(f".{alias.name}"):
                        if _is_showcase(item.target) and not item.names:
                            aliases[alias.asname or alias.name] = item.target
    return aliases


def _dotted(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else [*inner, node.attr]
    return None


def check_private_names(root: Path) -> list[str]:
    """Rule 4."""
    files = module_files(root)
    everything = imports(root)
    problems = []
    for found in everything:
        private = [name for name in found.names if _private(name)]
        if private and _is_showcase(found.target):
            problems.append(f"{found.where()} (private {', '.join(private)} of {found.target})")
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _module_aliases(tree, [f for f in everything if f.module == module])
        relative = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and _private(node.attr)):
                continue
            chain = _dotted(node.value)
            if not chain or chain[0] not in aliases:
                continue
            target = ".".join([aliases[chain[0]], *chain[1:]])
            if target in files and target != module:
                problems.append(
                    f"{relative}:{node.lineno}: {ast.unparse(node)} (private name {node.attr} "
                    f"of {target})"
                )
    return problems


def import_graph(root: Path) -> dict[str, dict[str, Import]]:
    """{module: {module it imports: the first such import}} in the tree; TYPE_CHECKING aside."""
    files = module_files(root)
    graph: dict[str, dict[str, Import]] = {module: {} for module in files}
    for found in imports(root):
        if found.type_checking or found.target not in files or found.target == found.module:
            continue
        graph[found.module].setdefault(found.target, found)
    return graph


def find_cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def check_cycles(root: Path) -> list[str]:
    """Rule 5: each cycle as the imports that close it."""
    graph = import_graph(root)
    problems = []
    for component in find_cycles(graph):
        members = set(component)
        edges = [
            edge.where()
            for module in component
            for target, edge in sorted(graph[module].items())
            if target in members
        ]
        problems.append(f"cycle among {', '.join(component)}:\n    " + "\n    ".join(edges))
    return problems


def _report(problems: list[str]) -> str:
    return "\n" + "\n".join(problems)


# The rules on the real tree.


def test_the_tree_is_found():
    files = module_files(ROOT)
    assert "showcase.registry" in files and "showcase.apps.common" in files
    assert set(demo_apps(ROOT).values()) >= {"sentiment", "dcgan", "lessons"}
    assert len(imports(ROOT)) > 100


def test_demo_uis_import_only_their_api_and_common():
    problems = check_ui_imports(ROOT)
    assert not problems, _report(problems)


def test_models_data_and_training_never_import_gradio():
    problems = check_no_gradio(ROOT)
    assert not problems, _report(problems)


def test_a_demo_uses_another_only_through_its_api():
    problems = check_demo_boundaries(ROOT)
    assert not problems, _report(problems)


def test_no_private_name_crosses_a_module():
    problems = check_private_names(ROOT)
    assert not problems, _report(problems)


def test_no_import_cycles():
    problems = check_cycles(ROOT)
    assert not problems, _report(problems)


# Each checker on a small fake tree: clean, then with one planted violation.

CLEAN_TREE = {
    "showcase/__init__.py": "",
    "showcase/errors.py": "class ShowcaseError(Exception):\n    pass\n",
    "showcase/registry.py": """
        from showcase.errors import ShowcaseError

        DEMOS = [
            Demo(name="alpha", app="showcase.apps.alpha"),
            Demo(name="beta", app="showcase.apps.beta"),
        ]
    """,
    "showcase/alpha/__init__.py": """
        def __getattr__(name):
            from showcase.alpha.api import Alpha

            return Alpha
    """,
    "showcase/alpha/api.py": """
        from showcase.alpha import model
        from showcase.alpha.model import helper

        class Alpha:
            def run(self):
                return model.helper() + helper()
    """,
    "showcase/alpha/model.py": """
        def helper():
            return 1

        def _internal():
            return 2
    """,
    "showcase/beta/__init__.py": "",
    "showcase/beta/api.py": """
        from showcase.alpha import Alpha
        from showcase.alpha.api import Alpha as AlsoAlpha
        from showcase.beta import parts
    """,
    "showcase/beta/parts.py": """
        import showcase.alpha.api as alpha_api

        def part():
            from showcase.errors import ShowcaseError  # at function level: an edge all the same

            return alpha_api.Alpha, ShowcaseError
    """,
    "apps/__init__.py": "",
    "apps/common.py": """
        import gradio as gr

        from showcase import registry
        from showcase.errors import ShowcaseError as ShowcaseError
    """,
    "apps/hub.py": """
        import gradio as gr

        from showcase import registry
        from showcase.apps import common
    """,
    "apps/alpha.py": """
        import gradio as gr

        from showcase.alpha import api
        from showcase.apps.common import registry
    """,
    "apps/beta.py": """
        import gradio as gr

        from showcase.apps import common
        from showcase.beta.api import parts
    """,
}

CHECKERS = {
    "ui": check_ui_imports,
    "gradio": check_no_gradio,
    "demos": check_demo_boundaries,
    "private": check_private_names,
    "cycles": check_cycles,
}

# An import inside a function closes a cycle as much as one at the top.
FUNCTION_LEVEL_CYCLE = "def later():\n    from showcase.alpha import api"

# (rule, file, a line appended to it, what the report must say)
PLANTED = [
    ("ui", "apps/alpha.py", "from showcase.alpha.model import helper", "apps/alpha.py:5:"),
    ("ui", "apps/beta.py", "from showcase import registry", "apps/beta.py:5:"),
    ("ui", "apps/beta.py", "from showcase.alpha import api", "apps/beta.py:5:"),
    ("ui", "apps/hub.py", "import showcase.beta.api", "apps/hub.py:5:"),
    ("gradio", "showcase/alpha/model.py", "import gradio", "showcase/alpha/model.py:6:"),
    ("gradio", "showcase/registry.py", "from gradio import Blocks", "showcase/registry.py:7:"),
    ("demos", "showcase/beta/parts.py", "from showcase.alpha import model", "parts.py:7:"),
    ("demos", "showcase/beta/api.py", "import showcase.alpha.model", "api.py:4:"),
    ("private", "showcase/alpha/api.py", "from .model import _internal", "api.py:7:"),
    ("private", "showcase/alpha/api.py", "x = model._internal()", "api.py:7: model._internal"),
    ("private", "showcase/beta/parts.py", "y = alpha_api._secret", "parts.py:7: alpha_api._sec"),
    ("cycles", "showcase/alpha/model.py", FUNCTION_LEVEL_CYCLE, "model.py:7:"),
    ("cycles", "showcase/errors.py", "from showcase.registry import DEMOS", "errors.py:3:"),
]


def _write_tree(root: Path, plant: tuple[str, str] | None = None) -> Path:
    for name, text in CLEAN_TREE.items():
        text = textwrap.dedent(text).lstrip()
        if plant is not None and plant[0] == name:
            text += plant[1] + "\n"
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_every_checker_passes_the_clean_fake_tree(tmp_path):
    root = _write_tree(tmp_path)
    assert demo_apps(root) == {"showcase.apps.alpha": "alpha", "showcase.apps.beta": "beta"}
    for rule, check in CHECKERS.items():
        assert check(root) == [], rule


@pytest.mark.parametrize(("rule", "name", "line", "reported"), PLANTED)
def test_a_planted_violation_is_reported(tmp_path, rule, name, line, reported):
    root = _write_tree(tmp_path, (name, line))
    problems = CHECKERS[rule](root)
    assert len(problems) == 1 and reported in problems[0], _report(problems)
    others = {other: check(root) for other, check in CHECKERS.items() if other != rule}
    assert not any(others.values()), others
