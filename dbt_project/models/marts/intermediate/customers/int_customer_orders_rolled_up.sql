{#- Completed-order facts per customer: counts, revenue, first and last order, and the RFM
    inputs (days since the last order, orders, revenue) measured to the observation end. -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

observation as (
    select * from {{ ref('int_observation_window') }}
),

rolled_up as (
    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(net_revenue) as revenue,
        sum(item_count) as items
    from orders
    group by customer_id
),

final as (
    select
        rolled_up.*,
        rolled_up.revenue / rolled_up.orders as average_order_value,
        rolled_up.orders >= 2 as is_repeat_customer,
        {{ dbt.datediff('rolled_up.last_order_date', 'observation.observation_end', 'day') }}
            as days_since_last_order
    from rolled_up
    cross join observation
)

select * from final
