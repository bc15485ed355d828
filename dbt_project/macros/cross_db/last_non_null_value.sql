{#- The last non-null value of an expression within a window frame (the `over (...)` follows the
    call): how a running value is read back at the row where it was last set. -#}
{% macro last_non_null_value(expression) -%}
    {{ return(adapter.dispatch('last_non_null_value', 'engagement_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__last_non_null_value(expression) -%}
    last_value({{ expression }}) ignore nulls
{%- endmacro %}

{% macro duckdb__last_non_null_value(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__last_non_null_value(expression) -%}
    last_value({{ expression }}, true)
{%- endmacro %}
