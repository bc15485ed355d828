{#- Ends a full build of a big incremental table with the rows in time order. DuckDB keeps the
    insertion order and a min/max per column and row group, so a table written in time order
    lets the daily run's time-bounded deletes and reads skip every row group older than the
    window they touch; a table written in visitor order (the sessionizer's) spans all of history
    in every row group and is read whole. Other engines lay out data by their own partitioning
    config, so the default adds nothing. Incremental runs append their rows as they come. -#}
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
