"""The dbt Python models import the statistics library and nothing of the orchestration's wiring.

dbt runs these models in its own process; Dagster, dbt's Python API or the loaders there would
tie the dbt project to this repository's orchestration. Each check runs in a fresh interpreter,
so modules the test session imported earlier cannot hide an import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.core.settings import PROJECT_ROOT

MODELS = sorted((PROJECT_ROOT / "dbt_project" / "models").rglob("*.py"))
# What a dbt Python model may not pull in: the orchestrator, dbt itself, and the stages' code.
FORBIDDEN = ("dagster", "dagster_dbt", "dbt", "duckdb", "orchestration.ingest", "orchestration.transform",
             "orchestration.serve", "orchestration.sample", "orchestration.core.settings")  # fmt: skip


def _imported_after(statements: str) -> set[str]:
    code = f"import sys\n{statements}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def _forbidden(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


def _import_lines(path: Path) -> str:
    tree = ast.parse(path.read_text())
    nodes = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(ast.unparse(n) for n in nodes)


def test_the_library_imports_no_dagster_nor_dbt() -> None:
    assert _forbidden(_imported_after("import engagement_stats, engagement_stats.clv")) == []


def test_some_model_uses_the_library() -> None:
    assert any("engagement_stats" in _import_lines(path) for path in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_dbt_python_model_imports_stay_light(model: Path) -> None:
    assert _forbidden(_imported_after(_import_lines(model))) == []
