{#- The engagement score the semantic layer averages: one row per customer and day for each day
    from a day they visited to the end of that week (or the last scored day), with their score as
    of the day. On a week's last row day these are exactly the customers who visited in the week,
    scored as of that day, as int_kpi_distinct counts them; earlier days hold the week to date. -#}
{{ config(materialized='table') }}

with

visits as (
    -- the days a customer had a session (bots count in no KPI)
    select distinct
        customer_id,
        session_date
    from {{ ref('fct_sessions') }}
    where customer_id is not null and not is_bot
),

engagement as (
    select * from {{ ref('int_customer_engagement_daily') }}
),

spine as (
    select * from {{ ref('metricflow_time_spine') }}
),

week_to_date as (
    select distinct
        visits.customer_id,
        spine.date_day as scored_on
    from visits
    inner join spine
        on
            visits.session_date <= spine.date_day
            and {{ dbt.dateadd('day', 7, dbt.date_trunc('week', 'visits.session_date')) }} > spine.date_day
),

-- a customer without a score that day counts in neither sum nor count, as in int_kpi_distinct;
-- the scores end on the last loaded day, and so do the rows
final as (
    select
        week_to_date.customer_id,
        week_to_date.scored_on,
        engagement.engagement_score
    from week_to_date
    inner join engagement
        on
            week_to_date.customer_id = engagement.customer_id
            and week_to_date.scored_on = engagement.as_of_date
)

select * from final
