{#- Contract §1: the reporting currency and time zone come from the environment; a dbt var of the
    same name overrides them for one run (handy in unit tests). -#}
{% macro reporting_currency() -%}
    {{- var('reporting_currency', env_var('WAREHOUSE_REPORTING_CURRENCY', 'USD')) | upper -}}
{%- endmacro %}

{% macro reporting_timezone() -%}
    {{- var('reporting_timezone', env_var('WAREHOUSE_REPORTING_TIMEZONE', 'UTC')) -}}
{%- endmacro %}

{#- Contract §1: WAREHOUSE_START_DATE, the first daily partition (default: the sample's first day,
    as orchestration/core/settings.py). Before it nothing was loaded, so no period that starts earlier
    is complete (kpi_metrics.is_complete_period). The var start_date overrides it for one run.
    Read only when dbt executes, like window_start(): read while parsing, it would tie the parse
    to its value. -#}
{% macro warehouse_start_date() -%}
    {%- if execute -%}
        {%- set value = var('start_date', env_var('WAREHOUSE_START_DATE', '2026-10-01')) | string | trim -%}
        {%- set parsed = modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {%- if not parsed -%}
            {{ exceptions.raise_compiler_error(
                "WAREHOUSE_START_DATE (dbt var start_date) = '" ~ value ~ "' is not a date; use the form YYYY-MM-DD") }}
        {%- endif -%}
        {{- value -}}
    {%- else -%}
        2026-10-01
    {%- endif -%}
{%- endmacro %}

{#- Contract §1: the CLV validation holdout (days at the end of the order history kept out of the
    calibration fit) and the shortest history CLV is predicted on. A dbt var of the lower-case name
    overrides the environment variable. Read only when dbt executes, like the window below, so a
    new value does not force a re-parse; a value that is not a whole number of days stops the run
    with an error naming the setting. -#}
{% macro clv_holdout_days() -%}
    {{- return(_days_setting('clv_holdout_days', 'WAREHOUSE_CLV_HOLDOUT_DAYS', 90, 1)) -}}
{%- endmacro %}

{% macro clv_min_history_days() -%}
    {{- return(_days_setting('clv_min_history_days', 'WAREHOUSE_CLV_MIN_HISTORY_DAYS', 90, 0)) -}}
{%- endmacro %}

{#- Contract §4, "Attribution": how many days before a purchase a touch may start and still be
    credited (the converting session always is). -#}
{% macro attribution_lookback_days() -%}
    {{- return(_days_setting('attribution_lookback_days', 'WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS', 30, 0)) -}}
{%- endmacro %}

{% macro _days_setting(var_name, env_name, default, minimum) -%}
    {%- if not execute -%}
        {{- return(default) -}}
    {%- endif -%}
    {%- set raw = var(var_name, env_var(env_name, default | string)) | string | trim -%}
    {%- if not (raw.isdigit() and raw | int >= minimum) -%}
        {{ exceptions.raise_compiler_error(
            env_name ~ "=" ~ raw ~ " is not a whole number of days of at least " ~ minimum) }}
    {%- endif -%}
    {{- return(raw | int) -}}
{%- endmacro %}

{#- The time of the current statement as a plain UTC timestamp, for run-stamp columns. -#}
{% macro run_timestamp() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
