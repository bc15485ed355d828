"""The dbt project in Dagster: the parsed manifest, the dbt command lines and the dbt assets."""
