{#- Completed orders attributed to a campaign by last touch within the session (the latest
    utm-tagged event at or before the purchase); orders without a touch are attributed nowhere. -#}

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
