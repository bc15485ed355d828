{#- Every customer's engagement score as of each business date: dim_customers' rule applied to the
    activity to that day, restated from the first day whose facts changed. -#}
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
        partition_by=engine_partition_by('as_of_date'),
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ remember_segment_restate_from('engagement_daily_restate_from') }}",
            "{{ delete_restated_days('engagement_daily_restate_from') }}",
        ],
    )
}}

{%- set first_session_day = '(select min(activity_date) from activity where sessions > 0)' %}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

activity as (
    select * from {{ ref('int_customer_activity_daily') }}
),

days_to_restate as (
    -- from the first day with a session: before it no KPI has a visitor to score
    {{ days_to_restate('observation', 'engagement_daily_restate_from', first_session_day) }}
),

states as (
    {{ customer_states_on_days('activity', 'days_to_restate') }}
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
