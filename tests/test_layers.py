"""The dbt layers run one way (issue 21): raw → staging → intermediate → marts → metrics.

A model's layer is its first folder under dbt_project/models/. What it reads is what dbt lists as
its parents (`dbt ls`: refs and sources in its SQL and its `-- depends_on` lines) plus every
`ref(`/`source(` written anywhere in its file, so that a ref dbt cannot see while parsing (one
inside `{% if is_incremental() %}`) is held to the same rules.

- staging reads sources and seeds only, and is the only layer that reads sources;
- intermediate reads staging, intermediate and seeds;
- marts read intermediate, marts and seeds, and staging (as dbt Labs' structure guide allows:
  a mart may take a staged entity that needs no intermediate step, e.g. dim_customers' CRM
  profile; what matters is that nothing reads upward);
- metrics (the KPI layer: int_kpi_* and the KPI marts) read marts, metrics and seeds;
- utilities (generated helpers such as MetricFlow's time spine) read seeds only, and any layer
  may read them; semantic models describe marts and metrics.

Skipping a layer down where the rules above do not allow it is listed in SKIPS with its reason;
the list must match the project exactly, so an entry goes when its edge does. Macros do not call
`ref()`/`source()` except those in MACRO_REFS: the incremental mechanics run in hooks, where the
model cannot pass a relation in (hooks are rendered at run time), so the model declares each of
those relations with a `-- depends_on:` line instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.core.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "dbt_project" / "models"
MACROS = PROJECT_ROOT / "dbt_project" / "macros"

READS: dict[str, set[str]] = {
    "staging": {"source", "seed"},
    "intermediate": {"staging", "intermediate", "seed"},
    "marts": {"staging", "intermediate", "marts", "seed"},
    "metrics": {"marts", "metrics", "seed"},
    "utilities": {"seed"},
    "semantic": {"marts", "metrics"},
}
READ_BY_ANY_LAYER = {"utilities"}

# Restatement pre-hooks (kpi_touched_days_sql, segment_history_restate_from_sql) find what changed
# since the model's last run upstream of the marts: events re-sessionized (a vanished session
# leaves no row in any mart), every export of an order, every delivery of a survey or a profile.
_CHANGE_DETECTION = "restatement pre-hooks read what changed upstream of the marts (-- depends_on)"
_OBSERVATION_END = "the observation end (one row: the last arrival day loaded), a setting rather than a fact"
_EMAIL_EVENTS = "distinct e-mail recipients per period need the event grain, which no mart keeps"
SKIPS: dict[tuple[str, str], str] = {
    **{
        ("int_kpi_daily", parent): _CHANGE_DETECTION
        for parent in (
            "int_events_sessionized",
            "int_orders_converted",
            "stg_crm__customer_versions",
            "stg_marketing__campaign_days",
            "stg_tracking__event_arrivals",
            "stg_shop__order_arrivals",
            "stg_feedback__survey_response_arrivals",
            "stg_crm__customer_arrivals",
        )
    },
    **{
        ("int_kpi_visitor_segments", parent): _CHANGE_DETECTION
        for parent in (
            "int_events_sessionized",
            "stg_crm__customer_versions",
            "stg_tracking__event_arrivals",
            "stg_shop__order_arrivals",
            "stg_feedback__survey_response_arrivals",
            "stg_crm__customer_arrivals",
        )
    },
    ("int_kpi_distinct", "int_observation_window"): _OBSERVATION_END,
    ("kpi_metrics", "int_observation_window"): _OBSERVATION_END,
    ("int_kpi_churn_rate", "int_observation_window"): _OBSERVATION_END,
    ("int_kpi_email_engagement", "int_email_events"): _EMAIL_EVENTS,
    ("email_events", "int_email_events"): "the semantic model of e-mail events: " + _EMAIL_EVENTS,
}

# Macros that ref a model, by file: each runs as a hook of the models that declare its relations
# with `-- depends_on:` (dbt renders hooks at run time, so the model cannot pass them in).
MACRO_REFS: dict[str, set[str]] = {
    # kpi_touched_days_sql: days whose KPI facts changed (pre-hook of the KPI inputs and of
    # fct_social_shares_daily)
    "kpi_restatement.sql": {
        "int_events_sessionized",
        "fct_sessions",
        "int_orders_converted",
        "stg_marketing__campaign_days",
        "stg_shop__order_arrivals",
        "stg_feedback__survey_response_arrivals",
    },
    # segment_history_restate_from_sql: the first day whose segments may have changed (pre-hook)
    "segment_history_restatement.sql": {
        "stg_tracking__event_arrivals",
        "stg_shop__order_arrivals",
        "stg_feedback__survey_response_arrivals",
        "stg_crm__customer_arrivals",
        "int_events_sessionized",
        "fct_sessions",
        "stg_crm__customer_versions",
        "int_customer_activity_daily",
    },
    # int_kpi_visitor_segments' restitching pre- and post-hooks
    "kpi_restitching.sql": {"fct_sessions", "customer_segment_history"},
}

CALL = re.compile(r"""\b(ref|source)\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?""")


def _dbt_ls() -> list[dict]:
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_ROOT),
        # its own target folder: the saved parse in target/ stays the one `make setup` made
        "DBT_TARGET_PATH": str(PROJECT_ROOT / "target" / "test_layers"),
        "WAREHOUSE_DUCKDB_PATH": str(PROJECT_ROOT / "target" / "test_layers" / "unused.duckdb"),
    }
    keys = ["unique_id", "resource_type", "name", "original_file_path", "depends_on"]
    listed = subprocess.run(
        [
            str(dbt),
            "ls",
            "--quiet",
            "--resource-type",
            "model",
            "--resource-type",
            "semantic_model",
            "--output",
            "json",
            "--output-keys",
            *keys,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def nodes() -> list[dict]:
    return _dbt_ls()


def _layer(path: str) -> str:
    return Path(path).relative_to("dbt_project/models").parts[0]


def _edges(nodes: list[dict]) -> set[tuple[str, str, str, str]]:
    """(node, its layer, parent, the parent's layer) for every parent."""
    layer_of = {node["name"]: _layer(node["original_file_path"]) for node in nodes}
    by_id = {node["unique_id"]: node["name"] for node in nodes}
    edges = set()
    for node in nodes:
        parents: set[tuple[str, str]] = set()
        for parent in node["depends_on"]["nodes"]:
            kind, _, rest = parent.partition(".")
            name = rest.split(".")[-1]
            parents.add((by_id.get(parent, name), kind if kind in ("source", "seed") else layer_of[name]))
        if node["resource_type"] == "model":
            text = (PROJECT_ROOT / node["original_file_path"]).read_text()
            for call, first, second in CALL.findall(text):
                if call == "source":
                    parents.add((f"{first}.{second}", "source"))
                else:
                    parents.add((first, layer_of.get(first, "seed")))
        edges |= {(node["name"], layer_of[node["name"]], *parent) for parent in parents}
    return edges


def test_every_model_is_in_a_known_layer(nodes: list[dict]):
    assert {_layer(node["original_file_path"]) for node in nodes} <= set(READS)


def test_layers_read_one_way(nodes: list[dict]):
    edges = _edges(nodes)
    wrong = sorted(
        f"{layer}/{name} reads {parent_layer}/{parent}"
        for name, layer, parent, parent_layer in edges
        if parent_layer not in READS[layer] | READ_BY_ANY_LAYER and (name, parent) not in SKIPS
    )
    assert wrong == []
    present = {(name, parent) for name, _, parent, _ in edges}
    assert sorted(set(SKIPS) - present) == [], "SKIPS lists edges the project no longer has"
    # a listed skip never reads upward or a source: only down past a layer
    order = ["source", "staging", "intermediate", "marts", "metrics"]
    for name, layer, parent, parent_layer in edges:
        if (name, parent) in SKIPS and layer in order and parent_layer in order:
            assert order.index(parent_layer) < order.index(layer) and parent_layer != "source"


def test_sources_are_read_in_staging_only():
    outside = sorted(
        str(path.relative_to(MODELS))
        for path in MODELS.rglob("*")
        if path.suffix in (".sql", ".py")
        and path.relative_to(MODELS).parts[0] != "staging"
        and "source(" in path.read_text()
    )
    assert outside == []


def test_macros_call_ref_and_source_only_where_listed():
    found: dict[str, set[str]] = {}
    for path in sorted(MACROS.rglob("*.sql")):
        for call, first, second in CALL.findall(path.read_text()):
            assert call == "ref", f"{path.name} reads source {first}.{second}: only staging reads sources"
            found.setdefault(path.name, set()).add(first)
    assert found == MACRO_REFS
