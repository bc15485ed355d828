{#-
    Each completed order carried by a purchase event, attributed to a campaign by last touch
    within the session: the latest event of the session at or before the purchase that carries
    utm tags. Orders without such a touch are attributed to nothing (they stay out of campaign
    revenue).
-#}

with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

purchases as (
    select session_id, event_id, event_number, order_id, occurred_at
    from events
    where event_type = 'purchase' and order_id is not null
),

first_purchases as (
    -- an order id sent twice is one order: attribute its first purchase event
    select * from (
        select
            *,
            row_number() over (partition by order_id order by occurred_at, event_id) as carrier_rank
        from purchases
    ) as ranked
    where carrier_rank = 1
),

touches as (
    select session_id, event_number, utm_source, utm_medium, utm_campaign
    from events
    where utm_campaign is not null
),

last_touches as (
    select
        first_purchases.order_id,
        first_purchases.session_id,
        touches.utm_source,
        touches.utm_medium,
        touches.utm_campaign,
        row_number() over (
            partition by first_purchases.order_id order by touches.event_number desc
        ) as touch_rank
    from first_purchases
    inner join touches
        on
            first_purchases.session_id = touches.session_id
            and touches.event_number <= first_purchases.event_number
),

orders as (
    select * from {{ ref('fct_orders') }}
    where status = 'completed'
),

final as (
    select
        orders.order_id,
        orders.order_date,
        last_touches.session_id,
        last_touches.utm_source,
        last_touches.utm_medium,
        last_touches.utm_campaign,
        orders.net_revenue
    from orders
    inner join last_touches
        on orders.order_id = last_touches.order_id and last_touches.touch_rank = 1
)

select * from final
