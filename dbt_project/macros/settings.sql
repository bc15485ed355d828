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

{#- The arrival-day window an incremental run processes (inclusive), as SQL date literals: the
    vars min_date / max_date when given (`dbt build --vars ...`), else the environment variables
    WAREHOUSE_MIN_DATE / WAREHOUSE_MAX_DATE (how Dagster passes a partition window: unlike
    changed --vars, they do not force dbt to re-parse the whole project), else all history.
    They are read only when dbt executes: an environment variable read while parsing ties the
    parse to its value, and every new window would re-parse each file that uses it. -#}
{% macro window_start() -%}
    {%- if execute -%}
        {{- var('min_date', env_var('WAREHOUSE_MIN_DATE', '1900-01-01')) -}}
    {%- else -%}
        1900-01-01
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    {%- if execute -%}
        {{- var('max_date', env_var('WAREHOUSE_MAX_DATE', '2999-12-31')) -}}
    {%- else -%}
        2999-12-31
    {%- endif -%}
{%- endmacro %}

{% macro partition_window_filter(column) -%}
    {{ column }} between cast('{{ window_start() }}' as date) and cast('{{ window_end() }}' as date)
{%- endmacro %}

{#- The newest value of a run-timestamp column already in this incremental model: rows upstream
    stamped later than it are the ones this run has not seen yet. The column is qualified, so a
    stored table without it (built by an earlier version) can never bind it to the outer query;
    such a table stops the run with what to do rather than a binder error. -#}
{% macro incremental_watermark(column) -%}
    {#- (in a unit test, `this` is the name of the given rows, not a relation) -#}
    {%- if execute and is_incremental() and this is not string -%}
        {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if stored and column | lower not in stored -%}
            {{ exceptions.raise_compiler_error(
                this ~ " has no column " ~ column ~ ": it was built by an earlier version of this project. "
                ~ "Rebuild it once: uv run warehouse refresh --full-refresh, or only this model: "
                ~ "uv run dbt run -s " ~ this.identifier ~ " --full-refresh") }}
        {%- endif -%}
    {%- endif -%}
    (select coalesce(max(stored.{{ column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }} as stored)
{%- endmacro %}

{#- The time of the current statement as a plain UTC timestamp, for run-stamp columns. -#}
{% macro run_timestamp() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
