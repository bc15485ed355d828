"""Statistics the dbt Python models use (CLV: BG/NBD and Gamma-Gamma), as a plain library.

It depends on numpy, pandas and scipy only: no Dagster, no dbt, nothing of `orchestration`, so
the dbt project's Python models run wherever the library is installed. Import the modules you
need (`from engagement_stats import clv`); this file imports nothing.
"""
