{#- churn_rate per period grain and period (contract §4, "Churn"): of the customers who had ordered
    by the period's end (its last day, or the last loaded day), those whose last completed order was
    more than `churn_after_days` before it. Counted from daily running totals, so its cost follows
    the days and orders, not days x customers. Segment `all` only. -#}
{{ config(materialized='table') }}

{%- set churn_after_days = var('churn_after_days') %}

with

observation as (
    select * from {{ ref('int_observation_window') }}
),

order_days as (
    select distinct
        customer_id,
        order_date
    from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

-- from one completed order to the next, it is the customer's last
spans as (
    select
        order_date,
        cast({{ dbt.dateadd('day', churn_after_days + 1, 'order_date') }} as date) as churned_from,
        lead(order_date) over (partition by customer_id order by order_date) as next_order_date,
        row_number() over (partition by customer_id order by order_date) as order_day_number
    from order_days
),

-- +1 customer who has ordered on their first order day; +1 churned customer from the first day
-- their last order is more than churn_after_days old, -1 on the day they order again
changes as (
    select
        order_date as change_date,
        1 as ordered_change,
        0 as churned_change
    from spans
    where order_day_number = 1
    union all
    select
        churned_from as change_date,
        0 as ordered_change,
        1 as churned_change
    from spans
    where next_order_date is null or next_order_date > churned_from
    union all
    select
        next_order_date as change_date,
        0 as ordered_change,
        -1 as churned_change
    from spans
    where next_order_date > churned_from
),

daily_changes as (
    select
        change_date,
        sum(ordered_change) as ordered_change,
        sum(churned_change) as churned_change
    from changes
    group by 1
),

-- running totals on every day from the first order to the observation end
daily as (
    select
        spine.date_day,
        sum(coalesce(daily_changes.ordered_change, 0)) over running as ordered_customers,
        sum(coalesce(daily_changes.churned_change, 0)) over running as churned_customers
    from {{ ref('metricflow_time_spine') }} as spine
    cross join observation
    left join daily_changes
        on spine.date_day = daily_changes.change_date
    where
        spine.date_day >= (select min(changed.change_date) from daily_changes as changed)
        and spine.date_day <= observation.observation_end
    window running as (order by spine.date_day rows between unbounded preceding and current row)
),

-- each period with the day it is judged on: its last day, or the last loaded day
periods as (
    {%- for grain in ['day', 'week', 'month'] %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'date_day') }} as date) as period_start,
            max(date_day) as judged_on
        from daily
        group by 1, 2
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        periods.period_grain,
        periods.period_start,
        'all' as segment_type,
        'all' as segment_value,
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
