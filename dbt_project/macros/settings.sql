{#- Contract §1: the reporting currency and time zone come from the environment; a dbt var of the
    same name overrides them for one run (handy in unit tests). -#}
{% macro reporting_currency() -%}
    {{- var('reporting_currency', env_var('WAREHOUSE_REPORTING_CURRENCY', 'USD')) | upper -}}
{%- endmacro %}

{% macro reporting_timezone() -%}
    {{- var('reporting_timezone', env_var('WAREHOUSE_REPORTING_TIMEZONE', 'UTC')) -}}
{%- endmacro %}

{#- The arrival-day window an incremental run processes, as SQL date literals. -#}
{% macro partition_window_filter(column) -%}
    {{ column }} between cast('{{ var("min_date") }}' as date) and cast('{{ var("max_date") }}' as date)
{%- endmacro %}

{#- The newest value of a run-timestamp column already in this incremental model: rows upstream
    stamped later than it are the ones this run has not seen yet. -#}
{% macro incremental_watermark(column) -%}
    (select coalesce(max({{ column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }})
{%- endmacro %}

{#- The time of the current statement as a plain UTC timestamp, for run-stamp columns. -#}
{% macro run_timestamp() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
