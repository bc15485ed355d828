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
