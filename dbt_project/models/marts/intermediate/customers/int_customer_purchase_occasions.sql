{#- Purchase occasions (contract §4, Predicted CLV): customer-days with a completed order, with that
    day's net spend; both CLV fits and the holdout check start here. -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed' and customer_id is not null
),

final as (
    select
        customer_id,
        order_date as occasion_date,
        sum(net_revenue) as daily_spend
    from orders
    group by customer_id, order_date
)

select * from final
