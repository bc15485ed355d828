{#- The arrival-day window an incremental run processes (inclusive): vars min_date / max_date, else
    WAREHOUSE_MIN_DATE / WAREHOUSE_MAX_DATE (Dagster's way: new env values do not re-parse the
    project, new --vars do), else all history. Read only at execution: an env var read while
    parsing would tie the saved parse to its value. -#}
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

{#- The newest value of a run-timestamp column already in this incremental model: upstream rows
    stamped later are new to this run. Qualified, so a stored table without the column (an earlier
    version's) cannot bind the outer query's; the run stops saying how to rebuild it instead. -#}
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

{#- The rows of `relation` stamped (`stamp`) after this model's watermark: what changed upstream
    since its last run. -#}
{% macro rows_since_watermark(relation, stamp, watermark='_refreshed_at') -%}
    select changed.* from {{ relation }} as changed
    where changed.{{ stamp }} > {{ incremental_watermark(watermark) }}
{%- endmacro %}
