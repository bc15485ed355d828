{#-
    Incremental upkeep of customer_segment_history (contract §4, "Segments as they were").

    A daily run recomputes the segments of every customer for the days from `restate_from` to
    the observation end, and nothing before: the earliest business date of a fact loaded or
    rewritten since the last run (events re-sessionized, sessions rewritten by a login, orders
    and survey responses with a new delivery, a CRM profile version: from its date, or from the
    customer's first day for their first version), else the last day the previous run saw (whose clamped facts may move to a new
    day). Facts before that date did not change, so neither did any segment before it, the
    percentile-based ones included.

    The pre-hooks fix that date in a temporary table and keep the rows that were current on the
    day before it (the model continues them: an unchanged value keeps its valid_from); the model
    appends the restated intervals, and a post-hook keeps only what changed: a stored interval
    the run produced again stays as it was, with its _refreshed_at, so the models downstream
    restate only the customers whose segments moved.
-#}

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

{#- Pre-hook: the latest _refreshed_at before this run; the rows the run appends are those after it. -#}
{% macro remember_previous_refresh(previous_temp) %}
    {% if is_incremental() %}
        create or replace temporary table {{ previous_temp }} as
        select {{ incremental_watermark('_refreshed_at') }} as refreshed_at
    {% endif %}
{% endmacro %}

{#- Post-hook: the model appended every interval from the restated days on; keep the stored row
    where it came out again unchanged (with its _refreshed_at, so later models see only the
    customers whose segments changed) and drop the stored rows it did not produce again. -#}
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
        delete from {{ this }} as stored
        where
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
        {%- else %}
        delete from {{ this }} as fresh
        where
            fresh._refreshed_at > {{ previous }}
            and exists (
                select 1 from {{ this }} as stored
                where stored._refreshed_at <= {{ previous }} and {{ same_interval }}
            )
        {%- endif %}
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

{% macro delete_engagement_days_restated(restate_temp) %}
    {% if is_incremental() %}
        delete from {{ this }}
        where as_of_date >= (select restate_from from {{ restate_temp }})
    {% endif %}
{% endmacro %}

{#- Every customer's activity summed to each day of `days_relation` (column as_of_date) from the
    day they became known: `activity_relation` (int_customer_activity_daily) summed over each
    customer's days, each total holding until the customer's next active day. -#}
{% macro customer_states_on_days(activity_relation, days_relation) -%}
    select
        days.as_of_date,
        running.*
    from (
        select
            customer_id,
            activity_date,
            lead(activity_date) over (partition by customer_id order by activity_date) as next_activity_date,
            sum(sessions) over to_date as sessions,
            sum(page_views) over to_date as page_views,
            sum(engaged_sessions) over to_date as engaged_sessions,
            sum(add_to_carts) over to_date as add_to_carts,
            sum(social_shares) over to_date as social_shares,
            sum(email_clicks) over to_date as email_clicks,
            max(last_session_date) over to_date as last_session_date,
            sum(orders) over to_date as orders,
            min(case when orders > 0 then activity_date end) over to_date as first_order_date,
            max(case when orders > 0 then activity_date end) over to_date as last_order_date,
            sum(survey_responses) over to_date as survey_responses
        from {{ activity_relation }}
        window to_date as (partition by customer_id order by activity_date rows between unbounded preceding and current row)
    ) as running
    inner join {{ days_relation }} as days
        on
            running.activity_date <= days.as_of_date
            and (running.next_activity_date is null or days.as_of_date < running.next_activity_date)
{%- endmacro %}
