{#-
    Incremental upkeep of customer_segment_history (contract §4, "Segments as they were").

    A daily run recomputes the segments of every customer for the days from `restate_from` to
    the observation end, and nothing before: the earliest business date of a fact loaded or
    rewritten since the last run (events re-sessionized, sessions rewritten by a login, orders
    and survey responses with a new delivery, a CRM record of a customer: from that customer's
    first day), else the last day the previous run saw (whose clamped facts may move to a new
    day). Facts before that date did not change, so neither did any segment before it, the
    percentile-based ones included.

    The pre-hooks fix that date in a temporary table, keep the rows that were current on the day
    before it (the model continues them: an unchanged value keeps its valid_from) and delete those
    and everything after; the model appends the restated intervals.
-#}

{% macro segment_history_restate_from_sql() -%}
    {%- set watermark = incremental_watermark('_refreshed_at') -%}
    {%- set raw_events = source('tracking', 'events') %}
    {%- set raw_orders = source('shop', 'orders') %}
    {%- set raw_surveys = source('feedback', 'surveys') %}
    {%- set raw_crm = source('crm', 'customers') %}
    select coalesce(least(
        -- the last day the previous run saw (the observation end then)
        (
            select max(last_day) from (
                select max(_partition_date) as last_day from {{ raw_events }} where _loaded_at <= {{ watermark }}
                union all
                select max(_partition_date) as last_day from {{ raw_orders }} where _loaded_at <= {{ watermark }}
            ) as seen
        ),
        (select min(occurred_date) from {{ ref('int_events_sessionized') }} where _sessionized_at > {{ watermark }}),
        (select min(session_date) from {{ ref('fct_sessions') }} where _refreshed_at > {{ watermark }}),
        (
            select min({{ business_date('ordered_at') }}) from {{ raw_orders }}
            where order_id in (select order_id from {{ raw_orders }} where _loaded_at > {{ watermark }})
        ),
        (
            select min({{ business_date('submitted_at') }}) from {{ raw_surveys }}
            where response_id in (select response_id from {{ raw_surveys }} where _loaded_at > {{ watermark }})
        ),
        (
            select min(activity_date) from {{ ref('int_customer_activity_daily') }}
            where customer_id in (select customer_id from {{ raw_crm }} where _loaded_at > {{ watermark }})
        )
    ), cast('2999-12-31' as date)) as restate_from
{%- endmacro %}

{% macro remember_segment_restate_from(restate_temp) %}
    {% if is_incremental() %}
        create or replace temporary table {{ restate_temp }} as
        {{ segment_history_restate_from_sql() }}
    {% endif %}
{% endmacro %}

{#- The rows current on the day before the restated days (the model continues them). -#}
{% macro remember_segment_rows_continued(restate_temp, prior_temp) %}
    {% if is_incremental() %}
        create or replace temporary table {{ prior_temp }} as
        select customer_id, segment_type, segment_value, valid_from
        from {{ this }}
        where
            valid_from < (select restate_from from {{ restate_temp }})
            and (valid_to is null or valid_to >= (select restate_from from {{ restate_temp }}))
    {% endif %}
{% endmacro %}

{% macro delete_segment_rows_restated(restate_temp) %}
    {% if is_incremental() %}
        delete from {{ this }}
        where
            valid_from >= (select restate_from from {{ restate_temp }})
            or valid_to is null
            or valid_to >= (select restate_from from {{ restate_temp }})
    {% endif %}
{% endmacro %}

{#- Days from `start_expression` to `end_expression` (date expressions of a one-row relation
    `bounds`), inclusive: at most 20,000 days (55 years) of history. -#}
{% macro day_series(start_expression, end_expression) -%}
    select cast({{ dbt.dateadd('day', 'series.generated_number - 1', start_expression) }} as date) as as_of_date
    from ({{ dbt.generate_series(20000) }}) as series
    cross join bounds
    where {{ dbt.dateadd('day', 'series.generated_number - 1', start_expression) }} <= {{ end_expression }}
{%- endmacro %}
