-- Cross-model promise: completed-order revenue in fct_orders equals revenue in dim_customers
-- (every customer with a completed order is in dim_customers, and nothing is counted twice).
with

orders as (
    select coalesce(sum(net_revenue), 0) as revenue
    from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

customers as (
    select coalesce(sum(revenue), 0) as revenue
    from {{ ref('dim_customers') }}
)

select orders.revenue as orders_revenue, customers.revenue as customers_revenue
from orders
cross join customers
where abs(orders.revenue - customers.revenue) > 0.005
