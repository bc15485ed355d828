"""Landing zone -> `raw.<source>`: the landing contract, file framing, the loaders and their assets.

Importing the package imports nothing else: the sample generator and dbt-free tools read the
contract without pulling in DuckDB or Dagster.
"""
