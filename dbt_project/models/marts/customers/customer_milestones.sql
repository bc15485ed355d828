{#- Customers reaching an order milestone (the milestones seed: 1st, 2nd, 5th, 10th ... completed
    order): when and with which order, for thank-you and loyalty campaigns. -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where customer_order_number is not null
),

milestones as (
    select * from {{ ref('milestones') }}
),

final as (
    select
        orders.customer_id,
        cast(milestones.milestone_order_number as {{ dbt.type_bigint() }}) as milestone_order_number,
        milestones.milestone_name,
        orders.ordered_at as reached_at,
        orders.order_date as reached_date,
        orders.order_id
    from orders
    inner join milestones
        on orders.customer_order_number = milestones.milestone_order_number
)

select * from final
