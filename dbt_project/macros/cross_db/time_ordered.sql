{#- Ends a full build of a big incremental table with its rows in time order: DuckDB keeps a
    min/max per row group, so time-bounded deletes and reads of daily runs skip older row groups.
    Other engines lay data out by their own partitioning config. -#}
{% macro time_ordered(column) -%}
    {{ return(adapter.dispatch('time_ordered', 'engagement_warehouse')(column)) }}
{%- endmacro %}

{% macro default__time_ordered(column) -%}
{%- endmacro %}

{% macro duckdb__time_ordered(column) -%}
    {%- if not is_incremental() %}
    order by {{ column }}
    {%- endif %}
{%- endmacro %}
