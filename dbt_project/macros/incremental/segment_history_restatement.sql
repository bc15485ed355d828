{#-
    Restatement of the customer-day models (customer_segment_history, int_customer_engagement_daily):
    a run recomputes the days from `restate_from` (the first day whose facts changed) to the
    observation end, and nothing before. The pre-hooks fix that day in a temporary table; the
    model reads it through days_to_restate.
-#}

{#- The earliest business date of a fact loaded or rewritten since the last run (events
    re-sessionized, sessions rewritten by a login, orders and survey responses with a new delivery,
    a CRM profile version: from its date, or from the customer's first day for their first
    version), else the last day the previous run saw (whose clamped facts may move to a new day).
    Facts before it did not change, so neither did any segment or percentile before it.
    Also called by remember_kpi_segment_restate_from (macros/incremental/kpi_restatement.sql). -#}
{% macro segment_history_restate_from_sql() -%}
    {%- set watermark = incremental_watermark('_refreshed_at') -%}
    {%- set event_arrivals = ref('stg_tracking__event_arrivals') %}
    {%- set order_arrivals = ref('stg_shop__order_arrivals') %}
    {%- set survey_arrivals = ref('stg_feedback__survey_response_arrivals') %}
    {%- set crm_arrivals = ref('stg_crm__customer_arrivals') %}
    select coalesce(least(
        -- the last day the previous run saw (the observation end then)
        (
            select max(last_day) from (
                select max(_partition_date) as last_day from {{ event_arrivals }} where _loaded_at <= {{ watermark }}
                union all
                select max(_partition_date) as last_day from {{ order_arrivals }} where _loaded_at <= {{ watermark }}
            ) as seen
        ),
        (select min(occurred_date) from {{ ref('int_events_sessionized') }} where _sessionized_at > {{ watermark }}),
        (select min(session_date) from {{ ref('fct_sessions') }} where _refreshed_at > {{ watermark }}),
        (
            select min(ordered_date) from {{ order_arrivals }}
            where order_id in (select order_id from {{ order_arrivals }} where _loaded_at > {{ watermark }})
        ),
        (
            select min(submitted_date) from {{ survey_arrivals }}
            where response_id in (select response_id from {{ survey_arrivals }} where _loaded_at > {{ watermark }})
        ),
        (
            -- a new profile version holds from its date; a customer's first version also
            -- before it, from the customer's first day
            select min(
                case
                    when loaded.updated_date <= versions.first_version_date
                        then coalesce(first_days.first_day, loaded.updated_date)
                    else loaded.updated_date
                end
            )
            from (
                select customer_id, min(updated_date) as updated_date
                from {{ crm_arrivals }}
                where _loaded_at > {{ watermark }}
                group by customer_id
            ) as loaded
            left join (
                select customer_id, min(updated_date) as first_version_date
                from {{ ref('stg_crm__customer_versions') }}
                group by customer_id
            ) as versions
                on loaded.customer_id = versions.customer_id
            left join (
                select customer_id, min(activity_date) as first_day
                from {{ ref('int_customer_activity_daily') }}
                group by customer_id
            ) as first_days
                on loaded.customer_id = first_days.customer_id
        )
    ), cast('2999-12-31' as date)) as restate_from
{%- endmacro %}

{#- Pre-hook: the first day to restate, in `restate_temp` (one row, column restate_from). -#}
{% macro remember_segment_restate_from(restate_temp) %}
    {% if is_incremental() %}
        {%- set sql %}
        {{ segment_history_restate_from_sql() }}
        {%- endset %}
        {{ temporary_table_as(restate_temp, sql) }}
    {% endif %}
{% endmacro %}

{#- The model's days (column as_of_date): from `history_start` (a scalar SQL expression: the
    first day the model has rows for) to the observation end; in an incremental run from the
    first day to restate, not before history_start. At most 20,000 days (55 years). -#}
{% macro days_to_restate(observation, restate_temp, history_start) -%}
    {%- if is_incremental() %}
        {%- set first_day = 'greatest((select restate_from from ' ~ restate_temp ~ '), ' ~ history_start ~ ')' %}
    {%- else %}
        {%- set first_day = history_start %}
    {%- endif %}
    {%- set day = dbt.dateadd('day', 'series.generated_number - 1', 'bounds.first_day') %}
    select cast({{ day }} as date) as as_of_date
    from ({{ dbt.generate_series(20000) }}) as series
    cross join (
        select
            {{ first_day }} as first_day,
            observation_end as last_day
        from {{ observation }}
    ) as bounds
    where {{ day }} <= bounds.last_day
{%- endmacro %}

{#- Pre-hook of int_customer_engagement_daily: delete the days the run restates. -#}
{% macro delete_restated_days(restate_temp) %}
    {% if is_incremental() %}
        {%- set condition %}
            as_of_date >= (select restate_from from {{ restate_temp }})
        {%- endset %}
        {{ delete_rows(this, condition) }}
    {% endif %}
{% endmacro %}

{#- customer_segment_history: the run appends every interval from the first restated day on,
    continuing the rows current the day before (an unchanged value keeps its valid_from), and
    keeps only what changed: a stored interval produced again stays as it was, with its
    _refreshed_at, so the models downstream restate only the customers whose segments moved. -#}

{#- Pre-hook: the rows current on the day before the restated days, in `prior_temp`. -#}
{% macro remember_segment_rows_continued(restate_temp, prior_temp) %}
    {% if is_incremental() %}
        {%- set sql %}
        select customer_id, segment_type, segment_value, valid_from
        from {{ this }}
        where
            valid_from < (select restate_from from {{ restate_temp }})
            and (valid_to is null or valid_to >= (select restate_from from {{ restate_temp }}))
        {%- endset %}
        {{ temporary_table_as(prior_temp, sql) }}
    {% endif %}
{% endmacro %}

{#- In the model's daily values (customer_id, segment_type, segment_value, as_of_date): the rows
    continued, from the day they started. -#}
{% macro segment_rows_continued(prior_temp) %}
    {%- if is_incremental() %}
        union all
        select
            customer_id,
            segment_type,
            segment_value,
            valid_from as as_of_date
        from {{ prior_temp }}
    {%- endif %}
{% endmacro %}

{#- Pre-hook: the latest _refreshed_at before this run; the rows the run appends are those after it. -#}
{% macro remember_previous_refresh(previous_temp) %}
    {% if is_incremental() %}
        {%- set sql %}
        select {{ incremental_watermark('_refreshed_at') }} as refreshed_at
        {%- endset %}
        {{ temporary_table_as(previous_temp, sql) }}
    {% endif %}
{% endmacro %}

{#- Post-hooks: drop the stored rows the run did not produce again, then the fresh rows that were
    stored already. -#}
{% macro keep_unchanged_segment_rows(restate_temp, previous_temp, step) %}
    {% if is_incremental() %}
        {%- set previous = '(select refreshed_at from ' ~ previous_temp ~ ')' %}
        {%- set same_interval %}
            fresh.customer_id = stored.customer_id
            and fresh.segment_type = stored.segment_type
            and fresh.segment_value is not distinct from stored.segment_value
            and fresh.valid_from = stored.valid_from
            and fresh.valid_to is not distinct from stored.valid_to
        {%- endset %}
        {%- if step == 'drop stored rows not produced again' %}
        {%- set condition %}
            stored._refreshed_at <= {{ previous }}
            and (
                stored.valid_to is null
                or stored.valid_to >= (select restate_from from {{ restate_temp }})
                or stored.valid_from >= (select restate_from from {{ restate_temp }})
            )
            and not exists (
                select 1 from {{ this }} as fresh
                where fresh._refreshed_at > {{ previous }} and {{ same_interval }}
            )
        {%- endset %}
        {{ delete_rows(this, condition, 'stored') }}
        {%- else %}
        {%- set condition %}
            fresh._refreshed_at > {{ previous }}
            and exists (
                select 1 from {{ this }} as stored
                where stored._refreshed_at <= {{ previous }} and {{ same_interval }}
            )
        {%- endset %}
        {{ delete_rows(this, condition, 'fresh') }}
        {%- endif %}
    {% endif %}
{% endmacro %}
