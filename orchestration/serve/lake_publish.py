"""Publication on Spark (contract §7): each mart as Parquet under `<lake>/serving/<mart>/`, and the
serving file (contract §5) made from those files, so BI tools, the report and `warehouse summary`
read the same thing whatever the engine.

Spark's own tables stay in its `marts` schema. Their Parquet files are read here by DuckDB (no Spark
session), once dbt has finished. Each mart is written to a new folder and renamed into place: a
reader lists the previous mart or the new one, never a part-written file. The columns keep the
order the mart's documentation (its contract) gives, which on Spark would otherwise end with the
table's partition column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ingest.checks import quote_literal
from orchestration.ingest.lake import (
    PARQUET_FILE,
    connect_scratch,
    remove_stale_staging,
    staging_folder,
    swap_in,
    write_parquet,
)
from orchestration.serve.publish import PUBLISHED_SCHEMAS, PublishResult, publish_serving_file
from orchestration.transform.lake_python import table_files, table_folder

SERVING_FOLDER = "serving"
BUILT_MATERIALIZATIONS = ("table", "incremental", "seed", "lake_table")


def published_nodes(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The models and seeds of the published schemas (marts; reference data), by schema and name."""
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["schema"] in PUBLISHED_SCHEMAS
        and node["config"].get("materialized") in BUILT_MATERIALIZATIONS
    ]
    return sorted(nodes, key=lambda node: (node["schema"], node["name"]))


def serving_folder(lake_dir: Path, node: Mapping[str, Any]) -> Path:
    """`<lake>/serving/<mart>/` for a mart; reference tables under `serving/reference/`."""
    name = (node.get("alias") or node["name"]).lower()
    root = lake_dir / SERVING_FOLDER
    return root / name if node["schema"] == "marts" else root / node["schema"] / name


def _source_relation(con: duckdb.DuckDBPyConnection, lake_dir: Path, node: Mapping[str, Any]) -> str:
    """A query over the Spark table's files, its columns in the documented order when the
    documentation names them all."""
    folder = table_folder(lake_dir, node)
    files = table_files(folder)
    if not files:
        raise FileNotFoundError(f"{node['name']}: Spark wrote no Parquet files under {folder}")
    paths = "[" + ", ".join(quote_literal(str(p)) for p in files) + "]"
    scan = f"read_parquet({paths}, hive_partitioning = true)"
    found = [row[0] for row in con.execute(f"describe select * from {scan}").fetchall()]
    documented = list(node.get("columns", {}))
    ordered = documented if sorted(map(str.lower, documented)) == sorted(map(str.lower, found)) else found
    columns = ", ".join(f'"{name}"' for name in ordered)
    return f"select {columns} from {scan}"


def write_serving_parquet(
    manifest: Mapping[str, Any], lake_dir: Path, memory_limit: str = "4GB"
) -> dict[str, Path]:
    """Every published table as `<lake>/serving/.../part-0.parquet`; returns the folders by table."""
    written: dict[str, Path] = {}
    con = connect_scratch(lake_dir, memory_limit)
    try:
        for node in published_nodes(manifest):
            final = serving_folder(lake_dir, node)
            remove_stale_staging(final.parent)
            staged = staging_folder(final.parent)
            write_parquet(con, _source_relation(con, lake_dir, node), {}, staged)
            swap_in(staged, final)
            written[f"{node['schema']}.{node.get('alias') or node['name']}"] = final
    finally:
        con.close()
    return written


def publish_from_lake(
    manifest: Mapping[str, Any],
    lake_dir: Path,
    serving_path: Path,
    *,
    run_id: str | None = None,
    memory_limit: str = "4GB",
) -> PublishResult:
    """Write the serving Parquet, then the serving file from it (a full copy, write-then-rename,
    through a small file of views that only this publication reads)."""
    written = write_serving_parquet(manifest, lake_dir, memory_limit)
    views_path = lake_dir / "serving_views.duckdb"
    views_path.unlink(missing_ok=True)
    with duckdb.connect(str(views_path)) as con:
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f'create schema if not exists "{schema}"')
        for name, folder in written.items():
            schema, table = name.split(".", 1)
            con.execute(
                f'create view "{schema}"."{table}" as '
                f"select * from read_parquet({quote_literal(str(folder / PARQUET_FILE))})"
            )
    try:
        return publish_serving_file(views_path, serving_path, run_id=run_id, allow_delta=False)
    finally:
        views_path.unlink(missing_ok=True)
