{#- delete+insert on DuckDB, with incremental predicates that can name the new rows.

    An incremental run deletes the rows it replaces with `delete from <target> where <unique_key>
    in (select <unique_key> from <new rows>) and <predicates>`: without a predicate the delete
    probes every row of the target, so a daily run's cost grows with the history. A model can
    bound it by what it is about to insert, naming the target DBT_INTERNAL_DEST (dbt's alias for
    it in this statement) and the new rows DBT_INTERNAL_SOURCE (the name dbt's merge statements
    give them):

        incremental_predicates=[
            "DBT_INTERNAL_DEST.occurred_at >= (select min(occurred_at) from DBT_INTERNAL_SOURCE)"
        ]

    DuckDB turns such a scalar bound into a filter on the target's scan and skips the row groups
    it rules out. DBT_INTERNAL_SOURCE is replaced by the new rows' relation here, and dbt's own
    adapter-neutral statement is built (dbt-duckdb's leaves the target unaliased). A predicate
    must only rule out rows the key could not match anyway.
-#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set predicates = [] -%}
    {%- for predicate in incremental_predicates or [] -%}
        {%- do predicates.append(predicate | replace('DBT_INTERNAL_SOURCE', source | string)) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_delete_insert_merge_sql(
        target, source, unique_key, dest_columns, predicates or none
    )) }}
{%- endmacro %}
