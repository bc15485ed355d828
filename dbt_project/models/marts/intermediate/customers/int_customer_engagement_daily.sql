{#-
    Every customer's engagement score as of each business date (contract §4: the engagement
    score in kpi_metrics is the score as of the day): the rule of dim_customers (weighted
    percentiles among all customers known that day, engagement_score_weights seed) applied to
    each customer's activity to that day, visit recency counted to that day. From the first day
    with a session (before it no KPI has a visitor to score); on the observation end it equals
    dim_customers.engagement_score (tested).

    Incremental: a run restates the days from the earliest business date touched by new or
    rewritten facts (as customer_segment_history does), since percentiles move for everyone.
-#}
-- depends_on: {{ ref('int_events_sessionized') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('stg_crm__customer_versions') }}
-- depends_on: {{ ref('engagement_score_weights') }}
-- depends_on: {{ ref('stg_tracking__event_arrivals') }}
-- depends_on: {{ ref('stg_shop__order_arrivals') }}
-- depends_on: {{ ref('stg_feedback__survey_response_arrivals') }}
-- depends_on: {{ ref('stg_crm__customer_arrivals') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ remember_segment_restate_from('engagement_daily_restate_from') }}",
            "{{ delete_engagement_days_restated('engagement_daily_restate_from') }}",
        ],
    )
}}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

activity as (
    select * from {{ ref('int_customer_activity_daily') }}
),

bounds as (
    select
        {%- if is_incremental() %}
            greatest(
                (select engagement_daily_restate_from.restate_from from engagement_daily_restate_from),
                (
                    select min(activity.activity_date) from activity
                    where activity.sessions > 0
                )
            ) as first_day,
        {%- else %}
            (
                select min(activity.activity_date) from activity
                where activity.sessions > 0
            ) as first_day,
        {%- endif %}
        observation_end as last_day
    from observation
),

days as (
    {{ day_series('bounds.first_day', 'bounds.last_day') }}
),

states as (
    {{ customer_states_on_days('activity', 'days') }}
),

signals as (
    -- engagement-score components as of the day, named as in the engagement_score_weights seed
    select
        customer_id,
        as_of_date,
        coalesce(-{{ dbt.datediff('last_session_date', 'as_of_date', 'day') }}, -100000) as visit_recency,
        sessions,
        coalesce(cast(engaged_sessions as double) / nullif(sessions, 0), 0) as engaged_session_rate,
        coalesce(cast(page_views as double) / nullif(sessions, 0), 0) as page_views_per_session,
        orders,
        survey_responses as feedback,
        social_shares,
        email_clicks
    from states
),

final as (
    select
        customer_id,
        as_of_date,
        cast({{ engagement_score_expression('as_of_date') }} as double) as engagement_score,
        {{ run_timestamp() }} as _refreshed_at
    from signals
)

select * from final
