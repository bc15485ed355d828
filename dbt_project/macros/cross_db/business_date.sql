{#- The business date (in the reporting time zone) of a naive UTC timestamp. Every *_date column
    of the marts goes through here so that the time zone rule lives in one place. -#}
{% macro business_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('business_date', 'engagement_warehouse')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__business_date(utc_timestamp) -%}
    {%- if reporting_timezone() | upper == 'UTC' -%}
        cast({{ utc_timestamp }} as date)
    {%- else -%}
        to_date(from_utc_timestamp({{ utc_timestamp }}, '{{ reporting_timezone() }}'))
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__business_date(utc_timestamp) -%}
    {%- if reporting_timezone() | upper == 'UTC' -%}
        cast({{ utc_timestamp }} as date)
    {%- else -%}
        cast(timezone('{{ reporting_timezone() }}', timezone('UTC', {{ utc_timestamp }})) as date)
    {%- endif -%}
{%- endmacro %}
