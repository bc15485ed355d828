{#- repeat_purchase_rate per period grain, period and segment, counted per period. A buyer is in
    a segment when one of their completed orders of the period is; whether they are a repeat buyer
    is theirs (int_kpi_repeat_buyers), not the order's. -#}
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
