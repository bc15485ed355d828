{#- churn_rate per period grain, period and segment (contract §4, "Churn"): of the customers who had
    ordered by the period's end (its last day, or the last loaded day), those churned on that day
    (int_customer_churn_states), each in their segment on that day. Counted from daily running
    totals per segment, so its cost follows days, orders and segment changes, not days x customers. -#}
{{ config(materialized='table') }}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

states as (
    select * from {{ ref('int_customer_churn_states') }}
),

segments as (
    select * from {{ ref('int_customer_segment_intervals') }}
),

-- a state within a segment's interval: +1 where both hold from, -1 where either ends
memberships as (
    select
        segments.segment_type,
        segments.segment_value,
        states.state,
        case when segments.valid_from > states.starts_on then segments.valid_from else states.starts_on end
            as starts_on,
        case
            when states.ends_on is null then segments.valid_to
            when segments.valid_to is null or states.ends_on < segments.valid_to then states.ends_on
            else segments.valid_to
        end as ends_on
    from states
    inner join segments
        on states.customer_id = segments.customer_id
),

changes as (
    select
        segment_type,
        segment_value,
        state,
        starts_on as change_date,
        1 as change
    from memberships
    where ends_on is null or starts_on < ends_on
    union all
    select
        segment_type,
        segment_value,
        state,
        ends_on as change_date,
        -1 as change
    from memberships
    where starts_on < ends_on
),

daily_changes as (
    select
        segment_type,
        segment_value,
        change_date,
        sum(case when state = 'ordered' then change else 0 end) as ordered_change,
        sum(case when state = 'churned' then change else 0 end) as churned_change
    from changes
    group by 1, 2, 3
),

segment_values as (
    select distinct
        segment_type,
        segment_value
    from daily_changes
),

-- running totals per segment on every day from the first order to the observation end
daily as (
    select
        segment_values.segment_type,
        segment_values.segment_value,
        spine.date_day,
        sum(coalesce(daily_changes.ordered_change, 0)) over running as ordered_customers,
        sum(coalesce(daily_changes.churned_change, 0)) over running as churned_customers
    from {{ ref('metricflow_time_spine') }} as spine
    cross join observation
    cross join segment_values
    left join daily_changes
        on
            segment_values.segment_type = daily_changes.segment_type
            and segment_values.segment_value = daily_changes.segment_value
            and spine.date_day = daily_changes.change_date
    where
        spine.date_day >= (select min(changed.change_date) from daily_changes as changed)
        and spine.date_day <= observation.observation_end
    window running as (
        partition by segment_values.segment_type, segment_values.segment_value
        order by spine.date_day rows between unbounded preceding and current row
    )
),

-- each period with the day it is judged on: its last day, or the last loaded day
periods as (
    {%- for grain in ['day', 'week', 'month'] %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'date_day') }} as date) as period_start,
            max(date_day) as judged_on
        from daily
        where segment_type = 'all'
        group by 1, 2
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        periods.period_grain,
        periods.period_start,
        daily.segment_type,
        daily.segment_value,
        'churn_rate' as kpi,
        cast(daily.churned_customers as double) as numerator,
        cast(daily.ordered_customers as double) as denominator,
        {{ run_timestamp() }} as _refreshed_at
    from periods
    inner join daily
        on periods.judged_on = daily.date_day
    where daily.ordered_customers > 0
)

select * from final
