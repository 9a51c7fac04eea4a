"""Imports run one way: each app imports only the apps below it (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "documents": 0,
    "audit": 0,
    "accounts": 1,
    "diagnostics": 2,
    "reports": 3,
    "privacy": 4,
    "operations": 4,
    "observatory": 4,
    "legal": 4,
    "advisors": 5,
    "config": 6,
}


def imported_apps(path: Path) -> set[str]:
    """The apps a module imports at run time (`if TYPE_CHECKING:` blocks are for types)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & LAYERS.keys()


def test_every_app_imports_only_the_apps_below_it():
    wrong = []
    for app, layer in LAYERS.items():
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []:
            if "migrations" in path.parts:
                continue
            for other in imported_apps(path) - {app}:
                if LAYERS[other] >= layer:
                    wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert wrong == []


def test_the_check_sees_a_wrong_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from reports.services import submit\nimport accounts.models\n"
        "if TYPE_CHECKING:\n    from advisors.views import portfolio\n"
    )
    assert imported_apps(module) == {"reports", "accounts"}
