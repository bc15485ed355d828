{#- Visitors and the engagement score per period grain, period and segment: they do not add up
    over days. Summed from int_kpi_visitor_segments' rows per customer (a visitor has one customer
    or none). A table: its input is already small, and running periods' scores move daily. -#}
{{ config(materialized='table') }}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

engagement as (
    select * from {{ ref('int_customer_engagement_daily') }}
),

memberships as (
    select
        *,
        -- the day the period's scores are taken on: its last day, or the last loaded day
        least(
            cast({{ dbt.dateadd('day', -1, "case period_grain when 'day' then " ~ dbt.dateadd('day', 1, 'period_start')
                ~ " when 'week' then " ~ dbt.dateadd('day', 7, 'period_start')
                ~ " else " ~ dbt.dateadd('month', 1, 'period_start') ~ " end") }} as date),
            (select observation.observation_end from observation)
        ) as scored_on
    from {{ ref('int_kpi_visitor_segments') }}
),

-- Visitors, and the scores of the distinct customers among them, per segment: one pass over
-- every membership row. A customer without a score adds its visitors and nothing to the score
-- sum or count.
by_segment as (
    select
        memberships.period_grain,
        memberships.period_start,
        memberships.segment_type,
        memberships.segment_value,
        sum(memberships.visitors) as visitors,
        sum(engagement.engagement_score) as score_sum,
        count(engagement.engagement_score) as customers
    from memberships
    left join engagement
        on memberships.customer_id = engagement.customer_id and memberships.scored_on = engagement.as_of_date
    group by 1, 2, 3, 4
),

kpis as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'visitors' as kpi,
        cast(visitors as double) as numerator,
        cast(null as double) as denominator
    from by_segment
    union all
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'engagement_score' as kpi,
        cast(score_sum as double) as numerator,
        cast(customers as double) as denominator
    from by_segment
    where customers > 0
),

final as (
    select
        *,
        {{ run_timestamp() }} as _refreshed_at
    from kpis
)

select * from final
