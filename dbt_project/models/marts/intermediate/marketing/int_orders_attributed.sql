{#-
    Each completed order carried by a purchase event, attributed to a campaign by last touch
    within the session: the latest event of the session at or before the purchase that carries
    utm tags (int_order_touches, which follows the sessionized events incrementally). Orders
    without such a touch are attributed to nothing (they stay out of campaign revenue).
-#}

with

touches as (
    select * from {{ ref('int_order_touches') }}
    where utm_campaign is not null
),

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed'
),

final as (
    select
        orders.order_id,
        orders.order_date,
        touches.session_id,
        touches.utm_source,
        touches.utm_medium,
        touches.utm_campaign,
        orders.net_revenue
    from orders
    inner join touches
        on orders.order_id = touches.order_id
)

select * from final
