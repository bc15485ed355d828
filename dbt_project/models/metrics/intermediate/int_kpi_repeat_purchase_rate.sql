{#-
    The KPI repeat_purchase_rate per period grain, period and segment (contract §4): customers
    with a completed order in the period who have 2+ completed orders by the period's end /
    customers with a completed order in the period. A ratio of distinct customers, so every
    period is counted on its own (never summed from days), with numerator and denominator.

    A customer belongs to a segment in a period when one of their completed orders of the period
    is in it (the order segment types of int_kpi_daily, macros/kpi_segments.sql; the customer
    segment types as of the order's day, from customer_segment_history, as int_kpi_daily does). Whether they count as a repeat buyer is theirs, not the
    order's: int_kpi_repeat_buyers looks at all their orders up to the period's end, so a
    customer whose first order came by e-mail and second direct, in one week, is a repeat buyer
    of that week in both channels.

    A table, as int_kpi_distinct: it reads the completed orders only.
-#}
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

-- each buyer with their segments on the order's day (contract §4, "Segments as they were")
customers as (
    {{ customer_segments_on_days(
        'select distinct customer_id, order_date as as_of_date from orders',
        ref('customer_segment_history'), ref('dim_customers')) }}
),

buyers as (
    select * from {{ ref('int_kpi_repeat_buyers') }}
),

-- each customer once per day and segment of their orders of that day
daily_memberships as (
    select distinct
        order_date,
        segment_type,
        segment_value,
        customer_id
    from (
        {{ explode_segments('orders as fact left join customers as customer'
                            ~ ' on fact.customer_id = customer.customer_id and fact.order_date = customer.as_of_date',
                            order_segments(), ['fact.order_date', 'fact.customer_id']) }}
    ) as exploded
),

memberships as (
    {%- for grain in ['day', 'week', 'month'] %}
        select distinct
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'order_date') }} as date) as period_start,
            segment_type,
            segment_value,
            customer_id
        from daily_memberships
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

counted as (
    select
        memberships.period_grain,
        memberships.period_start,
        memberships.segment_type,
        memberships.segment_value,
        count(*) as buying_customers,
        sum(case when buyers.is_repeat_buyer then 1 else 0 end) as repeat_buyers
    from memberships
    inner join buyers
        on
            memberships.period_grain = buyers.period_grain
            and memberships.period_start = buyers.period_start
            and memberships.customer_id = buyers.customer_id
    group by 1, 2, 3, 4
),

final as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        'repeat_purchase_rate' as kpi,
        cast(repeat_buyers as double) as numerator,
        cast(buying_customers as double) as denominator,
        {{ run_timestamp() }} as _refreshed_at
    from counted
)

select * from final
