{#- The arrival-day window an incremental run processes (inclusive), as SQL date literals: the
    vars min_date / max_date when given (`dbt build --vars ...`), else the environment variables
    WAREHOUSE_MIN_DATE / WAREHOUSE_MAX_DATE (how Dagster passes a partition window: unlike
    changed --vars, they do not force dbt to re-parse the whole project), else all history.
    They are read only when dbt executes: an environment variable read while parsing ties the
    parse to its value, and every new window would re-parse each file that uses it. -#}
{% macro window_start() -%}
    {%- if execute -%}
        {{- var('min_date', env_var('WAREHOUSE_MIN_DATE', '1900-01-01')) -}}
    {%- else -%}
        1900-01-01
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    {%- if execute -%}
        {{- var('max_date', env_var('WAREHOUSE_MAX_DATE', '2999-12-31')) -}}
    {%- else -%}
        2999-12-31
    {%- endif -%}
{%- endmacro %}

{% macro partition_window_filter(column) -%}
    {{ column }} between cast('{{ window_start() }}' as date) and cast('{{ window_end() }}' as date)
{%- endmacro %}

{#- The newest value of a run-timestamp column already in this incremental model: rows upstream
    stamped later than it are the ones this run has not seen yet. The column is qualified, so a
    stored table without it (built by an earlier version) can never bind it to the outer query;
    such a table stops the run with what to do rather than a binder error. -#}
{% macro incremental_watermark(column) -%}
    {#- (in a unit test, `this` is the name of the given rows, not a relation) -#}
    {%- if execute and is_incremental() and this is not string -%}
        {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if stored and column | lower not in stored -%}
            {{ exceptions.raise_compiler_error(
                this ~ " has no column " ~ column ~ ": it was built by an earlier version of this project. "
                ~ "Rebuild it once: uv run warehouse refresh --full-refresh, or only this model: "
                ~ "uv run dbt run -s " ~ this.identifier ~ " --full-refresh") }}
        {%- endif -%}
    {%- endif -%}
    (select coalesce(max(stored.{{ column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }} as stored)
{%- endmacro %}
