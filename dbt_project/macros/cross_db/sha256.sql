{#- Hex SHA-256 of a string: how personal data (emails) is pseudonymised before any mart. -#}
{% macro sha256(expression) -%}
    {{ return(adapter.dispatch('sha256', 'engagement_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__sha256(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
