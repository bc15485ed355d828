"""The dbt Python models on Spark (contract §7): the same model files, run as a Dagster step.

dbt-spark runs Python models only on Databricks. On a Spark session of our own, the dbt step
therefore runs in two parts (selectors.yml): everything before the Python models, then this step,
then the Python models and everything after them. This step runs each Python model's own
`model(dbt, session)` function, so the maths has one implementation whatever the engine:

- `dbt.ref(name)` is a DuckDB relation over the Parquet files of the table Spark built (the
  managed table's folder under `<lake>/warehouse/<schema>.db/`), so `.df()` gives the model the
  same pandas frame as dbt-duckdb does;
- the returned frame is written as Parquet to `<lake>/python_models/<model>/` (a new folder,
  then renamed into place), which the model's materialization on Spark (`lake_table`) registers
  as its table when the second part of the dbt step builds it, with its tests.

No Spark session is opened here: the files are read and written by DuckDB in this process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from orchestration.core.settings import PROJECT_ROOT
from orchestration.ingest.checks import quote_literal
from orchestration.ingest.lake import connect_scratch, staging_folder, swap_in, write_parquet

PYTHON_MODELS_FOLDER = "python_models"
SPARK_WAREHOUSE_FOLDER = "warehouse"


def python_model_nodes(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The project's enabled Python models, each after the Python models it reads."""
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("language") == "python"
    }
    ordered: list[str] = []

    def visit(unique_id: str) -> None:
        if unique_id in ordered:
            return
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        ordered.append(unique_id)

    for unique_id in sorted(nodes):
        visit(unique_id)
    return [nodes[unique_id] for unique_id in ordered]


def table_folder(lake_dir: Path, node: Mapping[str, Any]) -> Path:
    """Where a model's table keeps its files on the local Spark session of profiles.yml."""
    name = (node.get("alias") or node["name"]).lower()
    if node.get("language") == "python":
        return lake_dir / PYTHON_MODELS_FOLDER / name
    return lake_dir / SPARK_WAREHOUSE_FOLDER / f"{node['schema'].lower()}.db" / name


def table_files(folder: Path) -> list[Path]:
    """A table's Parquet files, as Spark lists them: nothing under a hidden or underscore folder
    (a failed write's `.spark-staging-*`, `_temporary`) but the `name=value` partition folders."""

    def listed(part: str) -> bool:
        return not part.startswith(".") and (not part.startswith("_") or "=" in part)

    return sorted(
        path
        for path in folder.rglob("*.parquet")
        if all(listed(part) for part in path.relative_to(folder).parts)
    )


class _Config:
    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = config

    def __call__(self, **_: Any) -> None:
        """`dbt.config(...)` in a model file: its dbt configuration is already in the manifest."""

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._config:
            return self._config[key]
        return self._config.get("meta", {}).get(key, default)


class LakeDbt:
    """The `dbt` object a Python model receives, over the lake's Parquet files."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        manifest: Mapping[str, Any],
        node: Mapping[str, Any],
        lake_dir: Path,
    ) -> None:
        self._con = con
        self._manifest = manifest
        self._node = node
        self._lake_dir = lake_dir
        self.config = _Config(node["config"])

    def ref(self, name: str, *_: Any, **__: Any) -> LakeTable:
        for parent in self._node["depends_on"]["nodes"]:
            parent_node = self._manifest["nodes"].get(parent)
            if parent_node is not None and parent_node["name"] == name:
                return self._read(parent_node)
        raise KeyError(f"{self._node['name']} refers to {name!r}, which is not among its dbt parents")

    def _read(self, node: Mapping[str, Any]) -> LakeTable:
        folder = table_folder(self._lake_dir, node)
        files = table_files(folder)
        if not files:
            raise FileNotFoundError(
                f"{node['name']}: no Parquet files under {folder}; build it on Spark first "
                "(the dbt step's first part builds every model the Python models read)"
            )
        paths = "[" + ", ".join(quote_literal(str(p)) for p in files) + "]"
        return LakeTable(self._con, f"select * from read_parquet({paths}, hive_partitioning = true)")


class LakeTable:
    """What `dbt.ref()` gives a model: read when the model asks, as dbt-duckdb's relations are."""

    def __init__(self, con: duckdb.DuckDBPyConnection, query: str) -> None:
        self._con = con
        self._query = query

    def df(self) -> Any:
        return self._con.execute(self._query).df()

    def arrow(self) -> Any:
        return self._con.execute(self._query).arrow()


def _load_model_function(node: Mapping[str, Any], project_root: Path) -> Callable[..., Any]:
    path = project_root / node["original_file_path"]
    spec = importlib.util.spec_from_file_location(f"_dbt_python_model_{node['name']}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the Python model {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model


def _write_frame(con: duckdb.DuckDBPyConnection, frame: Any, folder: Path) -> int:
    """The model's frame as Parquet, its naive timestamps written as UTC instants (as Spark's
    `timestamp` reads them; the loaders do the same)."""
    con.register("model_frame", frame)
    try:
        columns = con.execute("describe model_frame").fetchall()
        select = ", ".join(
            f'cast("{name}" as timestamptz) as "{name}"' if type_ == "TIMESTAMP" else f'"{name}"'
            for name, type_, *_ in columns
        )
        staged = staging_folder(folder.parent)
        rows = write_parquet(con, f"select {select} from model_frame", {}, staged)
        swap_in(staged, folder)
        return rows
    finally:
        con.unregister("model_frame")


def run_python_models(
    manifest: Mapping[str, Any],
    lake_dir: Path,
    say: Callable[[str], None],
    project_root: Path = PROJECT_ROOT,
    memory_limit: str = "4GB",
) -> list[str]:
    """Run every Python model of the manifest over the lake; returns their names, in order."""
    done = []
    con = connect_scratch(lake_dir, memory_limit)
    try:
        for node in python_model_nodes(manifest):
            model = _load_model_function(node, project_root)
            frame = model(LakeDbt(con, manifest, node, lake_dir), con)
            rows = _write_frame(con, frame, table_folder(lake_dir, node))
            say(f"Python model {node['name']}: {rows:,} rows written to the lake")
            done.append(node["name"])
    finally:
        con.close()
    return done
