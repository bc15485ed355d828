{#- Exact seconds (with fractions) from one timestamp to another. dbt.datediff counts boundaries
    crossed, which is off by one for fractional timestamps; the session-gap rule needs the real gap. -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'engagement_warehouse')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {#- a double, as DuckDB's: dividing by a decimal literal would give a decimal -#}
    (cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as double) / 1000000.0)
{%- endmacro %}

{#- Whole microseconds first: epoch() gives seconds as doubles of ~1.8e9, whose difference is off
    by up to ~1e-7 s (0.1639998 s for 164 ms); Spark's gap is exact, and so is this one. -#}
{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}) as double) / 1000000)
{%- endmacro %}
