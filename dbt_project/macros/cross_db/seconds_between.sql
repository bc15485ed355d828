{#- Exact seconds (with fractions) from one timestamp to another. dbt.datediff counts boundaries
    crossed, which is off by one for fractional timestamps; the session-gap rule needs the real gap. -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'engagement_warehouse')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {#- a double, as DuckDB's: dividing by a decimal literal would give a decimal -#}
    (cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as double) / 1000000.0)
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (epoch({{ end_timestamp }}) - epoch({{ start_timestamp }}))
{%- endmacro %}
