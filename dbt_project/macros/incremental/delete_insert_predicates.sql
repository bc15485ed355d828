{#- The incremental_predicates of a delete+insert model whose replaced rows are never older than
    the oldest row it inserts: the delete then skips the older row groups instead of probing the
    keys of all history. DBT_INTERNAL_SOURCE names the new rows (below). -#}
{% macro delete_from_earliest_new(column) -%}
    {{ return(['DBT_INTERNAL_DEST.' ~ column ~ ' >= (select min(' ~ column ~ ') from DBT_INTERNAL_SOURCE)']) }}
{%- endmacro %}

{#- delete+insert on DuckDB whose predicates can name the new rows DBT_INTERNAL_SOURCE (as in dbt's
    merge statements) and the target DBT_INTERNAL_DEST: dbt's adapter-neutral statement, which
    aliases the target (dbt-duckdb's does not). A predicate must only rule out rows the key could
    not match anyway. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set predicates = [] -%}
    {%- for predicate in incremental_predicates or [] -%}
        {%- do predicates.append(predicate | replace('DBT_INTERNAL_SOURCE', source | string)) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_delete_insert_merge_sql(
        target, source, unique_key, dest_columns, predicates or none
    )) }}
{%- endmacro %}
